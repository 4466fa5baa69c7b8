"""Where ancestral and SDE samplers get their extra noise (COMFY_FIDELITY §5).

Ancestral (euler_ancestral, dpm_2_ancestral, dpmpp_2s_ancestral, ddpm, lcm, er_sde,
res_multistep_ancestral and the ancestral CFG++ forms):
    a fresh `torch.Generator(device=x.device)` seeded with the KSampler seed, one
    `randn(x.shape)` per call. On the CPU the seed is seed+1: ComfyUI added that (in its
    `default_noise_sampler`, present in the 0.3.6x line Kiln emulates) so that the sampler's
    stream is not the initial-noise stream again. Kiln follows that newer behaviour. seed+1
    overflows torch's range for seed 2**64-1 (ComfyUI raises there); Kiln wraps it to 0.
    On CUDA the seed is used as is, and the stream depends on the GPU's SM count for latents
    with more than SMs x maxThreadsPerSM elements.

SDE (dpmpp_sde, dpmpp_2m_sde, dpmpp_2m_sde_heun, dpmpp_3m_sde):
    one `torchsde.BrownianTree(t0=sigma_min, w0=zeros_like(x), t1=sigma_max, entropy=seed)`
    where sigma_min is the smallest non-zero sigma of the run and sigma_max the largest (both
    0-dim float32), built on the CPU (the `_gpu` variants build it on x's device). The noise
    for a step from sigma to sigma' is the tree's increment over [sigma', sigma] (times sorted
    ascending), negated because time runs downwards, divided by sqrt(|sigma' - sigma|): a
    unit-variance sample. The query times are float32 on the CPU tree.

All samplers use ComfyUI's defaults eta = 1 and s_noise = 1 (the noise enters unscaled).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
import torchsde
from torch import Tensor

NoiseSource = Callable[[Tensor, Tensor], Tensor]

SEED_SPACE = 2**64


def ancestral_noise_source(*, x: Tensor, seed: int) -> NoiseSource:
    """Unit Gaussian noise shaped like `x`, one draw per call, from a generator on x's device."""
    if x.device.type == "cpu":
        seed = (seed + 1) % SEED_SPACE
    generator = torch.Generator(device=x.device)
    generator.manual_seed(seed)

    def draw(sigma: Tensor, sigma_next: Tensor) -> Tensor:
        return torch.randn(
            x.size(), dtype=x.dtype, layout=x.layout, device=x.device, generator=generator
        )

    return draw


class BrownianNoiseSource:
    """Unit-variance Brownian increments between two sigmas, reproducible from the seed."""

    def __init__(self, *, x: Tensor, sigmas: Tensor, seed: int, on_cpu: bool = True) -> None:
        sigma_min = sigmas[sigmas > 0].min()
        sigma_max = sigmas.max()
        # The tree wants t0 < t1; queries are sorted the same way and the sign restored.
        t0, t1, self._sign = _ascending(sigma_min, sigma_max)
        w0 = torch.zeros_like(x)
        self._on_cpu = on_cpu
        if on_cpu:
            t0, w0, t1 = t0.detach().cpu(), w0.detach().cpu(), t1.detach().cpu()
        self._tree = torchsde.BrownianTree(t0, w0, t1, entropy=seed)

    def __call__(self, sigma: Tensor, sigma_next: Tensor) -> Tensor:
        t0, t1 = torch.as_tensor(sigma), torch.as_tensor(sigma_next)
        low, high, sign = _ascending(t0, t1)
        device, dtype = low.device, low.dtype
        if self._on_cpu:
            low, high = low.detach().cpu().float(), high.detach().cpu().float()
        with warnings.catch_warnings():
            # torchsde compares the float32 query with its stored end point in another precision
            # and warns "Should have tb<=t1" at sigma_max although they are equal; ComfyUI
            # logs the same warning.
            warnings.filterwarnings("ignore", message="Should have t[ab]", category=UserWarning)
            increment: Tensor = self._tree(low, high)
        increment = increment.to(device=device, dtype=dtype) * (self._sign * sign)
        return increment / (t1 - t0).abs().sqrt()


def _ascending(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor, int]:
    return (a, b, 1) if a < b else (b, a, -1)
