"""Specs of ComfyUI's core sampler nodes and the custom-sampling building blocks."""

from __future__ import annotations

from .names import SAMPLER_NAMES, SCHEDULER_NAMES
from .types import (
    MAX_SEED,
    InputSpec,
    NodeSpec,
    combo,
    float_widget,
    int_widget,
    link,
    outputs,
)

_LATENT_OUT = outputs(("LATENT", "LATENT"))


def _sampler_name() -> InputSpec:
    return combo("sampler_name", SAMPLER_NAMES)


def _scheduler() -> InputSpec:
    return combo("scheduler", SCHEDULER_NAMES)


SAMPLING_SPECS = (
    NodeSpec(
        class_type="KSampler",
        inputs=(
            link("model", "MODEL"),
            int_widget("seed", 0, 0, MAX_SEED, control_after_generate=True),
            int_widget("steps", 20, 1, 10000),
            float_widget("cfg", 8.0, 0.0, 100.0),
            _sampler_name(),
            _scheduler(),
            link("positive", "CONDITIONING"),
            link("negative", "CONDITIONING"),
            link("latent_image", "LATENT"),
            float_widget("denoise", 1.0, 0.0, 1.0),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="KSamplerAdvanced",
        inputs=(
            link("model", "MODEL"),
            combo("add_noise", ("enable", "disable")),
            int_widget("noise_seed", 0, 0, MAX_SEED, control_after_generate=True),
            int_widget("steps", 20, 1, 10000),
            float_widget("cfg", 8.0, 0.0, 100.0),
            _sampler_name(),
            _scheduler(),
            link("positive", "CONDITIONING"),
            link("negative", "CONDITIONING"),
            link("latent_image", "LATENT"),
            int_widget("start_at_step", 0, 0, 10000),
            int_widget("end_at_step", 10000, 0, 10000),
            combo("return_with_leftover_noise", ("disable", "enable")),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="SamplerCustom",
        inputs=(
            link("model", "MODEL"),
            InputSpec(name="add_noise", type="BOOLEAN", default=True),
            int_widget("noise_seed", 0, 0, MAX_SEED, control_after_generate=True),
            float_widget("cfg", 8.0, 0.0, 100.0),
            link("positive", "CONDITIONING"),
            link("negative", "CONDITIONING"),
            link("sampler", "SAMPLER"),
            link("sigmas", "SIGMAS"),
            link("latent_image", "LATENT"),
        ),
        outputs=outputs(("output", "LATENT"), ("denoised_output", "LATENT")),
    ),
    NodeSpec(
        class_type="SamplerCustomAdvanced",
        inputs=(
            link("noise", "NOISE"),
            link("guider", "GUIDER"),
            link("sampler", "SAMPLER"),
            link("sigmas", "SIGMAS"),
            link("latent_image", "LATENT"),
        ),
        outputs=outputs(("output", "LATENT"), ("denoised_output", "LATENT")),
    ),
    NodeSpec(
        class_type="KSamplerSelect",
        inputs=(_sampler_name(),),
        outputs=outputs(("SAMPLER", "SAMPLER")),
    ),
    NodeSpec(
        class_type="BasicScheduler",
        inputs=(
            link("model", "MODEL"),
            _scheduler(),
            int_widget("steps", 20, 1, 10000),
            float_widget("denoise", 1.0, 0.0, 1.0),
        ),
        outputs=outputs(("SIGMAS", "SIGMAS")),
    ),
    NodeSpec(
        class_type="KarrasScheduler",
        inputs=(
            int_widget("steps", 20, 1, 10000),
            float_widget("sigma_max", 14.614642, 0.0, 5000.0),
            float_widget("sigma_min", 0.0291675, 0.0, 5000.0),
            float_widget("rho", 7.0, 0.0, 100.0),
        ),
        outputs=outputs(("SIGMAS", "SIGMAS")),
    ),
    NodeSpec(
        class_type="RandomNoise",
        inputs=(int_widget("noise_seed", 0, 0, MAX_SEED, control_after_generate=True),),
        outputs=outputs(("NOISE", "NOISE")),
    ),
    NodeSpec(
        class_type="DisableNoise",
        inputs=(),
        outputs=outputs(("NOISE", "NOISE")),
    ),
    NodeSpec(
        class_type="CFGGuider",
        inputs=(
            link("model", "MODEL"),
            link("positive", "CONDITIONING"),
            link("negative", "CONDITIONING"),
            float_widget("cfg", 8.0, 0.0, 100.0),
        ),
        outputs=outputs(("GUIDER", "GUIDER")),
    ),
    NodeSpec(
        class_type="BasicGuider",
        inputs=(link("model", "MODEL"), link("conditioning", "CONDITIONING")),
        outputs=outputs(("GUIDER", "GUIDER")),
    ),
    NodeSpec(
        class_type="ModelSamplingFlux",
        inputs=(
            link("model", "MODEL"),
            float_widget("max_shift", 1.15, 0.0, 100.0),
            float_widget("base_shift", 0.5, 0.0, 100.0),
            int_widget("width", 1024, 16, 16384),
            int_widget("height", 1024, 16, 16384),
        ),
        outputs=outputs(("MODEL", "MODEL")),
        worker_supported=False,
        unsupported_reason=(
            "ModelSamplingFlux belongs to the Flux model family, which the worker does not run"
        ),
    ),
    NodeSpec(
        class_type="ModelSamplingSD3",
        inputs=(link("model", "MODEL"), float_widget("shift", 3.0, 0.0, 100.0)),
        outputs=outputs(("MODEL", "MODEL")),
        worker_supported=False,
        unsupported_reason=(
            "ModelSamplingSD3 belongs to the SD3 model family, which the worker does not run"
        ),
    ),
)
