"""Images as portals upload them, made with Pillow for a test (noise keeps JPEG and PNG big)."""

from __future__ import annotations

import io
import os

from PIL import Image


def _encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    return Image.frombytes(mode, (width, height), os.urandom(width * height * len(mode)))


def camera_jpeg(width: int = 6000, height: int = 4500, quality: int = 60) -> bytes:
    """Return a camera-sized JPEG of noise: 6000×4500 is about 12 MB."""
    # Noise at half size, doubled: as heavy to decode, and four times quicker to make.
    grain = _noise(width // 2, height // 2).resize((width, height), Image.Resampling.NEAREST)
    return _encoded(grain, "JPEG", quality=quality)


def scanned_png(width: int = 4960, height: int = 7016) -> bytes:
    """Return an A4 page scanned at 600 dpi as a grey PNG: white, with lines of "text"
    (about 3 MB; width + height is over Telegram's 10000)."""
    page = Image.new("L", (width, height), 255)
    line = _noise(width, 40, "L").point(lambda v: 0 if v < 90 else 255)
    for top in range(300, height - 300, 80):
        page.paste(line, (0, top))
    return _encoded(page, "PNG")


def webp(width: int = 1600, height: int = 1200) -> bytes:
    """Return a WEBP photo."""
    return _encoded(_noise(width // 4, height // 4).resize((width, height)), "WEBP", quality=80)


def infographic_png(width: int = 800, height: int = 17000) -> bytes:
    """Return a tall infographic: bands of colour and noise, a side ratio over 20."""
    poster = Image.new("RGB", (width, height), (240, 240, 230))
    band = _noise(width, 100)
    for top in range(0, height, 1000):
        poster.paste(band, (0, top))
    return _encoded(poster, "PNG")


def size_of(content: bytes) -> tuple[str, int, int]:
    """Return the format, width and height of an encoded image."""
    with Image.open(io.BytesIO(content)) as image:
        return str(image.format), *image.size
