"""Classifier-free guidance on denoised predictions (COMFY_FIDELITY §3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

# Conditioning is owned by the model/text side of the engine; here it is only passed through.
Conditioning = Any
ModelCall = Callable[[Tensor, Tensor, Conditioning], Tensor]
BatchedModelCall = Callable[[Tensor, Tensor, Sequence[Conditioning]], Tensor]
Denoiser = Callable[[Tensor, Tensor], Tensor]


def cfg_denoiser(
    *,
    model_call: ModelCall,
    positive: Conditioning,
    negative: Conditioning,
    cfg: float,
    batched_model_call: BatchedModelCall | None = None,
) -> Denoiser:
    """A `denoise(x, sigma_batch)` for `sample` that applies CFG to the model's denoised outputs.

    `model_call(x, sigma_batch, conditioning)` returns the denoised latent for one conditioning.
    Result: uncond + (cond - uncond)·cfg. When cfg is 1 (math.isclose, like ComfyUI) the
    negative pass is skipped and the result is cond·cfg (bit-identical to cond at exactly 1).

    `batched_model_call(x2, sigma2, [negative, positive])`, when given, runs both passes as one
    batch: x2 and sigma2 are the inputs repeated twice, uncond first (ComfyUI's order); its
    output is split back in that order. Pass it only when both conditionings can share a batch
    (equal token lengths after padding); otherwise two calls are made.
    """
    skip_uncond = math.isclose(cfg, 1.0)

    def denoise(x: Tensor, sigma: Tensor) -> Tensor:
        if skip_uncond:
            return model_call(x, sigma, positive) * cfg
        if batched_model_call is not None:
            batch = x.shape[0]
            both = batched_model_call(
                torch.cat([x, x]), torch.cat([sigma, sigma]), [negative, positive]
            )
            uncond, cond = both[:batch], both[batch:]
        else:
            cond = model_call(x, sigma, positive)
            uncond = model_call(x, sigma, negative)
        return uncond + (cond - uncond) * cfg

    return denoise
