"""Stochastic DPM-Solver++ samplers driven by a Brownian tree (dpmpp_sde, 2m_sde, 3m_sde).

Written in the half log-SNR λ = -log sigma, in the formulation ComfyUI uses since mid-2025
(`sigma_to_half_log_snr`); for SD's sigma-parameterised latents alpha = sigma·e^λ = 1.
eta = 1, s_noise = 1.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from .context import SamplingContext
from .karras import ancestral_step
from .noise_sources import BrownianNoiseSource

ETA = 1.0


def _half_log_snr(sigma: Tensor) -> Tensor:
    return sigma.log().neg()


def _sigma_of(half_log_snr: Tensor) -> Tensor:
    return half_log_snr.neg().exp()


def dpmpp_sde(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, tree_on_cpu: bool = True
) -> Tensor:
    """DPM-Solver++ (stochastic, single-step, r = 1/2): an ancestral half step with Brownian noise,
    a second model call there, then an ancestral full step with the blended denoised."""
    if len(sigmas) <= 1:
        return x
    noise = BrownianNoiseSource(x=x, sigmas=sigmas, seed=ctx.seed, on_cpu=tree_on_cpu)
    r = 1 / 2
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            lambda_s, lambda_t = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
            h = lambda_t - lambda_s
            lambda_s_1 = lambda_s + r * h
            fac = 1 / (2 * r)
            sigma_s_1 = _sigma_of(lambda_s_1)
            alpha_s = sigmas[i] * lambda_s.exp()
            alpha_s_1 = sigma_s_1 * lambda_s_1.exp()
            alpha_t = sigmas[i + 1] * lambda_t.exp()

            sigma_down, sigma_up = ancestral_step(lambda_s.neg().exp(), lambda_s_1.neg().exp(), ETA)
            h_ = sigma_down.log().neg() - lambda_s
            x_2 = (alpha_s_1 / alpha_s) * (-h_).exp() * x - alpha_s_1 * (-h_).expm1() * denoised
            x_2 = x_2 + alpha_s_1 * noise(sigmas[i], sigma_s_1) * sigma_up
            denoised_2 = ctx.denoise(x_2, sigma_s_1)

            sigma_down, sigma_up = ancestral_step(lambda_s.neg().exp(), lambda_t.neg().exp(), ETA)
            h_ = sigma_down.log().neg() - lambda_s
            denoised_d = (1 - fac) * denoised + fac * denoised_2
            x = (alpha_t / alpha_s) * (-h_).exp() * x - alpha_t * (-h_).expm1() * denoised_d
            x = x + alpha_t * noise(sigmas[i], sigmas[i + 1]) * sigma_up
        ctx.end_step(i, denoised)
    return x


def _dpmpp_2m_sde(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, solver_type: str, tree_on_cpu: bool
) -> Tensor:
    if len(sigmas) <= 1:
        return x
    noise = BrownianNoiseSource(x=x, sigmas=sigmas, seed=ctx.seed, on_cpu=tree_on_cpu)
    old_denoised: Tensor | None = None
    h: Tensor | None = None
    h_last: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            lambda_s, lambda_t = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
            h = lambda_t - lambda_s
            h_eta = h * (ETA + 1)
            alpha_t = sigmas[i + 1] * lambda_t.exp()
            x = (
                sigmas[i + 1] / sigmas[i] * (-h * ETA).exp() * x
                + alpha_t * (-h_eta).expm1().neg() * denoised
            )
            if old_denoised is not None and h_last is not None:
                r = h_last / h
                if solver_type == "heun":
                    x = x + alpha_t * ((-h_eta).expm1().neg() / (-h_eta) + 1) * (1 / r) * (
                        denoised - old_denoised
                    )
                else:
                    x = x + 0.5 * alpha_t * (-h_eta).expm1().neg() * (1 / r) * (
                        denoised - old_denoised
                    )
            x = (
                x
                + noise(sigmas[i], sigmas[i + 1])
                * sigmas[i + 1]
                * (-2 * h * ETA).expm1().neg().sqrt()
            )
        old_denoised = denoised
        h_last = h
        ctx.end_step(i, denoised)
    return x


def dpmpp_2m_sde(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, tree_on_cpu: bool = True
) -> Tensor:
    """DPM-Solver++(2M) SDE, midpoint second-order correction."""
    return _dpmpp_2m_sde(ctx, x, sigmas, solver_type="midpoint", tree_on_cpu=tree_on_cpu)


def dpmpp_2m_sde_heun(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, tree_on_cpu: bool = True
) -> Tensor:
    """DPM-Solver++(2M) SDE, Heun-type second-order correction."""
    return _dpmpp_2m_sde(ctx, x, sigmas, solver_type="heun", tree_on_cpu=tree_on_cpu)


def dpmpp_3m_sde(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, tree_on_cpu: bool = True
) -> Tensor:
    """DPM-Solver++(3M) SDE: third-order multistep once two previous denoised are known."""
    if len(sigmas) <= 1:
        return x
    noise = BrownianNoiseSource(x=x, sigmas=sigmas, seed=ctx.seed, on_cpu=tree_on_cpu)
    denoised_1: Tensor | None = None
    denoised_2: Tensor | None = None
    h: Tensor | None = None
    h_1: Tensor | None = None
    h_2: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            lambda_s, lambda_t = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
            h = lambda_t - lambda_s
            h_eta = h * (ETA + 1)
            alpha_t = sigmas[i + 1] * lambda_t.exp()
            x = (
                sigmas[i + 1] / sigmas[i] * (-h * ETA).exp() * x
                + alpha_t * (-h_eta).expm1().neg() * denoised
            )
            if (
                h_2 is not None
                and h_1 is not None
                and denoised_1 is not None
                and denoised_2 is not None
            ):
                r0 = h_1 / h
                r1 = h_2 / h
                d1_0 = (denoised - denoised_1) / r0
                d1_1 = (denoised_1 - denoised_2) / r1
                d1 = d1_0 + (d1_0 - d1_1) * r0 / (r0 + r1)
                d2 = (d1_0 - d1_1) / (r0 + r1)
                phi_2 = h_eta.neg().expm1() / h_eta + 1
                phi_3 = phi_2 / h_eta - 0.5
                x = x + (alpha_t * phi_2) * d1 - (alpha_t * phi_3) * d2
            elif h_1 is not None and denoised_1 is not None:
                r = h_1 / h
                d = (denoised - denoised_1) / r
                phi_2 = h_eta.neg().expm1() / h_eta + 1
                x = x + (alpha_t * phi_2) * d
            x = (
                x
                + noise(sigmas[i], sigmas[i + 1])
                * sigmas[i + 1]
                * (-2 * h * ETA).expm1().neg().sqrt()
            )
        denoised_1, denoised_2 = denoised, denoised_1
        h_1, h_2 = h, h_1
        ctx.end_step(i, denoised)
    return x


SdeSampler = Callable[..., Tensor]


def on_device_tree(sampler: SdeSampler) -> Callable[[SamplingContext, Tensor, Tensor], Tensor]:
    """The `_gpu` variant of an SDE sampler: the Brownian tree lives on x's device."""

    def run(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
        return sampler(ctx, x, sigmas, tree_on_cpu=False)

    run.__name__ = f"{sampler.__name__}_gpu"
    run.__doc__ = f"{sampler.__name__} with its Brownian tree built on x's device."
    return run
