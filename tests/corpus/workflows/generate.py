"""Writes the generated part of the workflow corpus, deterministically.

    .venv-render/bin/python tests/corpus/workflows/generate.py

For each case: ``generated/<name>.ui.json`` (editor format), ``generated/<name>.api.json``
(what the frontend queues) and, for most, a ComfyUI-style PNG or WebP carrying both, exactly
where ComfyUI puts them (PNG tEXt ``prompt``/``workflow``; WebP EXIF 0x0110/0x010F).
``generated/manifest.json`` lists the traps each case exercises and the differences a correct
compiler must show (the next-seed trap, random ``{a|b}`` choices, unmappable custom nodes).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_builder import Workflow

OUT = Path(__file__).resolve().parent / "generated"
SD15 = "v1-5-pruned-emaonly.safetensors"
SDXL = "sd_xl_base_1.0.safetensors"
POS = "a glass bottle with a purple galaxy inside, studio lighting, embedding:fine_detail"
NEG = "text, watermark, embedding:easynegative"


class Case:
    def __init__(self, name: str, *, image: str | None = "png", version: str = "0.4") -> None:
        self.name = name
        self.image = image
        self.wf = Workflow(version=version)
        self.features: list[str] = []
        self.expected_differences: list[list[str]] = []
        self.valid = True
        self.api_override: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.family = "unknown"


CASES: list[Case] = []


def case(name: str, **kwargs: Any) -> Callable[[Callable[[Case], None]], Callable[[Case], None]]:
    def register(build: Callable[[Case], None]) -> Callable[[Case], None]:
        item = Case(name, **kwargs)
        build(item)
        CASES.append(item)
        return build

    return register


def txt2img(
    wf: Workflow,
    *,
    ckpt: str = SD15,
    seed: int = 156680208700286,
    steps: int = 20,
    cfg: float = 8.0,
    sampler: str = "euler",
    scheduler: str = "normal",
    width: int = 512,
    height: int = 512,
    batch: int = 1,
    pos: str = POS,
    neg: str = NEG,
    control: str = "randomize",
    save: bool = True,
) -> dict[str, int]:
    ids: dict[str, int] = {}
    ids["ckpt"] = wf.add("CheckpointLoaderSimple", ckpt_name=ckpt, title="Load Checkpoint")
    ids["pos"] = wf.add("CLIPTextEncode", text=pos, title="CLIP Text Encode (Prompt)")
    ids["neg"] = wf.add("CLIPTextEncode", text=neg, title="CLIP Text Encode (Prompt)")
    ids["latent"] = wf.add("EmptyLatentImage", width=width, height=height, batch_size=batch)
    ids["ks"] = wf.add(
        "KSampler",
        seed=seed,
        steps=steps,
        cfg=cfg,
        sampler_name=sampler,
        scheduler=scheduler,
        denoise=1.0,
        control=control,
    )
    ids["decode"] = wf.add("VAEDecode", title="VAE Decode")
    wf.connect(ids["ckpt"], 1, ids["pos"], "clip")
    wf.connect(ids["ckpt"], 1, ids["neg"], "clip")
    wf.connect(ids["ckpt"], 0, ids["ks"], "model")
    wf.connect(ids["pos"], 0, ids["ks"], "positive")
    wf.connect(ids["neg"], 0, ids["ks"], "negative")
    wf.connect(ids["latent"], 0, ids["ks"], "latent_image")
    wf.connect(ids["ks"], 0, ids["decode"], "samples")
    wf.connect(ids["ckpt"], 2, ids["decode"], "vae")
    if save:
        ids["save"] = wf.add("SaveImage", filename_prefix="ComfyUI", title="Save Image")
        wf.connect(ids["decode"], 0, ids["save"], "images")
    return ids


@case("sd15_default")
def _(c: Case) -> None:
    txt2img(c.wf)
    c.features = ["CheckpointLoaderSimple", "KSampler", "control_after_generate", "embedding"]


@case("sd15_default_v1", image="webp", version="1")
def _(c: Case) -> None:
    txt2img(c.wf, seed=42, sampler="dpmpp_2m", scheduler="karras", control="fixed")
    c.features = ["ui_v1", "webp"]


@case("sd15_lora_stack")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=7, sampler="euler_ancestral", scheduler="normal", steps=25, cfg=7.0)
    skip = wf.add("CLIPSetLastLayer", stop_at_clip_layer=-2)
    lora1 = wf.add(
        "LoraLoader", lora_name="detail_tweaker.safetensors", strength_model=0.8, strength_clip=0.6
    )
    lora2 = wf.add(
        "LoraLoader",
        lora_name="styles/ink_wash.safetensors",
        strength_model=-0.5,
        strength_clip=1.25,
    )
    lora3 = wf.add(
        "LoraLoaderModelOnly", lora_name="lcm_lora_sd15.safetensors", strength_model=0.35
    )
    wf.links = [
        edge for edge in wf.links if not (edge.src == ids["ckpt"] and edge.src_slot in (0, 1))
    ]
    wf.connect(ids["ckpt"], 0, lora1, "model")
    wf.connect(ids["ckpt"], 1, skip, "clip")
    wf.connect(skip, 0, lora1, "clip")
    wf.connect(lora1, 0, lora2, "model")
    wf.connect(lora1, 1, lora2, "clip")
    wf.connect(lora2, 0, lora3, "model")
    wf.connect(lora3, 0, ids["ks"], "model")
    wf.connect(lora2, 1, ids["pos"], "clip")
    wf.connect(lora2, 1, ids["neg"], "clip")
    c.features = ["LoraLoader", "LoraLoaderModelOnly", "CLIPSetLastLayer"]


@case("sd15_vae_and_config_loader")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=1234, sampler="heun", scheduler="simple")
    del wf.nodes[ids["ckpt"]]
    old = ids["ckpt"]
    ckpt = wf.add(
        "CheckpointLoader", config_name="v1-inference.yaml", ckpt_name="dreamshaper_8.safetensors"
    )
    vae = wf.add("VAELoader", vae_name="vae-ft-mse-840000-ema-pruned.safetensors")
    for link in wf.links:
        if link.src == old:
            link.src = ckpt
        if link.dst == ids["decode"] and link.dst_input == "vae":
            link.src, link.src_slot = vae, 0
    c.features = ["CheckpointLoader", "VAELoader"]


@case("sdxl_base_refiner", image="webp")
def _(c: Case) -> None:
    wf = c.wf
    base = wf.add("CheckpointLoaderSimple", ckpt_name=SDXL)
    refiner = wf.add("CheckpointLoaderSimple", ckpt_name="sd_xl_refiner_1.0.safetensors")
    pos = wf.add(
        "CLIPTextEncodeSDXL",
        width=4096,
        height=4096,
        crop_w=0,
        crop_h=0,
        target_width=1024,
        target_height=1024,
        text_g="a lighthouse at dusk, oil painting",
        text_l="a lighthouse at dusk",
    )
    neg = wf.add(
        "CLIPTextEncodeSDXL",
        width=1024,
        height=1024,
        crop_w=0,
        crop_h=0,
        target_width=1024,
        target_height=1024,
        text_g="blurry",
        text_l="blurry",
    )
    rpos = wf.add("CLIPTextEncode", text="a lighthouse at dusk, oil painting")
    rneg = wf.add("CLIPTextEncode", text="blurry")
    latent = wf.add("EmptyLatentImage", width=1024, height=1024, batch_size=2)
    first = wf.add(
        "KSamplerAdvanced",
        add_noise="enable",
        noise_seed=721897303308196,
        steps=25,
        cfg=8.0,
        sampler_name="euler",
        scheduler="normal",
        start_at_step=0,
        end_at_step=20,
        return_with_leftover_noise="enable",
        control="randomize",
    )
    second = wf.add(
        "KSamplerAdvanced",
        add_noise="disable",
        noise_seed=0,
        steps=25,
        cfg=8.0,
        sampler_name="euler",
        scheduler="normal",
        start_at_step=20,
        end_at_step=10000,
        return_with_leftover_noise="disable",
        control="fixed",
    )
    decode = wf.add("VAEDecode")
    save = wf.add("SaveImage", filename_prefix="sdxl/refined")
    for clip_user in (pos, neg):
        wf.connect(base, 1, clip_user, "clip")
    for clip_user in (rpos, rneg):
        wf.connect(refiner, 1, clip_user, "clip")
    wf.connect(base, 0, first, "model")
    wf.connect(pos, 0, first, "positive")
    wf.connect(neg, 0, first, "negative")
    wf.connect(latent, 0, first, "latent_image")
    wf.connect(refiner, 0, second, "model")
    wf.connect(rpos, 0, second, "positive")
    wf.connect(rneg, 0, second, "negative")
    wf.connect(first, 0, second, "latent_image")
    wf.connect(second, 0, decode, "samples")
    wf.connect(refiner, 2, decode, "vae")
    wf.connect(decode, 0, save, "images")
    c.features = ["CLIPTextEncodeSDXL", "KSamplerAdvanced", "sdxl"]
    c.family = "sdxl"


@case("hires_fix")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=99, steps=20, sampler="dpmpp_2m_sde", scheduler="karras", save=False)
    up = wf.add("LatentUpscaleBy", upscale_method="nearest-exact", scale_by=1.5)
    second = wf.add(
        "KSampler",
        seed=99,
        steps=12,
        cfg=6.5,
        sampler_name="dpmpp_2m_sde",
        scheduler="karras",
        denoise=0.5,
        control="fixed",
    )
    up2 = wf.add(
        "LatentUpscale", upscale_method="bislerp", width=1024, height=1536, crop="disabled"
    )
    third = wf.add(
        "KSampler",
        seed=100,
        steps=8,
        cfg=6.5,
        sampler_name="dpmpp_sde",
        scheduler="exponential",
        denoise=0.35,
        control="fixed",
    )
    decode2 = wf.add("VAEDecode")
    save = wf.add("SaveImage", filename_prefix="hires")
    wf.links = [
        edge for edge in wf.links if not (edge.src == ids["ks"] and edge.dst == ids["decode"])
    ]
    wf.connect(ids["ks"], 0, up, "samples")
    wf.connect(up, 0, second, "latent_image")
    wf.connect(ids["ckpt"], 0, second, "model")
    wf.connect(ids["pos"], 0, second, "positive")
    wf.connect(ids["neg"], 0, second, "negative")
    wf.connect(second, 0, up2, "samples")
    wf.connect(up2, 0, third, "latent_image")
    wf.connect(ids["ckpt"], 0, third, "model")
    wf.connect(ids["pos"], 0, third, "positive")
    wf.connect(ids["neg"], 0, third, "negative")
    wf.connect(second, 0, ids["decode"], "samples")
    wf.connect(third, 0, decode2, "samples")
    wf.connect(ids["ckpt"], 2, decode2, "vae")
    wf.connect(decode2, 0, save, "images")
    preview = wf.add("PreviewImage")
    wf.connect(ids["decode"], 0, preview, "images")
    c.features = ["LatentUpscaleBy", "LatentUpscale", "PreviewImage", "denoise"]


@case("img2img")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=5, sampler="ddim", scheduler="ddim_uniform")
    load = wf.add("LoadImage", image="portrait.png")
    scale = wf.add("ImageScale", upscale_method="lanczos", width=512, height=768, crop="center")
    encode = wf.add("VAEEncode")
    wf.nodes[ids["ks"]].values["denoise"] = 0.6
    del wf.nodes[ids["latent"]]
    wf.links = [edge for edge in wf.links if edge.src != ids["latent"]]
    wf.connect(load, 0, scale, "image")
    wf.connect(scale, 0, encode, "pixels")
    wf.connect(ids["ckpt"], 2, encode, "vae")
    wf.connect(encode, 0, ids["ks"], "latent_image")
    c.features = ["LoadImage", "ImageScale", "VAEEncode", "upload_widget"]


@case("inpaint")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=31337, sampler="uni_pc", scheduler="sgm_uniform")
    load = wf.add("LoadImage", image="room [mask].png")
    encode = wf.add("VAEEncodeForInpaint", grow_mask_by=12)
    mask_latent = wf.add("SetLatentNoiseMask")
    del wf.nodes[ids["latent"]]
    wf.links = [edge for edge in wf.links if edge.src != ids["latent"]]
    wf.connect(load, 0, encode, "pixels")
    wf.connect(ids["ckpt"], 2, encode, "vae")
    wf.connect(load, 1, encode, "mask")
    wf.connect(encode, 0, mask_latent, "samples")
    wf.connect(load, 1, mask_latent, "mask")
    wf.connect(mask_latent, 0, ids["ks"], "latent_image")
    c.features = ["VAEEncodeForInpaint", "SetLatentNoiseMask", "MASK"]


@case("upscale_with_model")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=2024, sampler="lms", scheduler="beta", save=False)
    loader = wf.add("UpscaleModelLoader", model_name="4x-UltraSharp.pth")
    up = wf.add("ImageUpscaleWithModel")
    down = wf.add("ImageScaleBy", upscale_method="area", scale_by=0.5)
    preview = wf.add("PreviewImage")
    save = wf.add("SaveImage", filename_prefix="upscaled/%date%")
    wf.connect(loader, 0, up, "upscale_model")
    wf.connect(ids["decode"], 0, up, "image")
    wf.connect(up, 0, down, "image")
    wf.connect(down, 0, save, "images")
    wf.connect(ids["decode"], 0, preview, "images")
    c.features = ["UpscaleModelLoader", "ImageUpscaleWithModel", "ImageScaleBy"]


@case("controlnet", image="webp")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=8, sampler="dpmpp_2m", scheduler="karras")
    cn = wf.add("ControlNetLoader", control_net_name="control_v11p_sd15_canny.pth")
    cn2 = wf.add("ControlNetLoader", control_net_name="control_v11f1p_sd15_depth.pth")
    image = wf.add("LoadImage", image="canny.png")
    apply = wf.add("ControlNetApply", strength=0.9)
    advanced = wf.add("ControlNetApplyAdvanced", strength=0.55, start_percent=0.0, end_percent=0.8)
    wf.links = [
        edge
        for edge in wf.links
        if not (edge.dst == ids["ks"] and edge.dst_input in ("positive", "negative"))
    ]
    wf.connect(ids["pos"], 0, apply, "conditioning")
    wf.connect(cn, 0, apply, "control_net")
    wf.connect(image, 0, apply, "image")
    wf.connect(apply, 0, advanced, "positive")
    wf.connect(ids["neg"], 0, advanced, "negative")
    wf.connect(cn2, 0, advanced, "control_net")
    wf.connect(image, 0, advanced, "image")
    wf.connect(ids["ckpt"], 2, advanced, "vae")
    wf.connect(advanced, 0, ids["ks"], "positive")
    wf.connect(advanced, 1, ids["ks"], "negative")
    c.features = [
        "ControlNetLoader",
        "ControlNetApply",
        "ControlNetApplyAdvanced",
        "optional_input",
    ]


@case("area_conditioning")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=11, sampler="dpm_2", scheduler="normal", width=768)
    left = wf.add("CLIPTextEncode", text="a red fox")
    area = wf.add("ConditioningSetArea", width=384, height=512, x=0, y=0, strength=1.2)
    combine = wf.add("ConditioningCombine")
    zero = wf.add("ConditioningZeroOut")
    wf.links = [
        edge
        for edge in wf.links
        if not (edge.dst == ids["ks"] and edge.dst_input in ("positive", "negative"))
    ]
    wf.connect(ids["ckpt"], 1, left, "clip")
    wf.connect(left, 0, area, "conditioning")
    wf.connect(ids["pos"], 0, combine, "conditioning_1")
    wf.connect(area, 0, combine, "conditioning_2")
    wf.connect(combine, 0, ids["ks"], "positive")
    wf.connect(ids["neg"], 0, zero, "conditioning")
    wf.connect(zero, 0, ids["ks"], "negative")
    c.features = ["ConditioningSetArea", "ConditioningCombine", "ConditioningZeroOut"]


def custom_sampling(
    wf: Workflow, *, advanced: bool, guider: str = "CFGGuider", karras: bool = False
) -> dict[str, int]:
    ids = txt2img(wf, seed=1, save=True)
    ks = ids["ks"]
    del wf.nodes[ks]
    wf.links = [edge for edge in wf.links if edge.dst != ks and edge.src != ks]
    select = wf.add(
        "KSamplerSelect", sampler_name="dpmpp_2m_sde_gpu" if advanced else "euler_ancestral_cfg_pp"
    )
    if karras:
        sigmas = wf.add(
            "KarrasScheduler", steps=30, sigma_max=14.614642, sigma_min=0.0291675, rho=7.0
        )
    else:
        sigmas = wf.add("BasicScheduler", scheduler="kl_optimal", steps=28, denoise=1.0)
        wf.connect(ids["ckpt"], 0, sigmas, "model")
    if advanced:
        noise = wf.add("RandomNoise", noise_seed=9876543210, control="randomize")
        sampler = wf.add("SamplerCustomAdvanced")
        if guider == "CFGGuider":
            g = wf.add("CFGGuider", cfg=5.5)
            wf.connect(ids["ckpt"], 0, g, "model")
            wf.connect(ids["pos"], 0, g, "positive")
            wf.connect(ids["neg"], 0, g, "negative")
        else:
            g = wf.add("BasicGuider")
            wf.connect(ids["ckpt"], 0, g, "model")
            wf.connect(ids["pos"], 0, g, "conditioning")
        wf.connect(noise, 0, sampler, "noise")
        wf.connect(g, 0, sampler, "guider")
    else:
        sampler = wf.add(
            "SamplerCustom", add_noise=True, noise_seed=555, cfg=4.0, control="increment"
        )
        wf.connect(ids["ckpt"], 0, sampler, "model")
        wf.connect(ids["pos"], 0, sampler, "positive")
        wf.connect(ids["neg"], 0, sampler, "negative")
    wf.connect(select, 0, sampler, "sampler")
    wf.connect(sigmas, 0, sampler, "sigmas")
    wf.connect(ids["latent"], 0, sampler, "latent_image")
    wf.connect(sampler, 0, ids["decode"], "samples")
    ids["sampler"] = sampler
    return ids


@case("sampler_custom_karras")
def _(c: Case) -> None:
    custom_sampling(c.wf, advanced=False, karras=True)
    c.features = ["SamplerCustom", "KSamplerSelect", "KarrasScheduler", "cfg_pp"]


@case("sampler_custom_advanced_cfg", image="webp")
def _(c: Case) -> None:
    custom_sampling(c.wf, advanced=True)
    c.features = ["SamplerCustomAdvanced", "RandomNoise", "CFGGuider", "BasicScheduler"]


@case("sampler_custom_advanced_basic_guider")
def _(c: Case) -> None:
    custom_sampling(c.wf, advanced=True, guider="BasicGuider")
    c.features = ["SamplerCustomAdvanced", "BasicGuider"]


@case("primitive_seed")
def _(c: Case) -> None:
    ids = txt2img(c.wf, seed=0, control="fixed")
    c.wf.primitive(ids["ks"], "seed", 4242424242, stale=0, control="randomize")
    c.features = ["PrimitiveNode", "converted_widget"]


@case("primitive_shared_steps")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=3, steps=20)
    prim = wf.primitive(ids["ks"], "steps", 33, stale=20)
    second = wf.add(
        "KSampler",
        seed=4,
        steps=20,
        cfg=7.5,
        sampler_name="euler",
        scheduler="normal",
        denoise=0.4,
        control="fixed",
    )
    wf.convert(second, "steps")
    wf.nodes[second].api_overrides["steps"] = 33
    wf.links.append(type(wf.links[0])(wf.next_link, prim, 0, second, "steps", "INT"))
    wf.next_link += 1
    wf.connect(ids["ckpt"], 0, second, "model")
    wf.connect(ids["pos"], 0, second, "positive")
    wf.connect(ids["neg"], 0, second, "negative")
    wf.connect(ids["ks"], 0, second, "latent_image")
    preview = wf.add("VAEDecode")
    wf.connect(second, 0, preview, "samples")
    wf.connect(ids["ckpt"], 2, preview, "vae")
    out = wf.add("PreviewImage")
    wf.connect(preview, 0, out, "images")
    c.features = ["PrimitiveNode", "primitive_fan_out"]


@case("converted_widget_unlinked")
def _(c: Case) -> None:
    ids = txt2img(c.wf, seed=12, cfg=6.0)
    c.wf.convert(ids["ks"], "cfg")
    c.wf.convert(ids["pos"], "text")
    c.features = ["converted_widget", "converted_widget_without_link"]


@case("reroute_chains")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=77)
    wf.links = [
        edge
        for edge in wf.links
        if not (edge.dst == ids["ks"] and edge.dst_input == "model")
        and not (edge.dst == ids["decode"] and edge.dst_input == "vae")
    ]
    wf.reroute_chain(ids["ckpt"], 0, ids["ks"], "model", length=3)
    wf.reroute_chain(ids["ckpt"], 2, ids["decode"], "vae", length=1)
    c.features = ["Reroute", "reroute_chain"]


@case("notes_everywhere", image="webp")
def _(c: Case) -> None:
    txt2img(c.wf, seed=101)
    c.wf.add_virtual("Note", text="Use 20 steps. // not a prompt")
    c.wf.add_virtual("MarkdownNote", text="# Credits\nmade with **Kiln**")
    c.features = ["Note", "MarkdownNote"]


@case("muted_branch")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=55)
    up = wf.add("ImageScaleBy", upscale_method="bicubic", scale_by=2.0, mode=2)
    save = wf.add("SaveImage", filename_prefix="big", mode=2)
    preview = wf.add("PreviewImage", mode=2)
    wf.connect(ids["decode"], 0, up, "image")
    wf.connect(up, 0, save, "images")
    wf.connect(ids["decode"], 0, preview, "images")
    c.features = ["muted"]


@case("muted_lora_drops_inputs")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=56)
    lora = wf.add(
        "LoraLoader", lora_name="muted.safetensors", strength_model=1.0, strength_clip=1.0, mode=2
    )
    wf.links = [
        edge for edge in wf.links if not (edge.dst == ids["ks"] and edge.dst_input == "model")
    ]
    wf.connect(ids["ckpt"], 0, lora, "model")
    wf.connect(ids["ckpt"], 1, lora, "clip")
    wf.connect(lora, 0, ids["ks"], "model")
    c.features = ["muted", "muted_source_drops_input"]
    c.valid = False


@case("bypassed_lora")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=57)
    lora = wf.add(
        "LoraLoader",
        lora_name="bypassed.safetensors",
        strength_model=1.0,
        strength_clip=1.0,
        mode=4,
    )
    wf.links = [
        edge for edge in wf.links if not (edge.src == ids["ckpt"] and edge.src_slot in (0, 1))
    ]
    wf.connect(ids["ckpt"], 0, lora, "model")
    wf.connect(ids["ckpt"], 1, lora, "clip")
    wf.connect(lora, 0, ids["ks"], "model")
    wf.connect(lora, 1, ids["pos"], "clip")
    wf.connect(lora, 1, ids["neg"], "clip")
    c.features = ["bypassed"]


@case("bypassed_chain", image="webp")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=58, save=False)
    scale = wf.add("ImageScaleBy", upscale_method="bilinear", scale_by=1.25, mode=4)
    scale2 = wf.add(
        "ImageScale", upscale_method="area", width=640, height=640, crop="disabled", mode=4
    )
    save = wf.add("SaveImage", filename_prefix="chain")
    wf.connect(ids["decode"], 0, scale, "image")
    wf.reroute_chain(scale, 0, scale2, "image", length=2)
    wf.connect(scale2, 0, save, "images")
    c.features = ["bypassed", "bypass_chain", "Reroute"]


@case("subgraph_prompts")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=60)
    instance = 500
    wf.in_subgraph(instance, [ids["pos"], ids["neg"]], "Prompts")
    c.features = ["subgraph"]


@case("subgraph_sampler_v1", image="webp", version="1")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=61, sampler="deis", scheduler="linear_quadratic")
    wf.in_subgraph(600, [ids["ks"], ids["decode"]], "Sample and decode")
    c.features = ["subgraph", "ui_v1"]


@case("group_node_prompts")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=62)
    wf.in_group_node(700, [ids["pos"], ids["neg"], ids["latent"]], "Prompt pack")
    c.features = ["group_node"]


@case("group_node_sampler", image="webp")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=63, sampler="heunpp2", scheduler="beta", control="increment")
    cfg = wf.add("PrimitiveFloat", value=6.5)
    wf.convert(ids["ks"], "cfg")
    wf.connect(cfg, 0, ids["ks"], "cfg")
    # EmptyLatentImage's output is consumed inside the group only: the group hides it.
    wf.in_group_node(710, [ids["latent"], ids["ks"]], "Sampler pack")
    c.features = ["group_node", "group_node_hidden_output", "converted_widget"]


@case("next_seed_trap")
def _(c: Case) -> None:
    ids = txt2img(c.wf, seed=1001, control="increment")
    # The UI was saved after queueing: its widget already holds the next seed.
    c.wf.nodes[ids["ks"]].api_overrides["seed"] = 1000
    c.expected_differences = [[str(ids["ks"]), "seed"]]
    c.features = ["next_seed_trap", "control_after_generate"]


@case("dynamic_prompt_choices")
def _(c: Case) -> None:
    ids = txt2img(
        c.wf,
        seed=63,
        pos="a {red|blue|{dark|light} green} bird // remember to vary\non a branch /* quiet */",
        neg="blurry, {lowres|jpeg artifacts}",
    )
    c.wf.nodes[ids["pos"]].api_overrides["text"] = "a light green bird \non a branch "
    c.wf.nodes[ids["neg"]].api_overrides["text"] = "blurry, jpeg artifacts"
    c.features = ["dynamic_prompts", "prompt_comments"]


@case("prompt_comments_only", image="webp")
def _(c: Case) -> None:
    ids = txt2img(
        c.wf, seed=64, pos="masterpiece, /* style: */ watercolor {fox} // TODO: try ink\nforest"
    )
    c.wf.nodes[ids["pos"]].api_overrides["text"] = "masterpiece,  watercolor fox \nforest"
    c.features = ["prompt_comments", "single_choice"]


@case("missing_trailing_widgets")
def _(c: Case) -> None:
    ids = txt2img(c.wf, seed=65)
    c.wf.nodes[ids["ks"]].truncate_widgets = 1  # no denoise: takes its default 1.0
    c.wf.nodes[ids["save"]].truncate_widgets = 1  # no filename_prefix: "ComfyUI"
    c.features = ["missing_trailing_widgets"]


@case("dict_widget_values")
def _(c: Case) -> None:
    ids = txt2img(c.wf, seed=66, width=640, height=384)
    c.wf.nodes[ids["latent"]].widgets_as_dict = True
    c.features = ["dict_widgets_values"]


@case("custom_node_mappable")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=67)
    custom = wf.add_custom("Seed (rgthree)", widgets=[("seed", 8675309)], links=[], outputs=["INT"])
    wf.convert(ids["ks"], "seed")
    wf.connect(custom, 0, ids["ks"], "seed")
    c.features = ["custom_node", "custom_widgets_listed"]
    c.valid = False


@case("custom_node_unmappable")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=68, save=False)
    saver = wf.add_custom(
        "Image Saver",
        widgets=[("filename", "%time_%seed"), ("path", "out"), ("extension", "png")],
        links=[("images", "IMAGE")],
        outputs=[],
    )
    wf.nodes[saver].ui_only_widgets = ["%time_%seed", "out", "png"]
    wf.nodes[saver].legacy_widgets = True
    wf.connect(ids["decode"], 0, saver, "images")
    c.expected_differences = [
        [str(saver), "filename"],
        [str(saver), "path"],
        [str(saver), "extension"],
    ]
    c.features = ["custom_node", "custom_widgets_unmappable"]
    c.valid = False


@case("backend_value_nodes")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(wf, seed=0, control="fixed")
    seed = wf.add("PrimitiveInt", value=123456789, control="randomize")
    text = wf.add(
        "PrimitiveStringMultiline", value="a tin robot in the rain, // not a comment here"
    )
    wf.convert(ids["ks"], "seed")
    wf.convert(ids["pos"], "text")
    wf.connect(seed, 0, ids["ks"], "seed")
    wf.connect(text, 0, ids["pos"], "text")
    c.features = ["value_nodes", "converted_widget"]


@case("flux_unet_dual_clip")
def _(c: Case) -> None:
    wf = c.wf
    unet = wf.add("UNETLoader", unet_name="flux1-dev.safetensors", weight_dtype="fp8_e4m3fn")
    clip = wf.add(
        "DualCLIPLoader",
        clip_name1="clip_l.safetensors",
        clip_name2="t5xxl_fp16.safetensors",
        type="flux",
        device="default",
    )
    vae = wf.add("VAELoader", vae_name="ae.safetensors")
    text = wf.add("CLIPTextEncode", text="a cat holding a sign that says hello")
    guidance = wf.add("FluxGuidance", guidance=3.5)
    latent = wf.add("EmptySD3LatentImage", width=1024, height=1024, batch_size=1)
    noise = wf.add("RandomNoise", noise_seed=219670278747233, control="randomize")
    guider = wf.add("BasicGuider")
    select = wf.add("KSamplerSelect", sampler_name="euler")
    sched = wf.add("BasicScheduler", scheduler="simple", steps=20, denoise=1.0)
    sampler = wf.add("SamplerCustomAdvanced")
    decode = wf.add("VAEDecode")
    save = wf.add("SaveImage", filename_prefix="flux")
    wf.connect(clip, 0, text, "clip")
    wf.connect(text, 0, guidance, "conditioning")
    wf.connect(unet, 0, guider, "model")
    wf.connect(guidance, 0, guider, "conditioning")
    wf.connect(unet, 0, sched, "model")
    wf.connect(noise, 0, sampler, "noise")
    wf.connect(guider, 0, sampler, "guider")
    wf.connect(select, 0, sampler, "sampler")
    wf.connect(sched, 0, sampler, "sigmas")
    wf.connect(latent, 0, sampler, "latent_image")
    wf.connect(sampler, 0, decode, "samples")
    wf.connect(vae, 0, decode, "vae")
    wf.connect(decode, 0, save, "images")
    c.features = ["UNETLoader", "DualCLIPLoader", "flux", "unsupported_family"]
    c.family = "flux"


@case("sd3_clip_loader", image="webp")
def _(c: Case) -> None:
    wf = c.wf
    ids = txt2img(
        wf,
        ckpt="sd3.5_medium.safetensors",
        seed=70,
        sampler="euler",
        scheduler="sgm_uniform",
        width=1024,
        height=1024,
    )
    clip = wf.add(
        "CLIPLoader", clip_name="t5xxl_fp8_e4m3fn.safetensors", type="sd3", device="default"
    )
    wf.links = [edge for edge in wf.links if not (edge.src == ids["ckpt"] and edge.src_slot == 1)]
    wf.connect(clip, 0, ids["pos"], "clip")
    wf.connect(clip, 0, ids["neg"], "clip")
    c.features = ["CLIPLoader", "sd3", "unsupported_family"]
    c.family = "sd3"


@case("renumbered_prompt")
def _(c: Case) -> None:
    txt2img(c.wf, seed=71, sampler="ipndm", scheduler="normal")

    def renumber(api: dict[str, Any]) -> dict[str, Any]:
        mapping = {
            old: str(100 + index * 3)
            for index, old in enumerate(sorted(api, key=int, reverse=True))
        }
        out: dict[str, Any] = {}
        for old, node in api.items():
            inputs = {
                name: ([mapping[value[0]], value[1]] if isinstance(value, list) else value)
                for name, value in node["inputs"].items()
            }
            out[mapping[old]] = {**node, "inputs": inputs}
        return out

    c.api_override = renumber
    c.features = ["renumbered"]


@case("big_batch_all_samplers_json", image=None)
def _(c: Case) -> None:
    ids = txt2img(
        c.wf,
        seed=18446744073709551615,
        batch=8,
        sampler="er_sde",
        scheduler="kl_optimal",
        control="decrement",
    )
    c.features = ["max_seed", "batch", "json_only"]
    del ids


def render_image(kind: str, *, api: dict[str, Any], ui: dict[str, Any], index: int) -> bytes:
    colour = ((index * 53) % 256, (index * 97) % 256, (index * 151) % 256)
    image = Image.new("RGB", (64, 48), colour)
    buffer = io.BytesIO()
    if kind == "png":
        info = PngImagePlugin.PngInfo()
        info.add_text("prompt", json.dumps(api))
        info.add_text("workflow", json.dumps(ui))
        image.save(buffer, "PNG", pnginfo=info)
    else:
        exif = Image.Exif()
        exif[0x0110] = "prompt:" + json.dumps(api)
        exif[0x010F] = "workflow:" + json.dumps(ui)
        image.save(buffer, "WEBP", exif=exif, lossless=True)
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    manifest: dict[str, Any] = {}
    for index, item in enumerate(CASES):
        ui = item.wf.ui()
        api = item.wf.api()
        if item.api_override is not None:
            api = item.api_override(api)
        (OUT / f"{item.name}.ui.json").write_text(json.dumps(ui, indent=1, sort_keys=False) + "\n")
        (OUT / f"{item.name}.api.json").write_text(json.dumps(api, indent=1) + "\n")
        if item.image:
            (OUT / f"{item.name}.{item.image}").write_bytes(
                render_image(item.image, api=api, ui=ui, index=index)
            )
        manifest[item.name] = {
            "features": item.features,
            "image": item.image,
            "ui_version": item.wf.version,
            "expected_differences": item.expected_differences,
            "valid": item.valid,
            "family": item.family,
        }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
