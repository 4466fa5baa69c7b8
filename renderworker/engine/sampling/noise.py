"""Initial noise and how it is mixed into the starting latent (COMFY_FIDELITY §2)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .schedule import DiscreteSchedule

MAX_SEED = 2**64 - 1
# txt2img is recognised by the first sigma being sigma_max within this relative tolerance.
MAX_DENOISE_RELATIVE_TOLERANCE = 1e-05


def validate_seed(seed: int) -> int:
    """Return `seed` if it is an integer in ComfyUI's widget range 0..2**64-1, else raise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an integer in 0..{MAX_SEED}, got {seed!r}")
    return seed


def cpu_generator(seed: int) -> torch.Generator:
    """A fresh CPU generator in the state `torch.manual_seed(seed)` leaves the global one in.

    A private generator gives the same stream without touching the process-wide RNG state.
    torch accepts the whole 0..2**64-1 range.
    """
    return torch.Generator(device="cpu").manual_seed(validate_seed(seed))


def initial_noise(*, latent: Tensor, seed: int, batch_index: list[int] | None = None) -> Tensor:
    """The KSampler's initial noise for `latent`: CPU, float32 (the latent's dtype), from `seed`.

    Without `batch_index`: one draw of the whole latent shape [B, C, H, W] (so image k of a
    batch is *not* the image of seed+k). With `batch_index` (a latent that came out of a batch
    split): draw [1, C, H, W] noises in sequence for indices 0..max(batch_index) and give each
    latent sample the draw of its index.
    """
    generator = cpu_generator(seed)
    if batch_index is None:
        return torch.randn(latent.shape, dtype=latent.dtype, generator=generator, device="cpu")
    if len(batch_index) != latent.shape[0]:
        raise ValueError(
            f"batch_index has {len(batch_index)} entries but the latent batch has "
            f"{latent.shape[0]} samples"
        )
    if any(
        isinstance(index, bool) or not isinstance(index, int) or index < 0 for index in batch_index
    ):
        raise ValueError(f"batch_index entries must be integers >= 0, got {batch_index!r}")
    single_shape = [1, *latent.shape[1:]]
    wanted = set(batch_index)
    draws: dict[int, Tensor] = {}
    for index in range(max(batch_index) + 1):
        draw = torch.randn(single_shape, dtype=latent.dtype, generator=generator, device="cpu")
        if index in wanted:
            draws[index] = draw
    return torch.cat([draws[index] for index in batch_index], dim=0)


def is_full_denoise(*, sigmas: Tensor, schedule: DiscreteSchedule) -> bool:
    """True when sampling starts from pure noise: sigma0 ≈ sigma_max (rel. tol 1e-5) or above it."""
    sigma_max = float(schedule.sigma_max)
    first = float(sigmas[0])
    return (
        math.isclose(sigma_max, first, rel_tol=MAX_DENOISE_RELATIVE_TOLERANCE) or first > sigma_max
    )


def noise_latent(
    *, latent: Tensor, noise: Tensor, sigmas: Tensor, schedule: DiscreteSchedule
) -> Tensor:
    """The sampler's starting point x from the (already latent-scaled) `latent` and the noise.

    txt2img (sigma0 ≈ sigma_max): noise·sqrt(1+sigma0²) + latent — the variance-preserving start;
    otherwise (img2img, denoise < 1, start_at_step > 0): noise·sigma0 + latent.
    With empty `sigmas` (denoise 0, or start_at_step past the end) nothing is sampled and the
    latent comes back unchanged.

    The caller owns the latent scale: a non-zero input latent is multiplied by the family's
    latent scale (SD1 0.18215, SDXL 0.13025) before this and divided after sampling; an
    all-zero latent is passed as is. `noise` is moved to the latent's device and dtype.
    """
    if sigmas.numel() == 0:
        return latent
    noise = noise.to(device=latent.device, dtype=latent.dtype)
    sigma = sigmas[0].to(device=latent.device, dtype=torch.float32)
    if is_full_denoise(sigmas=sigmas, schedule=schedule):
        scaled = noise * torch.sqrt(1.0 + sigma**2.0)
    else:
        scaled = noise * sigma
    return scaled + latent
