"""SetLatentNoiseMask and VAEEncodeForInpaint: only the masked region is regenerated."""

from __future__ import annotations

import numpy as np
import torch
from conftest import txt2img_graph

from renderworker.engine.nodes.conditioning import clip_text_encode
from renderworker.engine.nodes.latents import set_latent_noise_mask, vae_encode_for_inpaint
from renderworker.engine.nodes.loaders import checkpoint_loader_simple
from renderworker.engine.nodes.sampling import ksampler
from renderworker.engine.nodes.spec import RunState
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.engine.resources import Resources
from renderworker.engine.values import LatentValue


def _state(resources: Resources) -> RunState:
    return RunState(resources=resources, profile=get_profile(name=CPU_FP32))


def _sample(state: RunState, latent: LatentValue) -> LatentValue:
    model, clip, _ = checkpoint_loader_simple(state, ckpt_name="tiny-sd1.safetensors")
    positive = clip_text_encode(state, text="a red cat", clip=clip)[0]
    negative = clip_text_encode(state, text="blurry", clip=clip)[0]
    return ksampler(
        state,
        model=model,
        seed=3,
        steps=4,
        cfg=7.0,
        sampler_name="euler",
        scheduler="normal",
        positive=positive,
        negative=negative,
        latent_image=latent,
        denoise=1.0,
    )[0]


def test_noise_mask_keeps_the_unmasked_latent(resources: Resources) -> None:
    state = _state(resources)
    source = torch.randn(1, 4, 4, 4, generator=torch.Generator().manual_seed(0))
    mask = torch.zeros(1, 4, 4)
    mask[:, :, 2:] = 1.0
    masked = set_latent_noise_mask(state, samples=LatentValue(source), mask=mask)[0]
    assert masked.noise_mask is not None and masked.noise_mask.shape == (1, 1, 4, 4)
    result = _sample(state, masked).samples
    torch.testing.assert_close(result[..., :2], source[..., :2], rtol=0, atol=1e-5)
    assert (result[..., 2:] - source[..., 2:]).abs().max() > 0.1


def test_vae_encode_for_inpaint_greys_masked_pixels_and_grows_the_mask(
    resources: Resources,
) -> None:
    state = _state(resources)
    _, _, vae = checkpoint_loader_simple(state, ckpt_name="tiny-sd1.safetensors")
    image = torch.rand(1, 34, 36, 3, generator=torch.Generator().manual_seed(1))
    mask = torch.zeros(1, 34, 36)
    mask[:, 10:14, 10:14] = 1.0
    latent = vae_encode_for_inpaint(state, pixels=image, vae=vae, mask=mask, grow_mask_by=6)[0]
    assert latent.samples.shape == (1, 4, 4, 4)
    assert latent.noise_mask is not None and latent.noise_mask.shape == (1, 1, 32, 32)
    # Cropped by 1 px each side (rows 9..12 masked); a 6×6 box, padding 3, covers rows 7..15.
    rows = latent.noise_mask[0, 0].sum(dim=1).nonzero().flatten().tolist()
    assert rows == list(range(7, 16))
    unmasked = vae_encode_for_inpaint(
        state, pixels=image, vae=vae, mask=torch.zeros(1, 34, 36), grow_mask_by=0
    )[0]
    assert not torch.equal(latent.samples, unmasked.samples)


def test_inpaint_graph_renders_end_to_end(tiny_dir, component_cache) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    from renderworker.engine.executor import render_graph

    rgba = np.full((32, 32, 4), 255, dtype=np.uint8)
    rgba[..., :3] = np.random.default_rng(2).integers(0, 256, (32, 32, 3))
    rgba[8:24, 8:24, 3] = 0  # transparent = masked (ComfyUI mask = 1 − alpha)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    resources = Resources(
        model_dirs=[tiny_dir], cache=component_cache, input_images={"in.png": buffer.getvalue()}
    )
    graph = txt2img_graph()
    del graph["5"]
    graph["30"] = {"class_type": "LoadImage", "inputs": {"image": "in.png"}}
    graph["31"] = {
        "class_type": "VAEEncodeForInpaint",
        "inputs": {"pixels": ["30", 0], "vae": ["4", 2], "mask": ["30", 1], "grow_mask_by": 6},
    }
    graph["3"]["inputs"]["latent_image"] = ["31", 0]
    first = (
        render_graph(graph=graph, resources=resources, profile=get_profile(name=CPU_FP32))
        .images[0]
        .pixels
    )
    again = (
        render_graph(graph=graph, resources=resources, profile=get_profile(name=CPU_FP32))
        .images[0]
        .pixels
    )
    assert first.shape == (32, 32, 3)
    assert np.array_equal(first, again)
