"""GB 45438-2025 implicit labels: does an image file's metadata say it was made by AI?

GB 45438-2025 (人工智能生成合成内容标识方法, in force 2025-09-01) has AI services write an
implicit label into a file's metadata: a field ``AIGC`` holding JSON with the keys
``Label``, ``ContentProducer``, ``ProduceID``, ``ReservedCode1``, ``ContentPropagator``,
``PropagateID`` and ``ReservedCode2``. In images it is found as

- XMP in the TC260 namespace (``http://www.tc260.org.cn/ns/AIGC/1.0/``), as an element
  ``<TC260:AIGC>{…}</TC260:AIGC>``, an attribute ``TC260:AIGC="{…}"``, or a structure of
  ``TC260:Label``… properties; XMP rides in PNG iTXt ``XML:com.adobe.xmp``, JPEG APP1 and
  the WebP ``XMP`` chunk;
- a PNG text chunk (tEXt, zTXt or iTXt) keyed ``AIGC``;
- EXIF UserComment holding ``{"AIGC": {…}}`` (JPEG, WebP, PNG eXIf).

What this module reports is a fact about the file, never a verdict on its content: a
screenshot of AI-made content rarely carries the original's label, and anyone can write
one into a file.

The work is bounded: only the first ``MAX_SCAN_BYTES`` are read; Pillow parses headers
and metadata only (no pixels); PNG chunks are walked without decoding image data, and
compressed text is inflated to at most ``MAX_VALUE_BYTES``; XMP and values are cut before
parsing; every returned field is cut to ``MAX_FIELD_CHARS``. Nothing here raises on
malformed input.

A label whose JSON cannot be read still counts as present (the file carries the field,
which is what staff are told), returned as ``{"raw": <first MAX_RAW_CHARS characters>}``;
an empty ``AIGC`` field counts as absent.
"""

import html
import json
import re
import warnings
import zlib
from collections.abc import Iterator
from io import BytesIO

from PIL import ExifTags, Image, PngImagePlugin

FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
TC260_NAMESPACE = "http://www.tc260.org.cn/ns/AIGC/1.0/"

MAX_SCAN_BYTES = 16 * 2**20
MAX_VALUE_BYTES = 64 * 2**10
MAX_XMP_CHARS = 256 * 2**10
MAX_PNG_CHUNKS = 1000
MAX_FIELD_CHARS = 256
MAX_RAW_CHARS = 200

_FIELD_BY_KEY = {name.lower(): name for name in FIELDS}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_XMP_KEYS = ("xmp", "XML:com.adobe.xmp")
_USER_COMMENT = 0x9286

_NAME = r"[A-Za-z_][\w.-]{0,40}"
# <TC260:AIGC ...>value</TC260:AIGC> or <TC260:AIGC .../>; any prefix (or none) is read.
_AIGC_ELEMENT = re.compile(
    rf"<(?:{_NAME}:)?AIGC(?P<attrs>\s[^<>]{{0,4096}}?)?"
    rf"(?:/>|>(?P<body>.{{0,{MAX_VALUE_BYTES}}}?)</(?:{_NAME}:)?AIGC\s*>)",
    re.S,
)
# TC260:AIGC="value" as an attribute of rdf:Description.
_AIGC_ATTRIBUTE = re.compile(
    rf"\s(?!xmlns:)(?:{_NAME}:)?AIGC\s*=\s*(?P<q>[\"'])(?P<value>.{{0,{MAX_VALUE_BYTES}}}?)(?P=q)",
    re.S,
)
_NAMESPACE_DECLARATION = re.compile(
    rf"xmlns:(?P<prefix>{_NAME})\s*=\s*[\"'](?P<uri>[^\"']{{0,200}})[\"']"
)


def implicit_label(data: bytes) -> dict[str, str] | None:
    """The GB 45438 implicit label in an image's metadata: its fields, or None if absent.

    Reads JPEG, PNG and WebP; anything else (or garbage) has no label. Never raises.
    """
    try:
        for kind, text in _metadata_values(data[:MAX_SCAN_BYTES]):
            fields = _label_from(kind, text)
            if fields is not None:
                return fields
    except Exception:  # noqa: S110  malformed metadata means no label, never an error
        pass
    return None


# --- Where labels live -------------------------------------------------------------------


