"""Optional speed-ups of the render path: torch.compile of the UNet and VAE decode, cached on disk.

Off unless ``RENDER_COMPILE=1``, so the CPU test suite and the reference profile run the plain
eager modules. When on:

- the UNet of a loaded checkpoint is wrapped once in ``torch.compile`` (mode from
  ``RENDER_COMPILE_MODE``, default ``reduce-overhead`` = CUDA graphs on CUDA, ``default`` on CPU)
  with ``dynamic=False``: a new latent size or prompt length compiles its own graph instead of a
  slower shape-generic one;
- the VAE decode is compiled likewise (``RENDER_COMPILE_VAE_MODE``, default ``default``: a CUDA
  graph would pin the decoder's activation memory, gigabytes at 1024², for the worker's life);
- Inductor's and Triton's caches live in ``RENDER_COMPILE_CACHE_DIR`` (else ``TORCHINDUCTOR_CACHE_DIR``,
  else ``var/compile-cache``), so a restarted worker re-traces but does not re-compile kernels.

LoRA switches keep the compiled graphs: ``lora.WeightPatcher`` writes merged weights *into* the
existing parameter tensors (``copy_``), so their addresses, shapes and dtypes — everything the
compiled graph and its CUDA graph depend on — stay the same, and no recompilation happens
(bench/gpu_speed.py checks this by counting compiled graphs around a switch).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

ENV_FLAG = "RENDER_COMPILE"
ENV_MODE = "RENDER_COMPILE_MODE"
ENV_VAE_MODE = "RENDER_COMPILE_VAE_MODE"
ENV_CACHE_DIR = "RENDER_COMPILE_CACHE_DIR"
ENV_CHANNELS_LAST = "RENDER_COMPILE_CHANNELS_LAST"
COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
_UNET_KEY = "compiled:unet"
_DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "compile-cache"


def compile_enabled() -> bool:
    """Whether ``RENDER_COMPILE`` asks for compiled modules ("1", "true", "yes", "on")."""
    return os.environ.get(ENV_FLAG, "").strip().lower() in ("1", "true", "yes", "on")


def _mode(*, variable: str, default: str, device: torch.device) -> str:
    mode = os.environ.get(variable, "").strip() or default
    if mode not in COMPILE_MODES:
        raise ValueError(f"{variable}={mode!r} is not a torch.compile mode; accepted: {', '.join(COMPILE_MODES)}")
    if device.type != "cuda" and mode == "reduce-overhead":
        return "default"  # CUDA graphs exist only on CUDA; inductor would skip them with a warning
    return mode


def configure_compile_cache(*, directory: Path | None = None) -> Path:
    """Point Inductor's (and so Triton's) on-disk caches at a persistent folder; return it.

    Must run before the first compilation. An explicit ``directory`` wins, then
    ``RENDER_COMPILE_CACHE_DIR``, then an already set ``TORCHINDUCTOR_CACHE_DIR``.
    """
    chosen = directory or Path(
        os.environ.get(ENV_CACHE_DIR) or os.environ.get("TORCHINDUCTOR_CACHE_DIR") or _DEFAULT_CACHE_DIR
    )
    chosen.mkdir(parents=True, exist_ok=True)
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(chosen)
    os.environ.setdefault("TORCHINDUCTOR_FX_GRAPH_CACHE", "1")
    import torch._inductor.config as inductor_config

    inductor_config.fx_graph_cache = True
    return chosen


def _prepare_process() -> None:
    configure_compile_cache()
    import torch._dynamo.config as dynamo_config

    # Each new latent size / prompt length is its own static graph; allow a verification's worth.
    dynamo_config.cache_size_limit = max(int(dynamo_config.cache_size_limit), 32)
    # Deterministic mode fills every fresh allocation with NaN to expose reads of uninitialised
    # memory. No kernel here reads memory it did not write (the eager and compiled outputs are
    # compared in bench/gpu_speed.py), and the fill is one extra pass over every activation.
    torch.utils.deterministic.fill_uninitialized_memory = False


class CompiledUNet:
    """Calls a compiled UNet like the module itself (``unet(x, t, encoder_hidden_states=..., ...)``)."""

    def __init__(self, *, module: torch.nn.Module, mode: str) -> None:
        self.module = module
        self.mode = mode
        if os.environ.get(ENV_CHANNELS_LAST, "").strip().lower() in ("1", "true", "yes", "on"):
            # NHWC convolutions; the parameters keep their identity, so LoRA patching still works.
            module.to(memory_format=torch.channels_last)
        self.compiled = torch.compile(module, mode=mode, dynamic=False, fullgraph=False)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.mode in ("reduce-overhead", "max-autotune"):
            # A new CUDA-graph generation per call: the caller consumes each output (casts it
            # to float32) before the next call, so the graph's output buffers may be reused.
            torch.compiler.cudagraph_mark_step_begin()
        return self.compiled(*args, **kwargs)


def accelerated_unet(*, checkpoint: Any) -> Callable[..., Any]:
    """The UNet callable for a loaded checkpoint: compiled once per checkpoint when enabled.

    Returns ``checkpoint.unet`` itself when ``RENDER_COMPILE`` is off.
    """
    if not compile_enabled():
        return checkpoint.unet  # type: ignore[no-any-return]
    compiled = checkpoint.patch_state.get(_UNET_KEY)
    if compiled is None:
        _prepare_process()
        mode = _mode(variable=ENV_MODE, default="reduce-overhead", device=checkpoint.profile.device)
        compiled = CompiledUNet(module=checkpoint.unet, mode=mode)
        checkpoint.patch_state[_UNET_KEY] = compiled
    return compiled  # type: ignore[no-any-return]


_decoders: dict[int, tuple[torch.nn.Module, Callable[[torch.Tensor], torch.Tensor]]] = {}


def vae_decoder(*, module: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """``latents → decoded pixels in -1..1`` for an AutoencoderKL; compiled once per VAE when enabled."""

    def eager(latents: torch.Tensor) -> torch.Tensor:
        return module.decode(latents, return_dict=False)[0]

    if not compile_enabled():
        return eager
    entry = _decoders.get(id(module))
    if entry is None or entry[0] is not module:
        _prepare_process()
        device = next(module.parameters()).device
        mode = _mode(variable=ENV_VAE_MODE, default="default", device=device)
        entry = (module, torch.compile(eager, mode=mode, dynamic=False, fullgraph=False))
        _decoders[id(module)] = entry
    return entry[1]


def lora_factors_on_device(*, lora: Any, device: torch.device) -> Any:
    """A ParsedLora whose factors already live on ``device`` in float32 (when enabled, on CUDA).

    ``LoraPatch.delta`` moves and upcasts both factors at every LoRA switch: hundreds of small
    host-to-device copies (916 patches for an SDXL LoRA). Doing it once at parse time leaves
    the merge arithmetic unchanged (``delta`` upcasts to float32 anyway).
    """
    if not compile_enabled() or device.type != "cuda":
        return lora
    from dataclasses import replace

    patches = tuple(
        replace(patch, down=patch.down.to(device=device, dtype=torch.float32), up=patch.up.to(device=device, dtype=torch.float32))
        for patch in lora.patches
    )
    return replace(lora, patches=patches)


def initial_weights_skipped() -> contextlib.AbstractContextManager[None]:
    """``skip_weight_init()`` when ``RENDER_COMPILE`` is on, else a context that changes nothing."""
    return skip_weight_init() if compile_enabled() else contextlib.nullcontext()


@contextlib.contextmanager
def skip_weight_init() -> Iterator[None]:
    """Build modules without drawing their random initial weights (they are loaded right after).

    ``from_config`` constructors draw Kaiming/normal weights for every parameter on the CPU, which
    a checkpoint load then overwrites: seconds for SD1.5, tens of seconds for SDXL. Inside this
    context ``torch.nn.init``'s in-place initialisers do nothing. Only for code that loads every
    parameter afterwards (``load_state_dict(strict=True)`` or an equivalent missing-keys check).
    """
    names = [name for name in dir(torch.nn.init) if name.endswith("_") and not name.startswith("_")]
    saved = {name: getattr(torch.nn.init, name) for name in names}

    def keep(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return tensor

    try:
        for name in names:
            setattr(torch.nn.init, name, keep)
        yield
    finally:
        for name, function in saved.items():
            setattr(torch.nn.init, name, function)
