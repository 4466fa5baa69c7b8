"""SA-Solver (Xue et al. 2023, arXiv 2309.05019): stochastic Adams predictor (order 3) and
corrector (order 4) in data prediction and half log-SNR, with ComfyUI's defaults: tau = 1
for sigmas between the 20 % and 80 % points of the SD schedule, 0 elsewhere; ancestral noise;
orders lowered near a final sigma of 0. `sa_solver_pece` re-evaluates after each correction.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..schedule import DiscreteSchedule
from .context import SamplingContext
from .noise_sources import ancestral_noise_source

PREDICTOR_ORDER = 3
CORRECTOR_ORDER = 4
STOCHASTIC_START_PERCENT = 0.2
STOCHASTIC_END_PERCENT = 0.8


def exponential_coefficients(s: Tensor, t: Tensor, order: int, tau: float) -> Tensor:
    """(1+tau²)·∫_s^t e^{(1+tau²)x}·x^p dx for p < order, with e^{(1+tau²)t} factored out,
    by the integration-by-parts recursion written as a lower-triangular matrix."""
    tau_mul = 1 + tau**2
    h = t - s
    p = torch.arange(order, dtype=s.dtype, device=s.device)
    product_terms = t**p - s**p * (-tau_mul * h).exp()
    depth = p.unsqueeze(1) - p.unsqueeze(0)
    log_factorial = (p + 1).lgamma()
    log_coefficients = log_factorial.unsqueeze(1) - log_factorial.unsqueeze(0)
    if tau > 0:
        log_coefficients = log_coefficients - depth * math.log(tau_mul)
    signs = torch.where(depth % 2 == 0, 1.0, -1.0)
    return (log_coefficients.exp() * signs).tril() @ product_terms


def adams_weights(
    sigma_next: Tensor, lambdas: Tensor, lambda_s: Tensor, lambda_t: Tensor, tau: float
) -> Tensor:
    """Weights of the stored denoised predictions at `lambdas` for a step lambda_s → lambda_t:
    the integrals of their Lagrange basis polynomials, times alpha_t = sigma'·e^{lambda_t}."""
    count = lambdas.shape[0]
    integrals = exponential_coefficients(lambda_s, lambda_t, count, tau)
    vandermonde_transposed = torch.vander(lambdas, count, increasing=True).T
    lagrange_integrals: Tensor = torch.linalg.solve(vandermonde_transposed, integrals)
    return sigma_next * lambda_t.exp() * lagrange_integrals


def _sa_solver(ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, use_pece: bool) -> Tensor:
    if len(sigmas) <= 1:
        return x
    noise_source = ancestral_noise_source(x=x, seed=ctx.seed)
    lambdas = sigmas.log().neg()
    # ComfyUI takes this interval from the model's schedule; every supported family uses SD's.
    schedule = DiscreteSchedule()
    start_sigma = schedule.percent_to_sigma(STOCHASTIC_START_PERCENT)
    end_sigma = schedule.percent_to_sigma(STOCHASTIC_END_PERCENT)

    def tau_at(sigma: Tensor) -> float:
        return 1.0 if start_sigma >= sigma.item() >= end_sigma else 0.0

    max_order = max(PREDICTOR_ORDER, CORRECTOR_ORDER)
    x_pred = x
    h = sigmas.new_zeros(())
    tau_t = 0.0
    noise: Tensor | float = 0.0
    predictions: list[Tensor] = []
    lower_order_to_end = sigmas[-1].item() == 0
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x_pred, sigmas[i])
        first_denoised = denoised
        predictions.append(denoised)
        predictions = predictions[-max_order:]
        predictor_order = min(PREDICTOR_ORDER, len(predictions))
        if i == 0 or (sigmas[i + 1] == 0 and not use_pece):
            corrector_order = 0
        else:
            corrector_order = min(CORRECTOR_ORDER, len(predictions))
        if lower_order_to_end:
            predictor_order = min(predictor_order, len(sigmas) - 2 - i)
            corrector_order = min(corrector_order, len(sigmas) - 1 - i)

        if corrector_order == 0:
            x = x_pred
        else:
            weights = adams_weights(
                sigmas[i],
                lambdas[i - corrector_order + 1 : i + 1],
                lambdas[i - 1],
                lambdas[i],
                tau_t,
            )
            stacked = torch.stack(predictions[-corrector_order:], dim=1)
            correction = torch.tensordot(stacked, weights, dims=([1], [0]))
            x = sigmas[i] / sigmas[i - 1] * (-(tau_t**2) * h).exp() * x + correction
            if tau_t > 0:
                x = x + noise  # the noise the previous prediction added
            if use_pece:
                denoised = ctx.denoise(x, sigmas[i])
                predictions[-1] = denoised

        if sigmas[i + 1] == 0:
            x_pred = denoised
        else:
            tau_t = tau_at(sigmas[i + 1])
            weights = adams_weights(
                sigmas[i + 1],
                lambdas[i - predictor_order + 1 : i + 1],
                lambdas[i],
                lambdas[i + 1],
                tau_t,
            )
            stacked = torch.stack(predictions[-predictor_order:], dim=1)
            prediction = torch.tensordot(stacked, weights, dims=([1], [0]))
            h = lambdas[i + 1] - lambdas[i]
            x_pred = sigmas[i + 1] / sigmas[i] * (-(tau_t**2) * h).exp() * x + prediction
            if tau_t > 0:
                noise = (
                    noise_source(sigmas[i], sigmas[i + 1])
                    * sigmas[i + 1]
                    * (-2 * tau_t**2 * h).expm1().neg().sqrt()
                )
                x_pred = x_pred + noise
        ctx.end_step(i, first_denoised)
    return x_pred


def sa_solver(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """SA-Solver, predict-evaluate-correct."""
    return _sa_solver(ctx, x, sigmas, use_pece=False)


def sa_solver_pece(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """SA-Solver, predict-evaluate-correct-evaluate."""
    return _sa_solver(ctx, x, sigmas, use_pece=True)
