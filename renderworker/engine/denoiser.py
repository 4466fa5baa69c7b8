"""The model call: one UNet evaluation per conditioning, returning denoised latents (§3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from renderworker.engine.acceleration import accelerated_unet
from renderworker.engine.errors import EngineError
from renderworker.engine.families import SDXL
from renderworker.engine.precision import attention_kernels
from renderworker.engine.sampling_api import DiscreteSchedule
from renderworker.engine.values import Conditioning, ConditioningEntry, ModelValue

SDXL_SIZE_KEYS = ("height", "width", "crop_h", "crop_w", "target_height", "target_width")


def _repeat_to(cond: torch.Tensor, length: int) -> torch.Tensor:
    """Pad a cond to ``length`` tokens by repeating it, as ComfyUI batches unequal prompts."""
    return cond.repeat(1, length // cond.shape[1], 1)


def _time_ids(entry: ConditioningEntry, *, latent_height: int, latent_width: int) -> list[float]:
    # ComfyUI's defaults: the latent size ×8, crops 0, target = size.
    height = entry.extras.get("height", latent_height * 8)
    width = entry.extras.get("width", latent_width * 8)
    values = {
        "height": height,
        "width": width,
        "crop_h": entry.extras.get("crop_h", 0),
        "crop_w": entry.extras.get("crop_w", 0),
        "target_height": entry.extras.get("target_height", height),
        "target_width": entry.extras.get("target_width", width),
    }
    return [float(values[key]) for key in SDXL_SIZE_KEYS]


class ModelCaller:
    """Evaluates the UNet of a MODEL value for batches of (x, σ, conditioning)."""

    def __init__(self, *, model: ModelValue) -> None:
        self.model = model
        checkpoint = model.checkpoint
        self.schedule = DiscreteSchedule(prediction=checkpoint.family.prediction)  # type: ignore[arg-type]
        # Hook (issue 6, acceleration.py): the compiled UNet when RENDER_COMPILE=1, else checkpoint.unet.
        self.unet = accelerated_unet(checkpoint=checkpoint)
        self.profile = checkpoint.profile
        self.is_sdxl = checkpoint.family.name == SDXL
        self.last_denoised: torch.Tensor | None = None

    def _unet(
        self, x: torch.Tensor, sigma: torch.Tensor, entries: Sequence[ConditioningEntry]
    ) -> torch.Tensor:
        """Denoised latents for rows of x, row i conditioned on entries[i]."""
        length = math.lcm(*(entry.cond.shape[1] for entry in entries))
        device, dtype = self.profile.device, self.profile.unet_dtype
        context = torch.cat([_repeat_to(entry.cond, length) for entry in entries]).to(
            device=device, dtype=dtype
        )
        kwargs: dict[str, object] = {}
        if self.is_sdxl:
            if any(entry.pooled is None for entry in entries):
                raise EngineError(
                    "SDXL model got a conditioning without a pooled output (encode it with an SDXL CLIP)"
                )
            pooled = torch.cat([entry.pooled for entry in entries if entry.pooled is not None])
            time_ids = torch.tensor(
                [
                    _time_ids(entry, latent_height=x.shape[2], latent_width=x.shape[3])
                    for entry in entries
                ],
                dtype=torch.float32,
            )
            # float32 here: the UNet concatenates them with the float32 size embedding and casts once.
            kwargs["added_cond_kwargs"] = {
                "text_embeds": pooled.to(device=device, dtype=torch.float32),
                "time_ids": time_ids.to(device),
            }
        x_in = self.schedule.scale_input(x, sigma).to(dtype)
        timestep = self.schedule.timestep(sigma)
        with attention_kernels(profile=self.profile):
            output = self.unet(
                x_in, timestep, encoder_hidden_states=context, return_dict=False, **kwargs
            )[0]
        return self.schedule.to_denoised(x, output.float(), sigma)

    def call(
        self, x: torch.Tensor, sigma: torch.Tensor, conditioning: Conditioning
    ) -> torch.Tensor:
        """Denoised latent for one conditioning: the mean over its entries (ConditioningCombine)."""
        batch = x.shape[0]
        count = len(conditioning)
        entries = [entry for entry in conditioning for _ in range(batch)]
        outputs = self._unet(x.repeat(count, 1, 1, 1), sigma.repeat(count), entries)
        total = outputs[:batch]
        for index in range(1, count):
            total = total + outputs[index * batch : (index + 1) * batch]
        result = total / count
        self.last_denoised = result
        return result

    def call_batched(
        self, x: torch.Tensor, sigma: torch.Tensor, conditionings: Sequence[Conditioning]
    ) -> torch.Tensor:
        """Single-entry conditionings in one UNet batch: rows split evenly in ``conditionings`` order."""
        batch = x.shape[0] // len(conditionings)
        entries = [conditioning[0] for conditioning in conditionings for _ in range(batch)]
        return self._unet(x, sigma, entries)

    def batched_call_for(
        self, *conditionings: Conditioning | None
    ) -> Callable[..., torch.Tensor] | None:
        """The batched call when every conditioning has exactly one entry, else None."""
        if all(c is not None and len(c) == 1 for c in conditionings):
            return self.call_batched
        return None
