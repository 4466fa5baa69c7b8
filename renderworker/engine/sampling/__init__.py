"""ComfyUI's sampling maths on plain torch: schedules, sigmas, noise, CFG and samplers.

Emulates ComfyUI's KSampler behaviour (COMFY_FIDELITY §2-§5, "comfy-0.3.6x") for the SD
discrete schedule (SD1.x, SD2.x, SDXL; eps and v prediction). A run, end to end:

    schedule = DiscreteSchedule(prediction="eps")
    sigmas = ksampler_sigmas(schedule=schedule, scheduler="karras", sampler="dpmpp_2m",
                             steps=20, denoise=1.0)
    noise = initial_noise(latent=latent, seed=seed)
    x = noise_latent(latent=latent, noise=noise, sigmas=sigmas, schedule=schedule)
    denoise = cfg_denoiser(model_call=..., positive=pos, negative=neg, cfg=7.0)
    out = sample(sampler="dpmpp_2m", denoise=denoise, x=x, sigmas=sigmas, seed=seed,
                 on_step=..., should_cancel=..., on_denoised=...)

Sigmas for KSamplerAdvanced come from `advanced_sigmas`, for BasicScheduler from
`basic_scheduler_sigmas`. Pass the object `cfg_denoiser` returns to `sample` as is: the
`*_cfg_pp` samplers also use its `denoise_with_uncond`. Unknown names raise
UnsupportedSamplerError / UnsupportedSchedulerError listing what is accepted.
"""

from .cfg import CfgDenoiser, Conditioning, cfg_denoiser
from .errors import RenderCancelled, UnsupportedSamplerError, UnsupportedSchedulerError
from .noise import initial_noise, noise_latent
from .samplers import SAMPLER_NAMES, sample
from .schedule import DiscreteSchedule
from .schedulers import SCHEDULER_NAMES, scheduler_sigmas
from .sigma_selection import (
    DISCARD_PENULTIMATE_SIGMA_SAMPLERS,
    advanced_sigmas,
    basic_scheduler_sigmas,
    ksampler_sigmas,
)

__all__ = [
    "DISCARD_PENULTIMATE_SIGMA_SAMPLERS",
    "SAMPLER_NAMES",
    "SCHEDULER_NAMES",
    "CfgDenoiser",
    "Conditioning",
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
