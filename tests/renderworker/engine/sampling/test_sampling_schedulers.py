"""Scheduler sigma tables, pinned at 20 steps (COMFY_FIDELITY §4)."""

from __future__ import annotations

import numpy
import pytest
import scipy.stats
import torch

from renderworker.engine.sampling import (
    SCHEDULER_NAMES,
    DiscreteSchedule,
    UnsupportedSchedulerError,
    scheduler_sigmas,
)

# Values this implementation produces at 20 steps (7 significant digits). They agree with the
# reference values in COMFY_FIDELITY §4 (checked separately below, to 4 decimals).
PINNED_20_STEPS = {
    "normal": [
        14.61464,
        10.7468,
        8.081519,
        6.204935,
        4.855652,
        3.865378,
        3.123761,
        2.557166,
        2.115658,
        1.764822,
        1.480581,
        1.245813,
        1.048142,
        0.8784282,
        0.7297187,
        0.5964336,
        0.4735847,
        0.3555454,
        0.2321642,
        0.02916716,
        0.0,
    ],
    "karras": [
        14.61464,
        11.72537,
        9.340202,
        7.383618,
        5.789413,
        4.499835,
        3.464747,
        2.640841,
        1.990916,
        1.483211,
        1.090786,
        0.7909461,
        0.5647216,
        0.3963898,
        0.273038,
        0.184168,
        0.1213414,
        0.07786006,
        0.04848137,
        0.02916718,
        0.0,
    ],
    "simple": [
        14.61464,
        10.90424,
        8.302803,
        6.442955,
        5.087763,
        4.081729,
        3.321083,
        2.735469,
        2.276463,
        1.910251,
        1.612886,
        1.367173,
        1.160578,
        0.9838172,
        0.8298596,
        0.6932049,
        0.5692849,
        0.4538185,
        0.3416738,
        0.2230031,
        0.0,
    ],
    "sgm_uniform": [
        14.61464,
        10.90732,
        8.307171,
        6.44769,
        5.092408,
        4.086081,
        3.325069,
        2.739083,
        2.279731,
        1.91321,
        1.61558,
        1.369643,
        1.162865,
        0.9859553,
        0.8318837,
        0.6951495,
        0.5711889,
        0.4557357,
        0.3437048,
        0.2254523,
        0.0,
    ],
    "exponential": [
        14.61464,
        10.53631,
        7.596066,
        5.476323,
        3.948111,
        2.846359,
        2.05206,
        1.479416,
        1.066573,
        0.7689373,
        0.5543593,
        0.3996609,
        0.2881323,
        0.2077267,
        0.1497589,
        0.1079675,
        0.07783827,
        0.05611688,
        0.04045701,
        0.02916716,
        0.0,
    ],
    "ddim_uniform": [
        11.02833,
        8.390685,
        6.506398,
        5.134431,
        4.116696,
        3.347764,
        2.756196,
        2.292854,
        1.923443,
        1.623692,
        1.376179,
        1.168216,
        0.9904089,
        0.8356528,
        0.6983981,
        0.5740502,
        0.4583327,
        0.3461867,
        0.2281467,
        0.04131441,
        0.0,
    ],
    "beta": [
        14.61464,
        13.5157,
        11.54277,
        9.388924,
        7.371844,
        5.686592,
        4.372802,
        3.374725,
        2.615236,
        2.047312,
        1.618279,
        1.284621,
        1.027329,
        0.8212212,
        0.6548854,
        0.5153906,
        0.3955097,
        0.2912839,
        0.1990586,
        0.1114188,
        0.0,
    ],
    "linear_quadratic": [
        14.61464,
        14.5781,
        14.54157,
        14.50503,
        14.4685,
        14.43196,
        14.39542,
        14.35888,
        14.32235,
        14.28581,
        14.24928,
        14.0739,
        13.62084,
        12.89011,
        11.8817,
        10.59562,
        9.031848,
        7.190403,
        5.07128,
        2.674479,
        0.0,
    ],
    "kl_optimal": [
        14.61463,
        6.807148,
        4.401471,
        3.221912,
        2.514688,
        2.038659,
        1.692815,
        1.427374,
        1.214932,
        1.03914,
        0.8896135,
        0.7594219,
        0.6437384,
        0.539076,
        0.442829,
        0.3529848,
        0.2679373,
        0.1863587,
        0.1071088,
        0.02916716,
        0.0,
    ],
}


def test_every_scheduler_is_pinned() -> None:
    assert set(SCHEDULER_NAMES) == set(PINNED_20_STEPS)


@pytest.mark.parametrize("name", sorted(PINNED_20_STEPS))
def test_twenty_step_table_matches_pinned_values(schedule: DiscreteSchedule, name: str) -> None:
    sigmas = scheduler_sigmas(schedule=schedule, scheduler=name, steps=20)
    assert sigmas.dtype == torch.float32
    assert torch.allclose(sigmas, torch.tensor(PINNED_20_STEPS[name]), rtol=1e-6, atol=0)


