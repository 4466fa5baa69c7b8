"""Sampling on a CUDA device (skipped where there is none): same maths, device-side noise."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor

from renderworker.engine.sampling import (
    SAMPLER_NAMES,
    DiscreteSchedule,
    initial_noise,
    ksampler_sigmas,
    noise_latent,
    sample,
)

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CPU_TREE_OR_DETERMINISTIC = [
    name
    for name in SAMPLER_NAMES
    if name
    in {
        "euler", "heun", "heunpp2", "dpm_2", "lms", "dpmpp_2m", "ipndm", "ipndm_v", "ddim",
        "uni_pc", "uni_pc_bh2", "dpmpp_sde", "dpmpp_2m_sde", "dpmpp_2m_sde_heun", "dpmpp_3m_sde",
        "euler_cfg_pp", "dpmpp_2m_cfg_pp", "res_multistep", "res_multistep_cfg_pp",
        "gradient_estimation", "gradient_estimation_cfg_pp", "deis", "exp_heun_2_x0", "dpm_fast",
    }
]  # fmt: skip
# (dpm_adaptive is left out: its accept/reject decisions may flip with device rounding.)


def _start(schedule: DiscreteSchedule, sampler: str) -> tuple[Tensor, Tensor]:
    latent = torch.zeros(2, 4, 16, 16)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler=sampler, steps=12, denoise=1.0
    )
    noise = initial_noise(latent=latent, seed=21)
    return noise_latent(latent=latent, noise=noise, sigmas=sigmas, schedule=schedule), sigmas


@pytest.mark.parametrize("sampler", CPU_TREE_OR_DETERMINISTIC)
def test_cuda_run_matches_the_cpu_run(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _start(schedule, sampler)
    on_cpu = sample(sampler=sampler, denoise=guided_gaussian, x=x, sigmas=sigmas, seed=3)
    on_cuda = sample(sampler=sampler, denoise=guided_gaussian, x=x.cuda(), sigmas=sigmas, seed=3)
    assert on_cuda.device.type == "cuda"
    assert torch.allclose(on_cuda.cpu(), on_cpu, rtol=0, atol=1e-4)


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_every_sampler_runs_on_cuda_and_repeats_exactly(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _start(schedule, sampler)
    first = sample(sampler=sampler, denoise=guided_gaussian, x=x.cuda(), sigmas=sigmas, seed=3)
    second = sample(sampler=sampler, denoise=guided_gaussian, x=x.cuda(), sigmas=sigmas, seed=3)
    assert first.device.type == "cuda"
    assert torch.equal(first, second)
    assert bool(torch.isfinite(first).all())


def test_cuda_ancestral_noise_uses_the_seed_itself(gaussian: Any, guided_gaussian: Any) -> None:
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0)).cuda()
    noise = torch.randn(
        x.shape, generator=torch.Generator(device="cuda").manual_seed(77), device="cuda"
    )
    result = sample(
        sampler="lcm", denoise=guided_gaussian, x=x, sigmas=torch.tensor([3.0, 1.5]), seed=77
    )
    expected = gaussian.denoiser(x, torch.tensor([3.0], device="cuda")) + noise * 1.5
    assert torch.allclose(result, expected, rtol=0, atol=1e-6)
