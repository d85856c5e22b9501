"""Telegram's limits for photos and files, for the fake Bot API.

From core.telegram.org/bots/api#sendphoto and #sending-files: a photo Telegram fetches by
URL may be at most 5 MB, an uploaded photo at most 10 MB, any other upload 50 MB, a file sent
by URL 20 MB; a photo's
width and height may not exceed 10000 together, nor either be over 20 times the other.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

MB = 1024 * 1024
PHOTO_BY_URL_LIMIT = 5 * MB
PHOTO_UPLOAD_LIMIT = 10 * MB
FILE_UPLOAD_LIMIT = 50 * MB
DOCUMENT_BY_URL_LIMIT = 20 * MB  # a file Telegram fetches by URL for sendDocument
LARGEST_SIZE = 2560  # the longest side of the largest size Telegram keeps of a photo

URL_FETCH_FAILED = "Bad Request: failed to get HTTP URL content"
PHOTO_TOO_BIG = "Bad Request: PHOTO_SAVE_FILE_INVALID"
INVALID_DIMENSIONS = "Bad Request: PHOTO_INVALID_DIMENSIONS"
FILE_TOO_BIG = "Request Entity Too Large"


def dimensions(content: bytes) -> tuple[int, int] | None:
    """Return (width, height) of an image, from its header; None if it is no image."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def photo_rejection(content: bytes, *, by_url: bool) -> str | None:
    """Return Telegram's description for a photo it would refuse, or None.

    Content that is no image at all passes: tests send stand-in bytes for photos whose
    pixels do not matter (real Telegram would answer IMAGE_PROCESS_FAILED).
    """
    if len(content) > (PHOTO_BY_URL_LIMIT if by_url else PHOTO_UPLOAD_LIMIT):
        return URL_FETCH_FAILED if by_url else PHOTO_TOO_BIG
    size = dimensions(content)
    if size is None:
        return None
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        return INVALID_DIMENSIONS
    return None


def largest_size(content: bytes) -> tuple[int, int]:
    """Return the width and height of the largest size Telegram would keep of a photo."""
    width, height = dimensions(content) or (800, 600)
    scale = min(1.0, LARGEST_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
