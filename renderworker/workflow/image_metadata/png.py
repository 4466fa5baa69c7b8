"""PNG text chunks (tEXt, zTXt, iTXt) and the IHDR size, read chunk by chunk."""

from __future__ import annotations

import struct
import zlib

from ..limits import MAX_METADATA_BYTES, MAX_METADATA_CHUNKS
from ..problems import WorkflowError
from .common import ImageMetadata, check_image_dimensions, decode_metadata_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _inflate_limited(data: bytes, *, budget: int, keyword: str) -> bytes:
    # zTXt/iTXt can inflate a few bytes into gigabytes: cap the output, never trust the input.
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, budget + 1)
    except zlib.error:
        raise WorkflowError.single(
            "corrupt_image",
            f"The PNG text chunk {keyword!r} is compressed but its data is corrupt.",
            field="file",
        ) from None
    if len(out) > budget or inflater.unconsumed_tail:
        raise WorkflowError.single(
            "decompression_bomb",
            f"The PNG text chunk {keyword!r} decompresses to more than the {MAX_METADATA_BYTES:,} "
            "bytes of metadata accepted per image.",
            field="file",
        )
    return out


def read_png_metadata(data: bytes) -> ImageMetadata:
    """Read the IHDR size and every text chunk of a PNG; pixels (IDAT) are skipped unread."""
    if not data.startswith(PNG_SIGNATURE):
        raise WorkflowError.single(
            "corrupt_image", "The file does not start with the PNG signature."
        )
    position = len(PNG_SIGNATURE)
    metadata: ImageMetadata | None = None
    budget = MAX_METADATA_BYTES
    chunk_count = 0
    while position + 8 <= len(data):
        length, chunk_type = struct.unpack(">I4s", data[position : position + 8])
        body_start = position + 8
        body_end = body_start + length
        if body_end > len(data):
            if metadata is not None:
                metadata.truncated = True
            break  # truncated: keep what was read, as viewers do
        body = data[body_start:body_end]
        position = body_end + 4  # skip CRC
        chunk_count += 1
        if chunk_count > MAX_METADATA_CHUNKS:
            raise WorkflowError.single(
                "corrupt_image",
                f"The PNG has more than {MAX_METADATA_CHUNKS:,} chunks; refusing to read further.",
                field="file",
            )
        if metadata is None:
            if chunk_type != b"IHDR" or length < 8:
                raise WorkflowError.single(
                    "corrupt_image",
                    "The PNG does not begin with an IHDR header chunk.",
                    field="file",
                )
            width, height = struct.unpack(">II", body[:8])
            check_image_dimensions(image_format="PNG", width=width, height=height)
            metadata = ImageMetadata(image_format="PNG", size=(width, height))
            continue
        if chunk_type == b"IEND":
            break
        if chunk_type not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        keyword, text_bytes = _text_chunk_payload(chunk_type, body, budget=budget)
        if keyword is None:
            continue
        budget -= len(text_bytes)
        if budget < 0:
            raise WorkflowError.single(
                "metadata_too_large",
                f"The PNG carries more than {MAX_METADATA_BYTES:,} bytes of text metadata.",
                field="file",
            )
        metadata.text_chunks.setdefault(keyword, decode_metadata_text(text_bytes))
    if metadata is None:
        raise WorkflowError.single(
            "corrupt_image", "The PNG is truncated before its header.", field="file"
        )
    return metadata


def _text_chunk_payload(chunk_type: bytes, body: bytes, *, budget: int) -> tuple[str | None, bytes]:
    separator = body.find(b"\x00")
    if separator <= 0:
        return None, b""
    keyword = body[:separator].decode("latin-1")
    rest = body[separator + 1 :]
    if chunk_type == b"tEXt":
        return keyword, rest
    if chunk_type == b"zTXt":
        if not rest:
            return None, b""
        return keyword, _inflate_limited(rest[1:], budget=budget, keyword=keyword)
    # iTXt: compression flag, method, language tag\0, translated keyword\0, text
    if len(rest) < 2:
        return None, b""
    compressed = rest[0] == 1
    rest = rest[2:]
    language_end = rest.find(b"\x00")
    if language_end < 0:
        return None, b""
    translated_end = rest.find(b"\x00", language_end + 1)
    if translated_end < 0:
        return None, b""
    text = rest[translated_end + 1 :]
    if compressed:
        text = _inflate_limited(text, budget=budget, keyword=keyword)
    return keyword, text
