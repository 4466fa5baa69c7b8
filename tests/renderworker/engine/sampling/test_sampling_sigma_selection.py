"""KSampler / KSamplerAdvanced sigma selection: n+1 samplers, denoise and step slicing."""

from __future__ import annotations

import pytest
import torch

from renderworker.engine.sampling import (
    DISCARD_PENULTIMATE_SIGMA_SAMPLERS,
    SAMPLER_NAMES,
    DiscreteSchedule,
    UnsupportedSamplerError,
    UnsupportedSchedulerError,
    advanced_sigmas,
    basic_scheduler_sigmas,
    ksampler_sigmas,
    scheduler_sigmas,
)


def test_full_denoise_is_the_scheduler_table(schedule: DiscreteSchedule) -> None:
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler="euler", steps=20, denoise=1.0
    )
    assert torch.equal(sigmas, scheduler_sigmas(schedule=schedule, scheduler="karras", steps=20))


def test_denoise_above_0_9999_counts_as_full(schedule: DiscreteSchedule) -> None:
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="euler", steps=10, denoise=0.99995
    )
    assert torch.equal(sigmas, scheduler_sigmas(schedule=schedule, scheduler="normal", steps=10))


@pytest.mark.parametrize("sampler", sorted(DISCARD_PENULTIMATE_SIGMA_SAMPLERS))
def test_some_samplers_take_n_plus_one_sigmas_without_the_second_to_last(
    schedule: DiscreteSchedule, sampler: str
) -> None:
    longer = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=5)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler=sampler, steps=4, denoise=1.0
    )
    assert torch.equal(sigmas, torch.cat([longer[:4], longer[5:]]))
    assert sigmas.tolist() == pytest.approx([14.61464, 4.796535, 1.274101, 0.24795, 0.0], rel=1e-6)


def test_the_n_plus_one_rule_applies_to_exactly_four_samplers() -> None:
    assert {
        "dpm_2",
        "dpm_2_ancestral",
        "uni_pc",
        "uni_pc_bh2",
    } == DISCARD_PENULTIMATE_SIGMA_SAMPLERS


def test_partial_denoise_keeps_the_tail_of_a_longer_schedule(schedule: DiscreteSchedule) -> None:
    # denoise 0.5 at 4 steps: the 8-step schedule, last 5 sigmas.
    eight = scheduler_sigmas(schedule=schedule, scheduler="normal", steps=8)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="euler", steps=4, denoise=0.5
    )
    assert torch.equal(sigmas, eight[-5:])
    assert sigmas.tolist() == pytest.approx(
        [1.276832, 0.7912598, 0.4396657, 0.02916716, 0.0], rel=1e-6
    )


def test_partial_denoise_truncates_steps_over_denoise(schedule: DiscreteSchedule) -> None:
    # int(10 / 0.75) = 13 steps, last 11 sigmas.
    thirteen = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=13)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler="euler", steps=10, denoise=0.75
    )
    assert torch.equal(sigmas, thirteen[-11:])


def test_partial_denoise_applies_the_n_plus_one_rule_to_the_longer_schedule(
    schedule: DiscreteSchedule,
) -> None:
    nine = scheduler_sigmas(schedule=schedule, scheduler="normal", steps=9)
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="uni_pc", steps=4, denoise=0.5
    )
    assert torch.equal(sigmas, torch.cat([nine[:-2], nine[-1:]])[-5:])


@pytest.mark.parametrize("denoise", [0.0, -0.5])
def test_zero_denoise_gives_no_sigmas(schedule: DiscreteSchedule, denoise: float) -> None:
    sigmas = ksampler_sigmas(
        schedule=schedule, scheduler="normal", sampler="euler", steps=20, denoise=denoise
    )
    assert sigmas.shape == (0,)
    assert sigmas.dtype == torch.float32


def test_zero_denoise_still_refuses_unknown_names(schedule: DiscreteSchedule) -> None:
    with pytest.raises(UnsupportedSamplerError):
        ksampler_sigmas(
            schedule=schedule, scheduler="normal", sampler="nope", steps=20, denoise=0.0
        )
    with pytest.raises(UnsupportedSchedulerError):
        ksampler_sigmas(schedule=schedule, scheduler="nope", sampler="euler", steps=20, denoise=0.0)


def test_unknown_sampler_is_refused_with_the_accepted_names(schedule: DiscreteSchedule) -> None:
    with pytest.raises(UnsupportedSamplerError) as raised:
        ksampler_sigmas(
            schedule=schedule, scheduler="normal", sampler="dpm_turbo", steps=20, denoise=1.0
        )
    assert isinstance(raised.value, ValueError)
    assert (
        str(raised.value)
        == f"sampler_name 'dpm_turbo' is not supported; accepted: {', '.join(SAMPLER_NAMES)}"
    )


