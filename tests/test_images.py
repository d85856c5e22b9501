"""Images made fit for Telegram, on images made here with Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from anbien_bot.delivery.images import MAX_PIXELS, ImageError, prepare
from tests.images import camera_jpeg, infographic_png, scanned_png, size_of, webp

MB = 1024 * 1024


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_an_image_that_fits_goes_as_it_is() -> None:
    photo = camera_jpeg(1600, 1200)
    prepared = prepare(photo, "le-ra-quan")
    assert (prepared.data, prepared.filename, prepared.as_photo) == (
        photo,
        "le-ra-quan.jpg",
        True,
    )


def test_a_camera_jpeg_is_shrunk_to_telegrams_largest_size() -> None:
    prepared = prepare(camera_jpeg())
    assert prepared.as_photo
    assert (prepared.width, prepared.height) == (6000, 4500)
    assert size_of(prepared.data) == ("JPEG", 2560, 1920)
    assert len(prepared.data) <= 10 * MB


def test_a_scan_too_large_for_a_photo_is_shrunk_and_stays_readable() -> None:
    prepared = prepare(scanned_png(), "cong-van")
    assert prepared.filename == "cong-van.jpg"
    kind, width, height = size_of(prepared.data)
    assert (kind, height) == ("JPEG", 2560)
    assert width + height <= 10000
    with Image.open(io.BytesIO(prepared.data)) as page:
        darkest, lightest = page.convert("L").getextrema()
    assert darkest < 60  # the text, still there
    assert lightest > 240  # on white


def test_webp_becomes_jpeg() -> None:
    prepared = prepare(webp())
    assert size_of(prepared.data) == ("JPEG", 1600, 1200)


def test_an_infographic_too_narrow_for_a_photo_goes_whole_as_a_file() -> None:
    poster = infographic_png()
    prepared = prepare(poster, "infographic")
    assert (prepared.as_photo, prepared.filename, prepared.data) == (
        False,
        "infographic.png",
        poster,
    )


def test_transparency_is_laid_on_white() -> None:
    clear = Image.new("RGBA", (6000, 4500), (0, 0, 0, 0))
    prepared = prepare(encoded(clear, "PNG"))
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert image.getpixel((10, 10)) == (255, 255, 255)


def test_sixteen_bit_grey_keeps_its_tone() -> None:
    grey = Image.new("I;16", (8000, 3000), 40000)  # 61% of white
    prepared = prepare(encoded(grey, "PNG"))
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert image.getpixel((10, 10)) == (156, 156, 156)


def test_a_rotated_camera_photo_stands_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned a quarter
    lying = Image.new("RGB", (8000, 2500), (200, 30, 30))
    prepared = prepare(encoded(lying, "JPEG", exif=exif))
    assert size_of(prepared.data)[1:] == (800, 2560)


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html><body>Trang bao tri</body></html>", b"", b"\xff\xd8\xff" + bytes(999)],
)
def test_what_is_no_image_is_refused(body: bytes) -> None:
    with pytest.raises(ImageError, match="not an image"):
        prepare(body)


def test_too_many_pixels_are_refused_before_decoding() -> None:
    huge = encoded(Image.new("1", (8000, 7000), 1), "PNG")  # tiny file, 56 megapixels
    assert MAX_PIXELS < 8000 * 7000
    with pytest.raises(ImageError, match="8000×7000 is over 50 megapixels"):
        prepare(huge)


def test_a_truncated_image_is_refused() -> None:
    cut = camera_jpeg(6000, 4500)[: 2 * MB]
    with pytest.raises(ImageError, match="unreadable JPEG image"):
        prepare(cut)
