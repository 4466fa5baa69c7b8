"""CFG++ samplers (Chung et al. 2024): the step direction uses the *unconditional* denoised,
the guided one only sets where the step lands. They need `denoise_with_uncond`.

For SD's sigma-parameterised latents alpha = sigma·e^{-log sigma} is 1 up to rounding; the
expressions keep ComfyUI's form so the rounding matches too.
"""

from __future__ import annotations

from torch import Tensor

from .context import SamplingContext
from .karras import ancestral_step, derivative
from .noise_sources import ancestral_noise_source


def _half_log_snr(sigma: Tensor) -> Tensor:
    return sigma.log().neg()


def _sigma_of(t: Tensor) -> Tensor:
    return t.neg().exp()


def _euler_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, eta: float) -> Tensor:
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised, uncond = ctx.denoise_with_uncond(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            alpha_s = sigmas[i] * _half_log_snr(sigmas[i]).exp()
            alpha_t = sigmas[i + 1] * _half_log_snr(sigmas[i + 1]).exp()
            d = derivative(x, sigmas[i], alpha_s * uncond)
            if eta:
                sigma_down, sigma_up = ancestral_step(
                    sigmas[i] / alpha_s, sigmas[i + 1] / alpha_t, eta
                )
            else:
                sigma_down = sigmas[i + 1] / alpha_t
            sigma_down = alpha_t * sigma_down
            x = alpha_t * denoised + sigma_down * d
            if eta > 0:
                x = x + alpha_t * noise(sigmas[i], sigmas[i + 1]) * sigma_up
        ctx.end_step(i, denoised)
    return x


def euler_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Euler steps with the CFG++ direction."""
    return _euler_cfg_pp(ctx, x, sigmas, eta=0.0)


def euler_ancestral_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Ancestral Euler (eta 1) with the CFG++ direction."""
    return _euler_cfg_pp(ctx, x, sigmas, eta=1.0)


def dpmpp_2m_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver++(2M) with the CFG++ direction."""
    old_uncond: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised, uncond = ctx.denoise_with_uncond(x, sigmas[i])
        t, t_next = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
        h = t_next - t
        if old_uncond is None or sigmas[i + 1] == 0:
            denoised_mix = -(-h).exp() * uncond
        else:
            h_last = t - _half_log_snr(sigmas[i - 1])
            r = h_last / h
            denoised_mix = -(-h).exp() * uncond - (-h).expm1() * (1 / (2 * r)) * (
                denoised - old_uncond
            )
        x = denoised + denoised_mix + (-h).exp() * x
        old_uncond = uncond
        ctx.end_step(i, denoised)
    return x


def dpmpp_2s_ancestral_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver++(2S) ancestral with the CFG++ direction: the midpoint call only refreshes the
    unconditional prediction, and the guidance vector of the step start is added at the end."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised, uncond = ctx.denoise_with_uncond(x, sigmas[i])
        guidance_vector = denoised - uncond
        sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1])
        if sigma_down == 0:
            d = derivative(x, sigmas[i], uncond)
            dt = sigma_down - sigmas[i]
            x = x + d * dt
        else:
            t, t_next = _half_log_snr(sigmas[i]), _half_log_snr(sigma_down)
            r = 1 / 2
            h = t_next - t
            s = t + r * h
            x_2 = (_sigma_of(s) / _sigma_of(t)) * x - (-h * r).expm1() * uncond
            _, uncond_2 = ctx.denoise_with_uncond(x_2, _sigma_of(s))
            x = (_sigma_of(t_next) / _sigma_of(t)) * x - (-h).expm1() * uncond_2
        if sigmas[i + 1] > 0:
            x = x + noise(sigmas[i], sigmas[i + 1]) * sigma_up
        x += guidance_vector
        ctx.end_step(i, denoised)
    return x
