"""DPM-Solver++ samplers (Lu et al. 2022), deterministic and ancestral.

They step in t = -log sigma (the half log-SNR for sigma-parameterised VE latents), where the exact
solution of the ODE for a constant denoised D is x' = (sigma'/sigma)·x - (e^{-h} - 1)·D
with h = t' - t.
"""

from __future__ import annotations

from torch import Tensor

from .context import SamplingContext
from .karras import ancestral_step, derivative
from .noise_sources import ancestral_noise_source


def _t_of(sigma: Tensor) -> Tensor:
    return sigma.log().neg()


def _sigma_of(t: Tensor) -> Tensor:
    return t.neg().exp()


def dpmpp_2m(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver++(2M): second-order multistep using the previous denoised; first and last
    steps are first order."""
    old_denoised: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        t, t_next = _t_of(sigmas[i]), _t_of(sigmas[i + 1])
        h = t_next - t
        if old_denoised is None or sigmas[i + 1] == 0:
            x = (_sigma_of(t_next) / _sigma_of(t)) * x - (-h).expm1() * denoised
        else:
            h_last = t - _t_of(sigmas[i - 1])
            r = h_last / h
            denoised_d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old_denoised
            x = (_sigma_of(t_next) / _sigma_of(t)) * x - (-h).expm1() * denoised_d
        old_denoised = denoised
        ctx.end_step(i, denoised)
    return x


def dpmpp_2s_ancestral(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver++(2S) single-step to sigma_down (midpoint in t), then sigma_up of fresh noise."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1])
        if sigma_down == 0:
            d = derivative(x, sigmas[i], denoised)
            dt = sigma_down - sigmas[i]
            x = x + d * dt
        else:
            t, t_next = _t_of(sigmas[i]), _t_of(sigma_down)
            r = 1 / 2
            h = t_next - t
            s = t + r * h
            x_2 = (_sigma_of(s) / _sigma_of(t)) * x - (-h * r).expm1() * denoised
            denoised_2 = ctx.denoise(x_2, _sigma_of(s))
            x = (_sigma_of(t_next) / _sigma_of(t)) * x - (-h).expm1() * denoised_2
        if sigmas[i + 1] > 0:
            x = x + noise(sigmas[i], sigmas[i + 1]) * sigma_up
        ctx.end_step(i, denoised)
    return x
