"""The names the engine uses from the sampling package, in one place."""

from __future__ import annotations

from renderworker.engine.sampling.cfg import cfg_denoiser
from renderworker.engine.sampling.errors import RenderCancelled, UnsupportedSamplerError, UnsupportedSchedulerError
from renderworker.engine.sampling.noise import initial_noise, noise_latent, validate_seed
from renderworker.engine.sampling.samplers import SAMPLER_NAMES, sample
from renderworker.engine.sampling.schedule import DiscreteSchedule
from renderworker.engine.sampling.schedulers import SCHEDULER_NAMES, scheduler_sigmas
from renderworker.engine.sampling.sigma_selection import advanced_sigmas, ksampler_sigmas

__all__ = [
    "SAMPLER_NAMES",
    "SCHEDULER_NAMES",
    "DiscreteSchedule",
    "RenderCancelled",
    "UnsupportedSamplerError",
    "UnsupportedSchedulerError",
    "advanced_sigmas",
    "cfg_denoiser",
    "initial_noise",
    "ksampler_sigmas",
    "noise_latent",
    "sample",
    "scheduler_sigmas",
    "validate_seed",
]
