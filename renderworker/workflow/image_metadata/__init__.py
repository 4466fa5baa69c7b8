"""Reading metadata from image containers without decoding a single pixel.

Each reader walks the container's chunks/segments with bounds checks, takes the dimensions from
the header (refusing absurd sizes before anything else) and returns the text it carries.
"""

from __future__ import annotations

from .common import ImageMetadata, check_image_dimensions
from .jpeg import read_jpeg_metadata
from .png import read_png_metadata
from .webp import read_webp_metadata

__all__ = [
    "ImageMetadata",
    "check_image_dimensions",
    "read_jpeg_metadata",
    "read_png_metadata",
    "read_webp_metadata",
]
