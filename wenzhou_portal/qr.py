"""QR codes as images the page can carry itself: SVG made on the server, no CDN, no script."""

import base64

import qrcode
import qrcode.image.svg


def qr_svg_data_uri(text: str) -> str:
    """A data: URI of an SVG QR code for the text.

    A data: image passes the content security policy (img-src data:) with no inline SVG
    or style on the page; the white background keeps it scannable in dark mode.
    """
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")
