"""Builds ComfyUI workflows twice: as the editor saves them (UI format) and as the frontend
queues them (API format), from one description.

The widget layouts and slot lists below are written out by hand from ComfyUI's documented
behaviour (COMFY_FIDELITY §1) and kept apart from ``renderworker.workflow.specs`` on purpose:
the conformance test compares the library's compiler against this independent account, so a
mistake in either shows up as a difference.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

CONTROL = "<control_after_generate>"
UPLOAD = "<upload>"

# widgets_values layout per node type, hidden slots marked.
LAYOUT: dict[str, list[str]] = {
    "CheckpointLoaderSimple": ["ckpt_name"],
    "CheckpointLoader": ["config_name", "ckpt_name"],
    "VAELoader": ["vae_name"],
    "LoraLoader": ["lora_name", "strength_model", "strength_clip"],
    "LoraLoaderModelOnly": ["lora_name", "strength_model"],
    "CLIPSetLastLayer": ["stop_at_clip_layer"],
    "CLIPTextEncode": ["text"],
    "CLIPTextEncodeSDXL": [
        "width",
        "height",
        "crop_w",
        "crop_h",
        "target_width",
        "target_height",
        "text_g",
        "text_l",
    ],
    "ConditioningCombine": [],
    "ConditioningSetArea": ["width", "height", "x", "y", "strength"],
    "ConditioningZeroOut": [],
    "EmptyLatentImage": ["width", "height", "batch_size"],
    "KSampler": ["seed", CONTROL, "steps", "cfg", "sampler_name", "scheduler", "denoise"],
    "KSamplerAdvanced": [
        "add_noise",
        "noise_seed",
        CONTROL,
        "steps",
        "cfg",
        "sampler_name",
        "scheduler",
        "start_at_step",
        "end_at_step",
        "return_with_leftover_noise",
    ],
    "SamplerCustom": ["add_noise", "noise_seed", CONTROL, "cfg"],
    "SamplerCustomAdvanced": [],
    "KSamplerSelect": ["sampler_name"],
    "BasicScheduler": ["scheduler", "steps", "denoise"],
    "KarrasScheduler": ["steps", "sigma_max", "sigma_min", "rho"],
    "RandomNoise": ["noise_seed", CONTROL],
    "CFGGuider": ["cfg"],
    "BasicGuider": [],
    "VAEDecode": [],
    "VAEEncode": [],
    "VAEEncodeForInpaint": ["grow_mask_by"],
    "SetLatentNoiseMask": [],
    "LatentUpscale": ["upscale_method", "width", "height", "crop"],
    "LatentUpscaleBy": ["upscale_method", "scale_by"],
    "LoadImage": ["image", UPLOAD],
    "ImageScale": ["upscale_method", "width", "height", "crop"],
    "ImageScaleBy": ["upscale_method", "scale_by"],
    "UpscaleModelLoader": ["model_name"],
    "ImageUpscaleWithModel": [],
    "ControlNetLoader": ["control_net_name"],
    "ControlNetApply": ["strength"],
    "ControlNetApplyAdvanced": ["strength", "start_percent", "end_percent"],
    "SaveImage": ["filename_prefix"],
    "PreviewImage": [],
    "UNETLoader": ["unet_name", "weight_dtype"],
    "CLIPLoader": ["clip_name", "type", "device"],
    "DualCLIPLoader": ["clip_name1", "clip_name2", "type", "device"],
    "FluxGuidance": ["guidance"],
    "EmptySD3LatentImage": ["width", "height", "batch_size"],
    "PrimitiveInt": ["value", CONTROL],
    "PrimitiveStringMultiline": ["value"],
    "PrimitiveFloat": ["value"],
}

# Link inputs (UI slot order) and output types.
LINK_INPUTS: dict[str, list[tuple[str, str]]] = {
    "LoraLoader": [("model", "MODEL"), ("clip", "CLIP")],
    "LoraLoaderModelOnly": [("model", "MODEL")],
    "CLIPSetLastLayer": [("clip", "CLIP")],
    "CLIPTextEncode": [("clip", "CLIP")],
    "CLIPTextEncodeSDXL": [("clip", "CLIP")],
    "ConditioningCombine": [("conditioning_1", "CONDITIONING"), ("conditioning_2", "CONDITIONING")],
    "ConditioningSetArea": [("conditioning", "CONDITIONING")],
    "ConditioningZeroOut": [("conditioning", "CONDITIONING")],
    "KSampler": [
        ("model", "MODEL"),
        ("positive", "CONDITIONING"),
        ("negative", "CONDITIONING"),
        ("latent_image", "LATENT"),
    ],
    "KSamplerAdvanced": [
        ("model", "MODEL"),
        ("positive", "CONDITIONING"),
        ("negative", "CONDITIONING"),
        ("latent_image", "LATENT"),
    ],
    "SamplerCustom": [
        ("model", "MODEL"),
        ("positive", "CONDITIONING"),
        ("negative", "CONDITIONING"),
        ("sampler", "SAMPLER"),
        ("sigmas", "SIGMAS"),
        ("latent_image", "LATENT"),
    ],
    "SamplerCustomAdvanced": [
        ("noise", "NOISE"),
        ("guider", "GUIDER"),
        ("sampler", "SAMPLER"),
        ("sigmas", "SIGMAS"),
        ("latent_image", "LATENT"),
    ],
    "BasicScheduler": [("model", "MODEL")],
    "CFGGuider": [("model", "MODEL"), ("positive", "CONDITIONING"), ("negative", "CONDITIONING")],
    "BasicGuider": [("model", "MODEL"), ("conditioning", "CONDITIONING")],
    "VAEDecode": [("samples", "LATENT"), ("vae", "VAE")],
    "VAEEncode": [("pixels", "IMAGE"), ("vae", "VAE")],
    "VAEEncodeForInpaint": [("pixels", "IMAGE"), ("vae", "VAE"), ("mask", "MASK")],
    "SetLatentNoiseMask": [("samples", "LATENT"), ("mask", "MASK")],
    "LatentUpscale": [("samples", "LATENT")],
    "LatentUpscaleBy": [("samples", "LATENT")],
    "ImageScale": [("image", "IMAGE")],
    "ImageScaleBy": [("image", "IMAGE")],
    "ImageUpscaleWithModel": [("upscale_model", "UPSCALE_MODEL"), ("image", "IMAGE")],
    "ControlNetApply": [
        ("conditioning", "CONDITIONING"),
        ("control_net", "CONTROL_NET"),
        ("image", "IMAGE"),
    ],
    "ControlNetApplyAdvanced": [
        ("positive", "CONDITIONING"),
        ("negative", "CONDITIONING"),
        ("control_net", "CONTROL_NET"),
        ("image", "IMAGE"),
        ("vae", "VAE"),
    ],
    "SaveImage": [("images", "IMAGE")],
    "PreviewImage": [("images", "IMAGE")],
    "FluxGuidance": [("conditioning", "CONDITIONING")],
}
OUTPUTS: dict[str, list[str]] = {
    "CheckpointLoaderSimple": ["MODEL", "CLIP", "VAE"],
    "CheckpointLoader": ["MODEL", "CLIP", "VAE"],
    "VAELoader": ["VAE"],
    "LoraLoader": ["MODEL", "CLIP"],
    "LoraLoaderModelOnly": ["MODEL"],
    "CLIPSetLastLayer": ["CLIP"],
    "CLIPTextEncode": ["CONDITIONING"],
    "CLIPTextEncodeSDXL": ["CONDITIONING"],
    "ConditioningCombine": ["CONDITIONING"],
    "ConditioningSetArea": ["CONDITIONING"],
    "ConditioningZeroOut": ["CONDITIONING"],
    "EmptyLatentImage": ["LATENT"],
    "KSampler": ["LATENT"],
    "KSamplerAdvanced": ["LATENT"],
    "SamplerCustom": ["LATENT", "LATENT"],
    "SamplerCustomAdvanced": ["LATENT", "LATENT"],
    "KSamplerSelect": ["SAMPLER"],
    "BasicScheduler": ["SIGMAS"],
    "KarrasScheduler": ["SIGMAS"],
    "RandomNoise": ["NOISE"],
    "CFGGuider": ["GUIDER"],
    "BasicGuider": ["GUIDER"],
    "VAEDecode": ["IMAGE"],
    "VAEEncode": ["LATENT"],
    "VAEEncodeForInpaint": ["LATENT"],
    "SetLatentNoiseMask": ["LATENT"],
    "LatentUpscale": ["LATENT"],
    "LatentUpscaleBy": ["LATENT"],
    "LoadImage": ["IMAGE", "MASK"],
    "ImageScale": ["IMAGE"],
    "ImageScaleBy": ["IMAGE"],
    "UpscaleModelLoader": ["UPSCALE_MODEL"],
    "ImageUpscaleWithModel": ["IMAGE"],
    "ControlNetLoader": ["CONTROL_NET"],
    "ControlNetApply": ["CONDITIONING"],
    "ControlNetApplyAdvanced": ["CONDITIONING", "CONDITIONING"],
    "SaveImage": [],
    "PreviewImage": [],
    "UNETLoader": ["MODEL"],
    "CLIPLoader": ["CLIP"],
    "DualCLIPLoader": ["CLIP"],
    "FluxGuidance": ["CONDITIONING"],
    "EmptySD3LatentImage": ["LATENT"],
    "PrimitiveInt": ["INT"],
    "PrimitiveStringMultiline": ["STRING"],
    "PrimitiveFloat": ["FLOAT"],
}
WIDGET_TYPES = {
    "seed": "INT",
    "noise_seed": "INT",
    "steps": "INT",
    "cfg": "FLOAT",
    "text": "STRING",
    "denoise": "FLOAT",
}


@dataclass
class Node:
    id: int
    type: str
    values: dict[str, Any]
    mode: int = 0
    title: str | None = None
    control: str = "fixed"
    api_overrides: dict[str, Any] = field(default_factory=dict)
    converted: list[str] = field(default_factory=list)
    # custom node description: widget names in order (None for core nodes)
    custom_widgets: list[str] | None = None
    custom_links: list[tuple[str, str]] = field(default_factory=list)
    custom_outputs: list[str] = field(default_factory=list)
    widgets_as_dict: bool = False
    truncate_widgets: int = 0
    ui_only_widgets: list[Any] | None = None  # raw widgets_values override
    virtual: bool = False
    # Older frontends did not list a custom node's widgets as input slots.
    legacy_widgets: bool = False


@dataclass
class Link:
    id: int
    src: int
    src_slot: int
    dst: int
    dst_input: str
    type: str


class Workflow:
    """A workflow description that renders to UI (v0.4 or v1) and API formats."""

    def __init__(self, *, version: str = "0.4", seed_offset: int = 0) -> None:
        self.version = version
        self.nodes: dict[int, Node] = {}
        self.links: list[Link] = []
        self.next_id = 1 + seed_offset
        self.next_link = 1
        self.subgraphs: list[tuple[int, list[int], str]] = []
        self.group_nodes: list[tuple[int, list[int], str]] = []
        self.api_id_map: dict[int, str] = {}

    # ----------------------------------------------------------------------------------------
    # description

    def add(
        self,
        type_: str,
        *,
        mode: int = 0,
        title: str | None = None,
        control: str = "fixed",
        api: dict[str, Any] | None = None,
        **values: Any,
    ) -> int:
        node_id = self.next_id
        self.next_id += 1
        self.nodes[node_id] = Node(
            id=node_id,
            type=type_,
            values=values,
            mode=mode,
            title=title,
            control=control,
            api_overrides=dict(api or {}),
        )
        return node_id

    def add_custom(
        self,
        type_: str,
        *,
        widgets: list[tuple[str, Any]],
        links: list[tuple[str, str]],
        outputs: list[str],
        title: str | None = None,
    ) -> int:
        node_id = self.add(type_, title=title, **dict(widgets))
        node = self.nodes[node_id]
        node.custom_widgets = [name for name, _ in widgets]
        node.custom_links = links
        node.custom_outputs = outputs
        return node_id

    def add_virtual(self, type_: str, **properties: Any) -> int:
        node_id = self.add(type_, **properties)
        self.nodes[node_id].virtual = True
        return node_id

    def connect(self, src: int, src_slot: int, dst: int, dst_input: str) -> None:
        link_type = self.output_types(src)[src_slot]
        self.links.append(Link(self.next_link, src, src_slot, dst, dst_input, link_type))
        self.next_link += 1

    def convert(self, node_id: int, widget: str) -> None:
        self.nodes[node_id].converted.append(widget)

    def primitive(
        self, dst: int, widget: str, value: Any, *, stale: Any, control: str = "fixed"
    ) -> int:
        """A PrimitiveNode feeding ``widget``: the target's own widget keeps a stale value."""
        self.convert(dst, widget)
        target = self.nodes[dst]
        target.api_overrides[widget] = value
        target.values[widget] = stale
        prim = self.add_virtual("PrimitiveNode", value=value, control=control, widget=widget)
        self.links.append(Link(self.next_link, prim, 0, dst, widget, WIDGET_TYPES.get(widget, "*")))
        self.next_link += 1
        return prim

    def reroute_chain(
        self, src: int, src_slot: int, dst: int, dst_input: str, *, length: int
    ) -> list[int]:
        link_type = self.output_types(src)[src_slot]
        chain = [self.add_virtual("Reroute", link_type=link_type) for _ in range(length)]
        previous, previous_slot = src, src_slot
        for reroute in chain:
            self.links.append(Link(self.next_link, previous, previous_slot, reroute, "", link_type))
            self.next_link += 1
            previous, previous_slot = reroute, 0
        self.links.append(Link(self.next_link, previous, 0, dst, dst_input, link_type))
        self.next_link += 1
        return chain

    def in_subgraph(self, instance_id: int, members: list[int], name: str) -> None:
        self.subgraphs.append((instance_id, members, name))

    def in_group_node(self, instance_id: int, members: list[int], name: str) -> None:
        self.group_nodes.append((instance_id, members, name))

    # ----------------------------------------------------------------------------------------
    # helpers

    def output_types(self, node_id: int) -> list[str]:
        node = self.nodes[node_id]
        if node.type == "PrimitiveNode":
            return [WIDGET_TYPES.get(node.values["widget"], "*")]
        if node.type == "Reroute":
            return [node.values["link_type"]]
        if node.custom_widgets is not None:
            return node.custom_outputs
        return OUTPUTS.get(node.type, [])

    def input_slots(self, node: Node) -> list[tuple[str, str, bool]]:
        """(name, type, is_converted_widget) in UI slot order."""
        if node.type == "Reroute":
            return [("", "*", False)]
        if node.custom_widgets is not None:
            slots = [(name, type_, False) for name, type_ in node.custom_links]
            if node.legacy_widgets:
                return slots
            # Newer frontends list every widget as an input slot carrying ``widget.name``.
            return slots + [(name, "*", True) for name in node.custom_widgets]
        slots = [(name, type_, False) for name, type_ in LINK_INPUTS.get(node.type, [])]
        return slots + [(name, WIDGET_TYPES.get(name, "*"), True) for name in node.converted]

    def widgets_values(self, node: Node) -> Any:
        if node.ui_only_widgets is not None:
            return node.ui_only_widgets
        if node.type == "PrimitiveNode":
            values = [node.values["value"]]
            if isinstance(node.values["value"], (int, float)):
                values.append(node.control)
            return values
        if node.type in ("Note", "MarkdownNote"):
            return [node.values.get("text", "")]
        if node.type == "Reroute":
            return None
        names = node.custom_widgets if node.custom_widgets is not None else LAYOUT[node.type]
        if node.widgets_as_dict:
            return {name: node.values[name] for name in names if name not in (CONTROL, UPLOAD)}
        values: list[Any] = []
        for name in names:
            if name == CONTROL:
                values.append(node.control)
            elif name == UPLOAD:
                values.append("image")
            else:
                values.append(node.values[name])
        if node.truncate_widgets:
            values = values[: -node.truncate_widgets]
        return values

    # ----------------------------------------------------------------------------------------
    # API format (what the frontend queues)

    def api_id(self, node_id: int) -> str:
        return self.api_id_map.get(node_id, str(node_id))

    def _assign_api_ids(self) -> None:
        self.api_id_map = {}
        for instance, members, _name in self.subgraphs:
            for member in members:
                self.api_id_map[member] = f"{instance}:{member}"
        for instance, members, _name in self.group_nodes:
            for index, member in enumerate(members):
                self.api_id_map[member] = f"{instance}:{index}"

    def _effective_source(self, link: Link) -> tuple[int, int] | None:
        """Follow Reroutes and bypassed nodes back to a real source (the expected semantics)."""
        src, slot = link.src, link.src_slot
        consumer_type = link.type
        for _ in range(100):
            node = self.nodes[src]
            if node.type == "Reroute":
                upstream = next((edge for edge in self.links if edge.dst == src), None)
                if upstream is None:
                    return None
                src, slot = upstream.src, upstream.src_slot
                continue
            if node.mode == 4:
                slots = self.input_slots(node)
                order = [slot, *range(len(slots))]
                match = next(
                    (i for i in order if i < len(slots) and slots[i][1] == consumer_type), None
                )
                if match is None:
                    return None
                upstream = next(
                    (
                        edge
                        for edge in self.links
                        if edge.dst == src and edge.dst_input == slots[match][0]
                    ),
                    None,
                )
                if upstream is None:
                    return None
                src, slot = upstream.src, upstream.src_slot
                continue
            return src, slot
        raise AssertionError("reroute loop in corpus description")

    def api(self) -> dict[str, Any]:
        self._assign_api_ids()
        graph: dict[str, Any] = {}
        for node in self.nodes.values():
            if node.virtual or node.mode in (2, 4):
                continue
            names = node.custom_widgets if node.custom_widgets is not None else LAYOUT[node.type]
            inputs: dict[str, Any] = {}
            for name in names:
                if name in (CONTROL, UPLOAD):
                    continue
                inputs[name] = node.values[name]
            inputs.update(node.api_overrides)
            for link in self.links:
                if link.dst != node.id:
                    continue
                source_node = self.nodes[link.src]
                if source_node.type == "PrimitiveNode":
                    continue  # its value is already in api_overrides
                source = self._effective_source(link)
                if source is None:
                    continue
                src_node = self.nodes[source[0]]
                if src_node.mode in (2, 4):
                    inputs.pop(link.dst_input, None)
                    continue
                inputs[link.dst_input] = [self.api_id(source[0]), source[1]]
            entry: dict[str, Any] = {"inputs": inputs, "class_type": node.type}
            entry["_meta"] = {"title": node.title or node.type}
            graph[self.api_id(node.id)] = entry
        return graph

    # ----------------------------------------------------------------------------------------
    # UI format (what the editor saves)

    def _ui_node(
        self,
        node: Node,
        links_in: dict[tuple[int, str], int],
        links_out: dict[tuple[int, int], list[int]],
        *,
        pos: int,
    ) -> dict[str, Any]:
        inputs = []
        for name, type_, is_widget in self.input_slots(node):
            slot: dict[str, Any] = {
                "name": name or "",
                "type": type_,
                "link": links_in.get((node.id, name)),
            }
            if is_widget:
                slot["widget"] = {"name": name}
            if node.custom_widgets is not None and is_widget and slot["link"] is None:
                slot["link"] = None
            inputs.append(slot)
        outputs = []
        for slot_index, type_ in enumerate(self.output_types(node.id)):
            output: dict[str, Any] = {
                "name": type_,
                "type": type_,
                "links": links_out.get((node.id, slot_index), []),
            }
            if node.type == "PrimitiveNode":
                output["widget"] = {"name": node.values["widget"]}
                output["name"] = "connect to widget input"
            outputs.append(output)
        ui_node: dict[str, Any] = {
            "id": node.id,
            "type": node.type,
            "pos": [100 + 50 * pos, 100 + 30 * (pos % 7)],
            "size": [315, 120],
            "flags": {},
            "order": pos,
            "mode": node.mode,
            "inputs": inputs,
            "outputs": outputs,
            "properties": {"Node name for S&R": node.type} if not node.virtual else {},
        }
        widgets = self.widgets_values(node)
        if widgets is not None:
            ui_node["widgets_values"] = widgets
        if node.title:
            ui_node["title"] = node.title
        return ui_node

    def _link_tables(
        self, links: list[Link], *, input_index: dict[tuple[int, str], int] | None = None
    ) -> tuple[dict[tuple[int, str], int], dict[tuple[int, int], list[int]]]:
        links_in: dict[tuple[int, str], int] = {}
        links_out: dict[tuple[int, int], list[int]] = {}
        for link in links:
            links_in[(link.dst, link.dst_input)] = link.id
            links_out.setdefault((link.src, link.src_slot), []).append(link.id)
        return links_in, links_out

    def _slot_index(self, node_id: int, name: str) -> int:
        for index, (slot_name, _type, _widget) in enumerate(self.input_slots(self.nodes[node_id])):
            if slot_name == name:
                return index
        raise AssertionError(f"node {node_id} has no input {name!r}")

    def _link_record(
        self,
        link: Link,
        *,
        as_object: bool,
        src: int | None = None,
        src_slot: int | None = None,
        dst: int | None = None,
        dst_slot: int | None = None,
    ) -> Any:
        origin = link.src if src is None else src
        origin_slot = link.src_slot if src_slot is None else src_slot
        target = link.dst if dst is None else dst
        target_slot = self._slot_index(link.dst, link.dst_input) if dst_slot is None else dst_slot
        if as_object:
            return {
                "id": link.id,
                "origin_id": origin,
                "origin_slot": origin_slot,
                "target_id": target,
                "target_slot": target_slot,
                "type": link.type,
            }
        return [link.id, origin, origin_slot, target, target_slot, link.type]

    def ui(self) -> dict[str, Any]:
        as_object = self.version == "1"
        hidden: set[int] = set()
        for _instance, members, _name in self.subgraphs + self.group_nodes:
            hidden.update(members)
        links_in, links_out = self._link_tables(self.links)
        top_links: list[Any] = []
        extra_nodes: list[dict[str, Any]] = []
        definitions: list[dict[str, Any]] = []
        group_defs: dict[str, Any] = {}
        boundary_in: dict[
            int, tuple[int, int]
        ] = {}  # link id -> (instance, slot) for outer-into-inner
        boundary_out: dict[int, tuple[int, int]] = {}
        for instance, members, name in self.subgraphs:
            definition, instance_node = self._subgraph(
                instance, members, name, as_object, boundary_in, boundary_out
            )
            definitions.append(definition)
            extra_nodes.append(instance_node)
        for instance, members, name in self.group_nodes:
            group_def, instance_node = self._group_node(
                instance, members, name, boundary_in, boundary_out
            )
            group_defs[name] = group_def
            extra_nodes.append(instance_node)
        nodes = []
        for pos, node in enumerate(self.nodes.values()):
            if node.id in hidden:
                continue
            nodes.append(self._ui_node(node, links_in, links_out, pos=pos))
        for link in self.links:
            if link.src in hidden and link.dst in hidden:
                continue
            if link.dst in hidden:
                instance, slot = boundary_in[link.id]
                top_links.append(
                    self._link_record(link, as_object=as_object, dst=instance, dst_slot=slot)
                )
            elif link.src in hidden:
                instance, slot = boundary_out[link.id]
                top_links.append(
                    self._link_record(link, as_object=as_object, src=instance, src_slot=slot)
                )
            else:
                top_links.append(self._link_record(link, as_object=as_object))
        # Outer node slots pointing at links that now end at instances are rewired by id only.
        ui: dict[str, Any] = {
            "id": str(uuid.UUID(int=len(self.nodes) * 7919 + len(self.links))),
            "revision": 0,
            "last_node_id": max(self.nodes) if self.nodes else 0,
            "last_link_id": self.next_link - 1,
            "nodes": nodes + extra_nodes,
            "links": top_links,
            "groups": [],
            "config": {},
            "extra": {"ds": {"scale": 1.0, "offset": [0, 0]}, "frontendVersion": "1.28.7"},
            "version": 1 if as_object else 0.4,
        }
        if as_object:
            ui["state"] = {
                "lastNodeId": ui["last_node_id"],
                "lastLinkId": ui["last_link_id"],
                "lastGroupId": 0,
                "lastRerouteId": 0,
            }
            del ui["last_node_id"], ui["last_link_id"]
        if definitions:
            ui["definitions"] = {"subgraphs": definitions}
        if group_defs:
            ui["extra"]["groupNodes"] = group_defs
        # Fix outer nodes' output link lists for instance outputs (cosmetic; the link table rules).
        return ui

    def _subgraph(
        self,
        instance: int,
        members: list[int],
        name: str,
        as_object: bool,
        boundary_in: dict[int, tuple[int, int]],
        boundary_out: dict[int, tuple[int, int]],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        member_set = set(members)
        sub_id = str(uuid.UUID(int=instance * 1_000_003))
        inputs: list[dict[str, Any]] = []
        outputs: list[dict[str, Any]] = []
        inner_links: list[dict[str, Any]] = []
        output_slots: dict[tuple[int, int], int] = {}
        instance_inputs: list[dict[str, Any]] = []
        instance_outputs: list[dict[str, Any]] = []
        for link in self.links:
            if link.src in member_set and link.dst in member_set:
                inner_links.append(self._link_record(link, as_object=True))
            elif link.dst in member_set:
                slot = len(inputs)
                boundary_in[link.id] = (instance, slot)
                inputs.append(
                    {
                        "id": f"in-{instance}-{slot}",
                        "name": link.dst_input,
                        "type": link.type,
                        "linkIds": [link.id],
                    }
                )
                instance_inputs.append({"name": link.dst_input, "type": link.type, "link": link.id})
                inner_links.append(self._link_record(link, as_object=True, src=-10, src_slot=slot))
            elif link.src in member_set:
                key = (link.src, link.src_slot)
                if key not in output_slots:
                    slot = len(outputs)
                    output_slots[key] = slot
                    inner_id = 100_000 + link.id
                    outputs.append(
                        {
                            "id": f"out-{instance}-{slot}",
                            "name": link.type,
                            "type": link.type,
                            "linkIds": [inner_id],
                        }
                    )
                    instance_outputs.append({"name": link.type, "type": link.type, "links": []})
                    inner_links.append(
                        {
                            "id": inner_id,
                            "origin_id": link.src,
                            "origin_slot": link.src_slot,
                            "target_id": -20,
                            "target_slot": slot,
                            "type": link.type,
                        }
                    )
                boundary_out[link.id] = (instance, output_slots[key])
                instance_outputs[output_slots[key]]["links"].append(link.id)
        links_in, links_out = self._link_tables(
            [edge for edge in self.links if edge.dst in member_set or edge.src in member_set]
        )
        inner_nodes = [
            self._ui_node(self.nodes[m], links_in, links_out, pos=i) for i, m in enumerate(members)
        ]
        definition = {
            "id": sub_id,
            "version": 1,
            "state": {
                "lastGroupId": 0,
                "lastNodeId": max(members),
                "lastLinkId": self.next_link,
                "lastRerouteId": 0,
            },
            "revision": 0,
            "config": {},
            "name": name,
            "inputNode": {"id": -10, "bounding": [0, 0, 120, 60]},
            "outputNode": {"id": -20, "bounding": [900, 0, 120, 60]},
            "inputs": inputs,
            "outputs": outputs,
            "widgets": [],
            "nodes": inner_nodes,
            "groups": [],
            "links": inner_links,
            "extra": {},
        }
        instance_node = {
            "id": instance,
            "type": sub_id,
            "pos": [600, 600],
            "size": [240, 80],
            "flags": {},
            "order": 99,
            "mode": 0,
            "inputs": instance_inputs,
            "outputs": instance_outputs,
            "properties": {},
            "widgets_values": [],
        }
        return definition, instance_node

    def _group_node(
        self,
        instance: int,
        members: list[int],
        name: str,
        boundary_in: dict[int, tuple[int, int]],
        boundary_out: dict[int, tuple[int, int]],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Legacy group node: outer inputs are the inner link slots not fed inside (all inner
        nodes), then the converted widget slots not fed inside; outer outputs are the inner
        outputs not consumed inside or also used outside; widgets are the inner nodes'
        unconverted widgets in order."""
        index_of = {member: index for index, member in enumerate(members)}
        internal = [edge for edge in self.links if edge.src in index_of and edge.dst in index_of]
        internal_targets = {(edge.dst, edge.dst_input) for edge in internal}
        internal_sources = {(edge.src, edge.src_slot) for edge in internal}
        external_sources = {
            (edge.src, edge.src_slot)
            for edge in self.links
            if edge.src in index_of and edge.dst not in index_of
        }
        inner_nodes = []
        instance_inputs: list[dict[str, Any]] = []
        slot_of_input: dict[tuple[int, str], int] = {}
        instance_outputs: list[dict[str, Any]] = []
        slot_of_output: dict[tuple[int, int], int] = {}
        widgets: list[Any] = []
        for converted_pass in (False, True):
            for member in members:
                for slot_name, type_, is_widget in self.input_slots(self.nodes[member]):
                    if is_widget is not converted_pass or (member, slot_name) in internal_targets:
                        continue
                    slot_of_input[(member, slot_name)] = len(instance_inputs)
                    instance_inputs.append({"name": slot_name, "type": type_, "link": None})
        external = []
        for member in members:
            node = self.nodes[member]
            ui_node = self._ui_node(node, {}, {}, pos=index_of[member])
            ui_node["index"] = index_of[member]
            del ui_node["id"]
            inner_nodes.append(ui_node)
            for slot_index, type_ in enumerate(self.output_types(member)):
                key = (member, slot_index)
                if key in external_sources:
                    external.append([index_of[member], slot_index, type_])
                if key in internal_sources and key not in external_sources:
                    continue
                slot_of_output[key] = len(instance_outputs)
                instance_outputs.append({"name": type_, "type": type_, "links": []})
            names = LAYOUT[node.type]
            values = self.widgets_values(node) or []
            for position, widget_name in enumerate(names):
                owner = names[position - 1] if widget_name in (CONTROL, UPLOAD) else widget_name
                if owner not in node.converted and position < len(values):
                    widgets.append(values[position])
        for link in self.links:
            if link.dst in index_of and link.src not in index_of:
                slot = slot_of_input[(link.dst, link.dst_input)]
                boundary_in[link.id] = (instance, slot)
                instance_inputs[slot]["link"] = link.id
            elif link.src in index_of and link.dst not in index_of:
                slot = slot_of_output[(link.src, link.src_slot)]
                boundary_out[link.id] = (instance, slot)
                instance_outputs[slot]["links"].append(link.id)
        group_def = {
            "nodes": inner_nodes,
            "links": [
                [
                    index_of[edge.src],
                    edge.src_slot,
                    index_of[edge.dst],
                    self._slot_index(edge.dst, edge.dst_input),
                    edge.src,
                    edge.type,
                ]
                for edge in internal
            ],
            "external": external,
        }
        instance_node = {
            "id": instance,
            "type": f"workflow>{name}",
            "pos": [700, 700],
            "size": [300, 200],
            "flags": {},
            "order": 98,
            "mode": 0,
            "inputs": instance_inputs,
            "outputs": instance_outputs,
            "properties": {"Node name for S&R": f"workflow>{name}"},
            "widgets_values": widgets,
        }
        return group_def, instance_node


def copy_graph(graph: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(graph)
