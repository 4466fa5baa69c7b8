"""Samplers that re-noise from the denoised prediction each step: ddpm and lcm."""

from __future__ import annotations

import torch
from torch import Tensor

from .context import SamplingContext
from .noise_sources import NoiseSource, ancestral_noise_source


def _ddpm_posterior_step(
    x: Tensor, sigma: Tensor, sigma_prev: Tensor, eps: Tensor, noise: NoiseSource
) -> Tensor:
    """One DDPM ancestral step in VP space (x is the VP latent, eps the predicted noise)."""
    alpha_cumprod = 1 / ((sigma * sigma) + 1)
    alpha_cumprod_prev = 1 / ((sigma_prev * sigma_prev) + 1)
    alpha = alpha_cumprod / alpha_cumprod_prev
    mu = (1.0 / alpha).sqrt() * (x - (1 - alpha) * eps / (1 - alpha_cumprod).sqrt())
    if sigma_prev > 0:
        mu += ((1 - alpha) * (1.0 - alpha_cumprod_prev) / (1.0 - alpha_cumprod)).sqrt() * noise(
            sigma, sigma_prev
        )
    return mu


def ddpm(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DDPM ancestral sampling (Ho et al. 2020) on the given sigmas, via VP space and back."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        eps = (x - denoised) / sigmas[i]
        x = _ddpm_posterior_step(
            x / torch.sqrt(1.0 + sigmas[i] ** 2.0), sigmas[i], sigmas[i + 1], eps, noise
        )
        if sigmas[i + 1] != 0:
            x *= torch.sqrt(1.0 + sigmas[i + 1] ** 2.0)
        ctx.end_step(i, denoised)
    return x


def lcm(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Latent Consistency Model sampling: jump to the denoised, then re-noise to the next sigma
    (noise·sigma' + denoised) with fresh ancestral noise."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        x = denoised
        if sigmas[i + 1] > 0:
            x = noise(sigmas[i], sigmas[i + 1]) * sigmas[i + 1] + x
        ctx.end_step(i, denoised)
    return x
