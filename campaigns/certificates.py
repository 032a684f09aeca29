"""Pledge certificates as a phone-sized PNG and a printable A5 PDF.

Both are drawn with the CJK font the project ships (static/fonts/, see its README), never
a font of the machine: a server without Chinese fonts still draws every character of a
signer's name. Pillow draws the PNG; fpdf2 (pure Python, no system libraries) writes the
PDF with the font embedded as a subset, so its text stays text.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageDraw, ImageFont

from wenzhou_portal.templatetags.portal import localized_text

from .models import Signature

FONT_PATH = settings.BASE_DIR / "static" / "fonts" / "NotoSansSC-Regular.ttf"
# A phone's screen is about 1080 px wide: the picture fills it and saves to the album.
PNG_SIZE = (1080, 1440)
INK = (26, 26, 26)
RED = (166, 27, 27)
GREY = (74, 74, 74)
PAPER = (255, 250, 240)
A5_MM = (148, 210)

# fontTools (inside fpdf2) logs every subsetting step at INFO: one certificate, 40 lines.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True)
class CertificateLine:
    text: str
    size: int  # in PNG pixels; the PDF scales it
    colour: tuple[int, int, int] = INK
    gap_after: int = 40


def certificate_lines(signature: Signature) -> list[CertificateLine]:
    """What a certificate says, top to bottom, in the current language."""
    campaign = signature.campaign
    signed_on = timezone.localtime(signature.signed_at).date().isoformat()
    return [
        CertificateLine(gettext("签名证书"), 96, RED, 90),
        CertificateLine(signature.display_name, 84, INK, 50),
        CertificateLine(gettext("签署了"), 44, GREY, 30),
        CertificateLine(
            gettext("《%(title)s》") % {"title": localized_text(campaign, "title")}, 56
        ),
        CertificateLine(
            gettext("第 %(number)s 位签名者") % {"number": signature.number}, 44, INK, 120
        ),
        CertificateLine(localized_text(campaign, "organiser"), 38, GREY, 20),
        CertificateLine(signed_on, 38, GREY, 0),
    ]


_NO_LINE_START = frozenset("》」』）】〉，。、；：！？”’)]}.,;:!?")


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break a line where it would pass ``width``: between any two characters (Chinese
    has no spaces), at a space for Latin words when there is one."""
    lines: list[str] = []
    current = ""
    for char in text:
        if font.getlength(current + char) <= width or not current:
            current += char
            continue
        cut = current.rfind(" ")
        if char != " " and cut > 0 and current.isascii():
            lines.append(current[:cut])
            current = current[cut + 1 :] + char
        elif char in _NO_LINE_START and len(current) > 1:
            # "》" or "，" never begins a line: the character before it comes along.
            lines.append(current[:-1].rstrip())
            current = current[-1] + char
        else:
            lines.append(current.rstrip())
            current = char.lstrip()
    if current:
        lines.append(current)
    return lines


def certificate_png(signature: Signature) -> bytes:
    """The certificate as a 1080 × 1440 PNG."""
    width, height = PNG_SIZE
    image = Image.new("RGB", PNG_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, width - 31, height - 31), outline=RED, width=8)
    draw.rectangle((52, 52, width - 53, height - 53), outline=RED, width=2)
    blocks = []
    for line in certificate_lines(signature):
        font = _font(line.size)
        rows = _wrap(line.text, font, width - 200)
        blocks.append((line, font, rows))
    total = sum(len(rows) * int(line.size * 1.4) + line.gap_after for line, _font_, rows in blocks)
    y = max(140, (height - total) // 2)
    for line, font, rows in blocks:
        for row in rows:
            # The title is set heavier by stroking it in its own colour (one font file).
            stroke = 2 if line.size >= 90 else 0
            draw.text(
                (width // 2, y),
                row,
                font=font,
                fill=line.colour,
                anchor="mt",
                stroke_width=stroke,
                stroke_fill=line.colour,
            )
            y += int(line.size * 1.4)
        y += line.gap_after
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def certificate_pdf(signature: Signature) -> bytes:
    """The certificate as an A5 portrait PDF to print, its text embedded as text."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format=A5_MM)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(gettext("签名证书"))
    pdf.add_page()
    pdf.add_font("NotoSansSC", fname=str(FONT_PATH))
    page_width, page_height = pdf.w, pdf.h
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(6, 6, page_width - 12, page_height - 12)
    pdf.set_line_width(0.3)
    pdf.rect(9, 9, page_width - 18, page_height - 18)
    # 1080 px of the picture are the page's 148 mm: the same layout at print size.
    scale = page_width / PNG_SIZE[0]
    pdf.set_y(30)
    for line in certificate_lines(signature):
        size_mm = line.size * scale
        pdf.set_font("NotoSansSC", size=size_mm / 0.3528)  # points
        pdf.set_text_color(*line.colour)
        pdf.multi_cell(
            w=page_width - 36,
            h=size_mm * 1.4,
            text=line.text,
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
            wrapmode="CHAR",
        )
        pdf.set_x(18)
        pdf.ln(line.gap_after * scale)
    return bytes(pdf.output())