def _advanced(schedule: DiscreteSchedule, **overrides: object) -> torch.Tensor:
    arguments: dict[str, object] = {
        "scheduler": "karras",
        "sampler": "euler",
        "steps": 10,
        "start_at_step": 0,
        "end_at_step": 10000,
        "return_with_leftover_noise": False,
    }
    arguments.update(overrides)
    return advanced_sigmas(schedule=schedule, **arguments)  # type: ignore[arg-type]


def test_advanced_with_default_range_is_the_full_schedule(schedule: DiscreteSchedule) -> None:
    full = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    assert torch.equal(_advanced(schedule), full)


def test_advanced_end_step_cuts_and_forces_a_final_zero(schedule: DiscreteSchedule) -> None:
    full = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    sigmas = _advanced(schedule, end_at_step=6)
    assert torch.equal(sigmas[:-1], full[:6])
    assert float(sigmas[-1]) == 0.0
    assert len(sigmas) == 7


def test_advanced_end_step_with_leftover_noise_keeps_the_last_sigma(
    schedule: DiscreteSchedule,
) -> None:
    full = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    assert torch.equal(
        _advanced(schedule, end_at_step=6, return_with_leftover_noise=True), full[:7]
    )


def test_advanced_start_step_drops_the_first_sigmas(schedule: DiscreteSchedule) -> None:
    full = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    assert torch.equal(_advanced(schedule, start_at_step=4), full[4:])


def test_advanced_two_pass_split_shares_the_boundary_sigma(schedule: DiscreteSchedule) -> None:
    first = _advanced(schedule, end_at_step=6, return_with_leftover_noise=True)
    second = _advanced(schedule, start_at_step=6)
    assert float(first[-1]) == float(second[0])
    assert torch.equal(
        torch.cat([first, second[1:]]),
        scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10),
    )


def test_advanced_end_step_at_the_last_index_changes_nothing(schedule: DiscreteSchedule) -> None:
    full = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    assert torch.equal(_advanced(schedule, end_at_step=10), full)


@pytest.mark.parametrize("start", [10, 11, 500])
def test_advanced_start_at_or_after_the_last_step_samples_nothing(
    schedule: DiscreteSchedule, start: int
) -> None:
    assert _advanced(schedule, start_at_step=start).shape == (0,)


def test_advanced_applies_the_n_plus_one_rule(schedule: DiscreteSchedule) -> None:
    assert torch.equal(
        _advanced(schedule, sampler="dpm_2"),
        ksampler_sigmas(
            schedule=schedule, scheduler="karras", sampler="dpm_2", steps=10, denoise=1.0
        ),
    )


def test_advanced_does_not_modify_cached_tables(schedule: DiscreteSchedule) -> None:
    full_before = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10).clone()
    _advanced(schedule, end_at_step=3)
    assert torch.equal(
        scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10), full_before
    )


def test_basic_scheduler_ignores_the_sampler_rule_and_slices_partial_denoise(
    schedule: DiscreteSchedule,
) -> None:
    full = basic_scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10, denoise=1.0)
    assert torch.equal(full, scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10))
    partial = basic_scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10, denoise=0.75)
    assert torch.equal(
        partial, scheduler_sigmas(schedule=schedule, scheduler="karras", steps=13)[-11:]
    )


def test_basic_scheduler_treats_denoise_just_below_one_as_partial(
    schedule: DiscreteSchedule,
) -> None:
    # int(20000 / 0.99995) = 20001 steps; the KSampler would call 0.99995 a full denoise.
    sigmas = basic_scheduler_sigmas(
        schedule=schedule, scheduler="karras", steps=20000, denoise=0.99995
    )
    longer = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=20001)
    assert torch.equal(sigmas, longer[-20001:])
    as_ksampler = ksampler_sigmas(
        schedule=schedule, scheduler="karras", sampler="euler", steps=20000, denoise=0.99995
    )
    assert not torch.equal(sigmas, as_ksampler)


def test_basic_scheduler_zero_denoise_gives_no_sigmas_but_checks_the_name(
    schedule: DiscreteSchedule,
) -> None:
    assert basic_scheduler_sigmas(
        schedule=schedule, scheduler="normal", steps=4, denoise=0.0
    ).shape == (0,)
    with pytest.raises(UnsupportedSchedulerError):
        basic_scheduler_sigmas(schedule=schedule, scheduler="nope", steps=4, denoise=0.0)
