"""Upload checks and public derivatives for post images. Pure Pillow; no Django models.

The public copy must not leak how an image was made: PNG text chunks (ComfyUI ``prompt`` and
``workflow``, A1111 ``parameters``), EXIF, XMP, ICC text, and anything hidden in the alpha
channel. Derivatives are therefore rebuilt from raw RGB pixels into a brand-new image object,
so no ``info`` dictionary can carry anything across, and transparency is flattened first.
"""

from __future__ import annotations

import base64
import hashlib
import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
EXTENSIONS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
DERIVATIVE_WIDTHS = (320, 640, 960, 1600)
PLACEHOLDER_WIDTH = 24
FLATTEN_BACKGROUND = (255, 255, 255)


class ImageRejected(ValueError):
    """The upload is not an image Kiln accepts; ``code`` is stable for API clients."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "png" | "jpeg" | "webp"
    width: int
    height: int
    sha256: str


@dataclass
class Derivatives:
    files: dict[int, bytes] = field(default_factory=dict)
    placeholder: str = ""
    dominant_color: str = "#222222"


def inspect_upload(data: bytes, *, filename: str, max_bytes: int, max_pixels: int) -> ImageInfo:
    """Check an upload by content: format, declared extension, size, pixel count, integrity."""
    if not data:
        raise ImageRejected("The file is empty.", code="empty")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.", code="too_large"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                detected = image.format or ""
                width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(_unreadable_message(error), code="not_an_image") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(f"The image could not be read: {error}.", code="corrupt") from error
    if detected not in ACCEPTED_FORMATS:
        raise ImageRejected(
            f"The file is {detected or 'not an image'}; accepted formats are PNG, JPEG and WebP.",
            code="unsupported_format",
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension and EXTENSIONS.get(extension) != detected:
        raise ImageRejected(
            f"The file is named .{extension} but its content is {detected}; "
            "rename it or upload the right file.",
            code="extension_mismatch",
        )
    if width * height > max_pixels:
        raise ImageRejected(
            f"The image is {width}×{height} = {width * height:,} pixels; the limit is "
            f"{max_pixels:,} pixels.",
            code="too_many_pixels",
        )
    if width < 16 or height < 16:
        raise ImageRejected(f"The image is {width}×{height}; the minimum is 16×16.", code="too_small")
    _check_decodes(data)
    return ImageInfo(
        format=ACCEPTED_FORMATS[detected],
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _unreadable_message(error: Exception) -> str:
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return "The image declares more pixels than Kiln decodes (a decompression bomb?)."
    return "The file is not an image Kiln can read; accepted formats are PNG, JPEG and WebP."


def _check_decodes(data: bytes) -> None:
    """Decode fully once (pixel limit already checked) so truncated files fail at upload."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageRejected(f"The image is damaged or truncated: {error}.", code="corrupt") from error


def clean_rgb(data: bytes) -> Image.Image:
    """Decode to a fresh sRGB image with no metadata, transparency flattened."""
    with Image.open(io.BytesIO(data)) as source:
        source.seek(0)  # first frame of animations
        oriented = ImageOps.exif_transpose(source)
        icc = oriented.info.get("icc_profile")
        if oriented.mode in {"RGBA", "LA", "PA"} or (oriented.mode == "P" and "transparency" in oriented.info):
            rgba = oriented.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (*FLATTEN_BACKGROUND, 255))
            # Composite zeroes the colour of invisible pixels: nothing hides behind alpha.
            rgb = Image.alpha_composite(background, rgba).convert("RGB")
        else:
            rgb = oriented.convert("RGB")
        if icc:
            rgb = _to_srgb(rgb, icc)
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source_profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are, drop the profile


def make_derivatives(data: bytes) -> Derivatives:
    """Build the WebP widths for ``srcset``, a tiny placeholder and a dominant colour."""
    image = clean_rgb(data)
    result = Derivatives()
    widths = [w for w in DERIVATIVE_WIDTHS if w < image.width] + [min(image.width, DERIVATIVE_WIDTHS[-1])]
    for width in sorted(set(widths)):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        result.files[width] = _webp_bytes(resized, quality=82)
    tiny_height = max(1, round(image.height * PLACEHOLDER_WIDTH / image.width))
    tiny = image.resize((PLACEHOLDER_WIDTH, tiny_height), Image.Resampling.BOX)
    result.placeholder = "data:image/webp;base64," + base64.b64encode(_webp_bytes(tiny, quality=40)).decode()
    red, green, blue = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[misc]
    result.dominant_color = f"#{red:02x}{green:02x}{blue:02x}"
    return result


def _webp_bytes(image: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Explicit empty exif/icc/xmp: Pillow must never copy metadata into the public file.
    image.save(buffer, "WEBP", quality=quality, method=4, exif=b"", icc_profile=None, xmp=b"")
    return buffer.getvalue()
