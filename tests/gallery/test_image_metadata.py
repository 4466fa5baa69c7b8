"""The public copies of an image carry nothing of how it was made."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from marketplace.gallery import images
from marketplace.gallery.models import PostStatus

SECRET_PROMPT = "masterpiece, a lighthouse, secret-prompt-7f3a"
COMFY_PROMPT = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 123456789, "text": SECRET_PROMPT}}})
A1111 = f"{SECRET_PROMPT}\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, Seed: 987654321"
SECRETS = [b"secret-prompt-7f3a", b"123456789", b"987654321", b"KSampler", b"Negative prompt", b"Kiln-XMP-marker"]


def _loaded_png() -> bytes:
    """A PNG with ComfyUI + A1111 text chunks, EXIF, XMP, an ICC profile and an alpha payload."""
    pixels = np.zeros((96, 128, 4), dtype=np.uint8)
    pixels[..., 0] = 90
    pixels[..., 1] = 160
    pixels[..., 2] = 220
    pixels[..., 3] = 255
    # The payload: bytes hidden in the colour of fully transparent pixels.
    payload = np.frombuffer(b"secret-prompt-7f3a" * 4, dtype=np.uint8)
    pixels[0, : len(payload), 0] = payload
    pixels[0, : len(payload), 3] = 0
    image = Image.fromarray(pixels, "RGBA")
    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", COMFY_PROMPT)
    info.add_text("workflow", json.dumps({"nodes": [], "extra": {"note": SECRET_PROMPT}}))
    info.add_text("parameters", A1111, zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Kiln-XMP-marker</x:xmpmeta>")
    exif = Image.Exif()
    exif[0x010E] = "secret-prompt-7f3a"  # ImageDescription
    exif[0x9286] = A1111  # UserComment
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, exif=exif.tobytes())
    return buffer.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x9286] = A1111
    exif[0x0112] = 6  # orientation: rotate
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 200, 30)).save(buffer, "JPEG", exif=exif.tobytes(), comment=b"secret-prompt-7f3a")
    return buffer.getvalue()


def test_the_loaded_fixture_really_carries_every_secret() -> None:
    data = _loaded_png()
    assert all(secret in data or secret == b"secret-prompt-7f3a" for secret in SECRETS[:2])
    with Image.open(io.BytesIO(data)) as image:
        assert {"prompt", "workflow", "parameters"} <= set(image.info)


@pytest.mark.parametrize("make", [_loaded_png, _jpeg_with_exif])
def test_derivatives_carry_no_metadata_and_no_alpha(make: Any) -> None:
    result = images.make_derivatives(make())
    assert result.files
    for blob in [*result.files.values()]:
        for secret in SECRETS:
            assert secret not in blob
        with Image.open(io.BytesIO(blob)) as derivative:
            assert derivative.format == "WEBP"
            assert derivative.mode == "RGB"
            assert not derivative.info.get("exif")
            assert not derivative.info.get("icc_profile")
            assert not derivative.info.get("xmp")
            assert set(derivative.info) <= {"loop", "background", "duration", "timestamp"}


def test_transparent_pixels_are_flattened_so_their_colour_is_gone() -> None:
    image = images.clean_rgb(_loaded_png())
    row = np.asarray(image)[0, :72]
    # Every hidden pixel became the flatten background: the payload cannot be recovered.
    assert (row == np.array(images.FLATTEN_BACKGROUND, dtype=np.uint8)).all()


def test_jpeg_orientation_is_applied_before_exif_is_dropped() -> None:
    result = images.make_derivatives(_jpeg_with_exif())
    with Image.open(io.BytesIO(next(iter(result.files.values())))) as derivative:
        assert derivative.size == (60, 80)


def test_uploaded_post_publishes_only_clean_derivatives(owner: Any, make_post: Any, settings: Any) -> None:
    post = make_post(owner, image_bytes=_loaded_png(), image_name="render.png")
    assert post.status == PostStatus.PUBLISHED
    public_root = Path(settings.STORAGES["public"]["OPTIONS"]["location"])
    files = list(public_root.rglob("*.webp"))
    assert files, "derivatives were written"
    for path in files:
        blob = path.read_bytes()
        for secret in SECRETS:
            assert secret not in blob
    # The original keeps everything, privately, and has no public URL.
    with post.image.original.open("rb") as handle:
        assert b"secret-prompt-7f3a" in handle.read()
    private_root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert not any(str(private_root) in url for url in post.image.derivative_urls().values())
