"""DEIS (Zhang & Chen 2022) in ComfyUI's "tab" form: Adams-Bashforth in a VP time t whose
coefficients are integrated numerically (10000-point Riemann sums) over each step.

The sigmas are mapped to t with the VP-SDE that has EDM's *default* range (sigma 0.002..80 at
t = 1e-3..1), not the model's; the integrand is d sigma/dt, with d log(alpha)/dt taken by
autograd as ComfyUI does (so the float32 rounding matches). Order up to 3; the first step and
the step to sigma = 0 are Euler steps.
"""

from __future__ import annotations

import numpy
import torch
from torch import Tensor

from .context import SamplingContext

MAX_ORDER = 3
INTEGRATION_POINTS = 10000
EPSILON_T = 1e-3
EDM_SIGMA_MIN = 0.002
EDM_SIGMA_MAX = 80.0


def _log1p_square(sigma: float) -> Tensor:
    # float32 log through NumPy, as ComfyUI's np.log on a tensor computes it.
    value = (torch.tensor(sigma) ** 2 + 1).numpy()
    return torch.from_numpy(numpy.asarray(numpy.log(value)))


def vp_times(sigmas: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(t for each sigma, beta_0, beta_1) of the VP-SDE through EDM's default sigma range."""
    beta_d = (
        2
        * (_log1p_square(EDM_SIGMA_MIN) / EPSILON_T - _log1p_square(EDM_SIGMA_MAX))
        / (EPSILON_T - 1)
    )
    beta_min = _log1p_square(EDM_SIGMA_MAX) - 0.5 * beta_d
    sigmas = sigmas.detach().cpu()
    t_steps = ((beta_min**2 + 2 * beta_d * (sigmas**2 + 1).log()).sqrt() - beta_min) / beta_d
    return t_steps, beta_min, beta_d + beta_min


def _d_sigma_d_t(beta_0: Tensor, beta_1: Tensor, taus: Tensor) -> Tensor:
    with torch.inference_mode(mode=False), torch.enable_grad():
        taus = taus.clone().requires_grad_(True)
        alpha = torch.exp(
            -0.5 * taus**2 * (beta_1.clone() - beta_0.clone()) - taus * beta_0.clone()
        )
        (d_log_alpha,) = torch.autograd.grad(alpha.log().sum(), taus)
    return -0.5 * d_log_alpha / torch.sqrt(alpha.detach() * (1 - alpha.detach()))


def _lagrange_basis(points: Tensor, j: int, taus: Tensor) -> Tensor | float:
    polynomial: Tensor | float = 1
    for k in range(points.shape[0]):
        if k != j:
            polynomial = polynomial * ((taus - points[k]) / (points[j] - points[k]))
    return polynomial


def deis_coefficients(sigmas: Tensor, max_order: int = MAX_ORDER) -> list[list[Tensor]]:
    """Per step, the weights of the current and previous slopes (empty for first-order steps)."""
    t_steps, beta_0, beta_1 = vp_times(sigmas)
    coefficients: list[list[Tensor]] = []
    for i in range(len(t_steps) - 1):
        t_cur, t_next = t_steps[i], t_steps[i + 1]
        order = min(i + 1, max_order)
        if order == 1:
            coefficients.append([])
            continue
        taus = torch.linspace(float(t_cur), float(t_next), INTEGRATION_POINTS)
        dtau = (t_next - t_cur) / INTEGRATION_POINTS
        points = t_steps[[i - k for k in range(order)]]
        integrand = _d_sigma_d_t(beta_0, beta_1, taus)
        coefficients.append(
            [torch.sum(integrand * _lagrange_basis(points, j, taus)) * dtau for j in range(order)]
        )
    return coefficients


def deis(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DEIS-tAB of order up to 3 on dx/dsigma."""
    coefficients = deis_coefficients(sigmas)
    history: list[Tensor] = []
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        t_cur, t_next = sigmas[i], sigmas[i + 1]
        denoised = ctx.denoise(x, t_cur)
        d_cur = (x - denoised) / t_cur
        order = 1 if t_next <= 0 else min(MAX_ORDER, i + 1)
        if order == 1:
            x = x + (t_next - t_cur) * d_cur
        elif order == 2:
            coeff_cur, coeff_prev1 = (c.to(x.device) for c in coefficients[i])
            x = x + coeff_cur * d_cur + coeff_prev1 * history[-1]
        else:
            coeff_cur, coeff_prev1, coeff_prev2 = (c.to(x.device) for c in coefficients[i])
            x = x + coeff_cur * d_cur + coeff_prev1 * history[-1] + coeff_prev2 * history[-2]
        if len(history) == MAX_ORDER - 1:
            history.pop(0)
        history.append(d_cur)
        ctx.end_step(i, denoised)
    return x
