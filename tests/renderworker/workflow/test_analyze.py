"""analyze: what a creator is shown, and what the public may see."""

from __future__ import annotations

import json

import pytest
from upload_samples import A1111, png_with_text
from workflow_corpus import CorpusCase, load_cases

from renderworker.workflow import WorkflowError, WorkflowSource, analyze, compile_ui, read_upload

CASES = {case.name: case for case in load_cases()}


def analysis_of(name: str, *, via: str = "api"):  # type: ignore[no-untyped-def]
    case: CorpusCase = CASES[name]
    if via == "image":
        assert case.image_path is not None
        return analyze(read_upload(case.image_path.read_bytes()))
    if via == "ui":
        return analyze(WorkflowSource(ui=case.ui))
    return analyze(WorkflowSource(api=case.api))


def test_lora_stack_resources_with_strengths_and_embeddings() -> None:
    analysis = analysis_of("sd15_lora_stack", via="ui")
    resources = [(r.kind, r.name, r.strength_model, r.strength_clip) for r in analysis.resources]
    assert sorted(resources, key=str) == sorted(
        [
            ("checkpoint", "v1-5-pruned-emaonly.safetensors", None, None),
            ("lora", "detail_tweaker.safetensors", 0.8, 0.6),
            ("lora", "styles/ink_wash.safetensors", -0.5, 1.25),
            ("lora", "lcm_lora_sd15.safetensors", 0.35, None),
            ("embedding", "fine_detail", None, None),
            ("embedding", "easynegative", None, None),
        ],
        key=str,
    )
    assert [e.name for e in analysis.embeddings] == ["fine_detail", "easynegative"]
    assert analysis.base_model_family == "sd15"
    assert analysis.problems == [] and analysis.unsupported == [] and analysis.is_runnable


def test_every_resource_kind_is_extracted() -> None:
    kinds = {
        (resource.kind, resource.name)
        for name in (
            "upscale_with_model",
            "controlnet",
            "sd15_vae_and_config_loader",
            "flux_unet_dual_clip",
        )
        for resource in analysis_of(name).resources
    }
    assert {
        ("upscaler", "4x-UltraSharp.pth"),
        ("controlnet", "control_v11p_sd15_canny.pth"),
        ("controlnet", "control_v11f1p_sd15_depth.pth"),
        ("vae", "vae-ft-mse-840000-ema-pruned.safetensors"),
        ("checkpoint", "dreamshaper_8.safetensors"),
        ("unet", "flux1-dev.safetensors"),
        ("clip", "clip_l.safetensors"),
        ("clip", "t5xxl_fp16.safetensors"),
        ("vae", "ae.safetensors"),
    } <= kinds


def test_ksampler_settings_and_size_from_the_latent() -> None:
    (sampler,) = analysis_of("sd15_default").samplers
    assert (
        sampler.steps,
        sampler.cfg,
        sampler.sampler_name,
        sampler.scheduler,
        sampler.denoise,
        sampler.seed,
    ) == (20, 8.0, "euler", "normal", 1.0, 156680208700286)
    assert (sampler.width, sampler.height, sampler.batch_size, sampler.noise_kind) == (
        512,
        512,
        1,
        "deterministic",
    )


def test_ksampler_advanced_settings_and_size_through_a_previous_sampler() -> None:
    analysis = analysis_of("sdxl_base_refiner", via="image")
    first, second = sorted(analysis.samplers, key=lambda s: s.start_at_step or 0)
    assert (
        first.add_noise,
        first.seed,
        first.start_at_step,
        first.end_at_step,
        first.return_with_leftover_noise,
    ) == ("enable", 721897303308196, 0, 20, "enable")
    assert (
        second.add_noise,
        second.start_at_step,
        second.end_at_step,
        second.return_with_leftover_noise,
    ) == ("disable", 20, 10000, "disable")
    assert (second.width, second.height, second.batch_size) == (1024, 1024, 2)
    assert analysis.base_model_family == "sdxl"
    assert analysis.image_format == "WEBP" and analysis.image_size == (64, 48)


def test_latent_upscales_change_the_reported_size() -> None:
    sizes = sorted((s.denoise, s.width, s.height) for s in analysis_of("hires_fix").samplers)
    assert sizes == [(0.35, 1024, 1536), (0.5, 768, 768), (1.0, 512, 512)]


def test_img2img_size_is_unknown_rather_than_guessed() -> None:
    (sampler,) = analysis_of("img2img").samplers
    assert (sampler.width, sampler.height, sampler.denoise) == (None, None, 0.6)


