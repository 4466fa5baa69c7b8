"""Image similarity and the accept/reject decision of a verification (COMFY_FIDELITY §10).

Numpy only, so it runs anywhere. Metrics:

* **PSNR** over RGB uint8 (∞ for identical images).
* **SSIM** on luma with an 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03.
* **GMSD** (gradient magnitude similarity deviation, Xue et al. 2014): a perceptual distance
  that needs no learned weights, so it works offline; 0 for identical images, larger is
  more different (0 for a same-machine reproduction, ~0.01 for steps ± 1 or cfg ± 1 on the
  tiny model, > 0.15 for a different seed).

The decision distance is GMSD. A showcase is accepted when it is within ``ceiling`` of the
declared render **and** clearly closer to it than to every informative control render
(distance < ``ratio`` × the control's). A control is informative when its own render differs
from the declared render by at least ``min_separation``; controls that change nothing visible
(e.g. a LoRA whose ±0.2 is invisible at this size) cannot discriminate and are reported as such.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

# Calibrated by bench/verification_calibration.py; see docs/verification.md ("Thresholds").
# On cpu-fp32 a genuine reproduction is at 0.0000; the smallest perturbations measured (steps
# ± 1: 0.0107, cfg + 1: 0.0124 on the tiny model) must stay above both values.
DEFAULT_CEILING = 0.005
DEFAULT_RATIO = 0.5
DEFAULT_MIN_SEPARATION = 0.005


@dataclass(frozen=True)
class Metrics:
    psnr: float
    ssim: float
    perceptual: float  # GMSD

    def as_dict(self) -> dict[str, float | None]:
        return {
            "psnr": None if math.isinf(self.psnr) else round(self.psnr, 4),
            "ssim": round(self.ssim, 6),
            "perceptual": round(self.perceptual, 6),
        }


@dataclass
class ControlComparison:
    name: str
    description: str
    to_showcase: Metrics
    to_declared: Metrics
    informative: bool


@dataclass
class Decision:
    accepted: bool
    reason: str
    declared: Metrics
    controls: list[ControlComparison] = field(default_factory=list)
    closest_control: str | None = None
    margin: float | None = None  # d(showcase, declared) / d(showcase, closest informative control)
    thresholds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "declared": self.declared.as_dict(),
            "controls": [
                {
                    "name": c.name,
                    "description": c.description,
                    "to_showcase": c.to_showcase.as_dict(),
                    "to_declared": c.to_declared.as_dict(),
                    "informative": c.informative,
                }
                for c in self.controls
            ],
            "closest_control": self.closest_control,
            "margin": None if self.margin is None else round(self.margin, 6),
            "thresholds": dict(self.thresholds),
        }


def decode_rgb(data: bytes) -> tuple[np.ndarray, str]:
    """(H×W×3 uint8, format) of an encoded image; transparency flattened on white."""
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format or "PNG"
        if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            rgb = Image.alpha_composite(background, rgba).convert("RGB")
        else:
            rgb = image.convert("RGB")
        return np.asarray(rgb, dtype=np.uint8), fmt


def _subsampling(image: Image.Image) -> int:
    try:
        from PIL import JpegImagePlugin

        return int(JpegImagePlugin.get_sampling(image))
    except (ImportError, AttributeError, ValueError):
        return 2


def encode_like(render: np.ndarray, *, showcase_bytes: bytes) -> np.ndarray:
    """Put the render through the showcase's encoding (JPEG tables kept; WebP at q90)."""
    with Image.open(io.BytesIO(showcase_bytes)) as showcase:
        fmt = showcase.format
        buffer = io.BytesIO()
        image = Image.fromarray(render)
        if fmt == "JPEG":
            image.save(buffer, "JPEG", qtables=showcase.quantization, subsampling=_subsampling(showcase))
        elif fmt == "WEBP" and not _webp_is_lossless(showcase_bytes):
            image.save(buffer, "WEBP", quality=90)
        else:
            return render
    buffer.seek(0)
    with Image.open(buffer) as reencoded:
        return np.asarray(reencoded.convert("RGB"), dtype=np.uint8)


def _webp_is_lossless(data: bytes) -> bool:
    return b"VP8L" in data[:64]


