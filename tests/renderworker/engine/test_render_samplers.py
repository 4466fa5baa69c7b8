"""Every sampler and scheduler the issue lists renders end to end through the executor."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import RenderFunction, pixels, txt2img_graph

ISSUE_SAMPLERS = (
    "euler",
    "euler_ancestral",
    "heun",
    "dpm_2",
    "dpm_2_ancestral",
    "lms",
    "dpmpp_2m",
    "dpmpp_2s_ancestral",
    "dpmpp_sde",
    "dpmpp_2m_sde",
    "dpmpp_3m_sde",
    "ddim",
    "uni_pc",
    "lcm",
)
ISSUE_SCHEDULERS = (
    "normal",
    "karras",
    "exponential",
    "sgm_uniform",
    "simple",
    "ddim_uniform",
    "beta",
)
STOCHASTIC = {
    "euler_ancestral",
    "dpm_2_ancestral",
    "dpmpp_2s_ancestral",
    "dpmpp_sde",
    "dpmpp_2m_sde",
    "dpmpp_3m_sde",
    "lcm",
}


@pytest.fixture(scope="module")
def euler_reference(tiny_dir, component_cache) -> np.ndarray:  # type: ignore[no-untyped-def]
    from renderworker.engine.executor import render_graph
    from renderworker.engine.precision import CPU_FP32, get_profile
    from renderworker.engine.resources import Resources

    resources = Resources(model_dirs=[tiny_dir], cache=component_cache)
    return (
        render_graph(
            graph=txt2img_graph(steps=3), resources=resources, profile=get_profile(name=CPU_FP32)
        )
        .images[0]
        .pixels
    )


@pytest.mark.parametrize("sampler", ISSUE_SAMPLERS)
def test_sampler_renders_deterministically_and_distinctly(
    render: RenderFunction, sampler: str, euler_reference: np.ndarray
) -> None:
    graph = txt2img_graph(sampler=sampler, steps=3)
    first = pixels(render(graph))
    second = pixels(render(graph))
    assert first.shape == (32, 32, 3) and first.dtype == np.uint8
    assert np.array_equal(first, second)
    assert first.std() > 5
    if sampler in ("euler", "ddim"):
        # ComfyUI's ddim is euler under another name.
        assert np.array_equal(first, euler_reference)
    else:
        assert not np.array_equal(first, euler_reference)


@pytest.mark.parametrize("sampler", ["euler", "dpmpp_2m", *sorted(STOCHASTIC)])
def test_noise_seed_drives_only_the_samplers_extra_noise_when_add_noise_is_disabled(
    render: RenderFunction, sampler: str
) -> None:
    def graph(seed: int) -> dict:  # type: ignore[type-arg]
        g = txt2img_graph(sampler=sampler, steps=3)
        g["3"] = {
            "class_type": "KSamplerAdvanced",
            "inputs": {
                "add_noise": "disable",
                "noise_seed": seed,
                "steps": 3,
                "cfg": 7.0,
                "sampler_name": sampler,
                "scheduler": "normal",
                "start_at_step": 0,
                "end_at_step": 10000,
                "return_with_leftover_noise": "disable",
                "model": ["4", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["5", 0],
            },
        }
        return g

    same = np.array_equal(pixels(render(graph(5))), pixels(render(graph(6))))
    assert same is (sampler not in STOCHASTIC)


@pytest.mark.parametrize("scheduler", ISSUE_SCHEDULERS)
def test_scheduler_renders_deterministically(
    render: RenderFunction, scheduler: str, euler_reference: np.ndarray
) -> None:
    graph = txt2img_graph(scheduler=scheduler, steps=3)
    first = pixels(render(graph))
    assert np.array_equal(first, pixels(render(graph)))
    assert first.std() > 5
    if scheduler != "normal":
        assert not np.array_equal(first, euler_reference)


def test_unknown_sampler_name_is_refused_before_compute(render: RenderFunction) -> None:
    from renderworker.engine.errors import GraphInvalidError

    with pytest.raises(GraphInvalidError, match=r"sampler_name.*'euler_magic'.*one of euler"):
        render(txt2img_graph(sampler="euler_magic"))


def test_unknown_scheduler_name_is_refused_before_compute(render: RenderFunction) -> None:
    from renderworker.engine.errors import GraphInvalidError

    with pytest.raises(GraphInvalidError, match=r"scheduler.*'linear'"):
        render(txt2img_graph(scheduler="linear"))


@pytest.mark.parametrize("sampler", ["euler_cfg_pp", "euler_ancestral_cfg_pp", "dpmpp_2m_cfg_pp"])
def test_cfg_pp_samplers_render_through_the_executor(
    render: RenderFunction, sampler: str, euler_reference: np.ndarray
) -> None:
    """CFG++ samplers need the guided denoiser's uncond output, so it must reach them unwrapped."""
    image = pixels(render(txt2img_graph(sampler=sampler, steps=3)))
    assert image.std() > 5
    assert not np.array_equal(image, euler_reference)
