"""Analysis of an Automatic1111 ``parameters`` block (a settings record, not a ComfyUI graph)."""

from __future__ import annotations

from .analysis import Analysis, PromptText, Resource, SamplerSetting, SeedSetting, UnsupportedNode
from .problems import Problem, WorkflowError, describe_value
from .specs import sampler_noise_kind

_A1111_NODE = "a1111"


def analyze_a1111(text: str) -> Analysis:
    """Settings, resources and prompts from A1111 text, labelled approximate.

    A1111 draws noise on the GPU per image, so its images are not reproducible bit-for-bit by
    ComfyUI semantics (COMFY_FIDELITY §1): the result lists an ``unsupported`` entry saying so.
    """
    try:
        # Lazy: renderworker/workflow/a1111.py is written and owned separately.
        from .a1111 import parse_a1111_parameters
    except ImportError:  # pragma: no cover - only while a1111.py does not exist yet
        raise WorkflowError.single(
            "a1111_unavailable", "Automatic1111 parameters cannot be read yet (parser missing)."
        ) from None
    try:
        parameters = parse_a1111_parameters(text)
        settings = parameters.to_comfy_settings()
    except ValueError as error:
        raise WorkflowError.single(
            "bad_a1111_parameters", f"The Automatic1111 parameters cannot be read: {error}"
        ) from None
    resources: list[Resource] = []
    if settings.checkpoint_name or settings.checkpoint_hash:
        resources.append(
            Resource(
                kind="checkpoint",
                name=settings.checkpoint_name or f"hash:{settings.checkpoint_hash}",
                node_id=None,
                class_type=None,
                input_name="Model",
            )
        )
    if settings.vae_name:
        resources.append(
            Resource(
                kind="vae", name=settings.vae_name, node_id=None, class_type=None, input_name="VAE"
            )
        )
    for lora in settings.loras:
        resources.append(
            Resource(
                kind="lora",
                name=lora.name,
                node_id=None,
                class_type=None,
                input_name="prompt",
                strength_model=lora.strength_model,
                strength_clip=lora.strength_clip,
            )
        )
    sampler = SamplerSetting(
        node_id=_A1111_NODE,
        class_type="Automatic1111",
        steps=settings.steps,
        cfg=settings.cfg,
        sampler_name=settings.sampler_name,
        scheduler=settings.scheduler,
        denoise=settings.denoise,
        seed=settings.seed,
        width=settings.width,
        height=settings.height,
        batch_size=settings.batch_size,
        noise_kind=sampler_noise_kind(settings.sampler_name) if settings.sampler_name else None,
    )
    seeds = (
        [
            SeedSetting(
                node_id=_A1111_NODE,
                class_type="Automatic1111",
                input_name="Seed",
                value=settings.seed,
            )
        ]
        if settings.seed is not None
        else []
    )
    prompts = [
        PromptText(
            node_id=_A1111_NODE,
            class_type="Automatic1111",
            input_name="prompt",
            text=parameters.prompt,
        )
    ]
    if parameters.negative_prompt:
        prompts.append(
            PromptText(
                node_id=_A1111_NODE,
                class_type="Automatic1111",
                input_name="negative_prompt",
                text=parameters.negative_prompt,
            )
        )
    problems = [
        Problem(
            "a1111_unparsed",
            "Part of the Automatic1111 parameters was not understood: "
            f"{describe_value(piece.text)} ({piece.reason}).",
            field="parameters",
        )
        for piece in parameters.unparsed_details
    ]
    return Analysis(
        source_format="a1111",
        node_count=0,
        class_types=[],
        resources=resources,
        seeds=seeds,
        samplers=[sampler],
        prompts=prompts,
        base_model_family="unknown",
        family_evidence=[],
        sampler_family=sampler.noise_kind or "unknown",
        unsupported=[
            UnsupportedNode(
                node_id=None,
                class_type="Automatic1111",
                reason=(
                    "Automatic1111 parameters are a settings record, not a ComfyUI graph; A1111 "
                    "draws its noise differently, so a re-render can only be approximate"
                ),
            )
        ],
        problems=problems,
    )
