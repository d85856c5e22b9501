"""Images made fit for Telegram: a photo it will take, or a file when no photo can show it.

Telegram takes an uploaded photo of at most 10 MB whose width and height add up to at most
10000 and neither side is over 20 times the other. Portals post 8-15 MB camera JPEGs of
6000×4500, PNG scans of signed notices, WEBP and tall infographics. An image that already
fits goes as it is; any other is shrunk to Telegram's own largest size (2560 px on the long
side) and re-encoded as JPEG; an image too narrow for any photo goes as a file (a document)
in full. Pure and blocking: callers run it in a worker thread.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024
PHOTO_LIMIT = 10 * MB  # an uploaded photo
DOCUMENT_LIMIT = 50 * MB  # an uploaded file
MAX_SIDES = 10000  # width + height of a photo
MAX_RATIO = 20  # long side over short side of a photo
LARGEST_SIDE = 2560  # Telegram keeps no larger size of a photo: more only slows the upload
# Decoding costs about 4 bytes a pixel: 50 megapixels (a large camera's frame, an A4 page
# scanned at 600 dpi) is about 200 MB. Anything larger is refused before it is decoded.
MAX_PIXELS = 50_000_000
_AS_IS = {"JPEG": "jpg", "PNG": "png"}  # formats sent unchanged when they fit
_QUALITY = 85


class ImageError(Exception):
    """An image that cannot be read, with a one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Prepared:
    """An image ready to upload: its bytes, a file name, and whether it goes as a photo."""

    data: bytes
    filename: str
    as_photo: bool  # False: as a document, since no photo can have its shape
    width: int  # of the image as received
    height: int


def prepare(body: bytes, stem: str = "anh") -> Prepared:
    """Return the image in body as Telegram will take it; raise ImageError if unreadable.

    ``stem`` names the file (a document keeps it); the extension follows the format sent.
    """
    try:
        image = Image.open(io.BytesIO(body))  # reads the header only
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise ImageError("not an image Telegram can show") from exc
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageError(f"{width}×{height} is over {MAX_PIXELS // 1_000_000} megapixels")
        try:
            return _prepare(image, body, stem)
        except (OSError, ValueError) as exc:  # truncated or corrupt past the header
            raise ImageError(f"unreadable {image.format} image: {exc}") from exc


def _prepare(image: Image.Image, body: bytes, stem: str) -> Prepared:
    width, height = image.size
    kept = _AS_IS.get(image.format or "")
    if max(width, height) > MAX_RATIO * min(width, height):
        if len(body) <= DOCUMENT_LIMIT:
            name = f"{stem}.{kept or (image.format or 'bin').lower()}"
            return Prepared(body, name, False, width, height)
        return Prepared(_jpeg(image, None, DOCUMENT_LIMIT), f"{stem}.jpg", False, width, height)
    if kept and len(body) <= PHOTO_LIMIT and width + height <= MAX_SIDES:
        return Prepared(body, f"{stem}.{kept}", True, width, height)
    return Prepared(_jpeg(image, LARGEST_SIDE, PHOTO_LIMIT), f"{stem}.jpg", True, width, height)


def _jpeg(image: Image.Image, side: int | None, limit: int) -> bytes:
    """Return image as a JPEG of at most limit bytes, its long side at most side pixels."""
    width, height = image.size
    if side is not None and max(width, height) > side:
        scale = side / max(width, height)
        # Before anything is decoded: a JPEG is then decoded straight at 1/2, 1/4 or 1/8
        # of its size, a third of the work and far less memory than all its megapixels.
        image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    picture = _flattened(ImageOps.exif_transpose(image))
    while True:
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=_QUALITY)
        if out.tell() <= limit:
            return out.getvalue()
        # Rare (a page of pure noise): smaller until it fits.
        smaller = int(max(picture.size) * 0.75)
        picture.thumbnail((smaller, smaller), Image.Resampling.LANCZOS)


def _flattened(image: Image.Image) -> Image.Image:
    """Return image in 8-bit RGB, anything transparent laid on white (a page's background)."""
    if image.mode == "I" or image.mode.startswith("I;16"):
        # 16-bit samples (some scanners): converting would clip them all to white.
        image = image.point(lambda v: v / 256).convert("L")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        page = Image.new("RGB", rgba.size, "white")
        page.paste(rgba, mask=rgba.getchannel("A"))
        return page
    return image if image.mode == "RGB" else image.convert("RGB")
