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


class CfgDenoiser:
    """`denoise(x, sigma_batch)` with CFG; see `cfg_denoiser`.

    Also offers `denoise_with_uncond`, which the CFG++ samplers (`*_cfg_pp`) need: it always
    runs the negative pass, even at cfg 1 (ComfyUI disables its cfg-1 shortcut for them).
    """

    def __init__(
        self,
        *,
        model_call: ModelCall,
        positive: Conditioning,
        negative: Conditioning,
        cfg: float,
        batched_model_call: BatchedModelCall | None,
    ) -> None:
        self.model_call = model_call
        self.positive = positive
        self.negative = negative
        self.cfg = cfg
        self.batched_model_call = batched_model_call
        self.skip_uncond = math.isclose(cfg, 1.0)

    def __call__(self, x: Tensor, sigma: Tensor) -> Tensor:
        if self.skip_uncond:
            # ComfyUI leaves uncond at 0 here: 0 + (cond - 0)·cfg, i.e. cond·cfg.
            return self.model_call(x, sigma, self.positive) * self.cfg
        return self.denoise_with_uncond(x, sigma)[0]

    def denoise_with_uncond(self, x: Tensor, sigma: Tensor) -> tuple[Tensor, Tensor]:
        """(guided denoised, unconditional denoised), both passes always run."""
        if self.batched_model_call is not None:
            batch = x.shape[0]
            both = self.batched_model_call(
                torch.cat([x, x]), torch.cat([sigma, sigma]), [self.negative, self.positive]
            )
            uncond, cond = both[:batch], both[batch:]
        else:
            cond = self.model_call(x, sigma, self.positive)
            uncond = self.model_call(x, sigma, self.negative)
        return uncond + (cond - uncond) * self.cfg, uncond


def cfg_denoiser(
    *,
    model_call: ModelCall,
    positive: Conditioning,
    negative: Conditioning,
    cfg: float,
    batched_model_call: BatchedModelCall | None = None,
) -> CfgDenoiser:
    """A `denoise(x, sigma_batch)` for `sample` that applies CFG to the model's denoised outputs.

    `model_call(x, sigma_batch, conditioning)` returns the denoised latent for one conditioning.
    Result: uncond + (cond - uncond)·cfg. When cfg is 1 (math.isclose, like ComfyUI) the
    negative pass is skipped and the result is cond·cfg (bit-identical to cond at exactly 1).

    `batched_model_call(x2, sigma2, [negative, positive])`, when given, runs both passes as one
    batch: x2 and sigma2 are the inputs repeated twice, uncond first (ComfyUI's order); its
    output is split back in that order. Pass it only when both conditionings can share a batch
    (equal token lengths after padding); otherwise two calls are made.
    """
    return CfgDenoiser(
        model_call=model_call,
        positive=positive,
        negative=negative,
        cfg=cfg,
        batched_model_call=batched_model_call,
    )
