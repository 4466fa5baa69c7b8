"""Classifier-free guidance on denoised predictions (COMFY_FIDELITY §3)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from renderworker.engine.sampling import cfg_denoiser

POSITIVE = "a cat"
NEGATIVE = "blurry"
OUTPUT_FOR = {POSITIVE: 3.0, NEGATIVE: 1.0}


class RecordingModel:
    """Returns a constant per conditioning, times x, and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, int]] = []

    def __call__(self, x: Tensor, sigma: Tensor, conditioning: object) -> Tensor:
        self.calls.append((conditioning, x.shape[0]))
        return x * OUTPUT_FOR[str(conditioning)]

    def batched(self, x: Tensor, sigma: Tensor, conditionings: Sequence[object]) -> Tensor:
        self.calls.append((tuple(conditionings), x.shape[0]))
        half = x.shape[0] // 2
        assert torch.equal(sigma[:half], sigma[half:])
        return torch.cat(
            [
                x[:half] * OUTPUT_FOR[str(conditionings[0])],
                x[half:] * OUTPUT_FOR[str(conditionings[1])],
            ]
        )


def test_guidance_extrapolates_from_uncond_towards_cond() -> None:
    model = RecordingModel()
    denoise = cfg_denoiser(model_call=model, positive=POSITIVE, negative=NEGATIVE, cfg=7.5)
    x = torch.ones(2, 4, 2, 2)
    result = denoise(x, torch.tensor([5.0, 5.0]))
    assert torch.equal(result, torch.full((2, 4, 2, 2), 1.0 + (3.0 - 1.0) * 7.5))
    assert model.calls == [(POSITIVE, 2), (NEGATIVE, 2)]


def test_cfg_one_skips_the_negative_pass_and_returns_cond_exactly() -> None:
    model = RecordingModel()
    denoise = cfg_denoiser(model_call=model, positive=POSITIVE, negative=NEGATIVE, cfg=1.0)
    x = torch.randn(1, 4, 2, 2, generator=torch.Generator().manual_seed(0))
    result = denoise(x, torch.tensor([5.0]))
    assert torch.equal(result, x * 3.0)
    assert model.calls == [(POSITIVE, 1)]


def test_batched_call_puts_uncond_first_and_splits_back() -> None:
    model = RecordingModel()
    denoise = cfg_denoiser(
        model_call=model,
        positive=POSITIVE,
        negative=NEGATIVE,
        cfg=2.0,
        batched_model_call=model.batched,
    )
    x = torch.ones(3, 4, 2, 2)
    result = denoise(x, torch.tensor([5.0, 5.0, 5.0]))
    assert torch.equal(result, torch.full((3, 4, 2, 2), 1.0 + (3.0 - 1.0) * 2.0))
    assert model.calls == [((NEGATIVE, POSITIVE), 6)]


def test_batched_and_separate_calls_agree() -> None:
    x = torch.randn(2, 4, 2, 2, generator=torch.Generator().manual_seed(1))
    sigma = torch.tensor([3.0, 3.0])
    model = RecordingModel()
    separate = cfg_denoiser(model_call=model, positive=POSITIVE, negative=NEGATIVE, cfg=6.0)(
        x, sigma
    )
    batched = cfg_denoiser(
        model_call=model,
        positive=POSITIVE,
        negative=NEGATIVE,
        cfg=6.0,
        batched_model_call=model.batched,
    )(x, sigma)
    assert torch.equal(separate, batched)


def test_cfg_one_does_not_use_the_batched_call() -> None:
    model = RecordingModel()
    denoise = cfg_denoiser(
        model_call=model,
        positive=POSITIVE,
        negative=NEGATIVE,
        cfg=1.0,
        batched_model_call=model.batched,
    )
    denoise(torch.ones(1, 4, 2, 2), torch.tensor([5.0]))
    assert model.calls == [(POSITIVE, 1)]
