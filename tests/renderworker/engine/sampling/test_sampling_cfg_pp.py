"""CFG++ samplers: the step direction comes from the unconditional prediction."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from renderworker.engine.sampling import cfg_denoiser, sample

CFG = 3.0


def _gaussian(x: Tensor, sigma: Tensor | float, mean: float, std: float = 0.7) -> Tensor:
    variance = sigma**2 if isinstance(sigma, float) else (sigma**2).view(-1, 1, 1, 1)
    return (std**2 * x + variance * mean) / (std**2 + variance)


def _model_call(x: Tensor, sigma: Tensor, conditioning: object) -> Tensor:
    return _gaussian(x, sigma, mean=0.5 if conditioning == "cond" else -0.5)


def _guided64(x: Tensor, sigma: float) -> tuple[Tensor, Tensor]:
    cond = _gaussian(x.double(), sigma, mean=0.5)
    uncond = _gaussian(x.double(), sigma, mean=-0.5)
    return uncond + (cond - uncond) * CFG, uncond


def _run(sampler: str, sigmas: list[float], x: Tensor) -> Tensor:
    denoiser = cfg_denoiser(model_call=_model_call, positive="cond", negative="uncond", cfg=CFG)
    return sample(sampler=sampler, denoise=denoiser, x=x, sigmas=torch.tensor(sigmas), seed=5)


def _start() -> Tensor:
    return torch.randn(1, 4, 4, 4, generator=torch.Generator().manual_seed(3)) * 2


@pytest.mark.parametrize("sampler", ["euler_cfg_pp", "dpmpp_2m_cfg_pp"])
def test_first_step_lands_on_the_guided_prediction_plus_the_uncond_direction(sampler: str) -> None:
    x = _start()
    guided, uncond = _guided64(x, 2.0)
    expected = guided + (1.0 / 2.0) * (x.double() - uncond)
    assert torch.allclose(_run(sampler, [2.0, 1.0], x).double(), expected, rtol=0, atol=1e-5)


def test_dpmpp_2m_cfg_pp_second_step_uses_the_previous_uncond() -> None:
    x = _start()
    guided_1, uncond_1 = _guided64(x, 4.0)
    x_1 = guided_1 + 0.5 * (x.double() - uncond_1)
    guided_2, uncond_2 = _guided64(x_1, 2.0)
    # h = log 2, r = 1: -e^{-h}·U₂ - expm1(-h)·(1/2)·(G₂ - U₁) + e^{-h}·x₁
    expected = guided_2 - 0.5 * uncond_2 + 0.25 * (guided_2 - uncond_1) + 0.5 * x_1
    result = _run("dpmpp_2m_cfg_pp", [4.0, 2.0, 1.0], x).double()
    assert torch.allclose(result, expected, rtol=0, atol=1e-5)


def test_cfg_pp_last_step_returns_the_guided_prediction() -> None:
    x = _start()
    guided, _ = _guided64(x, 2.0)
    assert torch.allclose(_run("euler_cfg_pp", [2.0, 0.0], x).double(), guided, rtol=0, atol=1e-6)


def test_cfg_pp_differs_from_plain_cfg() -> None:
    x = _start()
    assert not torch.allclose(_run("euler_cfg_pp", [2.0, 1.0], x), _run("euler", [2.0, 1.0], x))


def test_uncond_is_computed_even_at_cfg_one() -> None:
    calls: list[object] = []

    def model_call(x: Tensor, sigma: Tensor, conditioning: object) -> Tensor:
        calls.append(conditioning)
        return _model_call(x, sigma, conditioning)

    denoiser = cfg_denoiser(model_call=model_call, positive="cond", negative="uncond", cfg=1.0)
    x = _start()
    guided, uncond = denoiser.denoise_with_uncond(x, torch.tensor([2.0]))
    assert calls == ["cond", "uncond"]
    assert torch.equal(uncond, _model_call(x, torch.tensor([2.0]), "uncond"))
    assert torch.allclose(guided, _model_call(x, torch.tensor([2.0]), "cond"), rtol=0, atol=1e-6)


def test_cfg_pp_samplers_refuse_a_plain_denoiser() -> None:
    def plain(x: Tensor, sigma: Tensor) -> Tensor:
        return x

    with pytest.raises(ValueError, match="'euler_cfg_pp' needs the unconditional prediction"):
        sample(
            sampler="euler_cfg_pp",
            denoise=plain,
            x=_start(),
            sigmas=torch.tensor([2.0, 0.0]),
            seed=1,
        )
