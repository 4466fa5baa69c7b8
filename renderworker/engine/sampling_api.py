"""The names the engine uses from the sampling package, in one place."""

from __future__ import annotations

from renderworker.engine.sampling import (
    SAMPLER_NAMES,
    SCHEDULER_NAMES,
    DiscreteSchedule,
    RenderCancelled,
    UnsupportedSamplerError,
    UnsupportedSchedulerError,
    advanced_sigmas,
    basic_scheduler_sigmas,
    cfg_denoiser,
    initial_noise,
    ksampler_sigmas,
    noise_latent,
    sample,
    scheduler_sigmas,
)

__all__ = [
    "SAMPLER_NAMES",
    "SCHEDULER_NAMES",
    "DiscreteSchedule",
    "RenderCancelled",
    "UnsupportedSamplerError",
    "UnsupportedSchedulerError",
    "advanced_sigmas",
    "basic_scheduler_sigmas",
    "cfg_denoiser",
    "initial_noise",
    "ksampler_sigmas",
    "noise_latent",
    "sample",
    "scheduler_sigmas",
]
