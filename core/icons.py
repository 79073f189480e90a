"""The site's icons, drawn from its branding: the first letter of its name on its brand colour.

The branding has a name and a colour, no uploaded picture, so the favicon, the touch icon and the web
manifest's icons are a monogram drawn with Pillow. Each is drawn once and kept in Redis under a key made
of what it is drawn from (the name's letter and the colour: DESIGN §5), so a change of branding is a new
key and the next request draws the new icon; nothing is deleted, old keys expire. With Redis down the
icon is simply drawn (a few milliseconds).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

from core.branding import branding_get
from core.models import SiteBranding

# The sizes a page links to: the touch icon, and the manifest's two (the larger one for link previews).
TOUCH_SIZE = 180
PNG_SIZES = (TOUCH_SIZE, 192, 512)
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
KEPT_SECONDS = 24 * 3600
LIGHT, DARK = "#ffffff", "#111827"


def monogram(name: str) -> str:
    """The first letter or digit of the name, upper-cased (the SVG icon: any script the browser draws)."""
    return next((ch for ch in name if ch.isalnum()), "").upper()


def _drawn_letter(name: str) -> str:
    """The monogram as Pillow's built-in font can draw it (Latin letters and digits): accents are
    dropped (É is drawn E); a letter of another script leaves the icon a plain square."""
    base = unicodedata.normalize("NFKD", monogram(name))[:1]
    return base if base.isascii() and base.isalnum() else ""


def ink(colour: str) -> str:
    """White on a dark brand colour, near-black on a light one (WCAG relative luminance)."""
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return DARK if luminance > 0.4 else LIGHT


def icon_version(branding: SiteBranding) -> str:
    """Changes with what the icons are drawn from: their links carry it, so browsers fetch new ones."""
    source = f"{monogram(branding.name)}\x1f{branding.brand_colour}"
    return hashlib.blake2b(source.encode(), digest_size=4).hexdigest()


def _draw(branding: SiteBranding, size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), branding.brand_colour)
    letter = _drawn_letter(branding.name)
    if letter:
        font = ImageFont.load_default(size=round(size * 0.62))
        ImageDraw.Draw(image).text(
            (size / 2, size / 2),
            letter,
            font=font,
            fill=ink(branding.brand_colour),
            anchor="mm",
            # The built-in font is a regular weight: a stroke of its own ink makes the letter bold.
            stroke_width=round(size * 0.02),
            stroke_fill=ink(branding.brand_colour),
        )
    return image


def _encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "ico":
        image.save(out, format="ICO", sizes=ICO_SIZES)
    else:
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def icon_bytes(kind: str, size: int = TOUCH_SIZE) -> bytes:
    """The icon as "png" (of one of PNG_SIZES) or "ico" (16, 32 and 48 pixels), for the current branding."""
    branding = branding_get()
    key = f"icons:{kind}:{size}:{icon_version(branding)}"
    kept = cache.get(key)
    if kept is None:
        kept = _encoded(_draw(branding, 64 if kind == "ico" else size), kind)
        cache.set(key, kept, timeout=KEPT_SECONDS)
    return kept
