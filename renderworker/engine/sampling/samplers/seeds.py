"""SEEDS (Gonzalez et al. 2023, arXiv 2305.14267): stochastic explicit exponential
derivative-free solvers in data prediction, 2 and 3 stages, and the exponential Heun methods
ComfyUI derives from SEEDS-2 (r = 1, phi_2 weights). Ancestral noise; eta = 1, s_noise = 1.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .context import SamplingContext
from .noise_sources import ancestral_noise_source


def _half_log_snr(sigma: Tensor) -> Tensor:
    return sigma.log().neg()


def _sigma_of(half_log_snr: Tensor) -> Tensor:
    return half_log_snr.neg().exp()


def _h_phi_1(h: Tensor) -> Tensor:
    return torch.expm1(h)


def _h_phi_2(h: Tensor) -> Tensor:
    return (torch.expm1(h) - h) / h


def _seeds_2(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, eta: float, r: float, solver_type: str
) -> Tensor:
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    fac = 1 / (2 * r)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
            ctx.end_step(i, denoised)
            continue
        lambda_s, lambda_t = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
        h = lambda_t - lambda_s
        h_eta = h * (eta + 1)
        lambda_s_1 = torch.lerp(lambda_s, lambda_t, r)
        sigma_s_1 = _sigma_of(lambda_s_1)
        alpha_s_1 = sigma_s_1 * lambda_s_1.exp()
        alpha_t = sigmas[i + 1] * lambda_t.exp()

        x_2 = (
            sigma_s_1 / sigmas[i] * (-r * h * eta).exp() * x
            - alpha_s_1 * _h_phi_1(-r * h_eta) * denoised
        )
        sde_noise: Tensor | None = None
        if eta > 0:
            sde_noise = (-2 * r * h * eta).expm1().neg().sqrt() * noise(sigmas[i], sigma_s_1)
            x_2 = x_2 + sde_noise * sigma_s_1
        denoised_2 = ctx.denoise(x_2, sigma_s_1)

        if solver_type == "phi_1":
            denoised_d = torch.lerp(denoised, denoised_2, fac)
            x = (
                sigmas[i + 1] / sigmas[i] * (-h * eta).exp() * x
                - alpha_t * _h_phi_1(-h_eta) * denoised_d
            )
        else:
            b2 = _h_phi_2(-h_eta) / r
            b1 = _h_phi_1(-h_eta) - b2
            x = sigmas[i + 1] / sigmas[i] * (-h * eta).exp() * x - alpha_t * (
                b1 * denoised + b2 * denoised_2
            )
        if sde_noise is not None:
            segment_factor = (r - 1) * h * eta
            sde_noise = sde_noise * segment_factor.exp()
            # Drawn even when its weight is 0 (r = 1): the stream position must match.
            sde_noise = sde_noise + segment_factor.mul(2).expm1().neg().sqrt() * noise(
                sigma_s_1, sigmas[i + 1]
            )
            x = x + sde_noise * sigmas[i + 1]
        ctx.end_step(i, denoised)
    return x


def seeds_2(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """SEEDS-2 (midpoint r = 1/2, phi_1 blend)."""
    return _seeds_2(ctx, x, sigmas, eta=1.0, r=0.5, solver_type="phi_1")


def exp_heun_2_x0(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Deterministic exponential Heun (second order) in data prediction and log-SNR time."""
    return _seeds_2(ctx, x, sigmas, eta=0.0, r=1.0, solver_type="phi_2")


def exp_heun_2_x0_sde(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Stochastic exponential Heun (second order), eta = 1."""
    return _seeds_2(ctx, x, sigmas, eta=1.0, r=1.0, solver_type="phi_2")


def seeds_3(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """SEEDS-3 with stages at r = 1/3 and 2/3."""
    eta, r_1, r_2 = 1.0, 1.0 / 3, 2.0 / 3
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
            ctx.end_step(i, denoised)
            continue
        lambda_s, lambda_t = _half_log_snr(sigmas[i]), _half_log_snr(sigmas[i + 1])
        h = lambda_t - lambda_s
        h_eta = h * (eta + 1)
        lambda_s_1 = torch.lerp(lambda_s, lambda_t, r_1)
        lambda_s_2 = torch.lerp(lambda_s, lambda_t, r_2)
        sigma_s_1, sigma_s_2 = _sigma_of(lambda_s_1), _sigma_of(lambda_s_2)
        alpha_s_1 = sigma_s_1 * lambda_s_1.exp()
        alpha_s_2 = sigma_s_2 * lambda_s_2.exp()
        alpha_t = sigmas[i + 1] * lambda_t.exp()

        x_2 = (
            sigma_s_1 / sigmas[i] * (-r_1 * h * eta).exp() * x
            - alpha_s_1 * _h_phi_1(-r_1 * h_eta) * denoised
        )
        sde_noise = (-2 * r_1 * h * eta).expm1().neg().sqrt() * noise(sigmas[i], sigma_s_1)
        x_2 = x_2 + sde_noise * sigma_s_1
        denoised_2 = ctx.denoise(x_2, sigma_s_1)

        a3_2 = r_2 / r_1 * _h_phi_2(-r_2 * h_eta)
        a3_1 = _h_phi_1(-r_2 * h_eta) - a3_2
        x_3 = sigma_s_2 / sigmas[i] * (-r_2 * h * eta).exp() * x - alpha_s_2 * (
            a3_1 * denoised + a3_2 * denoised_2
        )
        segment_factor = (r_1 - r_2) * h * eta
        sde_noise = sde_noise * segment_factor.exp()
        sde_noise = sde_noise + segment_factor.mul(2).expm1().neg().sqrt() * noise(
            sigma_s_1, sigma_s_2
        )
        x_3 = x_3 + sde_noise * sigma_s_2
        denoised_3 = ctx.denoise(x_3, sigma_s_2)

        b3 = _h_phi_2(-h_eta) / r_2
        b1 = _h_phi_1(-h_eta) - b3
        x = sigmas[i + 1] / sigmas[i] * (-h * eta).exp() * x - alpha_t * (
            b1 * denoised + b3 * denoised_3
        )
        segment_factor = (r_2 - 1) * h * eta
        sde_noise = sde_noise * segment_factor.exp()
        sde_noise = sde_noise + segment_factor.mul(2).expm1().neg().sqrt() * noise(
            sigma_s_2, sigmas[i + 1]
        )
        x = x + sde_noise * sigmas[i + 1]
        ctx.end_step(i, denoised)
    return x