def test_sampler_custom_advanced_follows_its_links() -> None:
    (sampler,) = analysis_of("sampler_custom_advanced_cfg").samplers
    assert (
        sampler.seed,
        sampler.cfg,
        sampler.sampler_name,
        sampler.scheduler,
        sampler.steps,
        sampler.denoise,
        sampler.add_noise,
    ) == (9876543210, 5.5, "dpmpp_2m_sde_gpu", "kl_optimal", 28, 1.0, True)
    assert sampler.noise_kind == "sde"


def test_sampler_custom_with_karras_scheduler() -> None:
    analysis = analysis_of("sampler_custom_karras")
    (sampler,) = analysis.samplers
    assert (
        sampler.seed,
        sampler.cfg,
        sampler.sampler_name,
        sampler.scheduler,
        sampler.steps,
        sampler.add_noise,
    ) == (555, 4.0, "euler_ancestral_cfg_pp", "karras", 30, True)
    assert analysis.sampler_family == "ancestral"


def test_basic_guider_means_cfg_one() -> None:
    (sampler,) = analysis_of("sampler_custom_advanced_basic_guider").samplers
    assert sampler.cfg == 1.0


def test_seeds_are_listed_per_node_and_input() -> None:
    seeds = [(s.class_type, s.input_name, s.value) for s in analysis_of("sdxl_base_refiner").seeds]
    assert sorted(seeds) == [
        ("KSamplerAdvanced", "noise_seed", 0),
        ("KSamplerAdvanced", "noise_seed", 721897303308196),
    ]
    assert [
        (s.class_type, s.input_name, s.value)
        for s in analysis_of("sampler_custom_advanced_cfg").seeds
    ] == [("RandomNoise", "noise_seed", 9876543210)]


def test_seed_from_a_custom_node_is_linked_not_invented() -> None:
    analysis = analysis_of("custom_node_mappable")
    ksampler_seed = next(s for s in analysis.seeds if s.class_type == "KSampler")
    assert (ksampler_seed.value, ksampler_seed.linked_from is not None) == (None, True)
    assert [(u.class_type, u.reason.startswith("custom node")) for u in analysis.unsupported] == [
        ("Seed (rgthree)", True)
    ]
    assert "unknown_node_type" in [p.code for p in analysis.problems]


def test_png_prompt_seed_wins_over_the_workflow_next_seed() -> None:
    case = CASES["next_seed_trap"]
    assert case.image_path is not None and case.ui is not None
    source = read_upload(case.image_path.read_bytes())
    ksampler_id = next(
        node_id for node_id, node in case.api.items() if node["class_type"] == "KSampler"
    )
    assert compile_ui(case.ui)[ksampler_id]["inputs"]["seed"] == 1001
    assert [s.value for s in analyze(source).seeds] == [1000]
    assert analyze(source).source_format == "api+ui"


def test_flux_graph_is_reported_unsupported_by_family() -> None:
    analysis = analysis_of("flux_unet_dual_clip")
    assert analysis.base_model_family == "flux"
    assert sorted(u.class_type for u in analysis.unsupported) == [
        "DualCLIPLoader",
        "EmptySD3LatentImage",
        "FluxGuidance",
        "UNETLoader",
    ]
    assert all(u.reason for u in analysis.unsupported)
    assert not analysis.is_runnable


def test_sd3_checkpoint_is_unsupported_even_with_a_core_loader() -> None:
    analysis = analysis_of("sd3_clip_loader")
    assert analysis.base_model_family == "sd3"
    assert {u.class_type for u in analysis.unsupported} == {"CLIPLoader", "CheckpointLoaderSimple"}


def test_family_is_unknown_without_evidence() -> None:
    analysis = analyze(WorkflowSource(api=CASES["handwritten/api_only_img2img"].api))
    assert (analysis.base_model_family, analysis.family_evidence) == ("unknown", [])


def test_large_latent_is_only_a_hint() -> None:
    api = json.loads(json.dumps(CASES["sd15_default"].api))
    for node in api.values():
        if node["class_type"] == "CheckpointLoaderSimple":
            node["inputs"]["ckpt_name"] = "mystery.safetensors"
        if node["class_type"] == "EmptyLatentImage":
            node["inputs"].update(width=1024, height=1024)
    analysis = analyze(WorkflowSource(api=api))
    assert analysis.base_model_family == "unknown"
    assert analysis.family_evidence == [
        "latent size 1024x1024 is typical of SDXL (a hint, not evidence)"
    ]


def test_unresolved_dynamic_prompt_is_a_problem_when_only_the_ui_is_known() -> None:
    analysis = analysis_of("dynamic_prompt_choices", via="ui")
    assert [p.code for p in analysis.problems] == [
        "dynamic_prompt_unresolved",
        "dynamic_prompt_unresolved",
    ]
    assert analysis_of("dynamic_prompt_choices", via="image").problems == []


