"""Single sampler steps computed by hand, the extra-noise streams, and model calls per step."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
import torchsde
from torch import Tensor

from renderworker.engine.sampling import SAMPLER_NAMES, DiscreteSchedule, sample, scheduler_sigmas
from renderworker.engine.sampling.samplers.deis import deis_coefficients, vp_times

SEED = 1234


def _start(shape: tuple[int, ...] = (2, 4, 4, 4)) -> Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(99)) * 2.0


def _run(gaussian: Any, sampler: str, sigmas: list[float], x: Tensor, seed: int = SEED) -> Tensor:
    return sample(
        sampler=sampler, denoise=gaussian.denoiser, x=x, sigmas=torch.tensor(sigmas), seed=seed
    )


def _sampler_noise_on_cpu(seed: int, shape: torch.Size, draws: int) -> list[Tensor]:
    """The ancestral stream on the CPU: a fresh generator seeded with seed + 1."""
    generator = torch.Generator(device="cpu").manual_seed(seed + 1)
    return [torch.randn(shape, generator=generator) for _ in range(draws)]


def test_euler_step(gaussian: Any) -> None:
    x = _start()
    expected = x.double() + (x.double() - gaussian.denoised64(x, 2.0)) / 2.0 * (0.5 - 2.0)
    assert torch.allclose(
        _run(gaussian, "euler", [2.0, 0.5], x).double(), expected, rtol=0, atol=1e-6
    )


def test_ddim_is_euler(gaussian: Any) -> None:
    x = _start()
    sigmas = [14.6, 5.0, 1.0, 0.2, 0.0]
    assert torch.equal(_run(gaussian, "ddim", sigmas, x), _run(gaussian, "euler", sigmas, x))


def test_heun_step(gaussian: Any) -> None:
    x = _start().double()
    slope = (x - gaussian.denoised64(x, 2.0)) / 2.0
    x_euler = x - slope
    slope_2 = x_euler - gaussian.denoised64(x_euler, 1.0)
    expected = x - (slope + slope_2) / 2
    assert torch.allclose(
        _run(gaussian, "heun", [2.0, 1.0], x.float()).double(), expected, rtol=0, atol=1e-6
    )


def test_dpm_2_step_uses_the_geometric_midpoint(gaussian: Any) -> None:
    x = _start().double()
    slope = (x - gaussian.denoised64(x, 4.0)) / 4.0
    x_mid = x + slope * (2.0 - 4.0)
    slope_mid = (x_mid - gaussian.denoised64(x_mid, 2.0)) / 2.0
    expected = x + slope_mid * (1.0 - 4.0)
    assert torch.allclose(
        _run(gaussian, "dpm_2", [4.0, 1.0], x.float()).double(), expected, rtol=0, atol=1e-6
    )


def test_dpmpp_2m_first_step_is_first_order_and_second_uses_history(gaussian: Any) -> None:
    x = _start().double()
    first_denoised = gaussian.denoised64(x, 4.0)
    x_1 = 0.5 * x + 0.5 * first_denoised  # sigma'/sigma = 1/2, 1 - e^{-h} = 1/2
    corrected = (
        1.5 * gaussian.denoised64(x_1, 2.0) - 0.5 * first_denoised
    )  # equal steps in log sigma: r = 1
    expected = 0.5 * x_1 + 0.5 * corrected
    assert torch.allclose(
        _run(gaussian, "dpmpp_2m", [4.0, 2.0, 1.0], x.float()).double(), expected, atol=1e-6, rtol=0
    )


def test_euler_ancestral_step_adds_noise_from_seed_plus_one_on_cpu(gaussian: Any) -> None:
    x = _start()
    (noise,) = _sampler_noise_on_cpu(SEED, x.shape, 1)
    sigma_up = math.sqrt(1.0 * (4.0 - 1.0) / 4.0)
    sigma_down = math.sqrt(1.0 - sigma_up**2)
    x64 = x.double()
    expected = (
        x64
        + (x64 - gaussian.denoised64(x, 2.0)) / 2.0 * (sigma_down - 2.0)
        + noise.double() * sigma_up
    )
    assert torch.allclose(
        _run(gaussian, "euler_ancestral", [2.0, 1.0], x).double(), expected, rtol=0, atol=1e-6
    )


def test_euler_ancestral_last_step_returns_the_denoised_without_noise(gaussian: Any) -> None:
    x = _start()
    assert torch.equal(
        _run(gaussian, "euler_ancestral", [2.0, 0.0], x),
        gaussian.denoiser(x, torch.tensor([2.0, 2.0])),
    )


def test_lcm_renoises_the_denoised_with_one_draw_per_step(gaussian: Any) -> None:
    x = _start()
    first, second = _sampler_noise_on_cpu(SEED, x.shape, 2)
    x_1 = gaussian.denoised64(x, 3.0) + first.double() * 1.5
    x_2 = gaussian.denoised64(x_1, 1.5) + second.double() * 0.5
    expected = gaussian.denoised64(x_2, 0.5)
    assert torch.allclose(
        _run(gaussian, "lcm", [3.0, 1.5, 0.5, 0.0], x).double(), expected, rtol=0, atol=1e-6
    )


def test_largest_seed_wraps_for_the_cpu_sampler_stream(gaussian: Any) -> None:
    x = _start()
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
    result = _run(gaussian, "lcm", [3.0, 1.5], x, seed=2**64 - 1)
    assert torch.allclose(
        result, gaussian.denoiser(x, torch.tensor([3.0, 3.0])) + noise * 1.5, rtol=0, atol=1e-6
    )


def test_dpmpp_2m_sde_noise_comes_from_a_cpu_brownian_tree_seeded_with_the_seed(
    gaussian: Any,
) -> None:
    x = _start()
    tree = torchsde.BrownianTree(
        torch.tensor(1.0), torch.zeros_like(x), torch.tensor(2.0), entropy=SEED
    )
    # Time runs from sigma = 2 down to 1: the increment is negated and normalised by sqrt(Δsigma).
    noise = -tree(torch.tensor(1.0), torch.tensor(2.0)) / math.sqrt(1.0)
    # h = log 2: x' = (sigma'/sigma)e^{-h}·x + (1 - e^{-2h})·D + sigma'·sqrt(1 - e^{-2h})·noise
    expected = (
        0.25 * x.double() + 0.75 * gaussian.denoised64(x, 2.0) + math.sqrt(0.75) * noise.double()
    )
    assert torch.allclose(
        _run(gaussian, "dpmpp_2m_sde", [2.0, 1.0], x).double(), expected, rtol=0, atol=1e-6
    )


def test_sde_samplers_last_step_returns_the_denoised(gaussian: Any) -> None:
    x = _start()
    for sampler in ("dpmpp_sde", "dpmpp_2m_sde", "dpmpp_3m_sde"):
        assert torch.equal(
            _run(gaussian, sampler, [2.0, 0.0], x), gaussian.denoiser(x, torch.tensor([2.0, 2.0]))
        )


MODEL_CALLS_FOR_TEN_STEPS = {
    "euler": 10,
    "euler_ancestral": 10,
    "heun": 19,  # two per step, one on the final step to sigma = 0
    "heunpp2": 27,  # three per step, two on the second-to-last, one on the last
    "dpm_2": 19,
    "dpm_2_ancestral": 19,
    "lms": 10,
    "dpmpp_2s_ancestral": 19,
    "dpmpp_sde": 19,
    "dpmpp_sde_gpu": 19,
    "dpmpp_2m": 10,
    "dpmpp_2m_sde": 10,
    "dpmpp_2m_sde_gpu": 10,
    "dpmpp_2m_sde_heun": 10,
    "dpmpp_2m_sde_heun_gpu": 10,
    "dpmpp_3m_sde": 10,
    "dpmpp_3m_sde_gpu": 10,
    "ddpm": 10,
    "lcm": 10,
    "ipndm": 10,
    "ipndm_v": 10,
    "ddim": 10,
    "uni_pc": 10,  # one at the start, one corrector evaluation per step but the last
    "uni_pc_bh2": 10,
    "euler_cfg_pp": 10,
    "euler_ancestral_cfg_pp": 10,
    "dpmpp_2s_ancestral_cfg_pp": 19,
    "dpmpp_2m_cfg_pp": 10,
    "res_multistep": 10,
    "res_multistep_cfg_pp": 10,
    "res_multistep_ancestral": 10,
    "res_multistep_ancestral_cfg_pp": 10,
    "gradient_estimation": 10,
    "gradient_estimation_cfg_pp": 10,
    "er_sde": 10,
    "deis": 10,
    "exp_heun_2_x0": 19,
    "exp_heun_2_x0_sde": 19,
    "seeds_2": 19,
    "seeds_3": 28,
    "sa_solver": 10,
    "dpm_fast": 10,  # its budget is len(sigmas) - 1 model calls
    "dpm_adaptive": 33,  # three per attempted step; the count depends on the latent
    "sa_solver_pece": 19,  # plus one evaluation after each correction
}


def test_every_sampler_has_a_model_call_count() -> None:
    assert set(MODEL_CALLS_FOR_TEN_STEPS) == set(SAMPLER_NAMES)


class CountingDenoiser:
    """Counts denoiser evaluations, guided or with the unconditional prediction."""

    def __init__(self, gaussian: Any) -> None:
        self.gaussian = gaussian
        self.sigmas_seen: list[Tensor] = []

    def __call__(self, x: Tensor, sigma: Tensor) -> Tensor:
        assert sigma.shape == (x.shape[0],)
        assert sigma.dtype == torch.float32
        self.sigmas_seen.append(sigma)
        denoised: Tensor = self.gaussian.denoiser(x, sigma)
        return denoised

    def denoise_with_uncond(self, x: Tensor, sigma: Tensor) -> tuple[Tensor, Tensor]:
        denoised = self(x, sigma)
        return denoised, denoised


@pytest.mark.parametrize("sampler", sorted(MODEL_CALLS_FOR_TEN_STEPS))
def test_model_calls_per_run(schedule: DiscreteSchedule, gaussian: Any, sampler: str) -> None:
    denoiser = CountingDenoiser(gaussian)
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    sample(sampler=sampler, denoise=denoiser, x=_start() * 7, sigmas=sigmas, seed=SEED)
    assert len(denoiser.sigmas_seen) == MODEL_CALLS_FOR_TEN_STEPS[sampler]
    assert float(denoiser.sigmas_seen[0][0]) == pytest.approx(float(sigmas[0]), rel=1e-6)


def test_deis_time_map_puts_edm_default_range_at_t_1e_3_to_1() -> None:
    t_steps, beta_0, beta_1 = vp_times(torch.tensor([80.0, 0.002]))
    assert t_steps.tolist() == pytest.approx([1.0, 1e-3], rel=1e-4)
    assert (float(beta_0), float(beta_1)) == pytest.approx((-0.0047, 17.5331), abs=1e-4)


def test_deis_step_weights_integrate_d_sigma_over_the_step(schedule: DiscreteSchedule) -> None:
    # The Lagrange basis sums to one, so each step's weights sum to sigma_next - sigma.
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=8)
    weights = deis_coefficients(sigmas)
    assert [len(row) for row in weights] == [0, 2, 3, 3, 3, 3, 3, 3]
    for i in range(1, 7):
        total = sum(float(weight) for weight in weights[i])
        assert total == pytest.approx(float(sigmas[i + 1] - sigmas[i]), rel=2e-3)
