"""``analyze``: resources, seeds, sampler settings, family and unsupported nodes of a workflow."""

from __future__ import annotations

from typing import Any

from .analysis import (
    Analysis,
    PromptText,
    Resource,
    SamplerSetting,
    SeedSetting,
    UnsupportedNode,
)
from .compile_ui import compile_ui_report
from .family import SUPPORTED_FAMILIES, detect_family
from .flat_graph import SUBGRAPH_ID_PATTERN
from .problems import Problem, WorkflowError
from .prompt_text import embedding_names
from .source import WorkflowSource
from .specs import NODE_SPECS, VALUE_NODE_TYPES, sampler_noise_kind
from .validate import is_link, validate_graph

# Input name -> resource kind; applies to custom loaders too (they reuse core input names).
RESOURCE_INPUTS = {
    "ckpt_name": "checkpoint",
    "unet_name": "unet",
    "vae_name": "vae",
    "lora_name": "lora",
    "clip_name": "clip",
    "clip_name1": "clip",
    "clip_name2": "clip",
    "clip_name3": "clip",
    "control_net_name": "controlnet",
}
_UPSCALER_INPUT = "model_name"
_PROMPT_INPUTS = ("text", "text_g", "text_l")
_SAMPLER_CLASSES = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")
_SEED_INPUTS = ("seed", "noise_seed")
_MAX_FOLLOW = 64
# Validation codes after which the graph is not safe to walk (see json_text.check_json_shape).
_UNREADABLE_CODES = frozenset(
    {
        "json_too_deep",
        "json_too_large",
        "string_too_long",
        "not_json_data",
        "non_finite_number",
        "too_many_nodes",
    }
)
_FAMILY_NAMES = {"flux": "Flux", "sd3": "SD3", "video": "video", "other": "non-SD"}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class _GraphReader:
    """Read-only helpers over an API graph that tolerate any malformation."""

    def __init__(self, api: dict[str, Any]) -> None:
        self.nodes: dict[str, dict[str, Any]] = {
            str(node_id): node
            for node_id, node in api.items()
            if isinstance(node, dict)
            and isinstance(node.get("class_type"), str)
            and isinstance(node.get("inputs", {}), dict)
        }

    def inputs(self, node_id: str) -> dict[str, Any]:
        node = self.nodes.get(node_id)
        return node.get("inputs", {}) if node is not None else {}

    def value(self, node_id: str, name: str) -> Any:
        """An input's literal value, read through a backend value node (PrimitiveInt...)."""
        value = self.inputs(node_id).get(name)
        found = self.source(node_id, name)
        if found is not None and found[1]["class_type"] in VALUE_NODE_TYPES:
            return found[1].get("inputs", {}).get("value")
        return value

    def source(self, node_id: str, name: str) -> tuple[str, dict[str, Any]] | None:
        value = self.inputs(node_id).get(name)
        if is_link(value) and value[0] in self.nodes:
            source_id: str = value[0]
            return source_id, self.nodes[source_id]
        return None

    def latent_size(
        self, node_id: str, name: str = "latent_image", depth: int = 0
    ) -> tuple[int | None, int | None, int | None]:
        """(width, height, batch) in pixels of the latent arriving at ``name``, as far as known."""
        found = self.source(node_id, name)
        if found is None or depth > _MAX_FOLLOW:
            return None, None, None
        source_id, source = found
        inputs = source.get("inputs", {})
        class_type = source["class_type"]
        if class_type in ("EmptyLatentImage", "EmptySD3LatentImage"):
            return (
                _integer(inputs.get("width")),
                _integer(inputs.get("height")),
                _integer(inputs.get("batch_size")),
            )
        if class_type == "LatentUpscale":
            source_size = self.latent_size(source_id, "samples", depth + 1)
            return (*_latent_upscale_size(inputs, source_size[:2]), source_size[2])
        if class_type == "LatentUpscaleBy":
            width, height, batch = self.latent_size(source_id, "samples", depth + 1)
            scale = _number(inputs.get("scale_by"))
            if width is None or height is None or scale is None:
                return None, None, batch
            # ComfyUI rounds the latent (1/8 size) dimensions after scaling.
            return round(width / 8 * scale) * 8, round(height / 8 * scale) * 8, batch
        if class_type in ("SetLatentNoiseMask",):
            return self.latent_size(source_id, "samples", depth + 1)
        if class_type in _SAMPLER_CLASSES:
            return self.latent_size(source_id, "latent_image", depth + 1)
        return None, None, None


def _latent_upscale_size(
    inputs: dict[str, Any], source: tuple[int | None, int | None]
) -> tuple[int | None, int | None]:
    """LatentUpscale's output in pixels: 0 keeps the aspect ratio, sides are at least 64."""
    width, height = _integer(inputs.get("width")), _integer(inputs.get("height"))
    source_width, source_height = source
    if width is None or height is None:
        return None, None
    if width == 0 and height == 0:
        return source_width, source_height
    if width == 0 or height == 0:
        if not source_width or not source_height:
            return None, None
        if width == 0:
            height = max(64, height)
            width = max(64, round(source_width * height / source_height))
        else:
            width = max(64, width)
            height = max(64, round(source_height * width / source_width))
    else:
        width, height = max(64, width), max(64, height)
    # The latent holds size // 8 cells.
    return width // 8 * 8, height // 8 * 8


