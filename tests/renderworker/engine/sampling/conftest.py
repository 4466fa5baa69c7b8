"""Shared fixtures for the sampling tests: the SD schedule and a closed-form Gaussian denoiser."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from torch import Tensor

from renderworker.engine.sampling import DiscreteSchedule, cfg_denoiser
from renderworker.engine.sampling.cfg import CfgDenoiser


@dataclass(frozen=True)
class GaussianData:
    """Data distributed N(mean, std²) per element.

    Its optimal denoiser is closed form, D(x, sigma) = (c²·x + sigma²·μ)/(c² + sigma²), and the
    probability-flow ODE is solved exactly by
    x(sigma) = μ + (x(sigma₀) - μ)·sqrt(c² + sigma²)/sqrt(c² + sigma₀²).
    """

    mean: float = 0.5
    std: float = 0.7

    def denoiser(self, x: Tensor, sigma: Tensor) -> Tensor:
        variance = (sigma**2).view(-1, *([1] * (x.ndim - 1)))
        return (self.std**2 * x + variance * self.mean) / (self.std**2 + variance)

    def ode_solution(self, x_start: Tensor, *, sigma_start: float, sigma_end: float) -> Tensor:
        """The exact ODE solution from sigma_start to sigma_end, in float64."""
        ratio = ((self.std**2 + sigma_end**2) / (self.std**2 + sigma_start**2)) ** 0.5
        return self.mean + (x_start.double() - self.mean) * ratio

    def denoised64(self, x: Tensor, sigma: float) -> Tensor:
        """D(x, sigma) in float64."""
        return (self.std**2 * x.double() + sigma**2 * self.mean) / (self.std**2 + sigma**2)


@pytest.fixture(scope="session")
def schedule() -> DiscreteSchedule:
    return DiscreteSchedule(prediction="eps")


@pytest.fixture(scope="session")
def gaussian() -> GaussianData:
    return GaussianData()


@pytest.fixture(scope="session")
def guided_gaussian(gaussian: GaussianData) -> CfgDenoiser:
    """The Gaussian denoiser behind CFG with identical cond and uncond at cfg 1: the same
    denoised as `gaussian.denoiser`, and it also serves the CFG++ samplers' uncond."""

    def model_call(x: Tensor, sigma: Tensor, conditioning: object) -> Tensor:
        return gaussian.denoiser(x, sigma)

    return cfg_denoiser(model_call=model_call, positive="cond", negative="uncond", cfg=1.0)
