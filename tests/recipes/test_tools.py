"""The tool registry and its one parameter validator (marketplace.recipes.tools)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.recipes.tools import (
    REPRODUCIBLE_TOOLS,
    TOOL_CHOICES,
    TOOLS,
    ParamsError,
    UnknownToolError,
    describe_form_fields,
    get_tool,
    validate_params,
)
from marketplace.recipes.tools.catalog import TOOL_LIST
from marketplace.recipes.tools.params import (
    AspectRatioParam,
    BoolParam,
    ChoiceListParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    KeyValueParam,
    LoraListParam,
    NumberChoiceParam,
    Param,
    SizeParam,
    StrListParam,
    StrParam,
)

SPEC_SLUGS = [
    "comfyui",
    "automatic1111",
    "midjourney",
    "dalle",
    "chatgpt-image",
    "leonardo",
    "ideogram",
    "flux",
    "stable-diffusion",
    "firefly",
    "imagen",
    "krea",
    "recraft",
    "invokeai",
]

# One valid value for every parameter of every tool, written out by hand.
VALID_PARAMS: dict[str, dict[str, Any]] = {
    "comfyui": {
        "ckpt_name": "v1-5-pruned-emaonly.safetensors",
        "ckpt_hash": "6ce0161689",
        "vae_name": "vae-ft-mse-840000-ema-pruned.safetensors",
        "seed": 2**64 - 1,
        "steps": 20,
        "cfg": 7.5,
        "sampler_name": "dpmpp_2m",
        "scheduler": "karras",
        "denoise": 1.0,
        "width": 512,
        "height": 768,
        "batch_size": 1,
        "stop_at_clip_layer": -2,
        "loras": [{"name": "add_detail", "weight": 0.6, "te_weight": 0.5}],
    },
    "automatic1111": {
        "model": "dreamshaper_8",
        "model_hash": "879db523c3",
        "vae": "vae-ft-mse.safetensors",
        "vae_hash": "735e4c3a44",
        "sampler": "DPM++ 2M",
        "schedule_type": "Karras",
        "steps": 28,
        "cfg_scale": 7.0,
        "distilled_cfg_scale": 3.5,
        "seed": 3948574021,
        "size": "512x768",
        "clip_skip": 2,
        "batch_size": 4,
        "denoising_strength": 0.45,
        "hires_upscale": 2.0,
        "hires_resize": "1024x1536",
        "hires_steps": 15,
        "hires_upscaler": "4x-UltraSharp",
        "loras": ["<lora:add_detail:0.6>"],
        "version": "v1.10.1",
        "extra": {"ADetailer model": "face_yolov8n.pt"},
    },
    "midjourney": {
        "image_prompts": ["https://s.mj.run/abc"],
        "version": "6.1",
        "aspect_ratio": "3:2",
        "stylize": 250,
        "chaos": 20,
        "weird": 100,
        "style": "raw",
        "no": ["text", "people"],
        "seed": 4294967295,
        "quality": 0.5,
        "sref": ["https://s.mj.run/x", "2718281828"],
        "sw": 200,
        "sv": 4,
        "cref": ["https://s.mj.run/y"],
        "cw": 50,
        "oref": "https://s.mj.run/z",
        "ow": 250,
        "image_weight": 1.5,
        "tile": True,
        "stop": 80,
        "repeat": 4,
        "exp": 15,
        "draft": False,
        "personalize": ["abc123"],
        "speed": "relax",
    },
    "dalle": {"size": "1792x1024", "quality": "hd", "style": "natural"},
    "chatgpt-image": {
        "model": "gpt-image-1",
        "size": "1536x1024",
        "quality": "high",
        "background": "transparent",
        "output_format": "webp",
    },
    "leonardo": {
        "model": "Leonardo Phoenix 1.0",
        "preset_style": "CINEMATIC",
        "alchemy": True,
        "prompt_magic": False,
        "photo_real": True,
        "ultra": False,
        "contrast": 3.5,
        "guidance_scale": 7,
        "steps": 30,
        "size": "1024x768",
        "seed": 2147483637,
    },
    "ideogram": {
        "model": "V_3",
        "magic_prompt": "OFF",
        "style_type": "REALISTIC",
        "rendering_speed": "QUALITY",
        "aspect_ratio": "16:9",
        "seed": 12345,
    },
    "flux": {
        "model": "schnell",
        "guidance": 3.5,
        "steps": 4,
        "seed": 42,
        "size": "1440x1024",
        "aspect_ratio": "21:9",
        "raw": True,
        "prompt_upsampling": False,
        "safety_tolerance": 6,
    },
    "stable-diffusion": {
        "model": "sd3.5-large",
        "sampler": "Euler",
        "steps": 40,
        "cfg_scale": 4.5,
        "seed": 4294967294,
        "size": "1024x1024",
        "aspect_ratio": "9:21",
        "style_preset": "photographic",
        "clip_skip": 1,
        "loras": [],
    },
    "firefly": {
        "model": "image-4-ultra",
        "content_type": "photo",
        "style_presets": ["golden_hour", "bokeh"],
        "visual_intensity": 8,
        "aspect_ratio": "16:9",
        "seed": 100000,
    },
    "imagen": {
        "model": "imagen-4.0-generate-001",
        "aspect_ratio": "3:4",
        "image_size": "2K",
        "person_generation": "allow_adult",
        "enhance_prompt": True,
        "seed": 7,
    },
    "krea": {
        "model": "Krea 1",
        "aspect_ratio": "4:3",
        "style": "Film noir",
        "style_strength": 60,
        "seed": 99,
    },
    "recraft": {
        "model": "recraftv3",
        "style": "digital_illustration",
        "substyle": "pixel_art",
        "size": "1365x1024",
    },
    "invokeai": {
        "model": "Juggernaut XL v9",
        "scheduler": "dpmpp_2m_k",
        "steps": 30,
        "cfg_scale": 6.5,
        "cfg_rescale_multiplier": 0.7,
        "seed": 123,
        "size": "1024x1024",
        "clip_skip": 0,
        "loras": [{"name": "detail", "weight": 0.5}],
    },
}


def _issue(error: ParamsError, field: str) -> dict[str, Any]:
    matching = [issue for issue in error.issues if issue["field"] == field]
    assert len(matching) == 1, error.issues
    return dict(matching[0])


# --------------------------------------------------------------------------------------------
# Registry


def test_registry_has_exactly_the_fourteen_spec_tools_in_order():
    assert list(TOOLS) == SPEC_SLUGS


def test_only_comfyui_and_automatic1111_are_reproducible():
    assert set(REPRODUCIBLE_TOOLS) == {"comfyui", "automatic1111"}
    reproducible = [slug for slug, tool in TOOLS.items() if tool.reproducible]
    assert reproducible == [
        "comfyui",
        "automatic1111",
    ]


def test_tool_choices_are_slug_and_display_name_pairs_from_the_one_list():
    expected = tuple((tool.slug, tool.name) for tool in TOOL_LIST)
    assert expected == TOOL_CHOICES
    assert dict(TOOL_CHOICES)["dalle"] == "DALL·E 3"
    assert dict(TOOL_CHOICES)["automatic1111"] == "Automatic1111 / Forge"


def test_every_tool_has_a_url_help_and_at_least_one_parameter():
    for tool in TOOL_LIST:
        assert tool.url.startswith("https://"), tool.slug
        assert tool.help, tool.slug
        assert tool.params, tool.slug


def test_get_tool_returns_the_tool_by_slug():
    assert get_tool("flux").name == "Flux (BFL)"


def test_get_tool_rejects_an_unknown_slug_naming_the_accepted_ones():
    with pytest.raises(UnknownToolError) as caught:
        get_tool("photoshop")
    assert "'photoshop'" in str(caught.value)
    assert "comfyui, automatic1111, midjourney" in str(caught.value)
    assert isinstance(caught.value, ValueError)


# Midjourney's --niji excludes --v, so the example leaves it out; it is checked on its own.
LEFT_OUT_OF_EXAMPLE = {"midjourney": {"niji"}}


def test_the_valid_example_covers_every_parameter_of_every_tool():
    for slug, tool in TOOLS.items():
        expected = set(tool.param_names) - LEFT_OUT_OF_EXAMPLE.get(slug, set())
        assert set(VALID_PARAMS[slug]) == expected, slug


def test_midjourney_example_is_valid_with_niji_instead_of_version():
    params = {**VALID_PARAMS["midjourney"], "niji": "6", "style": "raw"}
    del params["version"]
    assert validate_params("midjourney", params)["niji"] == "6"


# --------------------------------------------------------------------------------------------
# Valid input, every tool


@pytest.mark.parametrize("slug", SPEC_SLUGS)
def test_valid_parameters_of_every_tool_are_accepted(slug):
    cleaned = validate_params(slug, VALID_PARAMS[slug])
    assert set(cleaned) == set(VALID_PARAMS[slug])


@pytest.mark.parametrize("slug", SPEC_SLUGS)
def test_cleaned_parameters_are_json_serialisable_and_stable(slug):
    cleaned = validate_params(slug, VALID_PARAMS[slug])
    assert json.loads(json.dumps(cleaned)) == cleaned
    assert validate_params(slug, cleaned) == cleaned


def test_cleaning_types_values_and_normalises_lora_tags():
    cleaned = validate_params("automatic1111", VALID_PARAMS["automatic1111"])
    assert cleaned["loras"] == [{"name": "add_detail", "weight": 0.6, "te_weight": 0.6}]
    assert cleaned["cfg_scale"] == 7.0 and isinstance(cleaned["cfg_scale"], float)
    assert cleaned["steps"] == 28


def test_a1111_lora_tag_with_two_weights_is_text_encoder_then_unet():
    cleaned = validate_params("automatic1111", {"loras": ["<lora:styleA:0.8:0.5>"]})
    assert cleaned == {"loras": [{"name": "styleA", "weight": 0.5, "te_weight": 0.8}]}


def test_form_style_text_values_are_accepted_as_their_types():
    cleaned = validate_params(
        "midjourney", {"stylize": "250", "image_weight": "1.5", "tile": "on", "quality": ".5"}
    )
    assert cleaned == {"stylize": 250, "image_weight": 1.5, "tile": True, "quality": 0.5}


def test_defaults_are_not_filled_in_and_empty_values_mean_not_set():
    assert validate_params("dalle", {}) == {}
    assert validate_params("dalle", {"quality": None, "style": "", "size": "  "}) == {}


def test_number_given_for_a_numeric_choice_is_accepted_as_its_text():
    assert validate_params("midjourney", {"version": 6.1}) == {"version": "6.1"}
    assert validate_params("midjourney", {"version": 7}) == {"version": "7"}


def test_seed_accepts_the_full_64_bit_range_where_the_tool_does():
    assert validate_params("comfyui", {"seed": 0}) == {"seed": 0}
    assert validate_params("comfyui", {"seed": 2**64 - 1}) == {"seed": 2**64 - 1}


def test_midjourney_versions_from_the_tool_are_all_accepted():
    for version in ("5", "5.1", "5.2", "6", "6.1", "7"):
        assert validate_params("midjourney", {"version": version}) == {"version": version}
    for niji in ("5", "6", "default"):
        assert validate_params("midjourney", {"niji": niji}) == {"niji": niji}


def test_dalle_accepts_exactly_its_three_sizes():
    for size in ("1024x1024", "1792x1024", "1024x1792"):
        assert validate_params("dalle", {"size": size}) == {"size": size}
    with pytest.raises(ParamsError) as caught:
        validate_params("dalle", {"size": "512x512"})
    assert _issue(caught.value, "size")["accepted"] == "one of: 1024x1024, 1792x1024, 1024x1792"


def test_flux_accepts_pro_dev_and_schnell():
    for model in ("pro", "dev", "schnell"):
        assert validate_params("flux", {"model": model}) == {"model": model}


# --------------------------------------------------------------------------------------------
# Invalid input, every tool: unknown names, wrong types, out of range, not allowed


@pytest.mark.parametrize("slug", SPEC_SLUGS)
def test_unknown_parameter_is_rejected_naming_it_and_the_accepted_names(slug):
    with pytest.raises(ParamsError) as caught:
        validate_params(slug, {"no_such_param": 1})
    issue = _issue(caught.value, "no_such_param")
    assert issue["value"] == 1
    assert issue["accepted"] == list(TOOLS[slug].param_names)
    assert issue["message"].startswith(f"'no_such_param' is not a parameter of {TOOLS[slug].name}")


def _wrong_type_value(param: Param) -> Any:
    # Every kind rejects at least one JSON type; a list of dicts is never a scalar, a dict is
    # never a list, and a key-value object never takes a list.
    if isinstance(param, (StrListParam, LoraListParam, ChoiceListParam)):
        return {"a": 1}
    return [{"a": 1}]


def _all_params() -> list[tuple[str, Param]]:
    return [(tool.slug, param) for tool in TOOL_LIST for param in tool.params]


@pytest.mark.parametrize(("slug", "param"), _all_params(), ids=lambda v: getattr(v, "name", v))
def test_every_parameter_rejects_a_wrong_type_naming_field_value_and_accepted(slug, param):
    bad = _wrong_type_value(param)
    with pytest.raises(ParamsError) as caught:
        validate_params(slug, {param.name: bad})
    issue = _issue(caught.value, param.name)
    assert issue["value"] == bad
    assert issue["accepted"] == param.accepted()
    assert issue["message"].startswith(f"{param.name}: ")
    assert json.dumps(bad) in issue["message"]
    assert issue["message"].endswith(f"; accepted: {param.accepted()}")


def _out_of_range_value(param: Param) -> Any:
    if isinstance(param, IntParam):
        return param.max_value + 1
    if isinstance(param, FloatParam):
        return param.max_value + 1
    if isinstance(param, SizeParam) and not param.allowed:
        return f"{param.max_side + param.multiple_of}x{param.min_side}"
    if isinstance(param, LoraListParam):
        return [{"name": "x", "weight": param.max_weight + 1}]
    if isinstance(param, (StrParam,)):
        return "x" * (param.max_length + 1)
    if isinstance(param, (StrListParam, ChoiceListParam)):
        return ["x"] * (param.max_items + 1)
    if isinstance(param, KeyValueParam):
        return {f"k{index}": "v" for index in range(param.max_items + 1)}
    if isinstance(param, AspectRatioParam) and not param.allowed:
        return f"{int(param.max_ratio) + 1}:1"
    return None


@pytest.mark.parametrize(
    ("slug", "param"),
    [(slug, param) for slug, param in _all_params() if _out_of_range_value(param) is not None],
    ids=lambda v: getattr(v, "name", v),
)
def test_every_bounded_parameter_rejects_a_value_out_of_its_range(slug, param):
    bad = _out_of_range_value(param)
    with pytest.raises(ParamsError) as caught:
        validate_params(slug, {param.name: bad})
    issue = _issue(caught.value, param.name)
    assert issue["accepted"] == param.accepted()
    assert issue["message"].startswith(f"{param.name}: ")


def _not_allowed_value(param: Param) -> Any:
    if isinstance(param, ChoiceParam):
        return "definitely-not-a-choice"
    if isinstance(param, NumberChoiceParam):
        return 0.3
    if isinstance(param, ChoiceListParam):
        return ["definitely-not-a-choice"]
    if isinstance(param, (SizeParam, AspectRatioParam)) and param.allowed:
        return "7x13" if isinstance(param, SizeParam) else "7:13"
    if isinstance(param, BoolParam):
        return "maybe"
    return None


@pytest.mark.parametrize(
    ("slug", "param"),
    [(slug, param) for slug, param in _all_params() if _not_allowed_value(param) is not None],
    ids=lambda v: getattr(v, "name", v),
)
def test_every_choice_parameter_rejects_a_value_it_does_not_offer(slug, param):
    bad = _not_allowed_value(param)
    with pytest.raises(ParamsError) as caught:
        validate_params(slug, {param.name: bad})
    issue = _issue(caught.value, param.name)
    assert issue["value"] == bad
    assert issue["accepted"] == param.accepted()


def test_out_of_range_message_names_field_value_and_range():
    with pytest.raises(ParamsError) as caught:
        validate_params("midjourney", {"stylize": 5000})
    assert caught.value.issues == [
        {
            "field": "stylize",
            "value": 5000,
            "message": "stylize: 5000 is out of range; accepted: a whole number from 0 to 1000",
            "accepted": "a whole number from 0 to 1000",
        }
    ]


def test_boolean_is_not_taken_for_a_number():
    with pytest.raises(ParamsError) as caught:
        validate_params("midjourney", {"chaos": True})
    assert _issue(caught.value, "chaos")["message"] == (
        "chaos: true is a boolean, not a whole number; accepted: a whole number from 0 to 100"
    )


def test_non_integral_number_is_not_a_whole_number():
    with pytest.raises(ParamsError) as caught:
        validate_params("automatic1111", {"steps": 20.5})
    assert _issue(caught.value, "steps")["message"].startswith("steps: 20.5 is not a whole number")


def test_nan_and_infinity_are_rejected():
    for bad in (float("nan"), float("inf"), "nan", "-inf"):
        with pytest.raises(ParamsError) as caught:
            validate_params("automatic1111", {"cfg_scale": bad})
        assert caught.value.fields == ["cfg_scale"]


def test_size_that_is_not_a_multiple_of_eight_is_rejected():
    with pytest.raises(ParamsError) as caught:
        validate_params("automatic1111", {"size": "513x512"})
    assert _issue(caught.value, "size")["message"] == (
        "size: '513x512' has a side that is not a multiple of 8; accepted: WIDTHxHEIGHT with "
        "each side from 64 to 2048 and a multiple of 8"
    )


def test_old_combined_a1111_sampler_name_is_rejected_with_advice():
    with pytest.raises(ParamsError) as caught:
        validate_params("automatic1111", {"sampler": "DPM++ 2M Karras"})
    message = _issue(caught.value, "sampler")["message"]
    assert message.startswith(
        "sampler: 'DPM++ 2M Karras' is not allowed (an old combined name: use sampler "
        "'DPM++ 2M' and schedule_type 'Karras'); accepted: one of: Euler a, Euler,"
    )


def test_midjourney_version_and_niji_together_are_rejected():
    with pytest.raises(ParamsError) as caught:
        validate_params("midjourney", {"version": "6", "niji": "6"})
    assert caught.value.issues == [
        {
            "field": "niji",
            "value": "6",
            "message": (
                "niji: '6' cannot be combined with version '6'; accepted: either version or niji"
            ),
            "accepted": "either version or niji, not both",
        }
    ]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ParamsError) as caught:
        validate_params("dalle", {"size": "1x1", "quality": "ultra", "colour": "red"})
    assert caught.value.fields == ["size", "quality", "colour"]
    assert caught.value.messages_by_field() == {
        "size": [
            "size: '1x1' is not an available size; accepted: one of: 1024x1024, "
            "1792x1024, 1024x1792"
        ],
        "quality": ["quality: 'ultra' is not allowed; accepted: one of: standard, hd"],
        "colour": ["'colour' is not a parameter of DALL·E 3; accepted: size, quality, style"],
    }


def test_unknown_tool_is_a_params_error_on_the_tool_field():
    with pytest.raises(ParamsError) as caught:
        validate_params("photoshop", {})
    assert caught.value.fields == ["tool"]
    assert caught.value.issues[0]["accepted"] == SPEC_SLUGS


def test_params_that_are_not_an_object_are_rejected():
    with pytest.raises(ParamsError) as caught:
        validate_params("dalle", ["size"])  # type: ignore[arg-type]
    assert caught.value.fields == ["params"]
    assert caught.value.issues[0]["message"].startswith(
        "params: expected an object of parameters, got list"
    )


def test_a_huge_bad_value_is_echoed_truncated():
    with pytest.raises(ParamsError) as caught:
        validate_params("dalle", {"quality": "x" * 10_000})
    issue = _issue(caught.value, "quality")
    assert issue["value"] == "x" * 200 + "…"
    assert len(issue["message"]) < 400


def test_lora_item_with_unknown_keys_is_rejected_naming_the_item():
    with pytest.raises(ParamsError) as caught:
        validate_params("comfyui", {"loras": [{"name": "a", "strength": 1}]})
    assert _issue(caught.value, "loras")["message"].startswith(
        'loras: [{"name": "a", "strength": 1}] has LoRA #1 {"name": "a", "strength": 1} '
        "with unknown keys ['strength']"
    )


def test_extra_settings_keys_cannot_break_the_a1111_line_format():
    with pytest.raises(ParamsError) as caught:
        validate_params("automatic1111", {"extra": {"Bad: key": "v"}})
    assert caught.value.fields == ["extra"]


# --------------------------------------------------------------------------------------------
# Form description


@pytest.mark.parametrize("slug", SPEC_SLUGS)
def test_form_fields_describe_every_parameter_in_schema_order(slug):
    fields = describe_form_fields(slug)
    assert [spec["name"] for spec in fields] == list(TOOLS[slug].param_names)
    for spec in fields:
        assert spec["label"]
        assert spec["widget"] in {
            "number",
            "seed",
            "text",
            "select",
            "multiselect",
            "checkbox",
            "size",
            "aspect_ratio",
            "text_list",
            "lora_list",
            "key_value",
        }
        assert spec["required"] is False
        if spec["widget"] in {"select", "multiselect"}:
            assert spec["choices"]
    json.dumps(fields)


def test_form_field_of_a_choice_lists_value_label_pairs():
    quality = describe_form_fields("dalle")[1]
    assert quality == {
        "name": "quality",
        "label": "Quality",
        "kind": "choice",
        "widget": "select",
        "help": "",
        "default": "standard",
        "required": False,
        "choices": [("standard", "standard"), ("hd", "hd")],
        "min": None,
        "max": None,
        "step": None,
        "max_length": None,
        "max_items": None,
        "accepted": "one of: standard, hd",
    }


def test_form_field_of_a_number_carries_its_bounds():
    stylize = next(spec for spec in describe_form_fields("midjourney") if spec["name"] == "stylize")
    assert (stylize["widget"], stylize["min"], stylize["max"], stylize["step"]) == (
        "number",
        0,
        1000,
        1,
    )
    assert stylize["default"] == 100


def test_form_field_labels_come_from_the_choice_labels():
    model = describe_form_fields("ideogram")[0]
    assert model["choices"][-1] == ("V_3", "3.0")


# --------------------------------------------------------------------------------------------
# Robustness

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    slug=st.sampled_from(SPEC_SLUGS),
    data=st.data(),
)
def test_any_json_input_either_validates_or_raises_params_error(slug, data):
    names = st.sampled_from(list(TOOLS[slug].param_names)) | st.text(max_size=12)
    params = data.draw(st.dictionaries(names, json_values, max_size=6))
    try:
        cleaned = validate_params(slug, params)
    except ParamsError as error:
        assert error.issues
        for issue in error.issues:
            assert set(issue) == {"field", "value", "message", "accepted"}
            json.dumps(issue, allow_nan=True)
    else:
        assert set(cleaned) <= set(params)
        assert validate_params(slug, cleaned) == cleaned
