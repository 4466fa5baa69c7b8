"""DPM-Solver-fast (Lu et al. 2022, k-diffusion's DPMSolver): fixed-budget single-step solver
in t = -log sigma with uniform t spacing, orders 3, 3, …, then 2-1 or the remainder.

Its budget is the number of model calls, len(sigmas) - 1; it uses only the first sigma and the
smallest non-zero one (it stops there, so the result keeps that much noise, as in ComfyUI).
eta = 0: deterministic. Progress is reported per model call; `on_denoised` once per stage.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .context import SamplingContext


class _FastSolver:
    def __init__(self, ctx: SamplingContext) -> None:
        self.ctx = ctx
        self.calls = 0

    @staticmethod
    def sigma(t: Tensor) -> Tensor:
        return t.neg().exp()

    def eps(self, x: Tensor, t: Tensor) -> Tensor:
        self.ctx.begin_step(self.calls)
        sigma = self.sigma(t) * x.new_ones([x.shape[0]])
        eps = (x - self.ctx.denoiser(x, sigma)) / self.sigma(t)
        self.calls += 1
        if self.ctx.on_step is not None:
            self.ctx.on_step(self.calls, self.ctx.total_steps)
        return eps

    def first_order(self, x: Tensor, t: Tensor, t_next: Tensor, eps: Tensor) -> Tensor:
        h = t_next - t
        return x - self.sigma(t_next) * h.expm1() * eps

    def second_order(self, x: Tensor, t: Tensor, t_next: Tensor, eps: Tensor) -> Tensor:
        r1 = 1 / 2
        h = t_next - t
        s1 = t + r1 * h
        u1 = x - self.sigma(s1) * (r1 * h).expm1() * eps
        eps_r1 = self.eps(u1, s1)
        return (
            x
            - self.sigma(t_next) * h.expm1() * eps
            - self.sigma(t_next) / (2 * r1) * h.expm1() * (eps_r1 - eps)
        )

    def third_order(self, x: Tensor, t: Tensor, t_next: Tensor, eps: Tensor) -> Tensor:
        r1, r2 = 1 / 3, 2 / 3
        h = t_next - t
        s1 = t + r1 * h
        s2 = t + r2 * h
        u1 = x - self.sigma(s1) * (r1 * h).expm1() * eps
        eps_r1 = self.eps(u1, s1)
        u2 = (
            x
            - self.sigma(s2) * (r2 * h).expm1() * eps
            - self.sigma(s2) * (r2 / r1) * ((r2 * h).expm1() / (r2 * h) - 1) * (eps_r1 - eps)
        )
        eps_r2 = self.eps(u2, s2)
        return (
            x
            - self.sigma(t_next) * h.expm1() * eps
            - self.sigma(t_next) / r2 * (h.expm1() / h - 1) * (eps_r2 - eps)
        )


def stage_orders(model_calls: int) -> list[int]:
    """The order of each stage for a budget of `model_calls` evaluations (they sum to it)."""
    stages = math.floor(model_calls / 3) + 1
    if model_calls % 3 == 0:
        return [3] * (stages - 2) + [2, 1]
    return [3] * (stages - 1) + [model_calls % 3]


def dpm_fast(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """DPM-Solver-fast from sigmas[0] down to the smallest non-zero sigma."""
    sigma_min = sigmas[-1] if sigmas[-1] > 0 else sigmas[-2]
    model_calls = len(sigmas) - 1
    solver = _FastSolver(ctx)
    t_start, t_end = sigmas[0].log().neg(), sigma_min.log().neg()
    orders = stage_orders(model_calls)
    ts = torch.linspace(float(t_start), float(t_end), len(orders) + 1, device=x.device)
    for stage, order in enumerate(orders):
        t, t_next = ts[stage], ts[stage + 1]
        eps = solver.eps(x, t)
        if ctx.on_denoised is not None:
            ctx.on_denoised(stage + 1, x - solver.sigma(t) * eps)
        if order == 1:
            x = solver.first_order(x, t, t_next, eps)
        elif order == 2:
            x = solver.second_order(x, t, t_next, eps)
        else:
            x = solver.third_order(x, t, t_next, eps)
    return x
