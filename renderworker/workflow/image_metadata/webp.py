"""WebP (RIFF) chunks: the canvas size from VP8X/VP8/VP8L and the EXIF chunk."""

from __future__ import annotations

import struct

from ..limits import MAX_METADATA_CHUNKS
from ..problems import WorkflowError
from .common import ImageMetadata, check_image_dimensions
from .exif import read_exif


def _size_from_chunk(fourcc: bytes, body: bytes) -> tuple[int, int] | None:
    if fourcc == b"VP8X" and len(body) >= 10:
        width = 1 + int.from_bytes(body[4:7], "little")
        height = 1 + int.from_bytes(body[7:10], "little")
        return width, height
    if fourcc == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if fourcc == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def read_webp_metadata(data: bytes) -> ImageMetadata:
    """Read the canvas size and EXIF strings of a WebP; image data is skipped unread."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise WorkflowError.single(
            "corrupt_image", "The file is not a RIFF/WEBP container.", field="file"
        )
    position = 12
    size: tuple[int, int] | None = None
    exif_chunk: bytes | None = None
    chunk_count = 0
    while position + 8 <= len(data):
        fourcc = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 8 + length + (length & 1)
        chunk_count += 1
        if chunk_count > MAX_METADATA_CHUNKS:
            raise WorkflowError.single(
                "corrupt_image",
                f"The WebP has more than {MAX_METADATA_CHUNKS:,} chunks; refusing to read further.",
                field="file",
            )
        if size is None:
            size = _size_from_chunk(fourcc, body)
            if size is not None:
                check_image_dimensions(image_format="WEBP", width=size[0], height=size[1])
        if fourcc == b"EXIF" and exif_chunk is None:
            exif_chunk = body
    if size is None:
        raise WorkflowError.single(
            "corrupt_image", "The WebP has no VP8/VP8L/VP8X chunk giving its size.", field="file"
        )
    metadata = ImageMetadata(image_format="WEBP", size=size)
    if exif_chunk is not None:
        metadata.exif_strings, metadata.user_comment = read_exif(exif_chunk)
    return metadata
