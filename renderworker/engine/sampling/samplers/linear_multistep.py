"""Linear multistep samplers on dx/dsigma: lms (Adams-Bashforth with integrated Lagrange weights),
ipndm and ipndm_v (improved PNDM, fixed and variable step coefficients)."""

from __future__ import annotations

import numpy
from scipy import integrate
from torch import Tensor

from .context import SamplingContext
from .karras import derivative

LMS_ORDER = 4
IPNDM_MAX_ORDER = 4


def lms_coefficient(order: int, sigmas: numpy.ndarray, i: int, j: int) -> float:
    """∫_{sigma_i}^{sigma_{i+1}} of the Lagrange basis polynomial of point i-j.

    The polynomial runs through sigma_i, sigma_{i-1}, … (order points).

    `sigmas` is the float32 numpy copy of the schedule, as in ComfyUI: with NumPy ≥ 2 the
    integrand is then evaluated in float32 (Python floats are "weak"), with NumPy 1 in float64.
    The quadrature tolerance (epsrel 1e-4) is ComfyUI's too.
    """
    if order - 1 > i:
        raise ValueError(f"order {order} too high for step {i}")

    def basis(tau: float) -> float:
        product = 1.0
        for k in range(order):
            if j == k:
                continue
            product *= (tau - sigmas[i - k]) / (sigmas[i - j] - sigmas[i - k])
        return product

    return float(integrate.quad(basis, sigmas[i], sigmas[i + 1], epsrel=1e-4)[0])


def lms(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Linear multistep of order up to 4; the step to sigma = 0 returns the denoised."""
    sigmas_numpy = sigmas.detach().cpu().numpy()
    slopes: list[Tensor] = []
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        denoised = ctx.denoise(x, sigmas[i])
        slopes.append(derivative(x, sigmas[i], denoised))
        if len(slopes) > LMS_ORDER:
            slopes.pop(0)
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            current_order = min(i + 1, LMS_ORDER)
            coefficients = [
                lms_coefficient(current_order, sigmas_numpy, i, j) for j in range(current_order)
            ]
            # Built-in sum on purpose: 0 + c₀·d₀ + c₁·d₁ … in this order, like ComfyUI.
            x = x + sum(
                coefficient * slope
                for coefficient, slope in zip(coefficients, reversed(slopes), strict=True)
            )
        ctx.end_step(i, denoised)
    return x


def _push(history: list[Tensor], slope: Tensor) -> None:
    if len(history) == IPNDM_MAX_ORDER - 1:
        history.pop(0)
    history.append(slope)


def ipndm(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Improved PNDM (Zhang & Chen, DEIS paper): Adams-Bashforth with fixed coefficients up to
    order 4; the step to sigma = 0 returns the denoised."""
    history: list[Tensor] = []
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        t_cur, t_next = sigmas[i], sigmas[i + 1]
        denoised = ctx.denoise(x, t_cur)
        d_cur = (x - denoised) / t_cur
        order = min(IPNDM_MAX_ORDER, i + 1)
        if t_next == 0:
            x = denoised
        elif order == 1:
            x = x + (t_next - t_cur) * d_cur
        elif order == 2:
            x = x + (t_next - t_cur) * (3 * d_cur - history[-1]) / 2
        elif order == 3:
            x = x + (t_next - t_cur) * (23 * d_cur - 16 * history[-1] + 5 * history[-2]) / 12
        else:
            x = (
                x
                + (t_next - t_cur)
                * (55 * d_cur - 59 * history[-1] + 37 * history[-2] - 9 * history[-3])
                / 24
            )
        _push(history, d_cur)
        ctx.end_step(i, denoised)
    return x


def ipndm_v(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Improved PNDM with coefficients for variable step sizes (diff-sampler's iPNDM_v)."""
    t = sigmas
    history: list[Tensor] = []
    for i in range(len(sigmas) - 1):
        ctx.begin_step(i)
        t_cur, t_next = t[i], t[i + 1]
        denoised = ctx.denoise(x, t_cur)
        d_cur = (x - denoised) / t_cur
        order = min(IPNDM_MAX_ORDER, i + 1)
        if t_next == 0:
            x = denoised
        elif order == 1:
            x = x + (t_next - t_cur) * d_cur
        elif order == 2:
            h_n = t_next - t_cur
            h_n_1 = t_cur - t[i - 1]
            coeff1 = (2 + (h_n / h_n_1)) / 2
            coeff2 = -(h_n / h_n_1) / 2
            x = x + (t_next - t_cur) * (coeff1 * d_cur + coeff2 * history[-1])
        elif order == 3:
            h_n = t_next - t_cur
            h_n_1 = t_cur - t[i - 1]
            h_n_2 = t[i - 1] - t[i - 2]
            temp = (
                1 - h_n / (3 * (h_n + h_n_1)) * (h_n * (h_n + h_n_1)) / (h_n_1 * (h_n_1 + h_n_2))
            ) / 2
            coeff1 = (2 + (h_n / h_n_1)) / 2 + temp
            coeff2 = -(h_n / h_n_1) / 2 - (1 + h_n_1 / h_n_2) * temp
            coeff3 = temp * h_n_1 / h_n_2
            x = x + (t_next - t_cur) * (
                coeff1 * d_cur + coeff2 * history[-1] + coeff3 * history[-2]
            )
        else:
            h_n = t_next - t_cur
            h_n_1 = t_cur - t[i - 1]
            h_n_2 = t[i - 1] - t[i - 2]
            h_n_3 = t[i - 2] - t[i - 3]
            temp1 = (
                1 - h_n / (3 * (h_n + h_n_1)) * (h_n * (h_n + h_n_1)) / (h_n_1 * (h_n_1 + h_n_2))
            ) / 2
            temp2 = (
                (
                    (1 - h_n / (3 * (h_n + h_n_1))) / 2
                    + (1 - h_n / (2 * (h_n + h_n_1))) * h_n / (6 * (h_n + h_n_1 + h_n_2))
                )
                * (h_n * (h_n + h_n_1) * (h_n + h_n_1 + h_n_2))
                / (h_n_1 * (h_n_1 + h_n_2) * (h_n_1 + h_n_2 + h_n_3))
            )
            ratio = h_n_1 * (h_n_1 + h_n_2) / (h_n_2 * (h_n_2 + h_n_3))
            coeff1 = (2 + (h_n / h_n_1)) / 2 + temp1 + temp2
            coeff2 = (
                -(h_n / h_n_1) / 2
                - (1 + h_n_1 / h_n_2) * temp1
                - (1 + (h_n_1 / h_n_2) + ratio) * temp2
            )
            coeff3 = temp1 * h_n_1 / h_n_2 + ((h_n_1 / h_n_2) + ratio * (1 + h_n_2 / h_n_3)) * temp2
            coeff4 = -temp2 * ratio * h_n_1 / h_n_2
            x = x + (t_next - t_cur) * (
                coeff1 * d_cur + coeff2 * history[-1] + coeff3 * history[-2] + coeff4 * history[-3]
            )
        _push(history, d_cur)
        ctx.end_step(i, denoised)
    return x
