"""compile_ui: each frontend behaviour of COMFY_FIDELITY §1 on minimal workflows."""

from __future__ import annotations

from typing import Any

import pytest
from ui_samples import KSAMPLER_WIDGETS, checkpoint, ksampler, node, slot, workflow

from renderworker.workflow import MAX_NODES, WorkflowError, compile_ui, compile_ui_report
from renderworker.workflow.compile_ui import types_compatible

SUBGRAPH_ID = "11111111-2222-4333-8444-555555555555"


def test_ksampler_widgets_skip_the_hidden_control_value() -> None:
    api = compile_ui(workflow([checkpoint(1), ksampler(2, model=1)], [[1, 1, 0, 2, 0, "MODEL"]]))
    assert api["2"] == {
        "class_type": "KSampler",
        "inputs": {
            "seed": 5,
            "steps": 20,
            "cfg": 7.5,
            "sampler_name": "euler",
            "scheduler": "karras",
            "denoise": 1.0,
            "model": ["1", 0],
        },
    }


def test_link_wins_over_a_converted_widget_value() -> None:
    ui = workflow(
        [
            node(1, "PrimitiveNode", widgets=[77, "fixed"], outputs=["INT"]),
            ksampler(2, extra=[slot("seed", "INT", 1, widget=True)]),
        ],
        [[1, 1, 0, 2, 4, "INT"]],
    )
    assert compile_ui(ui)["2"]["inputs"]["seed"] == 77


def test_converted_widget_without_link_keeps_its_value() -> None:
    ui = workflow([ksampler(2, extra=[slot("cfg", "FLOAT", None, widget=True)])], [])
    assert compile_ui(ui)["2"]["inputs"]["cfg"] == 7.5


def test_primitive_value_does_not_flow_through_a_reroute() -> None:
    # Current frontends copy a PrimitiveNode's value only into directly linked widgets.
    ui = workflow(
        [
            node(1, "PrimitiveNode", widgets=[33, "increment"], outputs=["INT"]),
            node(3, "Reroute", inputs=[slot("", "*", 1)], outputs=["INT"]),
            ksampler(2, extra=[slot("steps", "INT", 2, widget=True)]),
        ],
        [[1, 1, 0, 3, 0, "INT"], [2, 3, 0, 2, 4, "INT"]],
    )
    api = compile_ui(ui)
    assert sorted(api) == ["2"]
    assert api["2"]["inputs"]["steps"] == 20


def test_reroute_chain_resolves_to_the_real_source() -> None:
    ui = workflow(
        [
            checkpoint(1),
            node(3, "Reroute", inputs=[slot("", "*", 1)], outputs=["MODEL"]),
            node(4, "Reroute", inputs=[slot("", "*", 2)], outputs=["MODEL"]),
            ksampler(2, model=3),
        ],
        [[1, 1, 0, 3, 0, "MODEL"], [2, 3, 0, 4, 0, "MODEL"], [3, 4, 0, 2, 0, "MODEL"]],
    )
    assert compile_ui(ui)["2"]["inputs"]["model"] == ["1", 0]


def test_notes_never_reach_the_api() -> None:
    ui = workflow(
        [node(1, "Note", widgets=["hi"]), node(2, "MarkdownNote", widgets=["# hi"]), checkpoint(3)],
        [],
    )
    assert sorted(compile_ui(ui)) == ["3"]


def test_muted_node_is_dropped_with_the_inputs_it_fed() -> None:
    ui = workflow([checkpoint(1, mode=2), ksampler(2, model=1)], [[1, 1, 0, 2, 0, "MODEL"]])
    api = compile_ui(ui)
    assert sorted(api) == ["2"]
    assert "model" not in api["2"]["inputs"]


def test_bypassed_node_passes_the_same_typed_input_through() -> None:
    lora = node(
        3,
        "LoraLoader",
        widgets=["l.safetensors", 1.0, 1.0],
        mode=4,
        inputs=[slot("model", "MODEL", 1), slot("clip", "CLIP", 2)],
        outputs=["MODEL", "CLIP"],
    )
    encode = node(
        4,
        "CLIPTextEncode",
        widgets=["x"],
        inputs=[slot("clip", "CLIP", 4)],
        outputs=["CONDITIONING"],
    )
    ui = workflow(
        [checkpoint(1), lora, encode, ksampler(2, model=3)],
        [
            [1, 1, 0, 3, 0, "MODEL"],
            [2, 1, 1, 3, 1, "CLIP"],
            [3, 3, 0, 2, 0, "MODEL"],
            [4, 3, 1, 4, 0, "CLIP"],
        ],
    )
    api = compile_ui(ui)
    assert "3" not in api
    assert api["2"]["inputs"]["model"] == ["1", 0]
    assert api["4"]["inputs"]["clip"] == ["1", 1]