@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        ("normal", [14.6146, 10.7468, 8.0815, 6.2049], [0.3555, 0.2322, 0.0292, 0.0]),
        ("karras", [14.6146, 11.7254, 9.3402, 7.3836], [0.0779, 0.0485, 0.0292, 0.0]),
        ("simple", [14.6146, 10.9042, 8.3028, 6.4430], [0.4538, 0.3417, 0.2230, 0.0]),
        # diffusers' SD1.5 default ("leading") spacing starts here too.
        ("ddim_uniform", [11.0283], [0.0]),
    ],
)
def test_twenty_step_table_matches_comfy_fidelity_reference(
    schedule: DiscreteSchedule, name: str, head: list[float], tail: list[float]
) -> None:
    sigmas = scheduler_sigmas(schedule=schedule, scheduler=name, steps=20).tolist()
    assert sigmas[: len(head)] == pytest.approx(head, abs=5e-5)
    assert sigmas[-len(tail) :] == pytest.approx(tail, abs=5e-5)


@pytest.mark.parametrize("steps", [1, 2, 3, 7, 13, 20, 50])
def test_tables_have_steps_plus_one_descending_values_ending_in_zero(
    schedule: DiscreteSchedule, steps: int
) -> None:
    for name in ("normal", "karras", "exponential", "sgm_uniform", "simple", "linear_quadratic"):
        sigmas = scheduler_sigmas(schedule=schedule, scheduler=name, steps=steps)
        assert len(sigmas) == steps + 1, name
        assert float(sigmas[-1]) == 0.0, name
        assert bool((sigmas[:-1] >= sigmas[1:]).all()), name


def test_simple_takes_every_fiftieth_table_entry_from_the_top(schedule: DiscreteSchedule) -> None:
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="simple", steps=20)
    assert torch.equal(sigmas[:-1], schedule.sigmas[[999 - 50 * i for i in range(20)]])


def test_ddim_uniform_uses_table_entries_from_t_1(schedule: DiscreteSchedule) -> None:
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="ddim_uniform", steps=20)
    assert torch.equal(sigmas[:-1], schedule.sigmas[[951 - 50 * i for i in range(20)]])


def test_ddim_uniform_can_give_more_steps_than_asked(schedule: DiscreteSchedule) -> None:
    # 1000 // 7 = 142: t = 1, 143, …, 995 are eight entries.
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="ddim_uniform", steps=7)
    assert len(sigmas) == 9
    assert torch.equal(sigmas[:-1], schedule.sigmas[[995 - 142 * i for i in range(8)]])
    assert float(sigmas[-1]) == 0.0


def test_beta_drops_consecutive_duplicate_timesteps(schedule: DiscreteSchedule) -> None:
    # At 139 steps the first two Beta(0.6, 0.6) quantiles both round to t = 999.
    timesteps = numpy.rint(
        scipy.stats.beta.ppf(1 - numpy.linspace(0, 1, 139, endpoint=False), 0.6, 0.6) * 999
    )
    assert timesteps[0] == timesteps[1] == 999
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="beta", steps=139)
    assert len(sigmas) == 139
    assert torch.equal(sigmas[:-1], schedule.sigmas[[int(t) for t in timesteps[1:]]])
    assert len(scheduler_sigmas(schedule=schedule, scheduler="beta", steps=138)) == 139


def test_normal_uses_log_interpolated_fractional_timesteps(schedule: DiscreteSchedule) -> None:
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="normal", steps=4)
    expected = schedule.sigma(torch.tensor([999.0, 666.0, 333.0, 0.0]))
    assert torch.equal(sigmas[:-1], expected)


def test_karras_follows_the_rho_7_formula(schedule: DiscreteSchedule) -> None:
    sigma_min, sigma_max = float(schedule.sigma_min), float(schedule.sigma_max)
    expected = [
        (sigma_max ** (1 / 7) + i / 9 * (sigma_min ** (1 / 7) - sigma_max ** (1 / 7))) ** 7
        for i in range(10)
    ]
    sigmas = scheduler_sigmas(schedule=schedule, scheduler="karras", steps=10)
    assert sigmas[:-1].tolist() == pytest.approx(expected, rel=2e-6)


def test_unknown_scheduler_is_refused_with_the_accepted_names(schedule: DiscreteSchedule) -> None:
    with pytest.raises(UnsupportedSchedulerError) as raised:
        scheduler_sigmas(schedule=schedule, scheduler="AYS", steps=20)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == (
        "scheduler 'AYS' is not supported; accepted: simple, sgm_uniform, karras, exponential, "
        "ddim_uniform, "
        "beta, normal, linear_quadratic, kl_optimal"
    )


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_steps_must_be_a_positive_integer(schedule: DiscreteSchedule, steps: object) -> None:
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        scheduler_sigmas(schedule=schedule, scheduler="normal", steps=steps)  # type: ignore[arg-type]
