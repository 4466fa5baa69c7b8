"""Newer ComfyUI multistep samplers: res_multistep (RES, Zhang et al. 2023, arXiv 2308.02157),
gradient_estimation (Permenter & Yuan) and er_sde (ER-SDE-Solver-3, Cui et al. 2023), each
with ComfyUI's defaults. The `cfg_pp` forms need `denoise_with_uncond`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .context import SamplingContext
from .karras import ancestral_step, derivative
from .noise_sources import ancestral_noise_source


def _t_of(sigma: Tensor) -> Tensor:
    return sigma.log().neg()


def _sigma_of(t: Tensor) -> Tensor:
    return t.neg().exp()


def _phi_1(t: Tensor) -> Tensor:
    return torch.expm1(t) / t


def _phi_2(t: Tensor) -> Tensor:
    return (_phi_1(t) - 1.0) / t


def _res_multistep(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, eta: float, cfg_pp: bool
) -> Tensor:
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    old_sigma_down: Tensor | None = None
    old_denoised: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        if cfg_pp:
            denoised, uncond = ctx.denoise_with_uncond(x, sigmas[i])
        else:
            denoised = uncond = ctx.denoise(x, sigmas[i])
        if eta:
            sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1], eta)
        else:
            sigma_down, sigma_up = sigmas[i + 1], sigmas[i + 1].new_zeros(())
        if sigma_down == 0 or old_denoised is None or old_sigma_down is None:
            if cfg_pp:
                d = derivative(x, sigmas[i], uncond)
                x = denoised + d * sigma_down
            else:
                d = derivative(x, sigmas[i], denoised)
                dt = sigma_down - sigmas[i]
                x = x + d * dt
        else:
            t, t_old = _t_of(sigmas[i]), _t_of(old_sigma_down)
            t_next, t_prev = _t_of(sigma_down), _t_of(sigmas[i - 1])
            h = t_next - t
            c2 = (t_prev - t_old) / h
            phi1_value, phi2_value = _phi_1(-h), _phi_2(-h)
            b1 = torch.nan_to_num(phi1_value - phi2_value / c2, nan=0.0)
            b2 = torch.nan_to_num(phi2_value / c2, nan=0.0)
            if cfg_pp:
                x = x + (denoised - uncond)
                x = _sigma_of(h) * x + h * (b1 * uncond + b2 * old_denoised)
            else:
                x = _sigma_of(h) * x + h * (b1 * denoised + b2 * old_denoised)
        if sigmas[i + 1] > 0 and eta:
            x = x + noise(sigmas[i], sigmas[i + 1]) * sigma_up
        old_denoised = uncond if cfg_pp else denoised
        old_sigma_down = sigma_down
        ctx.end_step(i, denoised)
    return x


def res_multistep(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Second-order RES multistep in log sigma (deterministic)."""
    return _res_multistep(ctx, x, sigmas, eta=0.0, cfg_pp=False)


def res_multistep_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """res_multistep with the CFG++ direction."""
    return _res_multistep(ctx, x, sigmas, eta=0.0, cfg_pp=True)


def res_multistep_ancestral(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """res_multistep to sigma_down, then sigma_up of ancestral noise (eta 1)."""
    return _res_multistep(ctx, x, sigmas, eta=1.0, cfg_pp=False)


def res_multistep_ancestral_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """res_multistep_ancestral with the CFG++ direction."""
    return _res_multistep(ctx, x, sigmas, eta=1.0, cfg_pp=True)


GRADIENT_ESTIMATION_GAMMA = 2.0


def _gradient_estimation(
    ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, cfg_pp: bool
) -> Tensor:
    old_d: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        if cfg_pp:
            denoised, uncond = ctx.denoise_with_uncond(x, sigmas[i])
            d = derivative(x, sigmas[i], uncond)
        else:
            denoised = ctx.denoise(x, sigmas[i])
            d = derivative(x, sigmas[i], denoised)
        dt = sigmas[i + 1] - sigmas[i]
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            x = denoised + d * sigmas[i + 1] if cfg_pp else x + d * dt
            if i >= 1 and old_d is not None:
                d_bar = (GRADIENT_ESTIMATION_GAMMA - 1) * (d - old_d)
                x = x + d_bar * dt
        old_d = d
        ctx.end_step(i, denoised)
    return x


def gradient_estimation(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Euler plus a (gamma - 1)-weighted slope-change correction, gamma = 2."""
    return _gradient_estimation(ctx, x, sigmas, cfg_pp=False)


def gradient_estimation_cfg_pp(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """gradient_estimation with the CFG++ direction."""
    return _gradient_estimation(ctx, x, sigmas, cfg_pp=True)


ER_SDE_MAX_STAGE = 3
ER_SDE_INTEGRATION_POINTS = 200.0


def _er_sde_noise_scaler(value: Tensor) -> Tensor:
    return value * ((value**0.3).exp() + 10.0)


def er_sde(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """ER-SDE-Solver-3 with ComfyUI's default noise scaler lambda·(e^{lambda^0.3} + 10) and
    ancestral noise; stage 2 and 3 integrals by a 200-point Riemann sum."""
    noise = ancestral_noise_source(x=x, seed=ctx.seed)
    point_index = torch.arange(0, ER_SDE_INTEGRATION_POINTS, dtype=torch.float32, device=x.device)
    er_lambdas = sigmas.log().neg().neg().exp()  # sigma/alpha via the half log-SNR, as ComfyUI
    old_denoised: Tensor | None = None
    old_denoised_d: Tensor | None = None
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        stage_used = min(ER_SDE_MAX_STAGE, i + 1)
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            er_lambda_s, er_lambda_t = er_lambdas[i], er_lambdas[i + 1]
            alpha_s = sigmas[i] / er_lambda_s
            alpha_t = sigmas[i + 1] / er_lambda_t
            r_alpha = alpha_t / alpha_s
            r = _er_sde_noise_scaler(er_lambda_t) / _er_sde_noise_scaler(er_lambda_s)
            x = r_alpha * r * x + alpha_t * (1 - r) * denoised
            if stage_used >= 2 and old_denoised is not None:
                dt = er_lambda_t - er_lambda_s
                lambda_step_size = -dt / ER_SDE_INTEGRATION_POINTS
                lambda_position = er_lambda_t + point_index * lambda_step_size
                scaled_position = _er_sde_noise_scaler(lambda_position)
                s = torch.sum(1 / scaled_position) * lambda_step_size
                denoised_d = (denoised - old_denoised) / (er_lambda_s - er_lambdas[i - 1])
                x = x + alpha_t * (dt + s * _er_sde_noise_scaler(er_lambda_t)) * denoised_d
                if stage_used >= 3 and old_denoised_d is not None:
                    s_u = (
                        torch.sum((lambda_position - er_lambda_s) / scaled_position)
                        * lambda_step_size
                    )
                    denoised_u = (denoised_d - old_denoised_d) / (
                        (er_lambda_s - er_lambdas[i - 2]) / 2
                    )
                    x = (
                        x
                        + alpha_t
                        * ((dt**2) / 2 + s_u * _er_sde_noise_scaler(er_lambda_t))
                        * denoised_u
                    )
                old_denoised_d = denoised_d
            amplitude = (er_lambda_t**2 - er_lambda_s**2 * r**2).sqrt().nan_to_num(nan=0.0)
            x = x + alpha_t * noise(sigmas[i], sigmas[i + 1]) * amplitude
        old_denoised = denoised
        ctx.end_step(i, denoised)
    return x