def test_bypass_tries_the_same_index_first_then_scans_by_type() -> None:
    # ImageUpscaleWithModel: inputs (UPSCALE_MODEL, IMAGE), output 0 IMAGE. Slot 0 is not an
    # IMAGE, so the scan continues and finds input 1.
    upscale = node(
        3,
        "ImageUpscaleWithModel",
        mode=4,
        inputs=[slot("upscale_model", "UPSCALE_MODEL", 1), slot("image", "IMAGE", 2)],
        outputs=["IMAGE"],
    )
    ui = workflow(
        [
            node(1, "UpscaleModelLoader", widgets=["4x.pth"], outputs=["UPSCALE_MODEL"]),
            node(5, "LoadImage", widgets=["a.png", "image"], outputs=["IMAGE", "MASK"]),
            upscale,
            node(4, "SaveImage", widgets=["out"], inputs=[slot("images", "IMAGE", 3)]),
        ],
        [[1, 1, 0, 3, 0, "UPSCALE_MODEL"], [2, 5, 0, 3, 1, "IMAGE"], [3, 3, 0, 4, 0, "IMAGE"]],
    )
    assert compile_ui(ui)["4"]["inputs"]["images"] == ["5", 0]


def test_bypassed_node_without_a_matching_input_drops_the_link() -> None:
    encode = node(
        3,
        "CLIPTextEncode",
        widgets=["x"],
        mode=4,
        inputs=[slot("clip", "CLIP", 1)],
        outputs=["CONDITIONING"],
    )
    sampler = ksampler(2)
    sampler["inputs"][1]["link"] = 2
    ui = workflow(
        [checkpoint(1), encode, sampler], [[1, 1, 1, 3, 0, "CLIP"], [2, 3, 0, 2, 1, "CONDITIONING"]]
    )
    assert "positive" not in compile_ui(ui)["2"]["inputs"]


def test_missing_trailing_widget_values_take_defaults() -> None:
    api = compile_ui(workflow([ksampler(2, widgets=[9, "fixed", 30])], []))
    assert api["2"]["inputs"] == {
        "seed": 9,
        "steps": 30,
        "cfg": 8.0,
        "sampler_name": "euler",
        "scheduler": "normal",
        "denoise": 1.0,
    }


def test_dict_widgets_values_are_mapped_by_name() -> None:
    latent = node(
        1,
        "EmptyLatentImage",
        widgets={"height": 640, "width": 448, "batch_size": 2},
        outputs=["LATENT"],
    )
    assert compile_ui(workflow([latent], []))["1"]["inputs"] == {
        "width": 448,
        "height": 640,
        "batch_size": 2,
    }


def test_load_image_upload_slot_is_not_an_input() -> None:
    load = node(1, "LoadImage", widgets=["cat.png", "image"], outputs=["IMAGE", "MASK"])
    assert compile_ui(workflow([load], []))["1"]["inputs"] == {"image": "cat.png"}


def test_prompt_comments_are_stripped_and_single_choices_resolved() -> None:
    encode = node(
        1,
        "CLIPTextEncode",
        widgets=["a {red} fox // draft\nin snow /* x */"],
        outputs=["CONDITIONING"],
    )
    report = compile_ui_report(workflow([encode], []))
    assert report.api["1"]["inputs"]["text"] == "a red fox \nin snow "
    assert report.problems == []


def test_random_choices_are_reported_not_guessed() -> None:
    encode = node(1, "CLIPTextEncode", widgets=["a {red|blue} fox"], outputs=["CONDITIONING"])
    report = compile_ui_report(workflow([encode], []))
    assert report.api["1"]["inputs"]["text"] == "a {red|blue} fox"
    assert [(p.code, p.node_id, p.field) for p in report.problems] == [
        ("dynamic_prompt_unresolved", "1", "text")
    ]


def test_non_prompt_strings_are_left_alone() -> None:
    save = node(1, "SaveImage", widgets=["a//b/{x|y}"])
    assert compile_ui(workflow([save], []))["1"]["inputs"]["filename_prefix"] == "a//b/{x|y}"


def test_custom_node_with_listed_widgets_compiles_by_name() -> None:
    custom = node(
        1,
        "Seed (rgthree)",
        widgets=[123, "randomize"],
        inputs=[slot("seed", "INT", None, widget=True)],
        outputs=["INT"],
    )
    report = compile_ui_report(workflow([custom], []))
    assert report.api["1"] == {"class_type": "Seed (rgthree)", "inputs": {"seed": 123}}
    assert report.problems == []


