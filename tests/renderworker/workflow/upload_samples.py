"""Small image builders for the upload tests (Pillow for real files, raw bytes for hostile ones)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

from PIL import Image, PngImagePlugin

API = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
    "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
}
UI = {
    "nodes": [{"id": 1, "type": "CheckpointLoaderSimple", "widgets_values": ["a.safetensors"]}],
    "links": [],
    "version": 0.4,
}
A1111 = (
    "a lighthouse\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Karras, "
    "CFG scale: 7, Seed: 1, Size: 512x768, Model hash: 6ce0161689, Model: dreamshaper_8"
)


def png_with_text(
    chunks: dict[str, str], *, size: tuple[int, int] = (8, 6), compressed: bool = False
) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        if compressed:
            info.add_itxt(key, value, zip=True)
        else:
            info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp_with_exif(exif: Image.Exif | bytes | None, *, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    kwargs: dict[str, Any] = {"lossless": True}
    if exif is not None:
        kwargs["exif"] = exif
    Image.new("RGB", size, (1, 2, 3)).save(buffer, "WEBP", **kwargs)
    return buffer.getvalue()


def jpeg_with_exif(exif: Image.Exif | bytes | None, *, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif is not None:
        kwargs["exif"] = exif
    Image.new("RGB", size, (1, 2, 3)).save(buffer, "JPEG", **kwargs)
    return buffer.getvalue()


def comfy_webp_exif(api: Any = API, ui: Any = UI) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0110] = "prompt:" + json.dumps(api)
    exif[0x010F] = "workflow:" + json.dumps(ui)
    return exif


def user_comment_exif(comment: bytes) -> bytes:
    exif = Image.Exif()
    exif[0x8769] = {0x9286: comment}
    return exif.tobytes()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def raw_png(width: int, height: int, *extra_chunks: tuple[bytes, bytes]) -> bytes:
    """A PNG assembled by hand: whatever IHDR claims, no real pixels (bomb headers)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    for kind, body in extra_chunks:
        data += _chunk(kind, body)
    data += _chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + _chunk(b"IEND", b"")
    return data


def ztxt(keyword: str, text: bytes) -> tuple[bytes, bytes]:
    return b"zTXt", keyword.encode("latin-1") + b"\x00\x00" + zlib.compress(text, 9)
