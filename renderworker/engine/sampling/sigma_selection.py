"""Which sigmas the KSampler and KSamplerAdvanced nodes actually sample (COMFY_FIDELITY §4)."""

from __future__ import annotations

import torch
from torch import Tensor

from .errors import UnsupportedSamplerError
from .samplers import SAMPLER_NAMES
from .schedule import DiscreteSchedule
from .schedulers import scheduler_sigmas

# These samplers are given a schedule for one step more with its second-to-last sigma removed:
# their last step would otherwise be a tiny one near sigma_min.
DISCARD_PENULTIMATE_SIGMA_SAMPLERS = frozenset({"dpm_2", "dpm_2_ancestral", "uni_pc", "uni_pc_bh2"})

# ComfyUI treats any denoise above this as a full denoise.
FULL_DENOISE_THRESHOLD = 0.9999


def sampler_schedule(
    *, schedule: DiscreteSchedule, scheduler: str, sampler: str, steps: int
) -> Tensor:
    """The full schedule a sampler gets for `steps` steps, with the n+1 rule applied."""
    if sampler not in SAMPLER_NAMES:
        raise UnsupportedSamplerError(name=sampler, accepted=SAMPLER_NAMES)
    if sampler in DISCARD_PENULTIMATE_SIGMA_SAMPLERS:
        sigmas = scheduler_sigmas(schedule=schedule, scheduler=scheduler, steps=steps + 1)
        return torch.cat([sigmas[:-2], sigmas[-1:]])
    return scheduler_sigmas(schedule=schedule, scheduler=scheduler, steps=steps)


def ksampler_sigmas(
    *, schedule: DiscreteSchedule, scheduler: str, sampler: str, steps: int, denoise: float
) -> Tensor:
    """The sigmas of a KSampler node.

    denoise > 0.9999: the full schedule. 0 < denoise ≤ 0.9999: the schedule for
    int(steps / denoise) steps, keeping its last steps+1 sigmas. denoise ≤ 0: empty (the node
    then returns its input latent unchanged).
    """
    if denoise > FULL_DENOISE_THRESHOLD:
        return sampler_schedule(
            schedule=schedule, scheduler=scheduler, sampler=sampler, steps=steps
        )
    if denoise <= 0.0:
        # Nothing is sampled, but bad names are still refused.
        sampler_schedule(schedule=schedule, scheduler=scheduler, sampler=sampler, steps=steps)
        return torch.zeros(0, dtype=torch.float32)
    sigmas = sampler_schedule(
        schedule=schedule, scheduler=scheduler, sampler=sampler, steps=int(steps / denoise)
    )
    return sigmas[-(steps + 1) :]


def advanced_sigmas(
    *,
    schedule: DiscreteSchedule,
    scheduler: str,
    sampler: str,
    steps: int,
    start_at_step: int,
    end_at_step: int,
    return_with_leftover_noise: bool,
) -> Tensor:
    """The sigmas of a KSamplerAdvanced node.

    The full schedule for `steps`; when end_at_step < len-1 it is cut to [:end_at_step+1] and,
    unless `return_with_leftover_noise`, its last sigma set to 0; then [start_at_step:].
    When start_at_step ≥ len-1 nothing is sampled: the result is empty and the node returns
    its input latent unchanged (no noise added either), as ComfyUI does.
    """
    sigmas = sampler_schedule(schedule=schedule, scheduler=scheduler, sampler=sampler, steps=steps)
    if end_at_step < len(sigmas) - 1:
        sigmas = sigmas[: end_at_step + 1].clone()
        if not return_with_leftover_noise:
            sigmas[-1] = 0
    if start_at_step < len(sigmas) - 1:
        return sigmas[start_at_step:]
    return torch.zeros(0, dtype=torch.float32)


def basic_scheduler_sigmas(
    *, schedule: DiscreteSchedule, scheduler: str, steps: int, denoise: float
) -> Tensor:
    """The sigmas of a BasicScheduler node (for SamplerCustomAdvanced).

    Unlike the KSampler it knows no sampler, so there is no n+1 rule, and its threshold is
    denoise < 1.0: the schedule for int(steps / denoise) steps, keeping the last steps+1
    sigmas; denoise ≤ 0 gives no sigmas.
    """
    total_steps = steps
    if denoise < 1.0:
        if denoise <= 0.0:
            scheduler_sigmas(
                schedule=schedule, scheduler=scheduler, steps=steps
            )  # refuses bad names
            return torch.zeros(0, dtype=torch.float32)
        total_steps = int(steps / denoise)
    sigmas = scheduler_sigmas(schedule=schedule, scheduler=scheduler, steps=total_steps)
    return sigmas[-(steps + 1) :]