def test_custom_node_with_unmappable_widgets_keeps_links_and_is_reported() -> None:
    custom = node(2, "Image Saver", widgets=["a", "b", 3], inputs=[slot("images", "IMAGE", 1)])
    ui = workflow(
        [node(1, "LoadImage", widgets=["x.png", "image"], outputs=["IMAGE", "MASK"]), custom],
        [[1, 1, 0, 2, 0, "IMAGE"]],
    )
    report = compile_ui_report(ui)
    assert (report.api["2"]["class_type"], report.api["2"]["inputs"]) == (
        "Image Saver",
        {"images": ["1", 0]},
    )
    assert [p.code for p in report.problems] == ["custom_node_values_unmapped"]
    assert compile_ui(ui) == report.api  # custom nodes never make compile_ui raise


def test_titles_go_to_meta() -> None:
    titled = checkpoint(1)
    titled["title"] = "Base model"
    assert compile_ui(workflow([titled], []))["1"]["_meta"] == {"title": "Base model"}


def test_v1_object_links_are_read() -> None:
    ui = {
        "version": 1,
        "nodes": [checkpoint(1), ksampler(2, model=7)],
        "links": [
            {
                "id": 7,
                "origin_id": 1,
                "origin_slot": 0,
                "target_id": 2,
                "target_slot": 0,
                "type": "MODEL",
            }
        ],
    }
    assert compile_ui(ui)["2"]["inputs"]["model"] == ["1", 0]


@pytest.mark.parametrize(
    ("ui", "code"),
    [
        ({"nodes": [{"id": 1}], "links": []}, "bad_node_shape"),
        ({"nodes": ["x"], "links": []}, "bad_node_shape"),
        ({"nodes": [checkpoint(1), checkpoint(1)], "links": []}, "duplicate_node_id"),
        ({"nodes": [ksampler(2, model=9)], "links": []}, "dangling_link"),
        ({"nodes": [], "links": [["a", 1, 0, 2, 0, "MODEL"]]}, "bad_link_shape"),
        ({"nodes": [], "links": {"1": 2}}, "bad_link_shape"),
    ],
    ids=["no-type", "not-object", "duplicate", "dangling", "bad-link", "links-not-list"],
)
def test_structural_damage_raises_with_a_specific_code(ui: dict[str, Any], code: str) -> None:
    with pytest.raises(WorkflowError) as caught:
        compile_ui(ui)
    assert code in caught.value.codes


@pytest.mark.parametrize("ui", [[], "x", {"links": []}, {"nodes": {}}])
def test_non_workflows_raise_not_a_workflow(ui: Any) -> None:
    with pytest.raises(WorkflowError) as caught:
        compile_ui(ui)
    assert caught.value.codes == ["not_a_workflow"]


def test_node_limit_is_enforced() -> None:
    ui = workflow([checkpoint(index) for index in range(1, MAX_NODES + 2)], [])
    with pytest.raises(WorkflowError) as caught:
        compile_ui(ui)
    assert caught.value.codes == ["too_many_nodes"]
    assert f"{MAX_NODES:,}" in str(caught.value)


def subgraph_workflow(
    *, instance_mode: int = 0, instance_widgets: Any = None, seed_link: bool = False
) -> dict[str, Any]:
    """Outer: checkpoint 1 -> subgraph instance 10 (a KSampler inside) -> VAEDecode 3."""
    inner_sampler = ksampler(
        1, model=100, extra=[slot("seed", "INT", 101 if seed_link else None, widget=True)]
    )
    inner_links = [
        {
            "id": 100,
            "origin_id": -10,
            "origin_slot": 0,
            "target_id": 1,
            "target_slot": 0,
            "type": "MODEL",
        },
        {
            "id": 102,
            "origin_id": 1,
            "origin_slot": 0,
            "target_id": -20,
            "target_slot": 0,
            "type": "LATENT",
        },
    ]
    inputs = [{"id": "a", "name": "model", "type": "MODEL", "linkIds": [100]}]
    if seed_link:
        inner_links.append(
            {
                "id": 101,
                "origin_id": -10,
                "origin_slot": 1,
                "target_id": 1,
                "target_slot": 4,
                "type": "INT",
            }
        )
        inputs.append({"id": "b", "name": "seed", "type": "INT", "linkIds": [101]})
    definition = {
        "id": SUBGRAPH_ID,
        "name": "sampler",
        "inputs": inputs,
        "outputs": [{"id": "c", "name": "LATENT", "type": "LATENT", "linkIds": [102]}],
        "nodes": [inner_sampler],
        "links": inner_links,
    }
    instance_inputs = [slot("model", "MODEL", 1)]
    if seed_link:
        instance_inputs.append(slot("seed", "INT", None, widget=True))
    instance = node(
        10,
        SUBGRAPH_ID,
        widgets=instance_widgets,
        inputs=instance_inputs,
        outputs=["LATENT"],
        mode=instance_mode,
    )
    decode = node(
        3,
        "VAEDecode",
        inputs=[slot("samples", "LATENT", 2), slot("vae", "VAE", 3)],
        outputs=["IMAGE"],
    )
    return workflow(
        [checkpoint(1), instance, decode],
        [[1, 1, 0, 10, 0, "MODEL"], [2, 10, 0, 3, 0, "LATENT"], [3, 1, 2, 3, 1, "VAE"]],
        definitions={"subgraphs": [definition]},
    )