def _resources(reader: _GraphReader) -> list[Resource]:
    resources: list[Resource] = []
    for node_id, node in reader.nodes.items():
        class_type = node["class_type"]
        inputs = node.get("inputs", {})
        for name, value in inputs.items():
            kind = RESOURCE_INPUTS.get(name)
            if kind is None and name == _UPSCALER_INPUT and "upscale" in class_type.lower():
                kind = "upscaler"
            if kind is None or not isinstance(value, str) or not value:
                continue
            resource = Resource(
                kind=kind, name=value, node_id=node_id, class_type=class_type, input_name=name
            )
            if kind == "lora":
                resource.strength_model = _number(inputs.get("strength_model"))
                resource.strength_clip = _number(inputs.get("strength_clip"))
            resources.append(resource)
        for name, value in inputs.items():
            if isinstance(value, str) and "embedding:" in value:
                for embedding in embedding_names(value):
                    resources.append(
                        Resource(
                            kind="embedding",
                            name=embedding,
                            node_id=node_id,
                            class_type=class_type,
                            input_name=name,
                        )
                    )
    return resources


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _seeds(reader: _GraphReader) -> list[SeedSetting]:
    seeds: list[SeedSetting] = []
    for node_id, node in reader.nodes.items():
        for name, raw in node.get("inputs", {}).items():
            if name not in _SEED_INPUTS:
                continue
            value = reader.value(node_id, name)
            seeds.append(
                SeedSetting(
                    node_id=node_id,
                    class_type=node["class_type"],
                    input_name=name,
                    value=_integer(value),
                    linked_from=raw[0] if is_link(raw) else None,
                )
            )
    return seeds


def _prompts(reader: _GraphReader) -> list[PromptText]:
    prompts: list[PromptText] = []
    for node_id, node in reader.nodes.items():
        if not node["class_type"].startswith("CLIPTextEncode"):
            continue
        for name in _PROMPT_INPUTS:
            value = reader.value(node_id, name)
            if isinstance(value, str):
                prompts.append(
                    PromptText(
                        node_id=node_id, class_type=node["class_type"], input_name=name, text=value
                    )
                )
    return prompts


def _custom_sampling(reader: _GraphReader, node_id: str, setting: SamplerSetting) -> None:
    """SamplerCustom(Advanced): settings live on the nodes feeding noise/guider/sampler/sigmas."""
    if setting.class_type == "SamplerCustom":
        setting.seed = _integer(reader.value(node_id, "noise_seed"))
        setting.cfg = _number(reader.value(node_id, "cfg"))
        add_noise = reader.value(node_id, "add_noise")
        setting.add_noise = add_noise if isinstance(add_noise, bool) else None
    else:
        noise = reader.source(node_id, "noise")
        if noise is not None and noise[1]["class_type"] == "RandomNoise":
            setting.seed = _integer(reader.value(noise[0], "noise_seed"))
            setting.add_noise = True
        elif noise is not None and noise[1]["class_type"] == "DisableNoise":
            setting.add_noise = False
        guider = reader.source(node_id, "guider")
        if guider is not None and guider[1]["class_type"] == "CFGGuider":
            setting.cfg = _number(reader.value(guider[0], "cfg"))
        elif guider is not None and guider[1]["class_type"] == "BasicGuider":
            setting.cfg = 1.0  # BasicGuider is conditioning without a negative: no CFG
    sampler = reader.source(node_id, "sampler")
    if sampler is not None and sampler[1]["class_type"] == "KSamplerSelect":
        setting.sampler_name = _text(reader.value(sampler[0], "sampler_name"))
    sigmas = reader.source(node_id, "sigmas")
    if sigmas is not None and sigmas[1]["class_type"] == "BasicScheduler":
        setting.scheduler = _text(reader.value(sigmas[0], "scheduler"))
        setting.steps = _integer(reader.value(sigmas[0], "steps"))
        setting.denoise = _number(reader.value(sigmas[0], "denoise"))
    elif sigmas is not None and sigmas[1]["class_type"] == "KarrasScheduler":
        setting.scheduler = "karras"
        setting.steps = _integer(reader.value(sigmas[0], "steps"))


