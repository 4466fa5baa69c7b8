"""Shared fixtures of the engine tests: the tiny models, written once per session."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from renderworker.engine.executor import RenderResult, render_graph
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.engine.resources import Resources
from renderworker.models import LoadedComponentCache
from renderworker.tiny_models import write_tiny_models

# Tiny tensors: one thread is fastest, and CI's two cores are shared with the web suite
# (OpenMP threads spinning against each other made renders 10-50× slower).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-models")
    write_tiny_models(directory=directory, seed=0)
    return directory


@pytest.fixture(scope="session")
def component_cache() -> LoadedComponentCache[Any]:
    return LoadedComponentCache(max_entries=4)


@pytest.fixture
def resources(tiny_dir: Path, component_cache: LoadedComponentCache[Any]) -> Resources:
    return Resources(model_dirs=[tiny_dir], cache=component_cache)


RenderFunction = Callable[..., RenderResult]


@pytest.fixture
def render(resources: Resources) -> RenderFunction:
    def run(graph: dict[str, Any], **kwargs: Any) -> RenderResult:
        return render_graph(
            graph=copy.deepcopy(graph),
            resources=resources,
            profile=get_profile(name=CPU_FP32),
            **kwargs,
        )

    return run


def pixels(result: RenderResult, index: int = 0) -> np.ndarray:
    return result.images[index].pixels


def txt2img_graph(
    *,
    checkpoint: str = "tiny-sd1.safetensors",
    positive: str = "a photo of a red cat",
    negative: str = "blurry",
    seed: int = 1,
    steps: int = 4,
    cfg: float = 7.0,
    sampler: str = "euler",
    scheduler: str = "normal",
    size: int = 32,
    batch: int = 1,
) -> dict[str, Any]:
    """The default ComfyUI txt2img graph (API format) at a tiny size."""
    return {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": checkpoint}},
        "5": {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": size, "height": size, "batch_size": batch},
        },
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": positive, "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": negative, "clip": ["4", 1]}},
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": seed,
                "steps": steps,
                "cfg": cfg,
                "sampler_name": sampler,
                "scheduler": scheduler,
                "denoise": 1.0,
                "model": ["4", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["5", 0],
            },
        },
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "kiln", "images": ["8", 0]}},
    }