def _metadata_values(data: bytes) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs to look for a label in: "value" (an AIGC field's own value),
    "xmp" (an XMP packet) or "container" (a free-text field that may hold {"AIGC": …})."""
    if data.startswith(_PNG_SIGNATURE):
        # Walked by hand: Pillow reads text chunks after the image data only by decoding it.
        for keyword, text in _png_text_chunks(data):
            if keyword.strip().upper() == "AIGC":
                yield "value", text
            elif keyword == "XML:com.adobe.xmp":
                yield "xmp", text
    yield from _pillow_metadata(data)


def _pillow_metadata(data: bytes) -> Iterator[tuple[str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image = Image.open(BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
        except Exception:  # not an image we read: no label
            return
    with image:
        info = image.info
        if image.format != "PNG":  # PNG text was walked above, including after the pixels
            for key, value in info.items():
                if isinstance(key, str) and key.strip().upper() == "AIGC":
                    yield "value", _text(value)
            for key in _XMP_KEYS:
                if key in info:
                    yield "xmp", _text(info[key])
        # Only when present: for PNG, asking for EXIF otherwise decodes the whole image.
        if "exif" in info:
            comment = image.getexif().get_ifd(ExifTags.IFD.Exif).get(_USER_COMMENT)
            if comment:
                yield "container", _user_comment_text(comment)


def _png_text_chunks(data: bytes) -> Iterator[tuple[str, str]]:
    """(keyword, text) of each tEXt, zTXt and iTXt chunk, without touching image data."""
    position = len(_PNG_SIGNATURE)
    for _chunk in range(MAX_PNG_CHUNKS):
        if position + 12 > len(data):
            return
        length = int.from_bytes(data[position : position + 4], "big")
        if position + 12 + length > len(data):
            return  # cut short (or past the scan limit): nothing after it is read either
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            return
        if kind in _PNG_TEXT_CHUNKS:
            parsed = _png_text(kind, body)
            if parsed is not None:
                yield parsed


def _png_text(kind: bytes, body: bytes) -> tuple[str, str] | None:
    keyword, separator, rest = body.partition(b"\0")
    if not separator:
        return None
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest[:MAX_VALUE_BYTES].decode("latin-1")
    if kind == b"zTXt":
        return name, _inflate(rest[1:]).decode("latin-1")
    # iTXt: compression flag, method, language tag \0, translated keyword \0, UTF-8 text.
    if len(rest) < 2:
        return None
    compressed = rest[0] == 1
    _language, _sep, rest = rest[2:].partition(b"\0")
    _translated, _sep, text = rest.partition(b"\0")
    text = _inflate(text) if compressed else text[:MAX_VALUE_BYTES]
    return name, text.decode("utf-8", errors="replace")


def _inflate(compressed: bytes) -> bytes:
    """At most MAX_VALUE_BYTES of a zlib stream (a small chunk may inflate to gigabytes)."""
    try:
        return zlib.decompressobj().decompress(compressed, MAX_VALUE_BYTES)
    except zlib.error:
        return b""


def _text(value) -> str:
    if isinstance(value, bytes):
        return value[:MAX_XMP_CHARS].decode("utf-8", errors="replace")
    return str(value)[:MAX_XMP_CHARS]


def _user_comment_text(value) -> str:
    """EXIF UserComment: an 8-byte character-code prefix, then the text."""
    if isinstance(value, str):
        return value[:MAX_VALUE_BYTES]
    raw = bytes(value[:MAX_VALUE_BYTES])
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        # The byte order follows the EXIF block's; take whichever reads as JSON.
        for encoding in ("utf-16-be", "utf-16-le"):
            text = body.decode(encoding, errors="replace")
            if "{" in text:
                return text
        return ""
    if prefix.startswith((b"ASCII", b"\0\0\0\0\0\0\0\0", b"JIS")):
        return body.decode("utf-8", errors="replace")
    return raw.decode("utf-8", errors="replace")  # written without the prefix


# --- Reading a label ---------------------------------------------------------------------


def _label_from(kind: str, text: str) -> dict[str, str] | None:
    if kind == "value":
        return _from_value(text)
    if kind == "xmp":
        return _from_xmp(text)
    return _from_container(text)


def _from_value(text: str) -> dict[str, str] | None:
    """The fields from an AIGC field's value (JSON); None if the value is empty."""
    text = text.strip()[:MAX_VALUE_BYTES]
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"raw": text[:MAX_RAW_CHARS]}
    if isinstance(parsed, dict):
        nested = _get(parsed, "AIGC")
        if isinstance(nested, dict):  # {"AIGC": {...}} written where {...} was meant
            parsed = nested
        elif isinstance(nested, str):
            return _from_value(nested)
    fields = _fields(parsed) if isinstance(parsed, dict) else None
    return fields or {"raw": text[:MAX_RAW_CHARS]}


