"""Uploads are checked by content: format, extension, size, pixels, integrity."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from marketplace.gallery import images


def _png(size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge image (the IDAT is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def check(data: bytes, name: str = "a.png", max_bytes: int = 10_000_000, max_pixels: int = 40_000_000) -> images.ImageInfo:
    return images.inspect_upload(data, filename=name, max_bytes=max_bytes, max_pixels=max_pixels)


def test_a_good_png_is_described() -> None:
    info = check(_png((40, 30)))
    assert (info.format, info.width, info.height) == ("png", 40, 30)
    assert len(info.sha256) == 64


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.png", "empty"),
        (b"GIF89a" + b"\x00" * 100, "a.gif", "not_an_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.png", "not_an_image"),
        (_png(), "a.jpg", "extension_mismatch"),
        (_png((8, 8)), "a.png", "too_small"),
        (_png_bomb(100_000, 100_000), "bomb.png", "not_an_image"),
        (_png_bomb(9000, 9000), "big.png", "too_many_pixels"),
        (_png()[:60], "cut.png", "corrupt"),
    ],
)
def test_bad_uploads_get_a_specific_code(data: bytes, name: str, code: str) -> None:
    with pytest.raises(images.ImageRejected) as caught:
        check(data, name)
    assert caught.value.code == code
    assert str(caught.value)


def test_files_over_the_byte_limit_are_refused_before_decoding() -> None:
    with pytest.raises(images.ImageRejected) as caught:
        check(_png(), max_bytes=10)
    assert caught.value.code == "too_large"
    assert "limit is 10 bytes" in str(caught.value)


def test_gif_content_named_png_is_refused_with_the_accepted_formats() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "GIF")
    with pytest.raises(images.ImageRejected) as caught:
        check(buffer.getvalue(), "a.png")
    assert caught.value.code == "unsupported_format"
    assert "PNG, JPEG and WebP" in str(caught.value)
