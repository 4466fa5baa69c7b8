"""Precision profiles, deterministic settings and the environment record of a render."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Iterator
from dataclasses import dataclass

import torch

import renderworker

CPU_FP32 = "cpu-fp32"
CUDA_COMFY = "cuda-comfy"
PROFILE_NAMES = (CPU_FP32, CUDA_COMFY)


@dataclass(frozen=True)
class PrecisionProfile:
    """Where and in which dtypes each component runs."""

    name: str
    device: torch.device
    unet_dtype: torch.dtype
    vae_dtype: torch.dtype
    text_storage_dtype: torch.dtype  # text maths always run in float32 (ComfyUI manual cast)

    @property
    def attention_backend(self) -> str:
        if self.device.type == "cuda":
            return "sdpa[cudnn>flash>efficient>math]"
        return "sdpa[math-cpu]"


def get_profile(*, name: str) -> PrecisionProfile:
    """Return the named profile; ``cuda-comfy`` needs a CUDA device."""
    if name == CPU_FP32:
        return PrecisionProfile(
            name=name,
            device=torch.device("cpu"),
            unet_dtype=torch.float32,
            vae_dtype=torch.float32,
            text_storage_dtype=torch.float32,
        )
    if name == CUDA_COMFY:
        if not torch.cuda.is_available():
            raise ValueError(
                f"profile {name!r} needs a CUDA GPU and none is visible; use {CPU_FP32!r} off-GPU"
            )
        # ComfyUI's defaults on Ampere+ (COMFY_FIDELITY §8): UNet fp16, VAE bf16, text fp16-stored.
        return PrecisionProfile(
            name=name,
            device=torch.device("cuda"),
            unet_dtype=torch.float16,
            vae_dtype=torch.bfloat16,
            text_storage_dtype=torch.float16,
        )
    raise ValueError(f"profile {name!r} is not known; accepted: {', '.join(PROFILE_NAMES)}")


def default_profile_name() -> str:
    """``cuda-comfy`` where a GPU is visible, ``cpu-fp32`` otherwise."""
    return CUDA_COMFY if torch.cuda.is_available() else CPU_FP32


def apply_deterministic_settings() -> None:
    """Deterministic kernels, no TF32, no cuDNN autotuning (COMFY_FIDELITY §8)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


@contextlib.contextmanager
def attention_kernels(*, profile: PrecisionProfile) -> Iterator[None]:
    """Run SDPA with ComfyUI's backend priority on CUDA (cuDNN → flash → mem-efficient → math)."""
    if profile.device.type != "cuda":
        yield
        return
    from torch.nn.attention import SDPBackend, sdpa_kernel

    order = [
        SDPBackend.CUDNN_ATTENTION,
        SDPBackend.FLASH_ATTENTION,
        SDPBackend.EFFICIENT_ATTENTION,
        SDPBackend.MATH,
    ]
    with sdpa_kernel(order, set_priority=True):
        yield


def environment_report(*, profile: PrecisionProfile) -> dict[str, str]:
    """What a verdict records about the machine and software that rendered it."""
    import diffusers
    import transformers

    gpu = torch.cuda.get_device_name(profile.device) if profile.device.type == "cuda" else "none"
    return {
        "behaviour_version": renderworker.BEHAVIOUR_VERSION,
        "profile": profile.name,
        "torch": torch.__version__,
        "diffusers": diffusers.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "device": str(profile.device),
        "gpu": gpu,
        "cuda": str(torch.version.cuda),
        "unet_dtype": str(profile.unet_dtype).removeprefix("torch."),
        "vae_dtype": str(profile.vae_dtype).removeprefix("torch."),
        "text_dtype": f"{str(profile.text_storage_dtype).removeprefix('torch.')} storage, float32 maths",
        "attention_backend": profile.attention_backend,
        "deterministic": str(torch.are_deterministic_algorithms_enabled()),
    }
