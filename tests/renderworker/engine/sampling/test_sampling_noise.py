"""Initial noise from the seed and how it enters the starting latent (COMFY_FIDELITY §2)."""

from __future__ import annotations

import math

import pytest
import torch

from renderworker.engine.sampling import (
    DiscreteSchedule,
    initial_noise,
    ksampler_sigmas,
    noise_latent,
)


def _global_draw(seed: int, shape: list[int]) -> torch.Tensor:
    """ComfyUI's way: seed the global CPU generator, draw float32 on the CPU."""
    state = torch.get_rng_state()
    try:
        torch.manual_seed(seed)
        return torch.randn(shape, dtype=torch.float32, device="cpu")
    finally:
        torch.set_rng_state(state)


def test_noise_is_one_global_seeded_draw_for_the_whole_batch() -> None:
    latent = torch.zeros(3, 4, 8, 8)
    noise = initial_noise(latent=latent, seed=42)
    assert noise.dtype == torch.float32
    assert noise.device.type == "cpu"
    assert torch.equal(noise, _global_draw(42, [3, 4, 8, 8]))


def test_batch_item_k_is_not_the_noise_of_seed_plus_k() -> None:
    noise = initial_noise(latent=torch.zeros(2, 4, 8, 8), seed=42)
    assert torch.equal(noise[0:1], _global_draw(42, [1, 4, 8, 8]))
    assert not torch.equal(noise[1:2], _global_draw(43, [1, 4, 8, 8]))


def test_noise_does_not_disturb_the_global_generator() -> None:
    torch.manual_seed(7)
    expected_next = torch.randn(3)
    torch.manual_seed(7)
    initial_noise(latent=torch.zeros(1, 4, 8, 8), seed=42)
    assert torch.equal(torch.randn(3), expected_next)


@pytest.mark.parametrize("seed", [0, 2**32, 2**63, 2**64 - 1])
def test_the_whole_seed_range_is_accepted(seed: int) -> None:
    noise = initial_noise(latent=torch.zeros(1, 4, 2, 2), seed=seed)
    assert torch.equal(noise, _global_draw(seed, [1, 4, 2, 2]))


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "1"])
def test_seeds_outside_the_widget_range_are_refused(seed: object) -> None:
    with pytest.raises(ValueError, match=r"seed must be an integer in 0\.\.18446744073709551615"):
        initial_noise(latent=torch.zeros(1, 4, 2, 2), seed=seed)  # type: ignore[arg-type]


def test_batch_index_draws_single_noises_in_sequence_and_picks() -> None:
    latent = torch.zeros(2, 4, 8, 8)
    noise = initial_noise(latent=latent, seed=5, batch_index=[3, 1])
    sequence = _global_draw(5, [4, 4, 8, 8])  # four [1,...] draws in a row are one [4,...] draw
    assert torch.equal(noise, torch.stack([sequence[3], sequence[1]]))


def test_batch_index_may_repeat_an_index() -> None:
    noise = initial_noise(latent=torch.zeros(2, 4, 8, 8), seed=5, batch_index=[2, 2])
    sequence = _global_draw(5, [3, 4, 8, 8])
    assert torch.equal(noise[0], sequence[2])
    assert torch.equal(noise[1], sequence[2])


def test_batch_index_must_match_the_batch() -> None:
    with pytest.raises(
        ValueError, match="batch_index has 1 entries but the latent batch has 2 samples"
    ):
        initial_noise(latent=torch.zeros(2, 4, 8, 8), seed=5, batch_index=[0])


def test_txt2img_scales_noise_by_sqrt_one_plus_sigma_squared(schedule: DiscreteSchedule) -> None:
    latent = torch.zeros(1, 4, 8, 8)
    noise = initial_noise(latent=latent, seed=1)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="euler", steps=20, denoise=1.0
    )
    # normal's first sigma is sigma_max one ulp off: still txt2img (relative tolerance 1e-5).
    assert float(sigmas[0]) != float(schedule.sigma_max)
    x = noise_latent(latent=latent, noise=noise, sigmas=sigmas, schedule=schedule)
    factor = math.sqrt(1 + float(sigmas[0]) ** 2)
    assert torch.allclose(x, noise * factor, rtol=1e-6, atol=0)


def test_img2img_scales_noise_by_the_first_sigma_and_adds_the_latent(
    schedule: DiscreteSchedule,
) -> None:
    latent = torch.full((1, 4, 8, 8), 0.25)
    noise = initial_noise(latent=latent, seed=1)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="euler", steps=10, denoise=0.6
    )
    x = noise_latent(latent=latent, noise=noise, sigmas=sigmas, schedule=schedule)
    assert torch.equal(x, noise * sigmas[0] + latent)


def test_a_first_sigma_above_sigma_max_counts_as_txt2img(schedule: DiscreteSchedule) -> None:
    latent = torch.zeros(1, 1, 2, 2)
    noise = torch.ones(1, 1, 2, 2)
    x = noise_latent(
        latent=latent, noise=noise, sigmas=torch.tensor([20.0, 0.0]), schedule=schedule
    )
    assert torch.allclose(x, torch.full((1, 1, 2, 2), math.sqrt(401.0)), rtol=1e-7, atol=0)


def test_no_sigmas_leave_the_latent_unchanged(schedule: DiscreteSchedule) -> None:
    latent = torch.full((1, 4, 8, 8), 0.25)
    x = noise_latent(
        latent=latent, noise=torch.ones(1, 4, 8, 8), sigmas=torch.zeros(0), schedule=schedule
    )
    assert torch.equal(x, latent)
