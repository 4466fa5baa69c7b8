"""ComfyUI's schedulers: how many sigmas and which ones (COMFY_FIDELITY §4).

Every function returns a float32 tensor of descending sigmas. The arithmetic mirrors
ComfyUI's (float32 `linspace`, Python-float endpoints taken from the float32 table, values
round-tripped through Python floats) so the tables agree to the last bit, not just closely.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy
import scipy.stats
import torch
from torch import Tensor

from .errors import UnsupportedSchedulerError
from .schedule import DiscreteSchedule

ZERO_TOLERANCE = 0.00001


def _with_zero(sigmas: Tensor) -> Tensor:
    return torch.cat([sigmas, sigmas.new_zeros([1])])


def normal_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Timesteps linspace(999, 0, n) mapped through log-interpolated sigma(t), then 0."""
    return _timestep_spaced_sigmas(schedule, steps, sgm=False)


def sgm_uniform_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Timesteps linspace(999, 0, n+1) without its last point, through sigma(t), then 0."""
    return _timestep_spaced_sigmas(schedule, steps, sgm=True)


def _timestep_spaced_sigmas(schedule: DiscreteSchedule, steps: int, *, sgm: bool) -> Tensor:
    start = schedule.timestep(schedule.sigma_max)
    end = schedule.timestep(schedule.sigma_min)
    append_zero = True
    if sgm:
        timesteps = torch.linspace(float(start), float(end), steps + 1)[:-1]
    else:
        # A schedule whose sigma(t_end) is already 0 (zero terminal SNR) gets one more point
        # instead of an appended zero; the SD schedule never does (sigma(0) ≈ 0.029).
        if math.isclose(float(schedule.sigma(end)), 0, abs_tol=ZERO_TOLERANCE):
            steps += 1
            append_zero = False
        timesteps = torch.linspace(float(start), float(end), steps)
    values = [float(schedule.sigma(timestep)) for timestep in timesteps]
    if append_zero:
        values.append(0.0)
    return torch.tensor(values, dtype=torch.float32)


def simple_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Every (1000/n)-th entry of the table counted from the top, then 0."""
    table = schedule.sigmas
    spacing = len(table) / steps
    values = [float(table[-(1 + int(index * spacing))]) for index in range(steps)]
    values.append(0.0)
    return torch.tensor(values, dtype=torch.float32)


def ddim_uniform_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Table entries at t = 1, 1+⌊1000/n⌋, 1+2⌊1000/n⌋, … (< 1000), descending, then 0.

    This can give more than n sampling steps (n = 7: spacing 142 gives 8 entries).
    """
    table = schedule.sigmas
    if math.isclose(float(table[1]), 0, abs_tol=ZERO_TOLERANCE):
        steps += 1
        values: list[float] = []
    else:
        values = [0.0]
    spacing = max(len(table) // steps, 1)
    values.extend(float(table[index]) for index in range(1, len(table), spacing))
    return torch.tensor(values[::-1], dtype=torch.float32)


def karras_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Karras et al. (2022) spacing with rho = 7 between sigma_min and sigma_max, then 0."""
    rho = 7.0
    ramp = torch.linspace(0, 1, steps)
    min_inv_rho = float(schedule.sigma_min) ** (1 / rho)
    max_inv_rho = float(schedule.sigma_max) ** (1 / rho)
    return _with_zero((max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho)


def exponential_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """Uniform in log sigma from sigma_max to sigma_min, then 0."""
    log_max = math.log(float(schedule.sigma_max))
    log_min = math.log(float(schedule.sigma_min))
    return _with_zero(torch.linspace(log_max, log_min, steps).exp())


def beta_sigmas(
    schedule: DiscreteSchedule, steps: int, *, alpha: float = 0.6, beta: float = 0.6
) -> Tensor:
    """Timesteps from the Beta(0.6, 0.6) quantile function, rounded, consecutive repeats dropped."""
    last_index = len(schedule.sigmas) - 1
    quantiles = 1 - numpy.linspace(0, 1, steps, endpoint=False)
    timesteps = numpy.rint(scipy.stats.beta.ppf(quantiles, alpha, beta) * last_index)
    values: list[float] = []
    previous = -1.0
    for timestep in timesteps:
        if timestep != previous:
            values.append(float(schedule.sigmas[int(timestep)]))
        previous = timestep
    values.append(0.0)
    return torch.tensor(values, dtype=torch.float32)


def linear_quadratic_sigmas(
    schedule: DiscreteSchedule, steps: int, *, threshold_noise: float = 0.025
) -> Tensor:
    """Mochi's schedule: linear in 1-sigma/sigma_max for half the steps, then quadratic."""
    if steps == 1:
        fractions = [1.0, 0.0]
    else:
        linear_steps = steps // 2
        linear_part = [index * threshold_noise / linear_steps for index in range(linear_steps)]
        threshold_noise_step_diff = linear_steps - threshold_noise * steps
        quadratic_steps = steps - linear_steps
        quadratic_coefficient = threshold_noise_step_diff / (linear_steps * quadratic_steps**2)
        linear_coefficient = threshold_noise / linear_steps - 2 * threshold_noise_step_diff / (
            quadratic_steps**2
        )
        constant = quadratic_coefficient * (linear_steps**2)
        quadratic_part = [
            quadratic_coefficient * (index**2) + linear_coefficient * index + constant
            for index in range(linear_steps, steps)
        ]
        fractions = [1.0 - value for value in linear_part + quadratic_part + [1.0]]
    return torch.tensor(fractions, dtype=torch.float32) * schedule.sigma_max


def kl_optimal_sigmas(schedule: DiscreteSchedule, steps: int) -> Tensor:
    """KL-optimal spacing ("Align Your Steps"): uniform in arctan sigma, sigma_max to sigma_min."""
    positions = torch.arange(steps, dtype=torch.float32).div_(steps - 1)
    sigmas = positions.new_zeros(steps + 1)
    sigmas[:-1] = (
        positions * math.atan(float(schedule.sigma_min))
        + (1 - positions) * math.atan(float(schedule.sigma_max))
    ).tan_()
    return sigmas


SchedulerFunction = Callable[[DiscreteSchedule, int], Tensor]

SCHEDULERS: dict[str, SchedulerFunction] = {
    "simple": simple_sigmas,
    "sgm_uniform": sgm_uniform_sigmas,
    "karras": karras_sigmas,
    "exponential": exponential_sigmas,
    "ddim_uniform": ddim_uniform_sigmas,
    "beta": beta_sigmas,
    "normal": normal_sigmas,
    "linear_quadratic": linear_quadratic_sigmas,
    "kl_optimal": kl_optimal_sigmas,
}
SCHEDULER_NAMES: tuple[str, ...] = tuple(SCHEDULERS)


def scheduler_sigmas(*, schedule: DiscreteSchedule, scheduler: str, steps: int) -> Tensor:
    """The float32 sigmas of `scheduler` for `steps` steps (usually steps+1 values ending in 0).

    Raises UnsupportedSchedulerError for unknown names and ValueError for steps < 1.
    """
    function = SCHEDULERS.get(scheduler)
    if function is None:
        raise UnsupportedSchedulerError(name=scheduler, accepted=SCHEDULER_NAMES)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return function(schedule, steps)
