"""What every sampler function receives: the denoiser, the seed, progress and cancellation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

from ..errors import RenderCancelled

Denoiser = Callable[[Tensor, Tensor], Tensor]
StepCallback = Callable[[int, int], None]
DenoisedCallback = Callable[[int, Tensor], None]
CancelCheck = Callable[[], bool]


@dataclass
class SamplingContext:
    """Carries the caller's callbacks through one sampling run.

    `denoiser(x, sigma_batch)` returns the (CFG-combined) denoised latent; sigma_batch is a
    float32 [B] tensor with one sigma per sample, exactly what ComfyUI passes to its model.
    """

    denoiser: Denoiser
    seed: int
    total_steps: int
    on_step: StepCallback | None = None
    should_cancel: CancelCheck | None = None
    on_denoised: DenoisedCallback | None = None

    def denoise(self, x: Tensor, sigma: Tensor) -> Tensor:
        """Call the denoiser with `sigma` (0-dim or [B]) expanded to one sigma per sample."""
        sigma_batch = sigma * x.new_ones([x.shape[0]])
        return self.denoiser(x, sigma_batch)

    def denoise_with_uncond(self, x: Tensor, sigma: Tensor) -> tuple[Tensor, Tensor]:
        """(guided, unconditional) denoised latents, for the CFG++ samplers.

        Needs a denoiser with a `denoise_with_uncond` method, such as `cfg_denoiser`'s.
        """
        method = getattr(self.denoiser, "denoise_with_uncond", None)
        if method is None:
            raise ValueError(
                "this sampler needs the unconditional prediction: pass the denoiser made by "
                "cfg_denoiser (or any with a denoise_with_uncond(x, sigma) method)"
            )
        sigma_batch = sigma * x.new_ones([x.shape[0]])
        guided, uncond = method(x, sigma_batch)
        return guided, uncond

    def begin_step(self, index: int) -> None:
        """Raise RenderCancelled before step `index` (0-based) if the caller asked to stop."""
        if self.should_cancel is not None and self.should_cancel():
            raise RenderCancelled(completed_steps=index, total_steps=self.total_steps)

    def end_step(self, index: int, denoised: Tensor) -> None:
        """Report that step `index` (0-based) is done: on_denoised(index + 1, denoised), then
        on_step(index + 1, total_steps). `denoised` is the prediction ComfyUI hands its step
        callback (previews, SamplerCustomAdvanced's denoised_output): the step's first one."""
        if self.on_denoised is not None:
            self.on_denoised(index + 1, denoised)
        if self.on_step is not None:
            self.on_step(index + 1, self.total_steps)
