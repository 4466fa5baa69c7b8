"""DiscreteSchedule: the SD sigma table, timesteps, interpolation and the model-call helpers."""

from __future__ import annotations

import math

import pytest
import torch

from renderworker.engine.sampling import DiscreteSchedule


def test_table_is_float32_with_comfyui_end_points(schedule: DiscreteSchedule) -> None:
    assert schedule.sigmas.dtype == torch.float32
    assert schedule.sigmas.shape == (1000,)
    assert float(schedule.sigma_min) == 0.029167158529162407
    assert float(schedule.sigma_max) == 14.614641189575195


def test_table_matches_an_independent_float64_computation(schedule: DiscreteSchedule) -> None:
    betas = [
        (math.sqrt(0.00085) + (math.sqrt(0.012) - math.sqrt(0.00085)) * i / 999) ** 2
        for i in range(1000)
    ]
    product = 1.0
    expected = []
    for beta in betas:
        product *= 1.0 - beta
        expected.append(math.sqrt((1 - product) / product))
    assert torch.allclose(
        schedule.sigmas.double(), torch.tensor(expected, dtype=torch.float64), rtol=1e-7, atol=0
    )


def test_timestep_of_every_table_sigma_is_its_index(schedule: DiscreteSchedule) -> None:
    timesteps = schedule.timestep(schedule.sigmas)
    assert timesteps.dtype == torch.float32
    assert torch.equal(timesteps, torch.arange(1000, dtype=torch.float32))


def test_timestep_rounds_to_the_nearest_integer_in_log_sigma(schedule: DiscreteSchedule) -> None:
    low, high = schedule.sigmas[500].double(), schedule.sigmas[501].double()
    just_below_middle = torch.tensor(
        [math.exp(0.51 * math.log(low) + 0.49 * math.log(high))], dtype=torch.float32
    )
    just_above_middle = torch.tensor(
        [math.exp(0.49 * math.log(low) + 0.51 * math.log(high))], dtype=torch.float32
    )
    assert schedule.timestep(just_below_middle).tolist() == [500.0]
    assert schedule.timestep(just_above_middle).tolist() == [501.0]


def test_timestep_clamps_to_the_table_ends(schedule: DiscreteSchedule) -> None:
    assert schedule.timestep(torch.tensor([0.001, 1000.0])).tolist() == [0.0, 999.0]


def test_sigma_of_integer_timesteps_is_the_table(schedule: DiscreteSchedule) -> None:
    timesteps = torch.tensor([0.0, 1.0, 250.0, 999.0])
    assert torch.allclose(
        schedule.sigma(timesteps), schedule.sigmas[[0, 1, 250, 999]], rtol=1e-6, atol=0
    )


def test_sigma_of_a_fractional_timestep_interpolates_log_sigma(schedule: DiscreteSchedule) -> None:
    expected = math.exp(
        0.25 * math.log(float(schedule.sigmas[10])) + 0.75 * math.log(float(schedule.sigmas[11]))
    )
    assert float(schedule.sigma(torch.tensor(10.75))) == pytest.approx(expected, rel=1e-6)


def test_scale_input_divides_by_sqrt_of_sigma_squared_plus_one(schedule: DiscreteSchedule) -> None:
    x = torch.full((2, 4, 2, 2), 3.0)
    sigma = torch.tensor([0.0, 2.0])
    scaled = schedule.scale_input(x, sigma)
    assert torch.equal(scaled[0], torch.full((4, 2, 2), 3.0))
    assert torch.allclose(scaled[1], torch.full((4, 2, 2), 3.0 / math.sqrt(5.0)), rtol=1e-7, atol=0)


def test_eps_prediction_subtracts_sigma_times_noise(schedule: DiscreteSchedule) -> None:
    x = torch.full((1, 4, 2, 2), 10.0)
    eps = torch.full((1, 4, 2, 2), 2.0)
    assert torch.equal(
        schedule.to_denoised(x, eps, torch.tensor([3.0])), torch.full((1, 4, 2, 2), 4.0)
    )


def test_v_prediction_recovers_the_clean_latent() -> None:
    schedule = DiscreteSchedule(prediction="v")
    generator = torch.Generator().manual_seed(0)
    clean = torch.randn(3, 4, 2, 2, generator=generator, dtype=torch.float64)
    eps = torch.randn(3, 4, 2, 2, generator=generator, dtype=torch.float64)
    sigma = torch.tensor([0.1, 1.0, 14.0], dtype=torch.float64)
    sigma_b = sigma.view(-1, 1, 1, 1)
    alpha_vp = 1 / torch.sqrt(1 + sigma_b**2)
    sigma_vp = sigma_b / torch.sqrt(1 + sigma_b**2)
    noisy = clean + sigma_b * eps
    velocity = alpha_vp * eps - sigma_vp * clean  # Salimans & Ho's v on the VP latent alpha·x
    assert torch.allclose(schedule.to_denoised(noisy, velocity, sigma), clean, atol=1e-12, rtol=0)


def test_unknown_prediction_is_refused() -> None:
    with pytest.raises(ValueError, match="prediction 'x0' is not supported; accepted: eps, v"):
        DiscreteSchedule(prediction="x0")  # type: ignore[arg-type]
