"""Karras-style ODE samplers in sigma: euler, heun, heunpp2, dpm_2 and their ancestral variants.

x is the noisy latent at noise level sigma (x = x₀ + sigma·ε); d = (x - D(x, sigma))/sigma is
dx/dsigma of the probability-flow ODE. Expressions keep ComfyUI's evaluation order so float32
results match. s_churn = 0 (ComfyUI's default), so no churn noise.
"""

from __future__ import annotations

from torch import Tensor

from .context import SamplingContext
from .noise_sources import ancestral_noise_source


def derivative(x: Tensor, sigma: Tensor, denoised: Tensor) -> Tensor:
    """dx/dsigma of the probability-flow ODE: (x - denoised)/sigma."""
    return (x - denoised) / sigma


def ancestral_step(sigma_from: Tensor, sigma_to: Tensor, eta: float = 1.0) -> tuple[Tensor, Tensor]:
    """(sigma_down, sigma_up) for an ancestral step sigma_from → sigma_to.

    Go deterministically to sigma_down, then add sigma_up of fresh noise, so that
    sigma_down² + sigma_up² = sigma_to² and the marginal matches DDPM's posterior.
    """
    sigma_up = min(
        sigma_to, eta * (sigma_to**2 * (sigma_from**2 - sigma_to**2) / sigma_from**2) ** 0.5
    )
    sigma_down = (sigma_to**2 - sigma_up**2) ** 0.5
    return sigma_down, sigma_up


def euler(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Euler steps on the probability-flow ODE (Karras et al. 2022, Algorithm 2 without churn)."""
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        d = derivative(x, sigmas[i], denoised)
        dt = sigmas[i + 1] - sigmas[i]
        x = x + d * dt
        ctx.end_step(i, denoised)
    return x


def euler_ancestral(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Euler step down to sigma_down, then sigma_up of fresh noise; the last step returns D."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1])
        if sigma_down == 0:
            x = denoised
        else:
            d = derivative(x, sigmas[i], denoised)
            dt = sigma_down - sigmas[i]
            x = x + d * dt + noise(sigmas[i], sigmas[i + 1]) * sigma_up
        ctx.end_step(i, denoised)
    return x


def heun(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Heun's second-order method (trapezoidal on d); the step to sigma = 0 is plain Euler."""
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        d = derivative(x, sigmas[i], denoised)
        dt = sigmas[i + 1] - sigmas[i]
        if sigmas[i + 1] == 0:
            x = x + d * dt
        else:
            x_euler = x + d * dt
            denoised_2 = ctx.denoise(x_euler, sigmas[i + 1])
            d_2 = derivative(x_euler, sigmas[i + 1], denoised_2)
            d_prime = (d + d_2) / 2
            x = x + d_prime * dt
        ctx.end_step(i, denoised)
    return x


def heunpp2(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Heun++ (sd-webui-samplers-scheduler): up to three slope evaluations per step, weighted by
    sigma/(k·sigma₀); the last step is Euler, the one before it two-point."""
    s_end = sigmas[-1]
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        d = derivative(x, sigmas[i], denoised)
        dt = sigmas[i + 1] - sigmas[i]
        if sigmas[i + 1] == s_end:
            x = x + d * dt
        elif sigmas[i + 2] == s_end:
            x_2 = x + d * dt
            denoised_2 = ctx.denoise(x_2, sigmas[i + 1])
            d_2 = derivative(x_2, sigmas[i + 1], denoised_2)
            w = 2 * sigmas[0]
            w2 = sigmas[i + 1] / w
            w1 = 1 - w2
            d_prime = d * w1 + d_2 * w2
            x = x + d_prime * dt
        else:
            x_2 = x + d * dt
            denoised_2 = ctx.denoise(x_2, sigmas[i + 1])
            d_2 = derivative(x_2, sigmas[i + 1], denoised_2)
            dt_2 = sigmas[i + 2] - sigmas[i + 1]
            x_3 = x_2 + d_2 * dt_2
            denoised_3 = ctx.denoise(x_3, sigmas[i + 2])
            d_3 = derivative(x_3, sigmas[i + 2], denoised_3)
            w = 3 * sigmas[0]
            w2 = sigmas[i + 1] / w
            w3 = sigmas[i + 2] / w
            w1 = 1 - w2 - w3
            d_prime = w1 * d + w2 * d_2 + w3 * d_3
            x = x + d_prime * dt
        ctx.end_step(i, denoised)
    return x


def dpm_2(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver-2-like midpoint method: slope at the geometric mean of sigma and sigma'."""
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        d = derivative(x, sigmas[i], denoised)
        if sigmas[i + 1] == 0:
            dt = sigmas[i + 1] - sigmas[i]
            x = x + d * dt
        else:
            sigma_mid = sigmas[i].log().lerp(sigmas[i + 1].log(), 0.5).exp()
            dt_1 = sigma_mid - sigmas[i]
            dt_2 = sigmas[i + 1] - sigmas[i]
            x_2 = x + d * dt_1
            denoised_2 = ctx.denoise(x_2, sigma_mid)
            d_2 = derivative(x_2, sigma_mid, denoised_2)
            x = x + d_2 * dt_2
        ctx.end_step(i, denoised)
    return x


def dpm_2_ancestral(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """dpm_2's midpoint step down to sigma_down, then sigma_up of fresh noise."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1])
        d = derivative(x, sigmas[i], denoised)
        if sigma_down == 0:
            dt = sigma_down - sigmas[i]
            x = x + d * dt
        else:
            sigma_mid = sigmas[i].log().lerp(sigma_down.log(), 0.5).exp()
            dt_1 = sigma_mid - sigmas[i]
            dt_2 = sigma_down - sigmas[i]
            x_2 = x + d * dt_1
            denoised_2 = ctx.denoise(x_2, sigma_mid)
            d_2 = derivative(x_2, sigma_mid, denoised_2)
            x = x + d_2 * dt_2
            x = x + noise(sigmas[i], sigmas[i + 1]) * sigma_up
        ctx.end_step(i, denoised)
    return x