def test_validation_problems_are_part_of_the_analysis() -> None:
    analysis = analysis_of("muted_lora_drops_inputs", via="ui")
    assert [(p.code, p.field) for p in analysis.problems] == [("missing_required_input", "model")]


def test_as_dict_is_plain_json() -> None:
    data = analysis_of("sdxl_base_refiner", via="image").as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["image_size"] == [64, 48]
    assert {
        "resources",
        "seeds",
        "samplers",
        "prompts",
        "unsupported",
        "problems",
        "api",
        "base_model_family",
        "sampler_family",
    } <= set(data)


def test_public_summary_leaks_no_prompt_seed_or_weight() -> None:
    analysis = analysis_of("sd15_lora_stack", via="ui")
    summary = analysis.public_summary()
    text = json.dumps(summary)
    assert set(summary) == {
        "node_count",
        "resources",
        "base_model_family",
        "sampler_family",
        "unsupported_count",
    }
    assert all(set(resource) == {"kind", "name"} for resource in summary["resources"])
    for secret in (
        "galaxy",
        "watermark",
        '"7"',
        "0.8",
        "-0.5",
        "1.25",
        "0.35",
        "strength",
        "seed",
        "euler",
    ):
        assert secret not in text
    assert summary["sampler_family"] == "ancestral"


def test_a1111_png_is_analysed_as_approximate() -> None:
    analysis = analyze(read_upload(png_with_text({"parameters": A1111})))
    (sampler,) = analysis.samplers
    assert (
        sampler.sampler_name,
        sampler.scheduler,
        sampler.steps,
        sampler.cfg,
        sampler.seed,
        sampler.width,
        sampler.height,
    ) == ("dpmpp_2m", "karras", 20, 7.0, 1, 512, 768)
    assert analysis.source_format == "a1111"
    assert [(r.kind, r.name) for r in analysis.resources] == [("checkpoint", "dreamshaper_8")]
    assert [u.class_type for u in analysis.unsupported] == ["Automatic1111"]


def test_empty_source_is_an_error() -> None:
    with pytest.raises(WorkflowError) as caught:
        analyze(WorkflowSource())
    assert caught.value.codes == ["empty_source"]


def test_settings_are_read_through_backend_value_nodes() -> None:
    analysis = analysis_of("backend_value_nodes", via="image")
    (sampler,) = analysis.samplers
    assert sampler.seed == 123456789
    assert [(s.value, s.linked_from is not None) for s in analysis.seeds] == [(123456789, True)]
    assert "a tin robot in the rain, // not a comment here" in [p.text for p in analysis.prompts]
    assert analysis.problems == []
    assert sorted(u.class_type for u in analysis.unsupported) == [
        "PrimitiveInt",
        "PrimitiveStringMultiline",
    ]


def test_missing_subgraph_definition_is_named_as_such() -> None:
    api = {
        "1": {"class_type": "0f8e2a9c-1b3d-4c5e-8f70-9a1b2c3d4e5f", "inputs": {}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
    }
    (unsupported,) = analyze(WorkflowSource(api=api)).unsupported
    assert (
        unsupported.reason == "subgraph or group node whose definition is missing from the workflow"
    )


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(0, 0, (512, 768)), (0, 1536, (1024, 1536)), (1020, 0, (1016, 1528)), (30, 30, (64, 64))],
)
def test_latent_upscale_size_rules(width: int, height: int, expected: tuple[int, int]) -> None:
    api = {
        "1": {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": 512, "height": 768, "batch_size": 3},
        },
        "2": {
            "class_type": "LatentUpscale",
            "inputs": {
                "samples": ["1", 0],
                "upscale_method": "area",
                "width": width,
                "height": height,
                "crop": "disabled",
            },
        },
        "3": {"class_type": "KSampler", "inputs": {"latent_image": ["2", 0]}},
    }
    (sampler,) = analyze(WorkflowSource(api=api)).samplers
    assert (sampler.width, sampler.height, sampler.batch_size) == (*expected, 3)


def test_ui_only_upload_warns_that_randomized_seeds_may_be_the_next_ones() -> None:
    analysis = analysis_of("sd15_default", via="ui")
    assert [(w.code, w.field) for w in analysis.warnings] == [("value_changes_after_queue", "seed")]
    assert "'randomize'" in analysis.warnings[0].message
    assert analysis.problems == []
    assert analysis.as_dict()["warnings"] == [analysis.warnings[0].as_dict()]


def test_primitive_with_a_control_warns_and_fixed_values_do_not() -> None:
    assert [(w.code, w.field) for w in analysis_of("primitive_seed", via="ui").warnings] == [
        ("value_changes_after_queue", "seed")
    ]
    assert analysis_of("sd15_default_v1", via="ui").warnings == []


def test_image_sources_carry_no_next_seed_warning() -> None:
    assert analysis_of("sd15_default", via="image").warnings == []