def _sampler_setting(reader: _GraphReader, node_id: str, node: dict[str, Any]) -> SamplerSetting:
    class_type = node["class_type"]
    setting = SamplerSetting(node_id=node_id, class_type=class_type)

    def value(name: str) -> Any:
        return reader.value(node_id, name)

    if class_type in ("KSampler", "KSamplerAdvanced"):
        setting.steps = _integer(value("steps"))
        setting.cfg = _number(value("cfg"))
        setting.sampler_name = _text(value("sampler_name"))
        setting.scheduler = _text(value("scheduler"))
        if class_type == "KSampler":
            setting.seed = _integer(value("seed"))
            setting.denoise = _number(value("denoise"))
        else:
            setting.seed = _integer(value("noise_seed"))
            setting.add_noise = _text(value("add_noise"))
            setting.start_at_step = _integer(value("start_at_step"))
            setting.end_at_step = _integer(value("end_at_step"))
            setting.return_with_leftover_noise = _text(value("return_with_leftover_noise"))
    else:
        _custom_sampling(reader, node_id, setting)
    setting.width, setting.height, setting.batch_size = reader.latent_size(node_id)
    if setting.sampler_name is not None:
        setting.noise_kind = sampler_noise_kind(setting.sampler_name)
    return setting


def _unknown_node_reason(class_type: str) -> str:
    if SUBGRAPH_ID_PATTERN.match(class_type) or class_type.startswith(("workflow>", "workflow/")):
        return "subgraph or group node whose definition is missing from the workflow"
    return "custom node: not part of ComfyUI core, so Kiln's worker cannot run it"


def _unsupported(reader: _GraphReader, family: str) -> list[UnsupportedNode]:
    found: list[UnsupportedNode] = []
    for node_id, node in reader.nodes.items():
        class_type = node["class_type"]
        spec = NODE_SPECS.get(class_type)
        if spec is None:
            found.append(
                UnsupportedNode(
                    node_id=node_id,
                    class_type=class_type,
                    reason=_unknown_node_reason(class_type),
                )
            )
        elif not spec.worker_supported:
            found.append(
                UnsupportedNode(
                    node_id=node_id, class_type=class_type, reason=spec.unsupported_reason
                )
            )
        elif (
            family not in SUPPORTED_FAMILIES
            and family != "unknown"
            and class_type in ("CheckpointLoaderSimple", "CheckpointLoader")
        ):
            found.append(
                UnsupportedNode(
                    node_id=node_id,
                    class_type=class_type,
                    reason=(
                        f"loads a {_FAMILY_NAMES.get(family, family)} model; the worker runs SD1.x "
                        "and SDXL only"
                    ),
                )
            )
    return found


def _sampler_family(samplers: list[SamplerSetting]) -> str:
    kinds = {sampler.noise_kind for sampler in samplers if sampler.noise_kind is not None}
    if not kinds:
        return "none" if not samplers else "unknown"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def analyze_api(
    api: Any, *, source_format: str, extra_problems: list[Problem] | None = None
) -> Analysis:
    """Analyse an API graph; malformed parts become problems, never exceptions."""
    problems = list(extra_problems or [])
    shape_problems = validate_graph(api)
    problems.extend(shape_problems)
    if not isinstance(api, dict) or any(p.code in _UNREADABLE_CODES for p in shape_problems):
        return Analysis(
            source_format=source_format, node_count=0, class_types=[], problems=problems
        )
    reader = _GraphReader(api)
    family, evidence = detect_family(reader.nodes)
    samplers = [
        _sampler_setting(reader, node_id, node)
        for node_id, node in reader.nodes.items()
        if node["class_type"] in _SAMPLER_CLASSES
    ]
    return Analysis(
        source_format=source_format,
        node_count=len(reader.nodes),
        class_types=sorted({node["class_type"] for node in reader.nodes.values()}),
        resources=_resources(reader),
        seeds=_seeds(reader),
        samplers=samplers,
        prompts=_prompts(reader),
        base_model_family=family,
        family_evidence=evidence,
        sampler_family=_sampler_family(samplers),
        unsupported=_unsupported(reader, family),
        problems=problems,
        api=api,
    )


def analyze(source: WorkflowSource) -> Analysis:
    """Analyse an upload: the image's ``prompt`` if present (the seed actually used), otherwise
    the compiled UI workflow, otherwise Automatic1111 parameters.

    Raises :class:`WorkflowError` only when the source holds nothing to analyse or the UI
    workflow is not a workflow at all; everything else is reported in ``Analysis.problems``.
    """
    if not isinstance(source, WorkflowSource):
        raise WorkflowError.single(
            "bad_source", "analyze() takes the WorkflowSource returned by read_upload()."
        )
    if source.api is not None:
        analysis = analyze_api(source.api, source_format="api" if source.ui is None else "api+ui")
    elif source.ui is not None:
        report = compile_ui_report(source.ui)
        analysis = analyze_api(report.api, source_format="ui", extra_problems=report.problems)
        analysis.warnings = list(report.warnings)
    elif source.a1111_text is not None:
        from .a1111_analysis import analyze_a1111  # lazy: the A1111 parser is a separate module

        analysis = analyze_a1111(source.a1111_text)
    else:
        raise WorkflowError.single(
            "empty_source", "The upload holds no workflow, graph or parameters to analyse."
        )
    analysis.image_format = source.image_format
    analysis.image_size = source.image_size
    return analysis
