"""DPM-Solver-12/23 with adaptive step size (Lu et al. 2022, k-diffusion's DPMSolver):
third-order steps in t = -log sigma whose size a PI controller sets from the difference to an
embedded second-order solution (rtol 0.05, atol 0.0078, first h 0.05, accept at 0.81).

It uses only the first sigma and the smallest non-zero one, and stops there (the result keeps
that much noise, as in ComfyUI); the model-call count depends on the latent. Progress is
reported as the fraction of t covered, scaled to len(sigmas) - 1 steps; `on_denoised` once per
attempted step. eta = 0: deterministic.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .context import SamplingContext

RELATIVE_TOLERANCE = 0.05
ABSOLUTE_TOLERANCE = 0.0078
FIRST_STEP = 0.05
ACCEPT_SAFETY = 0.81
ORDER = 3
ERROR_EPSILON = 1e-8


class StepSizeController:
    """Integral-only step-size control: h *= limiter((1/error)^(1/order))."""

    def __init__(self, h: float) -> None:
        self.h = h
        self.exponent = 1.0 / ORDER
        self.inverse_errors: list[float] = []

    def propose(self, error: Tensor) -> bool:
        inverse_error = 1 / (float(error) + ERROR_EPSILON)
        if not self.inverse_errors:
            self.inverse_errors = [inverse_error, inverse_error, inverse_error]
        self.inverse_errors[0] = inverse_error
        # k-diffusion's PID form with p = d = 0: the other two factors are x**-0.0 and x**0.0.
        factor = (
            self.inverse_errors[0] ** self.exponent
            * self.inverse_errors[1] ** -0.0
            * self.inverse_errors[2] ** 0.0
        )
        factor = 1 + math.atan(factor - 1)
        accept = factor >= ACCEPT_SAFETY
        if accept:
            self.inverse_errors[2] = self.inverse_errors[1]
            self.inverse_errors[1] = self.inverse_errors[0]
        self.h *= factor
        return accept


class _AdaptiveSolver:
    def __init__(self, ctx: SamplingContext, *, t_start: Tensor, t_end: Tensor) -> None:
        self.ctx = ctx
        self.t_start = t_start
        self.t_end = t_end
        self.reported = 0

    @staticmethod
    def sigma(t: Tensor) -> Tensor:
        return t.neg().exp()

    def eps(self, x: Tensor, t: Tensor) -> Tensor:
        self.ctx.begin_step(self.reported)
        sigma = self.sigma(t) * x.new_ones([x.shape[0]])
        return (x - self.ctx.denoiser(x, sigma)) / self.sigma(t)

    def report(self, s: Tensor) -> None:
        total = self.ctx.total_steps
        covered = float((s - self.t_start) / (self.t_end - self.t_start))
        step = total if s >= self.t_end else min(total - 1, int(covered * total))
        if step > self.reported:
            self.reported = step
            if self.ctx.on_step is not None:
                self.ctx.on_step(step, total)


def dpm_adaptive(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """Adaptive DPM-Solver-23 from sigmas[0] down to the smallest non-zero sigma."""
    sigma_min = sigmas[-1] if sigmas[-1] > 0 else sigmas[-2]
    t_start, t_end = sigmas[0].log().neg(), sigma_min.log().neg()
    solver = _AdaptiveSolver(ctx, t_start=t_start, t_end=t_end)
    controller = StepSizeController(abs(FIRST_STEP))
    absolute_tolerance = torch.tensor(ABSOLUTE_TOLERANCE)
    relative_tolerance = torch.tensor(RELATIVE_TOLERANCE)
    sigma = solver.sigma
    s = t_start
    x_previous = x
    attempts = 0
    while s < t_end - 1e-5:
        t = torch.minimum(t_end, s + controller.h)
        h = t - s
        eps = solver.eps(x, s)
        attempts += 1
        if ctx.on_denoised is not None:
            ctx.on_denoised(attempts, x - sigma(s) * eps)
        # The embedded pair shares its first two evaluations (r1 = 1/3).
        r1, r2 = 1 / 3, 2 / 3
        s1 = s + r1 * h
        u1 = x - sigma(s1) * (r1 * h).expm1() * eps
        eps_r1 = solver.eps(u1, s1)
        x_low = x - sigma(t) * h.expm1() * eps - sigma(t) / (2 * r1) * h.expm1() * (eps_r1 - eps)
        s2 = s + r2 * h
        u2 = (
            x
            - sigma(s2) * (r2 * h).expm1() * eps
            - sigma(s2) * (r2 / r1) * ((r2 * h).expm1() / (r2 * h) - 1) * (eps_r1 - eps)
        )
        eps_r2 = solver.eps(u2, s2)
        x_high = (
            x - sigma(t) * h.expm1() * eps - sigma(t) / r2 * (h.expm1() / h - 1) * (eps_r2 - eps)
        )
        delta = torch.maximum(
            absolute_tolerance, relative_tolerance * torch.maximum(x_low.abs(), x_previous.abs())
        )
        error = torch.linalg.norm((x_low - x_high) / delta) / x.numel() ** 0.5
        if controller.propose(error):
            x_previous = x_low
            x = x_high
            s = t
            solver.report(s)
    return x
