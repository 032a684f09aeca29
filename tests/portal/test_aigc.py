"""Reading the GB 45438-2025 implicit label from an image's metadata."""

import json
import struct
import time
import zlib
from io import BytesIO

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from wenzhou_portal import aigc

LABEL = {
    "Label": "1",
    "ContentProducer": "001191330300MA00000X00000",
    "ProduceID": "20250901-0007",
    "ReservedCode1": "",
    "ContentPropagator": "",
    "PropagateID": "",
    "ReservedCode2": "",
}
NS = 'xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"'


def plain(fmt: str = "PNG", **save) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (24, 16), (10, 120, 200)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_with_text(key: str, value: str, *, kind: str = "text", zip: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    if kind == "itxt":
        info.add_itxt(key, value, zip=zip)
    else:
        info.add_text(key, value, zip=zip)
    return plain("PNG", pnginfo=info)


def xmp(description: str) -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"{description}</rdf:RDF></x:xmpmeta>"
    )


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def before_iend(png: bytes, chunk: bytes) -> bytes:
    """Insert a chunk after the image data, just before IEND (allowed by the PNG spec)."""
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def exif_with_user_comment(comment: bytes) -> Image.Exif:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[0x9286] = comment
    return exif


# --- Where the label is found ------------------------------------------------------------------


def test_the_demo_png_carries_a_label_in_xmp():
    assert aigc.implicit_label(aigc.labelled_png()) == aigc.DEMO_FIELDS
    assert aigc.implicit_label(aigc.labelled_png(fields=LABEL)) == LABEL


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_plain_image_has_no_label(fmt):
    assert aigc.implicit_label(plain(fmt)) is None


@pytest.mark.parametrize(
    ("kind", "zip"), [("text", False), ("text", True), ("itxt", False), ("itxt", True)]
)
def test_a_png_text_chunk_keyed_aigc(kind, zip):
    data = png_with_text("AIGC", json.dumps(LABEL, ensure_ascii=False), kind=kind, zip=zip)
    assert aigc.implicit_label(data) == LABEL


def test_a_png_text_chunk_after_the_image_data():
    chunk = png_chunk(b"tEXt", b"AIGC\0" + json.dumps(LABEL).encode())
    assert aigc.implicit_label(before_iend(plain("PNG"), chunk)) == LABEL


def test_xmp_in_a_png_after_the_image_data():
    body = b"XML:com.adobe.xmp\0\0\0\0\0" + aigc.xmp_packet(LABEL).encode()
    assert aigc.implicit_label(before_iend(plain("PNG"), png_chunk(b"iTXt", body))) == LABEL


def test_xmp_in_a_jpeg():
    assert aigc.implicit_label(plain("JPEG", xmp=aigc.xmp_packet(LABEL).encode())) == LABEL


def test_xmp_in_a_webp():
    assert aigc.implicit_label(plain("WEBP", xmp=aigc.xmp_packet(LABEL).encode())) == LABEL


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_exif_user_comment_holding_the_aigc_field(fmt):
    comment = b"ASCII\0\0\0" + json.dumps({"AIGC": LABEL}).encode()
    assert aigc.implicit_label(plain(fmt, exif=exif_with_user_comment(comment))) == LABEL


def test_exif_user_comment_in_unicode():
    comment = b"UNICODE\0" + json.dumps({"AIGC": LABEL}).encode("utf-16-be")
    assert aigc.implicit_label(plain("JPEG", exif=exif_with_user_comment(comment))) == LABEL


def test_exif_user_comment_with_the_fields_unwrapped():
    comment = b"ASCII\0\0\0" + json.dumps({"Label": "1", "ContentProducer": "x"}).encode()
    assert aigc.implicit_label(plain("JPEG", exif=exif_with_user_comment(comment))) == {
        "Label": "1",
        "ContentProducer": "x",
    }


@pytest.mark.parametrize(
    "description",
    [
        # The attribute form of a simple property.
        f"<rdf:Description {NS} TC260:AIGC='{json.dumps(LABEL)}'/>",
        # A structure rather than JSON.
        f'<rdf:Description {NS}><TC260:AIGC rdf:parseType="Resource">'
        + "".join(f"<TC260:{k}>{v}</TC260:{k}>" for k, v in LABEL.items())
        + "</TC260:AIGC></rdf:Description>",
        # The fields as TC260 properties of the description itself.
        f"<rdf:Description {NS} " + " ".join(f'TC260:{k}="{v}"' for k, v in LABEL.items()) + "/>",
        # Another prefix bound to the same namespace.
        '<rdf:Description xmlns:gb="http://www.tc260.org.cn/ns/AIGC/1.0/">'
        f"<gb:AIGC>{json.dumps(LABEL).replace('&', '&amp;')}</gb:AIGC></rdf:Description>",
    ],
    ids=["attribute", "structure", "bare-properties", "other-prefix"],
)
def test_xmp_property_forms(description):
    packet = xmp(description)
    assert aigc.implicit_label(png_with_text("XML:com.adobe.xmp", packet, kind="itxt")) == LABEL


