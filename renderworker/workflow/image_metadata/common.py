"""What the image readers return, and the size check every one of them applies first."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..limits import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from ..problems import WorkflowError


@dataclass
class ImageMetadata:
    """Text found in an image: PNG text chunks by keyword, EXIF strings by tag, UserComment."""

    image_format: str
    size: tuple[int, int]
    text_chunks: dict[str, str] = field(default_factory=dict)
    exif_strings: dict[int, str] = field(default_factory=dict)
    user_comment: str | None = None
    jpeg_comment: str | None = None
    # The file ended inside a chunk: an absent workflow may have been cut off, not stripped.
    truncated: bool = False


def check_image_dimensions(*, image_format: str, width: int, height: int) -> None:
    """Refuse images whose header promises absurd dimensions (decompression bombs)."""
    if width <= 0 or height <= 0:
        raise WorkflowError.single(
            "corrupt_image",
            f"The {image_format} header gives an impossible size {width}x{height}.",
            field="file",
        )
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise WorkflowError.single(
            "image_too_large",
            f"The {image_format} image is {width}x{height} pixels; at most {MAX_IMAGE_SIDE} pixels "
            f"per side and {MAX_IMAGE_PIXELS:,} pixels in all are accepted "
            "(this guards against decompression bombs).",
            field="file",
        )


def decode_metadata_text(raw: bytes) -> str:
    """UTF-8 if it is, else Latin-1 (PNG tEXt's official encoding) — never fails."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
