"""`sample` as a whole: determinism, seeds, progress, cancellation and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor

from renderworker.engine.sampling import (
    SAMPLER_NAMES,
    DiscreteSchedule,
    RenderCancelled,
    UnsupportedSamplerError,
    cfg_denoiser,
    initial_noise,
    ksampler_sigmas,
    noise_latent,
    sample,
)

STOCHASTIC = {
    "euler_ancestral",
    "euler_ancestral_cfg_pp",
    "dpmpp_2s_ancestral_cfg_pp",
    "res_multistep_ancestral",
    "res_multistep_ancestral_cfg_pp",
    "er_sde",
    "exp_heun_2_x0_sde",
    "seeds_2",
    "seeds_3",
    "sa_solver",
    "sa_solver_pece",
    "dpm_2_ancestral",
    "dpmpp_2s_ancestral",
    "dpmpp_sde",
    "dpmpp_sde_gpu",
    "dpmpp_2m_sde",
    "dpmpp_2m_sde_gpu",
    "dpmpp_2m_sde_heun",
    "dpmpp_2m_sde_heun_gpu",
    "dpmpp_3m_sde",
    "dpmpp_3m_sde_gpu",
    "ddpm",
    "lcm",
}


def _inputs(schedule: DiscreteSchedule, sampler: str, steps: int = 8) -> tuple[Tensor, Tensor]:
    latent = torch.zeros(2, 4, 8, 8)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler=sampler, steps=steps, denoise=1.0
    )
    x = noise_latent(
        latent=latent, noise=initial_noise(latent=latent, seed=5), sigmas=sigmas, schedule=schedule
    )
    return x, sigmas


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_same_inputs_give_bit_identical_results(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _inputs(schedule, sampler)
    first = sample(sampler=sampler, denoise=guided_gaussian, x=x, sigmas=sigmas, seed=77)
    torch.manual_seed(12345)  # the global generator must not matter
    torch.randn(10)
    second = sample(sampler=sampler, denoise=guided_gaussian, x=x, sigmas=sigmas, seed=77)
    assert torch.equal(first, second)
    assert not torch.equal(first, x)


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_only_ancestral_and_sde_samplers_depend_on_the_seed(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _inputs(schedule, sampler)
    seed_1 = sample(sampler=sampler, denoise=guided_gaussian, x=x, sigmas=sigmas, seed=1)
    seed_2 = sample(sampler=sampler, denoise=guided_gaussian, x=x, sigmas=sigmas, seed=2)
    assert torch.equal(seed_1, seed_2) is (sampler not in STOCHASTIC)


# dpm_adaptive chooses its own steps; it has its own progress tests below.
FIXED_STEP_SAMPLERS = [name for name in SAMPLER_NAMES if name != "dpm_adaptive"]


@pytest.mark.parametrize("sampler", FIXED_STEP_SAMPLERS)
def test_on_step_reports_each_step_once_in_order(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _inputs(schedule, sampler, steps=6)
    reports: list[tuple[int, int]] = []
    sample(
        sampler=sampler,
        denoise=guided_gaussian,
        x=x,
        sigmas=sigmas,
        seed=1,
        on_step=lambda step, total: reports.append((step, total)),
    )
    assert reports == [(step, 6) for step in range(1, 7)]


@pytest.mark.parametrize("sampler", FIXED_STEP_SAMPLERS)
def test_cancellation_stops_before_the_next_step(
    schedule: DiscreteSchedule, gaussian: Any, sampler: str
) -> None:
    x, sigmas = _inputs(schedule, sampler, steps=6)
    finished: list[int] = []
    calls_after_cancel: list[Tensor] = []

    def model_call(x: Tensor, sigma: Tensor, conditioning: object) -> Tensor:
        if len(finished) >= 3:
            calls_after_cancel.append(sigma)
        return gaussian.denoiser(x, sigma)

    denoiser = cfg_denoiser(model_call=model_call, positive="cond", negative="uncond", cfg=1.0)

    with pytest.raises(RenderCancelled) as raised:
        sample(
            sampler=sampler,
            denoise=denoiser,
            x=x,
            sigmas=sigmas,
            seed=1,
            on_step=lambda step, total: finished.append(step),
            should_cancel=lambda: len(finished) >= 3,
        )
    assert (raised.value.completed_steps, raised.value.total_steps) == (3, 6)
    assert str(raised.value) == "sampling cancelled after 3 of 6 steps"
    assert finished == [1, 2, 3]
    assert calls_after_cancel == []


@pytest.mark.parametrize("sigmas", [torch.zeros(0), torch.tensor([3.0])])
def test_fewer_than_two_sigmas_return_the_input_without_model_calls(sigmas: Tensor) -> None:
    x = torch.ones(1, 4, 2, 2)

    def refusing_denoiser(x: Tensor, sigma: Tensor) -> Tensor:
        raise AssertionError("no model call expected")

    assert sample(sampler="euler", denoise=refusing_denoiser, x=x, sigmas=sigmas, seed=1) is x


def test_unknown_sampler_is_refused_with_the_accepted_names(guided_gaussian: Any) -> None:
    with pytest.raises(
        UnsupportedSamplerError, match="sampler_name 'euler_a' is not supported; accepted: euler, "
    ):
        sample(
            sampler="euler_a",
            denoise=guided_gaussian,
            x=torch.ones(1, 1, 1, 1),
            sigmas=torch.tensor([1.0, 0.0]),
            seed=1,
        )


def test_seed_is_validated(guided_gaussian: Any) -> None:
    with pytest.raises(ValueError, match="seed must be an integer"):
        sample(
            sampler="euler",
            denoise=guided_gaussian,
            x=torch.ones(1, 1, 1, 1),
            sigmas=torch.tensor([1.0, 0.0]),
            seed=-1,
        )


def test_batch_samples_are_sampled_independently_for_deterministic_samplers(
    schedule: DiscreteSchedule, guided_gaussian: Any
) -> None:
    x, sigmas = _inputs(schedule, "dpmpp_2m")
    together = sample(sampler="dpmpp_2m", denoise=guided_gaussian, x=x, sigmas=sigmas, seed=1)
    alone = sample(sampler="dpmpp_2m", denoise=guided_gaussian, x=x[1:], sigmas=sigmas, seed=1)
    assert torch.equal(together[1:], alone)


@pytest.mark.parametrize("sampler", [name for name in FIXED_STEP_SAMPLERS if name != "dpm_fast"])
def test_on_denoised_reports_one_prediction_per_step(
    schedule: DiscreteSchedule, guided_gaussian: Any, sampler: str
) -> None:
    x, sigmas = _inputs(schedule, sampler, steps=5)
    reports: list[tuple[int, Tensor]] = []
    sample(
        sampler=sampler,
        denoise=guided_gaussian,
        x=x,
        sigmas=sigmas,
        seed=1,
        on_denoised=lambda step, denoised: reports.append((step, denoised)),
    )
    assert [step for step, _ in reports] == [1, 2, 3, 4, 5]
    assert all(denoised.shape == x.shape for _, denoised in reports)


def test_on_denoised_gets_the_first_prediction_of_each_heun_step(gaussian: Any) -> None:
    calls: list[Tensor] = []

    def recording(x: Tensor, sigma: Tensor) -> Tensor:
        denoised: Tensor = gaussian.denoiser(x, sigma)
        calls.append(denoised)
        return denoised

    reported: list[Tensor] = []
    sample(
        sampler="heun",
        denoise=recording,
        x=torch.ones(1, 1, 2, 2) * 5,
        sigmas=torch.tensor([5.0, 2.0, 1.0, 0.0]),
        seed=1,
        on_denoised=lambda step, denoised: reported.append(denoised),
    )
    assert len(calls) == 5  # two per step, one on the last
    assert [id(tensor) for tensor in reported] == [id(calls[0]), id(calls[2]), id(calls[4])]


def test_dpm_fast_reports_denoised_once_per_stage(guided_gaussian: Any) -> None:
    # A budget of 5 model calls is a third-order stage and a second-order one.
    stages: list[int] = []
    sample(
        sampler="dpm_fast",
        denoise=guided_gaussian,
        x=torch.ones(1, 1, 2, 2) * 10,
        sigmas=torch.tensor([10.0, 5.0, 2.0, 1.0, 0.5, 0.0]),
        seed=1,
        on_denoised=lambda stage, denoised: stages.append(stage),
    )
    assert stages == [1, 2]


def test_dpm_adaptive_reports_increasing_progress_that_ends_complete(
    schedule: DiscreteSchedule, guided_gaussian: Any
) -> None:
    x, sigmas = _inputs(schedule, "dpm_adaptive", steps=10)
    reports: list[tuple[int, int]] = []
    sample(
        sampler="dpm_adaptive",
        denoise=guided_gaussian,
        x=x,
        sigmas=sigmas,
        seed=1,
        on_step=lambda step, total: reports.append((step, total)),
    )
    steps = [step for step, _ in reports]
    assert steps == sorted(set(steps))
    assert reports[-1] == (10, 10)
    assert {total for _, total in reports} == {10}


def test_dpm_adaptive_can_be_cancelled(schedule: DiscreteSchedule, guided_gaussian: Any) -> None:
    x, sigmas = _inputs(schedule, "dpm_adaptive", steps=10)
    calls: list[Tensor] = []

    def counting(x: Tensor, sigma: Tensor) -> Tensor:
        calls.append(sigma)
        return guided_gaussian(x, sigma)

    with pytest.raises(RenderCancelled):
        sample(
            sampler="dpm_adaptive",
            denoise=counting,
            x=x,
            sigmas=sigmas,
            seed=1,
            should_cancel=lambda: len(calls) >= 4,
        )
    assert len(calls) == 4
