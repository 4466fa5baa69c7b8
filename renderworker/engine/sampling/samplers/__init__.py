"""The sampler registry and `sample`, the one entry point that runs a named sampler."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from ..errors import UnsupportedSamplerError
from ..noise import validate_seed
from .cfg_pp import dpmpp_2m_cfg_pp, dpmpp_2s_ancestral_cfg_pp, euler_ancestral_cfg_pp, euler_cfg_pp
from .context import CancelCheck, DenoisedCallback, Denoiser, SamplingContext, StepCallback
from .deis import deis
from .dpm_adaptive import dpm_adaptive
from .dpm_fast import dpm_fast
from .dpm_solver import dpmpp_2m, dpmpp_2s_ancestral
from .dpm_solver_sde import dpmpp_2m_sde, dpmpp_2m_sde_heun, dpmpp_3m_sde, dpmpp_sde, on_device_tree
from .exponential_multistep import (
    er_sde,
    gradient_estimation,
    gradient_estimation_cfg_pp,
    res_multistep,
    res_multistep_ancestral,
    res_multistep_ancestral_cfg_pp,
    res_multistep_cfg_pp,
)
from .karras import dpm_2, dpm_2_ancestral, euler, euler_ancestral, heun, heunpp2
from .linear_multistep import ipndm, ipndm_v, lms
from .sa_solver import sa_solver, sa_solver_pece
from .seeds import exp_heun_2_x0, exp_heun_2_x0_sde, seeds_2, seeds_3
from .stepwise import ddpm, lcm
from .unipc import uni_pc, uni_pc_bh2

SamplerFunction = Callable[[SamplingContext, Tensor, Tensor], Tensor]

# In ComfyUI's KSampler order. "ddim" is ComfyUI's alias for euler (its inpainting-noise option
# only matters with a noise mask, which this package does not handle).
SAMPLERS: dict[str, SamplerFunction] = {
    "euler": euler,
    "euler_cfg_pp": euler_cfg_pp,
    "euler_ancestral": euler_ancestral,
    "euler_ancestral_cfg_pp": euler_ancestral_cfg_pp,
    "heun": heun,
    "heunpp2": heunpp2,
    "exp_heun_2_x0": exp_heun_2_x0,
    "exp_heun_2_x0_sde": exp_heun_2_x0_sde,
    "dpm_2": dpm_2,
    "dpm_2_ancestral": dpm_2_ancestral,
    "lms": lms,
    "dpm_fast": dpm_fast,
    "dpm_adaptive": dpm_adaptive,
    "dpmpp_2s_ancestral": dpmpp_2s_ancestral,
    "dpmpp_2s_ancestral_cfg_pp": dpmpp_2s_ancestral_cfg_pp,
    "dpmpp_sde": dpmpp_sde,
    "dpmpp_sde_gpu": on_device_tree(dpmpp_sde),
    "dpmpp_2m": dpmpp_2m,
    "dpmpp_2m_cfg_pp": dpmpp_2m_cfg_pp,
    "dpmpp_2m_sde": dpmpp_2m_sde,
    "dpmpp_2m_sde_gpu": on_device_tree(dpmpp_2m_sde),
    "dpmpp_2m_sde_heun": dpmpp_2m_sde_heun,
    "dpmpp_2m_sde_heun_gpu": on_device_tree(dpmpp_2m_sde_heun),
    "dpmpp_3m_sde": dpmpp_3m_sde,
    "dpmpp_3m_sde_gpu": on_device_tree(dpmpp_3m_sde),
    "ddpm": ddpm,
    "lcm": lcm,
    "ipndm": ipndm,
    "ipndm_v": ipndm_v,
    "deis": deis,
    "res_multistep": res_multistep,
    "res_multistep_cfg_pp": res_multistep_cfg_pp,
    "res_multistep_ancestral": res_multistep_ancestral,
    "res_multistep_ancestral_cfg_pp": res_multistep_ancestral_cfg_pp,
    "gradient_estimation": gradient_estimation,
    "gradient_estimation_cfg_pp": gradient_estimation_cfg_pp,
    "er_sde": er_sde,
    "seeds_2": seeds_2,
    "seeds_3": seeds_3,
    "sa_solver": sa_solver,
    "sa_solver_pece": sa_solver_pece,
    "ddim": euler,
    "uni_pc": uni_pc,
    "uni_pc_bh2": uni_pc_bh2,
}
SAMPLER_NAMES: tuple[str, ...] = tuple(SAMPLERS)
# These need the unconditional prediction too (`denoise_with_uncond`, see cfg.CfgDenoiser).
CFG_PP_SAMPLERS = frozenset(name for name in SAMPLER_NAMES if name.endswith("_cfg_pp"))


def sample(
    *,
    sampler: str,
    denoise: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    seed: int,
    on_step: StepCallback | None = None,
    should_cancel: CancelCheck | None = None,
    on_denoised: DenoisedCallback | None = None,
) -> Tensor:
    """Run the sampler named `sampler` from the noised latent `x` down the `sigmas`.

    `denoise(x, sigma_batch)` must return the denoised latent (model + CFG already applied);
    sigma_batch is float32 [B]. `x` is what `noise_latent` returned. `seed` seeds the
    ancestral/SDE noise (see noise_sources). `on_step(k, n)` is called after step k of n
    (1-based, n = len(sigmas) - 1); `should_cancel()` is polled before every step and a True
    raises RenderCancelled. `on_denoised(k, denoised)` receives each step's denoised prediction
    (what ComfyUI's step callback sees; the last one is SamplerCustomAdvanced's
    denoised_output): use it rather than wrapping `denoise`, which would hide
    `denoise_with_uncond` from the `*_cfg_pp` samplers, which call it (see cfg_denoiser).
    Fewer than two sigmas: `x` comes back unchanged, no model call.
    """
    function = SAMPLERS.get(sampler)
    if function is None:
        raise UnsupportedSamplerError(name=sampler, accepted=SAMPLER_NAMES)
    validate_seed(seed)
    if sampler in CFG_PP_SAMPLERS and not hasattr(denoise, "denoise_with_uncond"):
        raise ValueError(
            f"sampler_name {sampler!r} needs the unconditional prediction: pass the denoiser "
            "made by cfg_denoiser (or any with a denoise_with_uncond(x, sigma) method)"
        )
    if sigmas.numel() < 2:
        return x
    sigmas = sigmas.to(device=x.device, dtype=torch.float32)
    context = SamplingContext(
        denoiser=denoise,
        seed=seed,
        total_steps=len(sigmas) - 1,
        on_step=on_step,
        should_cancel=should_cancel,
        on_denoised=on_denoised,
    )
    with torch.no_grad():
        return function(context, x, sigmas)
