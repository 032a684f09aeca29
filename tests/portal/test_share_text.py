"""The link in pasted share text, as the apps' share buttons copy it."""

import pytest

from wenzhou_portal.share_text import link_from_share_text


@pytest.mark.parametrize(
    ("pasted", "link", "context"),
    [
        (
            "7.43 复制打开抖音，看看【温州文明的作品】我们的城市 https://v.douyin.com/iRNBxyz/ a@B.xX 09/12 :/ ",
            "https://v.douyin.com/iRNBxyz/",
            "【温州文明的作品】我们的城市",
        ),
        (
            "2.05 Kjc:/ 复制打开抖音，看看【鹿城小李的作品】江心屿要拆了？# 温州 "
            "https://v.douyin.com/ikQ2Lm8/ 复制此链接，打开Dou音搜索，直接观看视频！",
            "https://v.douyin.com/ikQ2Lm8/",
            "【鹿城小李的作品】江心屿要拆了？# 温州",
        ),
        (
            "【小红书】温州这家店的鸡蛋是假的 http://xhslink.com/a/AbCd，复制本条信息，打开【小红书】App查看精彩内容！",
            "http://xhslink.com/a/AbCd",
            "【小红书】温州这家店的鸡蛋是假的",
        ),
        (
            "https://v.kuaishou.com/5xYz9Q 温州老人领补贴要先交钱 该作品在快手被播放过1.2万次，"
            "点击链接，打开【快手】直接观看！",
            "https://v.kuaishou.com/5xYz9Q",
            "温州老人领补贴要先交钱 该作品在快手被播放过1.2万次",
        ),
        (
            "【瓯海区明天停水三天？】官方回应来了 http://t.cn/A6Xyz12（分享自 @微博）",
            "http://t.cn/A6Xyz12",
            "【瓯海区明天停水三天？】官方回应来了",
        ),
    ],
)
def test_share_texts_from_the_apps_give_their_link_and_title(pasted, link, context):
    assert link_from_share_text(pasted) == (link, context)


def test_a_wechat_article_link_keeps_its_query_and_fragment():
    pasted = (
        "温州网信发布：关于网传“瓯江大桥封闭”的说明 "
        "https://mp.weixin.qq.com/s?__biz=MzA5NjQ3&mid=2650&idx=1&sn=9f3c0a&chksm=8b1e#rd"
    )
    assert link_from_share_text(pasted) == (
        "https://mp.weixin.qq.com/s?__biz=MzA5NjQ3&mid=2650&idx=1&sn=9f3c0a&chksm=8b1e#rd",
        "温州网信发布：关于网传“瓯江大桥封闭”的说明",
    )


def test_a_link_copied_from_page_source_loses_its_html_escaping():
    link, _ = link_from_share_text("https://mp.weixin.qq.com/s?__biz=Mz&amp;mid=26")
    assert link == "https://mp.weixin.qq.com/s?__biz=Mz&mid=26"


def test_a_plain_link_has_no_context():
    assert link_from_share_text("https://www.wenzhou.gov.cn/a/1.html") == (
        "https://www.wenzhou.gov.cn/a/1.html",
        "",
    )
    assert link_from_share_text("  http://example.com  \n") == ("http://example.com", "")


@pytest.mark.parametrize(
    "pasted",
    ["抖音上有个视频说江心屿要拆了", "我在微信群里看到的，没有链接", "3.14 是圆周率"],
)
def test_text_without_a_link_is_all_context(pasted):
    assert link_from_share_text(pasted) == ("", pasted)


def test_empty_text():
    assert link_from_share_text("") == ("", "")


def test_chinese_punctuation_around_a_link_is_not_part_of_it():
    assert link_from_share_text("看这个（https://example.com/a?b=1）！")[0] == (
        "https://example.com/a?b=1"
    )
    assert link_from_share_text("链接：https://example.com/a。后面的话")[0] == (
        "https://example.com/a"
    )
    assert link_from_share_text("链接“https://example.com/a”，快看") == (
        "https://example.com/a",
        "链接“ ”，快看",
    )


def test_sentence_punctuation_ends_a_link_but_balanced_brackets_stay():
    assert link_from_share_text("see https://example.com/a.")[0] == "https://example.com/a"
    assert link_from_share_text("(see https://example.com/a)")[0] == "https://example.com/a"
    assert link_from_share_text("https://en.wikipedia.org/wiki/Wenzhou_(city)")[0] == (
        "https://en.wikipedia.org/wiki/Wenzhou_(city)"
    )


def test_full_width_letters_from_a_chinese_input_method_are_read_as_ascii():
    assert link_from_share_text("ｈｔｔｐｓ：／／ｖ．ｄｏｕｙｉｎ．ｃｏｍ／ｉＲＮＢ／ 看看") == (
        "https://v.douyin.com/iRNB/",
        "看看",
    )
    assert link_from_share_text("HTTPS://Example.com/A")[0] == "https://Example.com/A"


def test_the_first_of_several_links_is_taken_and_the_others_stay_in_the_context():
    link, context = link_from_share_text("一 https://a.example/1 二 https://b.example/2")
    assert link == "https://a.example/1"
    assert context == "一 二 https://b.example/2"


def test_a_scheme_without_a_host_is_not_a_link():
    assert link_from_share_text("https:// 看看") == ("", "https:// 看看")
    assert link_from_share_text("https://，看看 http://x.cn/1")[0] == "http://x.cn/1"


def test_text_around_the_link_keeps_its_lines():
    link, context = link_from_share_text("第一行\nhttps://x.cn/1\n第二行")
    assert link == "https://x.cn/1"
    assert context == "第一行\n第二行"
