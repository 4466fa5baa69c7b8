"""Facts about ComfyUI's core nodes that the compiler and validator depend on."""

from __future__ import annotations

import pytest

from renderworker.workflow import (
    NODE_SPECS,
    SAMPLER_NAMES,
    SCHEDULER_NAMES,
    WORKER_SUPPORTED_CLASS_TYPES,
)


def widget_layout(class_type: str) -> list[str]:
    """widgets_values layout as the UI stores it, hidden slots marked."""
    layout: list[str] = []
    for widget in NODE_SPECS[class_type].widget_inputs:
        layout.append(widget.name)
        if widget.control_after_generate:
            layout.append("<control>")
        if widget.upload_widget:
            layout.append("<upload>")
    return layout


@pytest.mark.parametrize(
    ("class_type", "layout"),
    [
        ("KSampler", ["seed", "<control>", "steps", "cfg", "sampler_name", "scheduler", "denoise"]),
        (
            "KSamplerAdvanced",
            [
                "add_noise",
                "noise_seed",
                "<control>",
                "steps",
                "cfg",
                "sampler_name",
                "scheduler",
                "start_at_step",
                "end_at_step",
                "return_with_leftover_noise",
            ],
        ),
        ("LoraLoader", ["lora_name", "strength_model", "strength_clip"]),
        ("EmptyLatentImage", ["width", "height", "batch_size"]),
        ("CLIPSetLastLayer", ["stop_at_clip_layer"]),
        ("LatentUpscaleBy", ["upscale_method", "scale_by"]),
        ("LoadImage", ["image", "<upload>"]),
        ("RandomNoise", ["noise_seed", "<control>"]),
        ("SamplerCustom", ["add_noise", "noise_seed", "<control>", "cfg"]),
        ("BasicScheduler", ["scheduler", "steps", "denoise"]),
        (
            "CLIPTextEncodeSDXL",
            [
                "width",
                "height",
                "crop_w",
                "crop_h",
                "target_width",
                "target_height",
                "text_g",
                "text_l",
            ],
        ),
    ],
)
def test_widget_layout_matches_comfyui(class_type: str, layout: list[str]) -> None:
    assert widget_layout(class_type) == layout


def test_ksampler_inputs_in_definition_order() -> None:
    names = [spec.name for spec in NODE_SPECS["KSampler"].inputs]
    assert names == [
        "model",
        "seed",
        "steps",
        "cfg",
        "sampler_name",
        "scheduler",
        "positive",
        "negative",
        "latent_image",
        "denoise",
    ]


def test_ksampler_ranges_and_defaults() -> None:
    spec = NODE_SPECS["KSampler"]
    seed, steps, cfg, denoise = (spec.input(name) for name in ("seed", "steps", "cfg", "denoise"))
    assert seed is not None and (seed.min, seed.max, seed.default) == (0, 2**64 - 1, 0)
    assert steps is not None and (steps.min, steps.max, steps.default) == (1, 10000, 20)
    assert cfg is not None and (cfg.min, cfg.max, cfg.default) == (0.0, 100.0, 8.0)
    assert denoise is not None and (denoise.min, denoise.max, denoise.default) == (0.0, 1.0, 1.0)


def test_output_types_and_output_nodes() -> None:
    assert NODE_SPECS["CheckpointLoaderSimple"].output_types == ("MODEL", "CLIP", "VAE")
    assert NODE_SPECS["LoadImage"].output_types == ("IMAGE", "MASK")
    assert NODE_SPECS["ControlNetApplyAdvanced"].output_types == ("CONDITIONING", "CONDITIONING")
    assert NODE_SPECS["SamplerCustomAdvanced"].output_types == ("LATENT", "LATENT")
    assert {name for name, spec in NODE_SPECS.items() if spec.is_output_node} == {
        "SaveImage",
        "PreviewImage",
    }


def test_optional_vae_on_controlnet_apply_advanced() -> None:
    vae = NODE_SPECS["ControlNetApplyAdvanced"].input("vae")
    assert vae is not None and vae.required is False and vae.type == "VAE"


def test_sampler_and_scheduler_name_lists() -> None:
    assert SCHEDULER_NAMES == (
        "normal",
        "karras",
        "exponential",
        "sgm_uniform",
        "simple",
        "ddim_uniform",
        "beta",
        "linear_quadratic",
        "kl_optimal",
    )
    for name in (
        "euler",
        "euler_ancestral",
        "dpmpp_2m",
        "dpmpp_2m_sde_gpu",
        "dpmpp_3m_sde",
        "uni_pc_bh2",
        "ddim",
        "lcm",
        "er_sde",
        "seeds_3",
        "sa_solver",
    ):
        assert name in SAMPLER_NAMES
    cfg_pp = sorted(name for name in SAMPLER_NAMES if name.endswith("_cfg_pp"))
    assert cfg_pp == [
        "dpmpp_2m_cfg_pp",
        "dpmpp_2s_ancestral_cfg_pp",
        "euler_ancestral_cfg_pp",
        "euler_cfg_pp",
        "gradient_estimation_cfg_pp",
        "res_multistep_ancestral_cfg_pp",
        "res_multistep_cfg_pp",
    ]
    assert len(set(SAMPLER_NAMES)) == len(SAMPLER_NAMES)


def test_flux_and_sd3_loaders_are_known_but_not_worker_supported() -> None:
    for class_type in ("UNETLoader", "CLIPLoader", "DualCLIPLoader"):
        assert class_type in NODE_SPECS
        assert class_type not in WORKER_SUPPORTED_CLASS_TYPES
        assert "Flux" in NODE_SPECS[class_type].unsupported_reason
    assert "KSampler" in WORKER_SUPPORTED_CLASS_TYPES


def test_specs_agree_with_the_corpus_builders_independent_layouts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # tests/corpus/workflows/corpus_builder.py writes widget layouts out by hand, apart from
    # the specs; both accounts must agree for every node the corpus knows.
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "corpus" / "workflows" / "corpus_builder.py"
    spec = importlib.util.spec_from_file_location("kiln_corpus_builder", path)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "kiln_corpus_builder", builder)  # dataclasses need it
    spec.loader.exec_module(builder)
    for class_type, layout in builder.LAYOUT.items():
        expected = [
            {builder.CONTROL: "<control>", builder.UPLOAD: "<upload>"}.get(name, name)
            for name in layout
        ]
        assert widget_layout(class_type) == expected, class_type
        assert list(NODE_SPECS[class_type].output_types) == builder.OUTPUTS[class_type], class_type
        link_inputs = [(s.name, s.type) for s in NODE_SPECS[class_type].inputs if not s.is_widget]
        assert link_inputs == builder.LINK_INPUTS.get(class_type, []), class_type