def _from_container(text: str) -> dict[str, str] | None:
    """A free-text field (EXIF UserComment) that holds {"AIGC": …}, or the fields themselves."""
    text = text.strip().strip("\0").strip()
    if not text.startswith("{"):
        return None
    try:
        parsed = json.loads(text[:MAX_VALUE_BYTES])
    except ValueError:
        return {"raw": text[:MAX_RAW_CHARS]} if '"AIGC"' in text else None
    if not isinstance(parsed, dict):
        return None
    nested = _get(parsed, "AIGC")
    if isinstance(nested, dict):
        return _fields(nested) or {"raw": text[:MAX_RAW_CHARS]}
    if isinstance(nested, str):
        return _from_value(nested)
    # The fields without the wrapper: Label alone is too common a word to count.
    fields = _fields(parsed)
    return fields if fields and "Label" in fields and len(fields) > 1 else None


def _from_xmp(xmp: str) -> dict[str, str] | None:
    xmp = xmp[:MAX_XMP_CHARS]
    if "AIGC" not in xmp and "tc260" not in xmp.lower():
        return None
    tc260_prefixes = {
        match["prefix"]
        for match in _NAMESPACE_DECLARATION.finditer(xmp)
        if "tc260" in match["uri"].lower()
    }
    for match in _AIGC_ELEMENT.finditer(xmp):
        body = match["body"]
        if body is not None and "<" not in body:
            fields = _from_value(html.unescape(body))
        else:  # a structure: <TC260:AIGC rdf:parseType="Resource"><TC260:Label>…
            fields = _from_properties(f"{match['attrs'] or ''} {body or ''}", None)
        if fields:
            return fields
    for match in _AIGC_ATTRIBUTE.finditer(xmp):
        fields = _from_value(html.unescape(match["value"]))
        if fields:
            return fields
    # The fields as TC260 properties of the description, without an AIGC wrapper.
    if tc260_prefixes:
        return _from_properties(xmp, tc260_prefixes)
    return None


def _from_properties(xmp: str, prefixes: set[str] | None) -> dict[str, str] | None:
    """Known fields written as XMP properties (elements or attributes); with ``prefixes``,
    only in those namespaces."""
    prefix = (
        rf"(?:{'|'.join(map(re.escape, sorted(prefixes)))}):" if prefixes else rf"(?:{_NAME}:)?"
    )
    names = "|".join(FIELDS)
    found: dict[str, str] = {}
    elements = re.finditer(
        rf"<{prefix}(?P<name>{names})\s*>(?P<value>[^<]{{0,{MAX_VALUE_BYTES}}})<", xmp
    )
    attributes = re.finditer(
        rf"\s{prefix}(?P<name>{names})\s*=\s*(?P<q>[\"'])(?P<value>[^\"']{{0,{MAX_VALUE_BYTES}}})(?P=q)",
        xmp,
    )
    for match in (*elements, *attributes):
        found.setdefault(match["name"], html.unescape(match["value"]).strip()[:MAX_FIELD_CHARS])
    return found or None


def _get(mapping: dict, key: str):
    """A key in any letter case (writers differ: "AIGC"/"aigc", "ProduceID"/"produceId")."""
    for candidate, value in mapping.items():
        if isinstance(candidate, str) and candidate.lower() == key.lower():
            return value
    return None


def _fields(parsed: dict) -> dict[str, str]:
    """The standard's fields found in a parsed label, by their standard names."""
    fields = {}
    for key, value in parsed.items():
        name = _FIELD_BY_KEY.get(str(key).lower())
        if name is None or name in fields:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        fields[name] = text[:MAX_FIELD_CHARS]
    return fields


# --- Labelled files, for demo data and tests ---------------------------------------------

DEMO_FIELDS = {
    "Label": "1",
    "ContentProducer": "demo-ai-service",
    "ProduceID": "demo-0001",
    "ReservedCode1": "",
    "ContentPropagator": "",
    "PropagateID": "",
    "ReservedCode2": "",
}


def xmp_packet(fields: dict[str, str] | None = None) -> str:
    """An XMP packet carrying ``<TC260:AIGC>`` with these fields (for demos and tests)."""
    value = html.escape(json.dumps(fields or DEMO_FIELDS, ensure_ascii=False), quote=False)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NAMESPACE}">'
        f"<TC260:AIGC>{value}</TC260:AIGC>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def labelled_png(
    *,
    fields: dict[str, str] | None = None,
    size: tuple[int, int] = (96, 64),
    color: tuple[int, int, int] = (70, 110, 190),
) -> bytes:
    """A small PNG whose metadata carries a GB 45438 label (XMP in iTXt), for demo data
    and tests; not for anything a citizen sends."""
    metadata = PngImagePlugin.PngInfo()
    metadata.add_itxt("XML:com.adobe.xmp", xmp_packet(fields))
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG", pnginfo=metadata)
    return buffer.getvalue()