def test_keys_in_another_letter_case_and_a_double_encoded_value():
    value = json.dumps({"aigc": json.dumps({"label": "2", "produceId": "abc"})})
    assert aigc.implicit_label(png_with_text("AIGC", value)) == {"Label": "2", "ProduceID": "abc"}


def test_xml_escapes_in_the_label_are_read_back():
    fields = {"Label": "1", "ContentProducer": "甲&乙 <公司>"}
    assert aigc.implicit_label(aigc.labelled_png(fields=fields)) == fields


# --- What is not a label --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        # XMP's own Label property (xmp:Label) is a collection name, not a GB 45438 label.
        png_with_text(
            "XML:com.adobe.xmp",
            xmp('<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Label="1"/>'),
            kind="itxt",
        ),
        # A namespace named AIGC is not an AIGC field.
        png_with_text(
            "XML:com.adobe.xmp",
            xmp('<rdf:Description xmlns:AIGC="http://example.org/aigc/"/>'),
            kind="itxt",
        ),
        png_with_text("Comment", json.dumps(LABEL)),
        png_with_text("AIGC", "   "),
        png_with_text(
            "XML:com.adobe.xmp",
            xmp(f"<rdf:Description {NS}><TC260:AIGC></TC260:AIGC></rdf:Description>"),
            kind="itxt",
        ),
        plain("JPEG", exif=exif_with_user_comment(b"ASCII\0\0\0Taken on holiday")),
        plain("JPEG", exif=exif_with_user_comment(b"ASCII\0\0\0" + b'{"Label": "1"}')),
    ],
    ids=[
        "xmp-label",
        "aigc-namespace",
        "other-text-key",
        "empty-value",
        "empty-element",
        "ordinary-comment",
        "label-alone",
    ],
)
def test_look_alikes_are_not_labels(data):
    assert aigc.implicit_label(data) is None


def test_a_label_in_a_format_the_portal_does_not_accept_is_not_read():
    buffer = BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF", comment=aigc.xmp_packet(LABEL).encode())
    assert aigc.implicit_label(buffer.getvalue()) is None


# --- Garbage, bombs and bounds ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\x89PNG\r\n\x1a\n" + b"\xff" * 64,
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 2**31) + b"tEXtAIGC\0{",
        b"\xff\xd8\xff\xe1\xff\xffExif\0\0" + b"\0" * 40,
        b"RIFF\x10\0\0\0WEBPVP8X" + b"\0" * 20,
        b"not an image at all" * 100,
        plain("PNG")[:40],
        plain("JPEG")[:100],
    ],
    ids=[
        "empty",
        "signature-only",
        "junk-chunks",
        "huge-declared-length",
        "broken-exif",
        "broken-webp",
        "text",
        "truncated-png",
        "truncated-jpeg",
    ],
)
def test_garbage_has_no_label_and_raises_nothing(data):
    assert aigc.implicit_label(data) is None


def test_malformed_json_counts_as_present_with_the_raw_text_cut_short():
    broken = '{"Label": "1", "ContentProducer": ' + "x" * 5000
    fields = aigc.implicit_label(png_with_text("AIGC", broken))
    assert set(fields) == {"raw"}
    assert fields["raw"].startswith('{"Label": "1"')
    assert len(fields["raw"]) <= aigc.MAX_RAW_CHARS


def test_a_json_value_without_known_fields_counts_as_present_raw():
    assert aigc.implicit_label(png_with_text("AIGC", '["1"]')) == {"raw": '["1"]'}


def test_long_fields_are_cut():
    fields = aigc.implicit_label(png_with_text("AIGC", json.dumps({"Label": "1" * 10_000})))
    assert fields == {"Label": "1" * aigc.MAX_FIELD_CHARS}


def test_a_compressed_text_bomb_is_inflated_only_so_far():
    bomb = zlib.compress(b"{" + b" " * (50 * 2**20), 9)  # 50 MB of spaces, ~50 KB packed
    chunk = png_chunk(b"zTXt", b"AIGC\0\0" + bomb)
    started = time.monotonic()
    fields = aigc.implicit_label(before_iend(plain("PNG"), chunk))
    assert time.monotonic() - started < 5
    assert fields == {"raw": "{"}


def test_metadata_past_the_scan_limit_is_not_read(monkeypatch):
    chunk = png_chunk(b"tEXt", b"AIGC\0" + json.dumps(LABEL).encode())
    padding = png_chunk(b"zzZz", b"\0" * 5000)  # an ancillary chunk readers skip
    data = before_iend(plain("PNG"), padding + chunk)
    assert aigc.implicit_label(data) == LABEL
    monkeypatch.setattr(aigc, "MAX_SCAN_BYTES", len(data) - len(chunk) - 20)
    assert aigc.implicit_label(data) is None


def test_too_many_chunks_stop_the_walk(monkeypatch):
    chunk = png_chunk(b"tEXt", b"AIGC\0" + json.dumps(LABEL).encode())
    data = before_iend(plain("PNG"), png_chunk(b"zzZz", b"") * 50 + chunk)
    monkeypatch.setattr(aigc, "MAX_PNG_CHUNKS", 20)
    assert aigc.implicit_label(data) is None