def test_subgraph_is_expanded_with_outer_colon_inner_ids() -> None:
    api = compile_ui(subgraph_workflow())
    assert sorted(api) == ["1", "10:1", "3"]
    assert api["10:1"]["inputs"]["model"] == ["1", 0]
    assert api["3"]["inputs"]["samples"] == ["10:1", 0]


def test_subgraph_promoted_widget_value_reaches_the_inner_widget() -> None:
    api = compile_ui(subgraph_workflow(seed_link=True, instance_widgets=[4242]))
    assert api["10:1"]["inputs"]["seed"] == 4242


def test_muted_subgraph_drops_its_nodes_and_their_consumers_inputs() -> None:
    api = compile_ui(subgraph_workflow(instance_mode=2))
    assert sorted(api) == ["1", "3"]
    assert "samples" not in api["3"]["inputs"]


def test_recursive_subgraph_is_refused() -> None:
    ui = subgraph_workflow()
    ui["definitions"]["subgraphs"][0]["nodes"].append(node(5, SUBGRAPH_ID))
    with pytest.raises(WorkflowError) as caught:
        compile_ui(ui)
    assert caught.value.codes == ["recursive_subgraph"]


def test_group_node_widgets_are_split_over_inner_nodes() -> None:
    group = {
        "nodes": [
            {
                "index": 0,
                "type": "EmptyLatentImage",
                "widgets_values": [1, 1, 1],
                "inputs": [],
                "outputs": [{"type": "LATENT"}],
            },
            {
                "index": 1,
                "type": "KSampler",
                "widgets_values": KSAMPLER_WIDGETS,
                "inputs": [
                    slot("model", "MODEL", None),
                    slot("positive", "CONDITIONING", None),
                    slot("negative", "CONDITIONING", None),
                    slot("latent_image", "LATENT", None),
                ],
                "outputs": [{"type": "LATENT"}],
            },
        ],
        "links": [[0, 0, 1, 3, 0, "LATENT"]],
        "external": [],
    }
    instance = node(
        9,
        "workflow>latent and sample",
        widgets=[640, 480, 2, 11, "fixed", 12, 3.0, "heun", "simple", 0.7],
        inputs=[
            slot("model", "MODEL", 1),
            slot("positive", "CONDITIONING", None),
            slot("negative", "CONDITIONING", None),
        ],
        outputs=["LATENT", "LATENT"],
    )
    ui = workflow(
        [checkpoint(1), instance],
        [[1, 1, 0, 9, 0, "MODEL"]],
        extra={"groupNodes": {"latent and sample": group}},
    )
    api = compile_ui(ui)
    assert api["9:0"]["inputs"] == {"width": 640, "height": 480, "batch_size": 2}
    assert api["9:1"]["inputs"] == {
        "seed": 11,
        "steps": 12,
        "cfg": 3.0,
        "sampler_name": "heun",
        "scheduler": "simple",
        "denoise": 0.7,
        "model": ["1", 0],
        "latent_image": ["9:0", 0],
    }


def test_null_holes_in_the_link_table_are_ignored() -> None:
    ui = workflow([checkpoint(1), ksampler(2, model=1)], [None, [1, 1, 0, 2, 0, "MODEL"], None])
    assert compile_ui(ui)["2"]["inputs"]["model"] == ["1", 0]


def bypassed_lora(node_id: int) -> dict[str, Any]:
    return node(
        node_id,
        "LoraLoader",
        widgets=["l.safetensors", 1.0, 1.0],
        mode=4,
        inputs=[slot("model", "MODEL", 1), slot("clip", "CLIP", 2)],
        outputs=["MODEL", "CLIP"],
    )


