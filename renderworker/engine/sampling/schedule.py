"""The discrete noise schedule of Stable Diffusion 1.x / 2.x / SDXL and the model-call helpers.

Every number here follows ComfyUI's `ModelSamplingDiscrete` (COMFY_FIDELITY §3): the table is
computed in float64 and *stored* in float32, and the log table is the float64 log cast to
float32 (not the log of the float32 table) — that difference moves the last bit of
interpolated sigmas, so it is kept on purpose.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

Prediction = Literal["eps", "v"]
PREDICTIONS: tuple[Prediction, ...] = ("eps", "v")

TRAINING_TIMESTEPS = 1000
LINEAR_START = 0.00085
LINEAR_END = 0.012


def _per_sample(sigma: Tensor, *, ndim: int) -> Tensor:
    """Shape a per-sample sigma ([B], or a scalar) so it broadcasts over a [B, C, H, W] tensor."""
    return sigma.reshape(sigma.shape[:1] + (1,) * (ndim - 1))


class DiscreteSchedule:
    """The SD "scaled linear" schedule over 1000 training timesteps.

    `sigmas` is the float32 table sigma_t = sqrt((1 - ᾱ_t)/ᾱ_t), t = 0..999 (ascending).
    `prediction` says how the UNet output is turned into a denoised latent.
    The latent scale factor is not here: it belongs to the model family.
    """

    def __init__(self, *, prediction: Prediction = "eps") -> None:
        if prediction not in PREDICTIONS:
            raise ValueError(
                f"prediction {prediction!r} is not supported; accepted: {', '.join(PREDICTIONS)}"
            )
        self.prediction: Prediction = prediction
        betas = (
            torch.linspace(
                LINEAR_START**0.5, LINEAR_END**0.5, TRAINING_TIMESTEPS, dtype=torch.float64
            )
            ** 2
        )
        alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        sigmas64 = ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5
        self.alphas_cumprod: Tensor = alphas_cumprod.float()
        self.sigmas: Tensor = sigmas64.float()
        self.log_sigmas: Tensor = sigmas64.log().float()

    @property
    def sigma_min(self) -> Tensor:
        """sigma at t = 0 (0-dim float32 tensor, ≈ 0.029168)."""
        return self.sigmas[0]

    @property
    def sigma_max(self) -> Tensor:
        """sigma at t = 999 (0-dim float32 tensor, ≈ 14.614642)."""
        return self.sigmas[-1]

    def timestep(self, sigma: Tensor) -> Tensor:
        """The UNet timestep for `sigma`: the nearest *integer* t in log sigma, returned as float32.

        Ties go to the lower t (first minimum), like `argmin`.
        """
        log_sigma = sigma.log()
        distances = log_sigma.to(self.log_sigmas.device) - self.log_sigmas[:, None]
        nearest = distances.abs().argmin(dim=0).view(sigma.shape)
        return nearest.to(sigma.device).float()

    def sigma(self, timestep: Tensor) -> Tensor:
        """sigma(t) for a (possibly fractional) t: linear in log sigma, t clamped to 0..999."""
        t = torch.clamp(
            timestep.float().to(self.log_sigmas.device), min=0, max=TRAINING_TIMESTEPS - 1
        )
        low_index = t.floor().long()
        high_index = t.ceil().long()
        weight = t.frac()
        log_sigma = (1 - weight) * self.log_sigmas[low_index] + weight * self.log_sigmas[high_index]
        return log_sigma.exp().to(timestep.device)

    def percent_to_sigma(self, percent: float) -> float:
        """sigma at `percent` of the way through sampling (0 = pure noise end, 1 = clean end),
        via the fractional timestep (1 - percent)·999, as ComfyUI's start/end-percent inputs."""
        if percent <= 0.0:
            return 999999999.9
        if percent >= 1.0:
            return 0.0
        return float(self.sigma(torch.tensor((1.0 - percent) * 999.0)))

    def scale_input(self, x: Tensor, sigma: Tensor) -> Tensor:
        """The UNet input for the noisy latent `x` at per-sample `sigma`: x / sqrt(sigma² + 1)."""
        sigma = _per_sample(sigma, ndim=x.ndim)
        return x / (sigma**2 + 1.0) ** 0.5

    def to_denoised(self, x: Tensor, model_output: Tensor, sigma: Tensor) -> Tensor:
        """The denoised latent from the UNet output (float32) at per-sample `sigma`.

        eps: x - ε·sigma.
        v:   the model sees z = alpha·x with alpha = 1/sqrt(1+sigma²) and the VP noise level
             s = sigma/sqrt(1+sigma²);
             v is defined as alpha·ε - s·x₀ and z = alpha·x₀ + s·ε, so x₀ = alpha·z - s·v, i.e.
             x₀ = x/(sigma²+1) - v·sigma/sqrt(sigma²+1).
        """
        sigma = _per_sample(sigma, ndim=model_output.ndim)
        if self.prediction == "eps":
            return x - model_output * sigma
        return x / (sigma**2 + 1.0) - model_output * sigma / (sigma**2 + 1.0) ** 0.5
