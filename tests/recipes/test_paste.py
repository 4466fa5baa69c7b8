"""Paste to fill (marketplace.recipes.paste) and the A1111 reader under it
(renderworker.workflow.a1111), checked against the hand-written corpus in paste_corpus/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from marketplace.recipes.paste import (
    MAX_PASTE_LENGTH,
    PasteError,
    PasteResult,
    comfy_settings_for_recipe,
    detect_format,
    format_pasted,
    parse_pasted,
)
from marketplace.recipes.tools import validate_params
from renderworker.workflow.a1111 import (
    MAX_PARAMETERS_LENGTH,
    SAMPLER_TO_COMFY,
    SCHEDULE_TO_COMFY,
    A1111ParametersError,
    format_a1111_parameters,
    parse_a1111_parameters,
)
from renderworker.workflow.specs.names import SAMPLER_NAMES, SCHEDULER_NAMES

CORPUS = Path(__file__).parent / "paste_corpus"
CASES = sorted(path.stem for path in CORPUS.glob("*.txt"))


def _load(name: str) -> tuple[str, dict[str, Any]]:
    text = (CORPUS / f"{name}.txt").read_bytes().decode("utf-8")
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    return text, expected


def _as_json(result: PasteResult) -> dict[str, Any]:
    return json.loads(
        json.dumps(
            {
                "tool": result.tool,
                "format": result.format,
                "prompt": result.prompt,
                "negative_prompt": result.negative_prompt,
                "params": result.params,
                "unparsed": [
                    {"text": piece.text, "reason": piece.reason} for piece in result.unparsed
                ],
                "comfy_settings": result.comfy_settings,
            }
        )
    )


# --------------------------------------------------------------------------------------------
# The corpus


def test_corpus_has_at_least_forty_cases_each_with_its_expected_parse():
    assert len(CASES) >= 40
    for name in CASES:
        assert (CORPUS / f"{name}.expected.json").is_file(), name
    assert sum(name.startswith("a1111_") for name in CASES) >= 20
    assert sum(name.startswith("mj_") for name in CASES) >= 15


@pytest.mark.parametrize("name", CASES)
def test_corpus_string_parses_to_its_expected_fields(name):
    text, expected = _load(name)
    result = parse_pasted(text, tool=expected["tool_hint"])
    assert _as_json(result) == {key: value for key, value in expected.items() if key != "tool_hint"}


@pytest.mark.parametrize("name", CASES)
def test_corpus_result_round_trips_through_format_pasted(name):
    text, expected = _load(name)
    first = parse_pasted(text, tool=expected["tool_hint"])
    block = format_pasted(first)
    second = parse_pasted(block, tool=first.tool)
    assert (second.tool, second.prompt, second.negative_prompt, second.params) == (
        first.tool,
        first.prompt,
        first.negative_prompt,
        first.params,
    )
    assert format_pasted(second) == block


@pytest.mark.parametrize("name", CASES)
def test_corpus_params_pass_the_shared_validator_unchanged(name):
    text, expected = _load(name)
    result = parse_pasted(text, tool=expected["tool_hint"])
    if result.tool is not None:
        assert validate_params(result.tool, result.params) == result.params


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("a1111_")])
def test_corpus_a1111_unparsed_pieces_come_from_the_pasted_text(name):
    text, _ = _load(name)
    for piece in parse_pasted(text).unparsed:
        key, _, value = piece.text.partition(": ")
        assert key in text and value.replace('"', "") in text.replace('"', ""), piece


# --------------------------------------------------------------------------------------------
# Automatic1111 specifics

A1111_BLOCK = (
    "masterpiece, best quality, <lora:add_detail:0.6>, <lora:styleA:0.8:0.5>\n"
    "BREAK outdoors\n"
    "Negative prompt: lowres, bad anatomy\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, "
    'Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "add_detail: '
    '7c6bad76eb54, styleA: 0123456789ab", ADetailer prompt: "a face, smiling", Version: v1.6.0'
)


def test_a1111_block_is_split_into_prompt_negative_and_settings():
    parsed = parse_a1111_parameters(A1111_BLOCK)
    assert parsed.prompt == (
        "masterpiece, best quality, <lora:add_detail:0.6>, <lora:styleA:0.8:0.5>\nBREAK outdoors"
    )
    assert parsed.negative_prompt == "lowres, bad anatomy"
    assert list(parsed.settings) == [
        "Steps",
        "Sampler",
        "CFG scale",
        "Seed",
        "Size",
        "Model hash",
        "Model",
        "Lora hashes",
        "ADetailer prompt",
        "Version",
    ]
    assert parsed.settings["ADetailer prompt"] == "a face, smiling"
    assert parsed.unparsed == []


def test_a1111_old_combined_sampler_becomes_sampler_and_scheduler():
    parsed = parse_a1111_parameters(A1111_BLOCK)
    assert (parsed.sampler, parsed.schedule_type) == ("DPM++ 2M", "Karras")
    assert (parsed.comfy_sampler, parsed.comfy_scheduler) == ("dpmpp_2m", "karras")
    assert parsed.sampler_was_combined is True


def test_a1111_lora_tags_carry_weights_and_hashes():
    parsed = parse_a1111_parameters(A1111_BLOCK)
    assert [(lora.name, lora.unet_weight, lora.te_weight, lora.hash) for lora in parsed.loras] == [
        ("add_detail", 0.6, 0.6, "7c6bad76eb54"),
        ("styleA", 0.5, 0.8, "0123456789ab"),
    ]


def test_a1111_comfy_settings_are_the_structured_form_and_approximate():
    settings_json = parse_a1111_parameters(A1111_BLOCK).to_comfy_settings().as_json()
    assert settings_json == {
        "source": "automatic1111",
        "approximate": True,
        "seed": 1234567890,
        "steps": 28,
        "cfg": 7.0,
        "sampler_name": "dpmpp_2m",
        "scheduler": "karras",
        "denoise": 1.0,
        "width": 512,
        "height": 768,
        "batch_size": 1,
        "checkpoint": {"name": "v1-5-pruned-emaonly", "hash": "6ce0161689", "hash_kind": "autov2"},
        "vae_name": None,
        "stop_at_clip_layer": -1,
        "loras": [
            {
                "name": "add_detail",
                "strength_model": 0.6,
                "strength_clip": 0.6,
                "autov3": "7c6bad76eb54",
            },
            {
                "name": "styleA",
                "strength_model": 0.5,
                "strength_clip": 0.8,
                "autov3": "0123456789ab",
            },
        ],
        "hires": None,
        "not_mapped": ["ADetailer prompt"],
        "assumptions": ["stop_at_clip_layer: -1, as no clip skip was recorded"],
    }


def test_every_a1111_sampler_and_schedule_maps_to_a_real_comfyui_name():
    assert set(SAMPLER_TO_COMFY.values()) <= set(SAMPLER_NAMES)
    assert set(SCHEDULE_TO_COMFY.values()) <= set(SCHEDULER_NAMES)


@pytest.mark.parametrize(
    ("written", "sampler", "scheduler"),
    [
        ("Euler a", "euler_ancestral", None),
        ("Euler", "euler", None),
        ("Heun", "heun", None),
        ("DPM2", "dpm_2", None),
        ("DPM++ 2M", "dpmpp_2m", None),
        ("DPM++ SDE", "dpmpp_sde", None),
        ("DPM++ 2M SDE", "dpmpp_2m_sde", None),
        ("DDIM", "ddim", None),
        ("UniPC", "uni_pc", None),
        ("LCM", "lcm", None),
        ("DPM++ 2M Karras", "dpmpp_2m", "karras"),
        ("DPM++ SDE Karras", "dpmpp_sde", "karras"),
        ("DPM++ 2M SDE Exponential", "dpmpp_2m_sde", "exponential"),
        ("DPM++ 3M SDE Karras", "dpmpp_3m_sde", "karras"),
        ("DPM2 a Karras", "dpm_2_ancestral", "karras"),
        ("dpm++ 2m karras", "dpmpp_2m", "karras"),
    ],
)
def test_a1111_sampler_labels_map_to_comfyui(written, sampler, scheduler):
    parsed = parse_a1111_parameters(f"x\nSteps: 20, Sampler: {written}, Seed: 1")
    assert (parsed.comfy_sampler, parsed.comfy_scheduler) == (sampler, scheduler)


@pytest.mark.parametrize(
    ("schedule", "scheduler"),
    [
        ("Karras", "karras"),
        ("Exponential", "exponential"),
        ("SGM Uniform", "sgm_uniform"),
        ("Simple", "simple"),
        ("Normal", "normal"),
        ("Uniform", "normal"),
        ("Beta", "beta"),
    ],
)
def test_a1111_schedule_types_map_to_comfyui(schedule, scheduler):
    parsed = parse_a1111_parameters(f"x\nSteps: 20, Sampler: Euler, Schedule type: {schedule}")
    assert parsed.comfy_scheduler == scheduler


def test_a1111_text_without_settings_line_is_all_prompt():
    parsed = parse_a1111_parameters("a cat, sitting\non a mat: fluffy")
    assert (parsed.prompt, parsed.settings, parsed.unparsed) == (
        "a cat, sitting\non a mat: fluffy",
        {},
        [],
    )


def test_a1111_malformed_pieces_are_listed_not_dropped():
    parsed = parse_a1111_parameters(
        "x\nSteps: 20, Sampler: Euler, Seed: 3, just words, Size: 5x, <lora:bad:abc>"
    )
    assert [(piece.text, piece.reason) for piece in parsed.unparsed_details] == [
        ("just words", "not a 'Key: value' pair"),
        ("<lora:bad:abc>", "'<lora' is not a setting name"),
        ("Size: 5x", "Size: '5x' is not WIDTHxHEIGHT such as 512x768"),
    ]


def test_a1111_bad_lora_tag_in_prompt_is_listed():
    parsed = parse_a1111_parameters("a <lora:detail:lots> cat\nSteps: 20, Sampler: Euler, Seed: 1")
    assert parsed.loras == []
    assert parsed.unparsed == ["<lora:detail:lots>"]


def test_a1111_writer_quotes_values_holding_commas_or_colons():
    block = format_a1111_parameters(
        prompt="p",
        negative_prompt="n",
        settings={"Steps": "20", "Lora hashes": "a: 0123456789ab", "Note": 'say "hi", ok'},
    )
    assert block == (
        'p\nNegative prompt: n\nSteps: 20, Lora hashes: "a: 0123456789ab", Note: "say \\"hi\\", ok"'
    )
    assert parse_a1111_parameters(block).settings == {
        "Steps": "20",
        "Lora hashes": "a: 0123456789ab",
        "Note": 'say "hi", ok',
    }


def test_a1111_reader_refuses_non_text_and_oversized_input_with_its_error():
    with pytest.raises(A1111ParametersError):
        parse_a1111_parameters(b"Steps: 20")  # type: ignore[arg-type]
    with pytest.raises(A1111ParametersError) as caught:
        parse_a1111_parameters("x" * (MAX_PARAMETERS_LENGTH + 1))
    assert str(caught.value) == (
        f"parameters: {MAX_PARAMETERS_LENGTH + 1} characters is too long; accepted: at most "
        f"{MAX_PARAMETERS_LENGTH} characters"
    )


def test_paste_keeps_recorded_hires_settings_and_unknown_keys_as_extra():
    result = parse_pasted(
        "a knight\nSteps: 24, Sampler: Euler a, Seed: 9, Size: 512x768, Denoising strength: 0.5, "
        "Hires upscale: 2, Hires upscaler: Latent, NGMS: 0.2"
    )
    assert result.params == {
        "steps": 24,
        "sampler": "Euler a",
        "seed": 9,
        "size": "512x768",
        "denoising_strength": 0.5,
        "hires_upscale": 2.0,
        "hires_upscaler": "Latent",
        "extra": {"NGMS": "0.2"},
    }
    assert result.comfy_settings["hires"] == {
        "upscale_by": 2.0,
        "width": 1024,
        "height": 1536,
        "upscaler": "Latent",
        "steps": None,
        "denoise": 0.5,
    }


# --------------------------------------------------------------------------------------------
# Midjourney specifics


def test_midjourney_flags_fill_the_structured_fields():
    result = parse_pasted(
        "/imagine prompt: a red fox --ar 3:2 --stylize 250 --v 6.1 --style raw --no x, y "
        "--chaos 20 --weird 100 --seed 1 --tile --q 2 --iw 1.5"
    )
    assert (result.tool, result.prompt, result.unparsed) == ("midjourney", "a red fox", [])
    assert result.params == {
        "aspect_ratio": "3:2",
        "stylize": 250,
        "version": "6.1",
        "style": "raw",
        "no": ["x", "y"],
        "chaos": 20,
        "weird": 100,
        "seed": 1,
        "tile": True,
        "quality": 2,
        "image_weight": 1.5,
    }


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("--s 250", "--stylize 250"),
        ("--c 5", "--chaos 5"),
        ("--w 9", "--weird 9"),
        ("--v 7", "--version 7"),
        ("--q 1", "--quality 1"),
        ("--ar 2:3", "--aspect 2:3"),
        ("--r 2", "--repeat 2"),
    ],
)
def test_midjourney_short_and_long_flag_spellings_mean_the_same(short, long):
    assert parse_pasted(f"cat {short}").params == parse_pasted(f"cat {long}").params


def test_midjourney_unknown_flag_and_bad_value_are_pointed_out_with_why():
    result = parse_pasted("cat --ar 16:9 --zoom 2 --s 5000")
    assert result.params == {"aspect_ratio": "16:9"}
    assert [(piece.text, piece.reason.split(";")[0]) for piece in result.unparsed] == [
        ("--zoom 2", "--zoom is not a Midjourney parameter Kiln knows"),
        ("--s 5000", "stylize: '5000' is out of range"),
    ]


def test_midjourney_repeated_flag_keeps_the_first_and_reports_the_second():
    result = parse_pasted("cat --s 100 --stylize 200")
    assert result.params == {"stylize": 100}
    assert [(piece.text, piece.reason) for piece in result.unparsed] == [
        ("--stylize 200", "--stylize repeats stylize; the first value is kept")
    ]


def test_midjourney_prompt_is_kept_verbatim_including_multi_prompts():
    result = parse_pasted("hot dog::1.5 food::-0.5 {red, blue} car --v 6")
    assert result.prompt == "hot dog::1.5 food::-0.5 {red, blue} car"


def test_midjourney_double_dash_inside_a_word_is_not_a_flag():
    result = parse_pasted("https://example.com/a--b.png a well--known cat --v 6")
    assert result.params == {"image_prompts": ["https://example.com/a--b.png"], "version": "6"}
    assert result.prompt == "a well--known cat"


def test_midjourney_format_writes_canonical_short_flags():
    result = parse_pasted("cat --stylize 250 --version 6.1 --aspect 3:2 --no dogs, birds --turbo")
    assert format_pasted(result) == "cat --ar 3:2 --v 6.1 --s 250 --no dogs, birds --turbo"


# --------------------------------------------------------------------------------------------
# Detection, tools and errors


@pytest.mark.parametrize(
    ("text", "detected"),
    [
        ("a cat\nSteps: 20, Sampler: Euler a, Seed: 1", "automatic1111"),
        ("a cat\nNegative prompt: dog", "automatic1111"),
        ("/imagine prompt: a cat", "midjourney"),
        ("a cat --ar 2:3", "midjourney"),
        ("a cat --unknownflag 3", "plain"),
        ("a cat, style: noir", "plain"),
        ("", "plain"),
    ],
)
def test_format_is_detected_from_the_text(text, detected):
    assert detect_format(text) == detected


def test_plain_prompt_for_a_tool_without_paste_format_is_just_the_prompt():
    result = parse_pasted("  a watercolor fox  ", tool="firefly")
    assert (result.tool, result.format, result.prompt, result.params, result.unparsed) == (
        "firefly",
        "plain",
        "a watercolor fox",
        {},
        [],
    )
    assert result.comfy_settings is None


def test_paste_refuses_unknown_tool_non_text_and_oversized_text():
    with pytest.raises(PasteError) as caught:
        parse_pasted("x", tool="photoshop")
    assert str(caught.value).startswith("tool: 'photoshop' is not a known tool; accepted: comfyui")
    with pytest.raises(PasteError):
        parse_pasted(None)  # type: ignore[arg-type]
    with pytest.raises(PasteError) as caught:
        parse_pasted("x" * (MAX_PASTE_LENGTH + 1))
    assert "accepted: at most 50000" in str(caught.value)


def test_comfy_settings_exist_only_for_reproducible_tools():
    assert (
        comfy_settings_for_recipe(
            tool="midjourney", prompt="p", negative_prompt="", params={"stylize": 100}
        )
        is None
    )


def test_comfyui_recipe_settings_keep_comfyui_names_and_are_not_approximate():
    params = validate_params(
        "comfyui",
        {
            "seed": 5,
            "steps": 30,
            "cfg": 4.0,
            "sampler_name": "res_multistep",
            "scheduler": "linear_quadratic",
            "width": 1024,
            "height": 1024,
            "stop_at_clip_layer": -2,
            "loras": [{"name": "detail", "weight": 0.5, "te_weight": 1.0}],
        },
    )
    settings_json = comfy_settings_for_recipe(
        tool="comfyui", prompt="p", negative_prompt="n", params=params
    )
    assert settings_json is not None
    assert (settings_json["source"], settings_json["approximate"]) == ("comfyui", False)
    assert (settings_json["sampler_name"], settings_json["scheduler"]) == (
        "res_multistep",
        "linear_quadratic",
    )
    assert (settings_json["seed"], settings_json["steps"], settings_json["cfg"]) == (5, 30, 4.0)
    assert settings_json["stop_at_clip_layer"] == -2
    assert settings_json["loras"] == [
        {"name": "detail", "strength_model": 0.5, "strength_clip": 1.0, "autov3": None}
    ]
    assert settings_json["assumptions"] == []


def test_a1111_recipe_with_few_settings_still_round_trips():
    result = PasteResult(
        tool="automatic1111", format="automatic1111", prompt="a cat", params={"seed": 7}
    )
    assert format_pasted(result) == "a cat\nSeed: 7"
    assert parse_pasted(format_pasted(result)).params == {"seed": 7}


# --------------------------------------------------------------------------------------------
# Robustness

FRAGMENTS = [
    "\n",
    ", ",
    ": ",
    '"',
    "Negative prompt: ",
    "Steps: 20",
    "Sampler: DPM++ 2M Karras",
    "Size: 512x768",
    "Seed: 18446744073709551616",
    "CFG scale: nan",
    "<lora:a:0.5>",
    "<lora::>",
    "<lora:x:1:2:3:4>",
    "<hypernet:h:1>",
    'Lora hashes: "a: zz"',
    "Hashes: {",
    "Hires upscale: 2",
    "Hires resize: 0x0",
    "--ar 3:2",
    "--v",
    "--niji",
    "—s 9",
    "--no ,",
    "--sref",
    "**",
    "** - @x",
    "/imagine prompt:",
    "https://x.y/z",
    "<https://a.b>",
    "::",
    "Version: v1.9.0",
    "Clip skip: 2",
    "Schedule type: Align Your Steps",
    "\r\n",
    "\x00",
    'Civitai resources: [{"a": [1, 2]}]',
    "[",
    "{",
    "\\",
    "--p",
    "--q .25",
    "Model hash: 0",
]
paste_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    text=paste_text,
    tool=st.none() | st.sampled_from(["automatic1111", "midjourney", "comfyui", "dalle"]),
)
def test_any_text_parses_without_raising_and_its_params_are_valid(text, tool):
    result = parse_pasted(text, tool=tool)
    if result.tool is not None:
        assert validate_params(result.tool, result.params) == result.params
    format_pasted(result)
    if result.tool in ("automatic1111", "comfyui"):
        assert result.comfy_settings is not None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_unicode_never_raises_anything_but_the_modules_error(text):
    try:
        parse_pasted(text)
        parse_a1111_parameters(text)
    except (PasteError, A1111ParametersError):  # pragma: no cover - only on oversize input
        raise AssertionError("short text must parse") from None


@settings(max_examples=1000, deadline=None)
@given(text=paste_text)
def test_formatted_result_reads_back_to_the_same_fields(text):
    first = parse_pasted(text)
    # Known limit of the A1111 format: a settings line of nothing but extension keys (every
    # standard value having been rejected) cannot be told from a prompt line.
    # The same holds for any tool whose only parsed values are such key/value extensions.
    extension_only = bool(first.params) and all(
        isinstance(value, dict) for key, value in first.params.items() if key != "loras"
    )
    assume(not extension_only)
    second = parse_pasted(format_pasted(first), tool=first.tool)
    assert (second.prompt, second.negative_prompt, second.params) == (
        first.prompt,
        first.negative_prompt,
        first.params,
    )


@pytest.mark.parametrize(
    ("sampler", "version", "scheduler", "assumption"),
    [
        (
            "DPM++ 2M",
            "v1.9.0",
            "karras",
            "scheduler: karras, the default of DPM++ 2M since A1111 v1.9",
        ),
        (
            "DPM++ 2M SDE",
            "v1.10.1",
            "exponential",
            "scheduler: exponential, the default of DPM++ 2M SDE since A1111 v1.9",
        ),
        (
            "DPM++ 2M",
            "v1.8.0",
            "normal",
            "scheduler: normal, as no schedule type (or Automatic) was recorded",
        ),
        (
            "Euler a",
            "f2.0.1v1.10.1-previous-313-g3c41d3bd",
            "normal",
            "scheduler: normal, as no schedule type (or Automatic) was recorded",
        ),
    ],
)
def test_a1111_unrecorded_schedule_is_inferred_and_said_so(sampler, version, scheduler, assumption):
    parsed = parse_a1111_parameters(
        f"x\nSteps: 20, Sampler: {sampler}, Seed: 1, Version: {version}"
    )
    comfy = parsed.to_comfy_settings()
    assert comfy.scheduler == scheduler
    assert comfy.assumptions[0] == assumption


setting_keys = st.from_regex(r"[A-Za-z][A-Za-z0-9 _/-]{0,20}[A-Za-z0-9]", fullmatch=True)
setting_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(extra=st.dictionaries(setting_keys, setting_values, max_size=6), steps=setting_values)
def test_a1111_writer_and_reader_agree_on_any_settings(extra, steps):
    # Real writers always emit Steps, Sampler and Seed; that is what marks the settings line.
    standard = {"Steps": steps, "Sampler": "Euler", "Seed": "1"}
    written = {**standard, **{key: value for key, value in extra.items() if key not in standard}}
    block = format_a1111_parameters(prompt="a cat", negative_prompt="a dog", settings=written)
    parsed = parse_a1111_parameters(block)
    assert parsed.settings == written
    assert (parsed.prompt, parsed.negative_prompt) == ("a cat", "a dog")


def test_a1111_sampler_in_other_case_is_not_taken_for_an_old_combined_name():
    parsed = parse_a1111_parameters("x\nSteps: 20, Sampler: euler a, Seed: 1")
    assert (parsed.sampler, parsed.sampler_was_combined) == ("Euler a", False)
    result = parse_pasted("x\nSteps: 20, Sampler: euler a, Seed: 1", tool="comfyui")
    assert result.params == {"seed": 1, "steps": 20, "sampler_name": "euler_ancestral"}
