"""The link in what a share button copies, and the words around it.

The share buttons of Douyin, Kuaishou, Weibo, Xiaohongshu and WeChat copy a title, a
link and app boilerplate in one piece of text, e.g.::

    7.43 复制打开抖音，看看【温州文明的作品】我们的城市 https://v.douyin.com/iRNBxyz/ a@B.xX 09/12 :/

A citizen pastes all of it into a link box. ``link_from_share_text`` finds the first
http(s) link (Chinese punctuation and full-width letters around or inside it are read as
a person would read them) and returns the rest as context, with the apps' "copy this and
open the app" boilerplate and pass codes left out, so that the title a citizen saw is kept
and the noise is not. Standard library only, so every app (reports, contest entries) can
use it on any link box.
"""

import re

# Full-width forms (U+FF01..U+FF5E) that can be part of a link typed on a Chinese input
# method: letters, digits and the URL's own punctuation. Chinese commas, brackets and
# exclamation marks are never part of a link: they end it, as a reader would expect.
_FULLWIDTH_ENDS_LINK = frozenset("，！（）；＇＂＜＞［］｛｝｜＼＾｀")
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# What a link is made of (RFC 3986 unreserved, reserved and percent signs).
_LINK_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
# Punctuation that ends a sentence rather than a link ("see https://x.cn/a.").
_TRAILING = ".,;:!?'\""
_PAIRS = {")": "(", "]": "["}

# The apps' boilerplate around the link, in the wording their share buttons use.
_BOILERPLATE = [
    # Douyin's pass code before the text: "7.43 " or "2.05 Kjc:/ ".
    re.compile(
        r"^\s*\d\.\d{2}\s+(?![万亿元%])(?:[A-Za-z]{1,5}:/\s*)?"
        r"(?:[A-Za-z0-9]@[A-Za-z0-9]\.[A-Za-z]{2}\s*)?"
    ),
    # Douyin's code after the link: "a@B.xX 09/12 :/", "Dnq:/ 12/25 ".
    re.compile(r"(?<!\S)[A-Za-z0-9]@[A-Za-z0-9]\.[A-Za-z]{2}(?!\S)"),
    re.compile(r"(?<!\S)(?:[01]\d/[0-3]\d)(?!\S)"),
    re.compile(r"(?<!\S)[A-Za-z]{0,5}:/(?!\S)"),
    # "复制打开抖音，看看"
    re.compile(r"复制打开(?:抖音|Dou音|dou音|快手|小红书|微博|微信)[，,]?\s*(?:看看)?"),
    # "复制此链接，打开Dou音搜索，直接观看视频！", "复制本条信息，打开【小红书】App查看精彩内容！",
    # "点击链接，打开【快手】直接观看！", "复制这条内容，打开「微博」查看".
    re.compile(
        r"[，,]?\s*(?:复制|点击)(?:此|本条|这条|该)?(?:链接|信息|消息|内容|口令)[，,]?\s*"
        r"(?:打开|到)[^，,。！!\n]{0,24}?(?:搜索|查看|观看|打开)[^，,。！!\n]{0,12}"
        r"(?:[，,]\s*直接观看(?:视频)?)?[！!。]?"
    ),
    # Weibo: "（分享自 @微博）", "(分享自@小红书)".
    re.compile(r"[（(]\s*分享自\s*@?[^）)]{1,12}[）)]"),
]
_SPACES = re.compile(r"[ \t\u3000]+")
_EDGE_PUNCTUATION = " \t\n\u3000，,、：:;；/"


def _as_link_char(char: str) -> str:
    """The ASCII character a full-width one stands for, when it can be part of a link."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E and char not in _FULLWIDTH_ENDS_LINK:
        return chr(code - 0xFEE0)
    return char


def _trim_link(link: str) -> str:
    """The link without the sentence punctuation or unbalanced bracket that ends it."""
    while link:
        last = link[-1]
        unbalanced = last in _PAIRS and link.count(_PAIRS[last]) < link.count(last)
        if last not in _TRAILING and not unbalanced:
            break
        link = link[:-1]
    return link


def _context(text: str) -> str:
    for pattern in _BOILERPLATE:
        text = pattern.sub(" ", text)
    lines = [_SPACES.sub(" ", line).strip(_EDGE_PUNCTUATION) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def link_from_share_text(text: str) -> tuple[str, str]:
    """(the first http(s) link in pasted share text, the rest of it as context).

    Text without a link comes back whole as context: ("", text).
    """
    if not text:
        return "", ""
    # Same length as the text, so a position in one is the same position in the other.
    readable = "".join(_as_link_char(char) for char in text)
    for scheme in _SCHEME.finditer(readable):
        body = _LINK_CHARS.match(readable, scheme.end()).group()
        link = _trim_link(readable[scheme.start() : scheme.end()] + body)
        host = link[scheme.end() - scheme.start() :].split("/", 1)[0]
        if not host.strip("?#.:@"):
            continue
        end = scheme.start() + len(link)
        link = _SCHEME.sub(lambda found: found.group().lower(), link, count=1)
        rest = text[: scheme.start()] + " " + text[end:]
        # A link copied out of a web page's source keeps its "&amp;".
        return link.replace("&amp;", "&"), _context(rest)
    return "", text.strip()