def normalise_pair(showcase: np.ndarray, render: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same size: the render is resized to the showcase (Lanczos) when they differ."""
    if showcase.shape != render.shape:
        resized = Image.fromarray(render).resize((showcase.shape[1], showcase.shape[0]), Image.Resampling.LANCZOS)
        render = np.asarray(resized, dtype=np.uint8)
    return showcase, render


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def _luma(image: np.ndarray) -> np.ndarray:
    rgb = image.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _gaussian_kernel(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2
    kernel = np.exp(-(x**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def _filter(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable 'valid' convolution."""
    rows = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="valid"), 1, image)
    return np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="valid"), 0, rows)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    x, y = _luma(a), _luma(b)
    if min(x.shape) < 11:
        return 1.0 if np.array_equal(x, y) else float(1 - np.mean(np.abs(x - y)) / 255)
    kernel = _gaussian_kernel()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_x, mu_y = _filter(x, kernel), _filter(y, kernel)
    xx = _filter(x * x, kernel) - mu_x**2
    yy = _filter(y * y, kernel) - mu_y**2
    xy = _filter(x * y, kernel) - mu_x * mu_y
    value = ((2 * mu_x * mu_y + c1) * (2 * xy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (xx + yy + c2))
    return float(value.mean())


def gmsd(a: np.ndarray, b: np.ndarray) -> float:
    """Gradient magnitude similarity deviation on luma downsampled by 2 (as in the paper)."""
    x, y = _luma(a) / 255.0, _luma(b) / 255.0
    if min(x.shape) >= 4:
        x = (x[0:-1:2, 0:-1:2] + x[1::2, 0:-1:2] + x[0:-1:2, 1::2] + x[1::2, 1::2])[: x.shape[0] // 2, : x.shape[1] // 2] / 4
        y = (y[0:-1:2, 0:-1:2] + y[1::2, 0:-1:2] + y[0:-1:2, 1::2] + y[1::2, 1::2])[: y.shape[0] // 2, : y.shape[1] // 2] / 4

    def magnitude(image: np.ndarray) -> np.ndarray:
        padded = np.pad(image, 1, mode="edge")
        gx = (padded[1:-1, 2:] - padded[1:-1, :-2]) / 3 + (padded[:-2, 2:] - padded[:-2, :-2]) / 3 + (padded[2:, 2:] - padded[2:, :-2]) / 3
        gy = (padded[2:, 1:-1] - padded[:-2, 1:-1]) / 3 + (padded[2:, :-2] - padded[:-2, :-2]) / 3 + (padded[2:, 2:] - padded[:-2, 2:]) / 3
        return np.sqrt(gx**2 + gy**2)

    c = 0.0026
    mx, my = magnitude(x), magnitude(y)
    similarity = (2 * mx * my + c) / (mx**2 + my**2 + c)
    return float(similarity.std())


def measure(a: np.ndarray, b: np.ndarray) -> Metrics:
    return Metrics(psnr=psnr(a, b), ssim=ssim(a, b), perceptual=gmsd(a, b))


def difference_heatmap(a: np.ndarray, b: np.ndarray) -> bytes:
    """A PNG heat map of |a − b| (black = equal, yellow = most different)."""
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2).astype(np.float64)
    scale = diff / max(diff.max(), 1.0)
    heat = np.stack([np.clip(scale * 3, 0, 1), np.clip(scale * 3 - 1, 0, 1), np.clip(scale * 3 - 2, 0, 1)], axis=2)
    buffer = io.BytesIO()
    Image.fromarray((heat * 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def decide(
    *,
    showcase: np.ndarray,
    declared: np.ndarray,
    controls: list[tuple[str, str, np.ndarray]],
    ceiling: float = DEFAULT_CEILING,
    ratio: float = DEFAULT_RATIO,
    min_separation: float = DEFAULT_MIN_SEPARATION,
) -> Decision:
    """Accept only when the showcase is within the ceiling and clearly closest to the declared render."""
    showcase, declared = normalise_pair(showcase, declared)
    to_declared = measure(showcase, declared)
    comparisons: list[ControlComparison] = []
    for name, description, image in controls:
        _, image = normalise_pair(showcase, image)
        versus_declared = measure(declared, image)
        comparisons.append(
            ControlComparison(
                name=name,
                description=description,
                to_showcase=measure(showcase, image),
                to_declared=versus_declared,
                informative=versus_declared.perceptual >= min_separation,
            )
        )
    thresholds = {"ceiling": ceiling, "ratio": ratio, "min_separation": min_separation}
    informative = [c for c in comparisons if c.informative]
    closest = min(informative, key=lambda c: c.to_showcase.perceptual, default=None)
    margin = None
    if closest is not None:
        margin = to_declared.perceptual / max(closest.to_showcase.perceptual, 1e-12)
    decision = Decision(False, "", to_declared, comparisons, closest.name if closest else None, margin, thresholds)
    if to_declared.perceptual > ceiling:
        decision.reason = (
            f"The reproduction differs from the showcase: perceptual distance {to_declared.perceptual:.4f} "
            f"is above the ceiling {ceiling} (PSNR {to_declared.as_dict()['psnr']} dB, SSIM {to_declared.ssim:.4f})."
        )
        if closest is not None and closest.to_showcase.perceptual < to_declared.perceptual:
            decision.reason += (
                f" The control '{closest.description}' is closer to the showcase "
                f"({closest.to_showcase.perceptual:.4f})."
            )
        return decision
    if closest is not None and margin is not None and margin >= ratio:
        decision.reason = (
            f"The showcase is not clearly closest to the declared render: control '{closest.description}' is at "
            f"{closest.to_showcase.perceptual:.4f}, the declared render at {to_declared.perceptual:.4f} "
            f"(ratio {margin:.3f}, must be below {ratio})."
        )
        return decision
    decision.accepted = True
    uninformative = [c.name for c in comparisons if not c.informative]
    decision.reason = f"Reproduced: perceptual distance {to_declared.perceptual:.4f} (ceiling {ceiling})" + (
        f"; closest control '{closest.description}' at {closest.to_showcase.perceptual:.4f}." if closest else "; no informative control."
    ) + (f" Controls that changed nothing visible: {', '.join(uninformative)}." if uninformative else "")
    return decision


__all__ = ["Decision", "Metrics", "decide", "decode_rgb", "difference_heatmap", "encode_like", "measure"]