def test_wildcard_consumer_of_a_bypassed_node_takes_the_same_index() -> None:
    custom = node(4, "Show Anything", inputs=[slot("anything", "*", 3)])
    ui = workflow(
        [checkpoint(1), bypassed_lora(2), custom],
        [[1, 1, 0, 2, 0, "MODEL"], [2, 1, 1, 2, 1, "CLIP"], [3, 2, 1, 4, 0, "*"]],
    )
    assert compile_ui(ui)["4"]["inputs"]["anything"] == ["1", 1]


def test_widget_fed_by_a_bypassed_node_without_a_match_keeps_its_value() -> None:
    sampler = ksampler(5, extra=[slot("seed", "INT", 3, widget=True)])
    ui = workflow(
        [checkpoint(1), bypassed_lora(2), sampler],
        [[1, 1, 0, 2, 0, "MODEL"], [2, 1, 1, 2, 1, "CLIP"], [3, 2, 0, 5, 4, "INT"]],
    )
    assert compile_ui(ui)["5"]["inputs"]["seed"] == 5


def test_list_widget_values_are_wrapped_as_literals() -> None:
    custom = node(1, "Curve Editor", widgets={"points": [[0, 0], [1, 1]], "name": "c"})
    assert compile_ui(workflow([custom], []))["1"]["inputs"] == {
        "points": {"__value__": [[0, 0], [1, 1]]},
        "name": "c",
    }


@pytest.mark.parametrize(
    ("first", "second", "compatible"),
    [
        ("MODEL", "MODEL", True),
        ("*", "CLIP", True),
        ("", "CLIP", True),
        ("IMAGE,MASK", "MASK", True),
        ("IMAGE", "LATENT", False),
    ],
)
def test_litegraph_type_compatibility(first: str, second: str, compatible: bool) -> None:
    assert types_compatible(first, second) is compatible


def test_bypassed_group_node_passes_inputs_through() -> None:
    group = {
        "nodes": [
            {
                "index": 0,
                "type": "LoraLoader",
                "widgets_values": ["x.safetensors", 1.0, 1.0],
                "inputs": [slot("model", "MODEL", None), slot("clip", "CLIP", None)],
                "outputs": [{"type": "MODEL"}, {"type": "CLIP"}],
            }
        ],
        "links": [],
    }
    instance = node(
        9,
        "workflow>lora",
        widgets=["x.safetensors", 1.0, 1.0],
        inputs=[slot("model", "MODEL", 1), slot("clip", "CLIP", 2)],
        outputs=["MODEL", "CLIP"],
        mode=4,
    )
    ui = workflow(
        [checkpoint(1), instance, ksampler(3, model=3)],
        [[1, 1, 0, 9, 0, "MODEL"], [2, 1, 1, 9, 1, "CLIP"], [3, 9, 0, 3, 0, "MODEL"]],
        extra={"groupNodes": {"lora": group}},
    )
    api = compile_ui(ui)
    assert sorted(api) == ["1", "3"]
    assert api["3"]["inputs"]["model"] == ["1", 0]


def test_unmappable_custom_widget_values_are_kept_in_meta() -> None:
    custom = node(2, "Image Saver", widgets=["a", "b", 3])
    assert compile_ui(workflow([custom], []))["2"]["_meta"] == {
        "unmapped_widgets_values": ["a", "b", 3]
    }


@pytest.mark.parametrize("type_", [SUBGRAPH_ID, "workflow>gone"])
def test_instances_of_missing_definitions_are_reported(type_: str) -> None:
    report = compile_ui_report(workflow([node(4, type_, outputs=["LATENT"])], []))
    assert [(p.code, p.node_id) for p in report.problems] == [("missing_definition", "4")]
    assert report.api["4"]["class_type"] == type_


def test_bad_link_inside_a_subgraph_is_reported_once() -> None:
    ui = subgraph_workflow()
    ui["definitions"]["subgraphs"][0]["links"].append("garbage")
    report = compile_ui_report(ui)
    assert [p.code for p in report.problems] == ["bad_link_shape"]


def test_primitive_with_a_list_in_its_control_slot_is_tolerated() -> None:
    ui = workflow(
        [
            node(1, "PrimitiveNode", widgets=[7, ["x"]], outputs=["INT"]),
            ksampler(2, extra=[slot("seed", "INT", 1, widget=True)]),
        ],
        [[1, 1, 0, 2, 4, "INT"]],
    )
    report = compile_ui_report(ui)
    assert (report.api["2"]["inputs"]["seed"], report.warnings) == (7, [])
