"""Sampler nodes: KSampler, KSamplerAdvanced and the SamplerCustomAdvanced family."""

from __future__ import annotations

from renderworker.engine.nodes.spec import COMBO, FLOAT, INT, LINK, SEED, RunState, register
from renderworker.engine.sampling_api import (
    SAMPLER_NAMES,
    SCHEDULER_NAMES,
    DiscreteSchedule,
    advanced_sigmas,
    basic_scheduler_sigmas,
    ksampler_sigmas,
)
from renderworker.engine.sampling_run import run_sampling
from renderworker.engine.values import (
    Conditioning,
    GuiderValue,
    LatentValue,
    ModelValue,
    NoiseValue,
    SamplerValue,
    SigmasValue,
)

ENABLE = ("enable", "disable")


def _schedule(model: ModelValue) -> DiscreteSchedule:
    return DiscreteSchedule(prediction=model.checkpoint.family.prediction)  # type: ignore[arg-type]


@register(
    "KSampler",
    inputs={
        "model": LINK("MODEL"),
        "seed": SEED(),
        "steps": INT(20, 1, 10000),
        "cfg": FLOAT(8.0, 0.0, 100.0),
        "sampler_name": COMBO(SAMPLER_NAMES),
        "scheduler": COMBO(SCHEDULER_NAMES),
        "positive": LINK("CONDITIONING"),
        "negative": LINK("CONDITIONING"),
        "latent_image": LINK("LATENT"),
        "denoise": FLOAT(1.0, 0.0, 1.0),
    },
    outputs=("LATENT",),
)
def ksampler(
    state: RunState,
    *,
    model: ModelValue,
    seed: int,
    steps: int,
    cfg: float,
    sampler_name: str,
    scheduler: str,
    positive: Conditioning,
    negative: Conditioning,
    latent_image: LatentValue,
    denoise: float,
) -> tuple[LatentValue]:
    sigmas = ksampler_sigmas(
        schedule=_schedule(model),
        scheduler=scheduler,
        sampler=sampler_name,
        steps=steps,
        denoise=denoise,
    )
    output, _ = run_sampling(
        state,
        model=model,
        latent=latent_image,
        sigmas=sigmas,
        sampler=sampler_name,
        seed=seed,
        add_noise=True,
        positive=positive,
        negative=negative,
        cfg=cfg,
    )
    return (output,)


@register(
    "KSamplerAdvanced",
    inputs={
        "model": LINK("MODEL"),
        "add_noise": COMBO(ENABLE),
        "noise_seed": SEED(),
        "steps": INT(20, 1, 10000),
        "cfg": FLOAT(8.0, 0.0, 100.0),
        "sampler_name": COMBO(SAMPLER_NAMES),
        "scheduler": COMBO(SCHEDULER_NAMES),
        "positive": LINK("CONDITIONING"),
        "negative": LINK("CONDITIONING"),
        "latent_image": LINK("LATENT"),
        "start_at_step": INT(0, 0, 10000),
        "end_at_step": INT(10000, 0, 10000),
        "return_with_leftover_noise": COMBO(("disable", "enable")),
    },
    outputs=("LATENT",),
)
def ksampler_advanced(
    state: RunState,
    *,
    model: ModelValue,
    add_noise: str,
    noise_seed: int,
    steps: int,
    cfg: float,
    sampler_name: str,
    scheduler: str,
    positive: Conditioning,
    negative: Conditioning,
    latent_image: LatentValue,
    start_at_step: int,
    end_at_step: int,
    return_with_leftover_noise: str,
) -> tuple[LatentValue]:
    sigmas = advanced_sigmas(
        schedule=_schedule(model),
        scheduler=scheduler,
        sampler=sampler_name,
        steps=steps,
        start_at_step=start_at_step,
        end_at_step=end_at_step,
        return_with_leftover_noise=return_with_leftover_noise == "enable",
    )
    output, _ = run_sampling(
        state,
        model=model,
        latent=latent_image,
        sigmas=sigmas,
        sampler=sampler_name,
        seed=noise_seed,
        add_noise=add_noise == "enable",
        positive=positive,
        negative=negative,
        cfg=cfg,
    )
    return (output,)


@register("RandomNoise", inputs={"noise_seed": SEED()}, outputs=("NOISE",))
def random_noise(state: RunState, *, noise_seed: int) -> tuple[NoiseValue]:
    return (NoiseValue(seed=noise_seed, enabled=True),)


@register("DisableNoise", inputs={}, outputs=("NOISE",))
def disable_noise(state: RunState) -> tuple[NoiseValue]:
    return (NoiseValue(seed=0, enabled=False),)


@register("KSamplerSelect", inputs={"sampler_name": COMBO(SAMPLER_NAMES)}, outputs=("SAMPLER",))
def ksampler_select(state: RunState, *, sampler_name: str) -> tuple[SamplerValue]:
    return (SamplerValue(sampler_name),)


@register(
    "BasicScheduler",
    inputs={
        "model": LINK("MODEL"),
        "scheduler": COMBO(SCHEDULER_NAMES),
        "steps": INT(20, 1, 10000),
        "denoise": FLOAT(1.0, 0.0, 1.0),
    },
    outputs=("SIGMAS",),
)
def basic_scheduler(
    state: RunState, *, model: ModelValue, scheduler: str, steps: int, denoise: float
) -> tuple[SigmasValue]:
    # Unlike KSampler: no n+1 rule for dpm_2/uni_pc, and any denoise < 1 shortens the schedule.
    sigmas = basic_scheduler_sigmas(
        schedule=_schedule(model), scheduler=scheduler, steps=steps, denoise=denoise
    )
    return (SigmasValue(sigmas),)


@register(
    "CFGGuider",
    inputs={
        "model": LINK("MODEL"),
        "positive": LINK("CONDITIONING"),
        "negative": LINK("CONDITIONING"),
        "cfg": FLOAT(8.0, 0.0, 100.0),
    },
    outputs=("GUIDER",),
)
def cfg_guider(
    state: RunState,
    *,
    model: ModelValue,
    positive: Conditioning,
    negative: Conditioning,
    cfg: float,
) -> tuple[GuiderValue]:
    return (GuiderValue(model, positive, negative, cfg),)


@register(
    "BasicGuider",
    inputs={"model": LINK("MODEL"), "conditioning": LINK("CONDITIONING")},
    outputs=("GUIDER",),
)
def basic_guider(
    state: RunState, *, model: ModelValue, conditioning: Conditioning
) -> tuple[GuiderValue]:
    return (GuiderValue(model, conditioning, None, 1.0),)


@register(
    "SamplerCustomAdvanced",
    inputs={
        "noise": LINK("NOISE"),
        "guider": LINK("GUIDER"),
        "sampler": LINK("SAMPLER"),
        "sigmas": LINK("SIGMAS"),
        "latent_image": LINK("LATENT"),
    },
    outputs=("LATENT", "LATENT"),
)
def sampler_custom_advanced(
    state: RunState,
    *,
    noise: NoiseValue,
    guider: GuiderValue,
    sampler: SamplerValue,
    sigmas: SigmasValue,
    latent_image: LatentValue,
) -> tuple[LatentValue, LatentValue]:
    return run_sampling(
        state,
        model=guider.model,
        latent=latent_image,
        sigmas=sigmas.sigmas,
        sampler=sampler.name,
        seed=noise.seed,
        add_noise=noise.enabled,
        positive=guider.positive,
        negative=guider.negative,
        cfg=guider.cfg,
    )
