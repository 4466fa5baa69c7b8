"""JPEG segments up to the first scan: the frame size, APP1 EXIF and COM text."""

from __future__ import annotations

import struct

from ..limits import MAX_METADATA_CHUNKS
from ..problems import WorkflowError
from .common import ImageMetadata, check_image_dimensions, decode_metadata_text
from .exif import EXIF_HEADER, read_exif

# Start-of-frame markers carrying the image size (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)


def read_jpeg_metadata(data: bytes) -> ImageMetadata:
    """Read the frame size, EXIF strings/UserComment and comment of a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        raise WorkflowError.single(
            "corrupt_image", "The file does not start with a JPEG SOI marker."
        )
    position = 2
    size: tuple[int, int] | None = None
    exif: bytes | None = None
    comment: bytes | None = None
    segments = 0
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan: metadata is over
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        body = data[position + 4 : position + 2 + length]
        position += 2 + length
        segments += 1
        if segments > MAX_METADATA_CHUNKS:
            break
        if marker in _SOF_MARKERS and len(body) >= 5 and size is None:
            height, width = struct.unpack(">HH", body[1:5])
            check_image_dimensions(image_format="JPEG", width=width, height=height)
            size = (width, height)
        elif marker == 0xE1 and body.startswith(EXIF_HEADER) and exif is None:
            exif = body
        elif marker == 0xFE and comment is None:
            comment = body
    if size is None:
        raise WorkflowError.single(
            "corrupt_image",
            "The JPEG has no frame header (SOF) before its image data.",
            field="file",
        )
    metadata = ImageMetadata(image_format="JPEG", size=size)
    if exif is not None:
        metadata.exif_strings, metadata.user_comment = read_exif(exif)
    if comment:
        metadata.jpeg_comment = decode_metadata_text(comment.rstrip(b"\x00"))
    return metadata
