"""Pledge certificates: a phone-sized PNG and an A5 PDF, drawn with the font the project ships."""

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from fontTools.ttLib import TTFont
from PIL import Image

from campaigns import certificates
from campaigns.models import Signature
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_and_cache(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()


@pytest.fixture
def signed(client):
    """周阿姨 signs "文明上网，从你我做起" and lands on her result page."""
    campaign = make_campaign("pledge", title="文明上网，从你我做起", organiser="温州市委网信办")
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "138 1234 5678"})
    code = re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)
    response = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/", {"code": code, "display_name": "周喆"}
    )
    return client.get(response["Location"]).content.decode()


def _link(page: str, label: str) -> str:
    return re.search(rf'href="([^"]+)"[^>]*>{label}', page).group(1)


def test_the_certificate_is_a_phone_sized_png(client, signed):
    response = client.get(_link(signed, "保存证书图片（手机）"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert 'filename="pledge-1.png"' in response["Content-Disposition"]
    image = Image.open(BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1080, 1440)  # portrait, a phone screen's width


def test_the_printable_certificate_is_an_a5_pdf_with_the_shipped_font_embedded(client, signed):
    response = client.get(_link(signed, r"下载打印版（PDF）"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-")
    # A5 portrait is 148 x 210 mm = 419.53 x 595.28 pt.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", body)
    assert (round(float(box.group(1))), round(float(box.group(2)))) == (420, 595)
    assert b"NotoSansSC" in body


def test_the_certificate_says_the_right_thing_once():
    campaign = make_campaign("pledge", title="“文明上网，从你我做起”网上签名")
    signature = Signature(
        campaign=campaign, display_name="张三丰", number=7, signed_at=timezone.now()
    )
    lines = [line.text for line in certificates.certificate_lines(signature)]
    assert lines[:2] == ["签名证书", "张三丰"]
    assert "《“文明上网，从你我做起”网上签名》" in lines
    assert "第 7 位签名者" in lines
    assert not any("》网上签名" in line for line in lines)  # no "网上签名》网上签名"


def test_the_font_is_shipped_and_draws_every_character_a_certificate_may_need():
    path = certificates.FONT_PATH
    assert path.is_relative_to(settings.BASE_DIR / "static" / "fonts")
    assert path.exists()
    assert (path.parent / "README.md").read_text().count("@expo-google-fonts/noto-sans-sc") >= 1
    cmap = TTFont(str(path)).getBestCmap()
    gb2312 = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) > 6700
    missing = [char for char in gb2312 if ord(char) not in cmap]
    assert missing == []
    # Rarer name characters (GBK) and the certificate's own punctuation.
    assert all(ord(char) in cmap for char in "喆堃昇赟玥《》“”，第位签名者0123456789-")


def test_different_names_draw_different_pictures():
    campaign = make_campaign("pledge", title="文明上网")
    now = timezone.now()
    first = certificates.certificate_png(
        Signature(campaign=campaign, display_name="周喆", number=1, signed_at=now)
    )
    second = certificates.certificate_png(
        Signature(campaign=campaign, display_name="林静", number=1, signed_at=now)
    )
    assert first != second


def test_a_long_title_wraps_inside_the_picture():
    font = certificates._font(56)
    title = "《“文明上网，从你我做起”网上签名活动，欢迎全市市民踊跃参加》"
    rows = certificates._wrap(title, font, 880)
    assert len(rows) >= 2
    assert all(font.getlength(row) <= 880 + 56 for row in rows)
    assert not any(row.startswith(("》", "，")) for row in rows)
    assert "".join(rows) == title
