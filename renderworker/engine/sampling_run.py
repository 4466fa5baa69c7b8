"""One sampling run, shared by KSampler, KSamplerAdvanced and SamplerCustomAdvanced."""

from __future__ import annotations

from dataclasses import replace

import torch

from renderworker.engine.denoiser import ModelCaller
from renderworker.engine.lora import UNET, patcher_for
from renderworker.engine.nodes.spec import RunState
from renderworker.engine.sampling_api import cfg_denoiser, initial_noise, noise_latent, sample
from renderworker.engine.values import Conditioning, LatentValue, ModelValue


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
    if latent.noise_mask is not None:
        from renderworker.engine.errors import EngineError

        raise EngineError(f"node {state.node_id}: latents with a noise mask are not supported yet")
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

    output = sample(
        sampler=sampler,
        denoise=guided,
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
