"""One sampling run, shared by KSampler, KSamplerAdvanced and SamplerCustomAdvanced."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from renderworker.engine.denoiser import ModelCaller
from renderworker.engine.lora import UNET, patcher_for
from renderworker.engine.nodes.spec import RunState
from renderworker.engine.sampling_api import cfg_denoiser, initial_noise, noise_latent, sample
from renderworker.engine.values import Conditioning, LatentValue, ModelValue


def prepare_noise_mask(*, mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A [B, C, h, w] mask for latents ``like``: bilinear resize, repeated over channels and batch."""
    flat = mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])).float()
    resized = torch.nn.functional.interpolate(
        flat, size=(like.shape[2], like.shape[3]), mode="bilinear"
    )
    resized = torch.cat([resized] * like.shape[1], dim=1)
    repeats = (like.shape[0] + resized.shape[0] - 1) // resized.shape[0]
    return resized.repeat(repeats, 1, 1, 1)[: like.shape[0]].to(
        device=like.device, dtype=like.dtype
    )


class _InpaintDenoiser:
    """Inpainting with a noise mask (ComfyUI KSamplerX0Inpaint).

    Outside the mask the model sees the input latent noised to the current σ, and its
    prediction there is replaced by the input latent, so only the masked region changes.
    """

    def __init__(
        self, *, inner: Any, mask: torch.Tensor, latent: torch.Tensor, noise: torch.Tensor
    ) -> None:
        self.inner = inner
        self.mask = mask
        self.latent = latent
        self.noise = noise

    def _input(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        sigma_view = sigma.reshape([-1] + [1] * (x.ndim - 1))
        return x * self.mask + (self.latent + self.noise * sigma_view) * (1.0 - self.mask)

    def _output(self, denoised: torch.Tensor) -> torch.Tensor:
        return denoised * self.mask + self.latent * (1.0 - self.mask)

    def __call__(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        return self._output(self.inner(self._input(x, sigma), sigma))

    def denoise_with_uncond(
        self, x: torch.Tensor, sigma: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        guided, uncond = self.inner.denoise_with_uncond(self._input(x, sigma), sigma)
        return self._output(guided), self._output(uncond)


def run_sampling(
    state: RunState,
    *,
    model: ModelValue,
    latent: LatentValue,
    sigmas: torch.Tensor,
    sampler: str,
    seed: int,
    add_noise: bool,
    positive: Conditioning,
    negative: Conditioning | None,
    cfg: float,
) -> tuple[LatentValue, LatentValue]:
    """Sample ``latent`` down ``sigmas``; returns (output, denoised output of the last step)."""
    if sigmas.numel() == 0:
        return latent, latent
    checkpoint = model.checkpoint
    patcher_for(checkpoint=checkpoint, target=UNET).ensure(loras=model.loras)
    caller = ModelCaller(model=model)
    samples = latent.samples
    if add_noise:
        batch_index = list(latent.batch_index) if latent.batch_index is not None else None
        noise = initial_noise(latent=samples, seed=seed, batch_index=batch_index)
    else:
        noise = torch.zeros_like(samples)
    scale = checkpoint.family.latent_scale
    # An all-zero latent (EmptyLatentImage) is not scaled (ComfyUI process_latent_in).
    latent_in = samples * scale if torch.count_nonzero(samples) > 0 else samples
    device = checkpoint.profile.device
    x = noise_latent(
        latent=latent_in.to(device), noise=noise, sigmas=sigmas.to(device), schedule=caller.schedule
    )
    guided = cfg_denoiser(
        model_call=caller.call,
        positive=positive,
        negative=negative,
        cfg=cfg,
        batched_model_call=caller.batched_call_for(negative, positive)
        if negative is not None
        else None,
    )
    # The guided denoiser goes to the sampler as is (CFG++ samplers need its uncond output);
    # ComfyUI's "denoised output" is the first prediction of the last step, via on_denoised.
    last: list[torch.Tensor] = []

    def keep_denoised(step: int, denoised: torch.Tensor) -> None:
        last[:] = [denoised]

    denoiser: Any = guided
    if latent.noise_mask is not None:
        denoiser = _InpaintDenoiser(
            inner=guided,
            mask=prepare_noise_mask(mask=latent.noise_mask, like=x),
            latent=latent_in.to(device=device, dtype=x.dtype),
            noise=noise.to(device=device, dtype=x.dtype),
        )
    output = sample(
        sampler=sampler,
        denoise=denoiser,
        x=x,
        sigmas=sigmas,
        seed=seed,
        on_step=state.step,
        should_cancel=state.should_cancel,
        on_denoised=keep_denoised,
    )
    result = replace(latent, samples=(output.float() / scale).cpu())
    denoised = replace(latent, samples=(last[0].float() / scale).cpu()) if last else result
    return result, denoised
