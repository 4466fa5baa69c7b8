"""Resources a render needs (checkpoints, VAEs, LoRAs, embeddings, input images), by name.

Model names in a graph are file names relative to ComfyUI's model folders. They are looked up
by file name under the job's model directories, or by SHA-256 where the job provides one
(``hashes``: name → sha256, e.g. from the workflow's ``models[]`` list) through the ModelStore.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from renderworker.engine.acceleration import lora_factors_on_device
from renderworker.engine.checkpoint import (
    LoadedCheckpoint,
    load_checkpoint,
    load_vae_file,
    read_state_dict,
)
from renderworker.engine.errors import ResourceNotFoundError
from renderworker.engine.lora import ParsedLora, parse_lora
from renderworker.engine.model_config_dirs import MARKER, PACKAGED_CONFIG_ROOT, read_json
from renderworker.engine.precision import PrecisionProfile
from renderworker.engine.values import VaeValue
from renderworker.models import LoadedComponentCache, ModelStore, sha256_file_cached

DEFAULT_COMPONENT_CACHE: LoadedComponentCache[LoadedCheckpoint] = LoadedComponentCache(
    max_entries=2
)


@dataclass
class Resources:
    """Finds and loads what the graph names; one per job."""

    model_dirs: Sequence[Path] = ()
    config_roots: Sequence[Path] = ()
    input_images: Mapping[str, bytes] = field(default_factory=dict)
    hashes: Mapping[str, str] = field(default_factory=dict)
    store: ModelStore | None = None
    cache: LoadedComponentCache[LoadedCheckpoint] = field(
        default_factory=lambda: DEFAULT_COMPONENT_CACHE
    )
    loaded_files: dict[str, str] = field(default_factory=dict)  # name → sha256 actually used

    def all_config_roots(self) -> list[Path]:
        roots = list(self.config_roots)
        roots += [directory / "model_configs" for directory in self.model_dirs]
        return [*roots, PACKAGED_CONFIG_ROOT]

    def find(self, *, name: str, kind: str) -> Path:
        """The file for a model name: by SHA-256 when known, else by path or file name."""
        sha = self.hashes.get(name)
        if sha is not None and self.store is not None:
            path = self.store.resolve(sha256=sha)
            self.loaded_files[name] = sha
            return path
        relative = Path(name.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise ResourceNotFoundError(f"{kind} name {name!r} must be a relative file name")
        for directory in self.model_dirs:
            direct = directory / relative
            if direct.is_file():
                return self._verified(name=name, path=direct)
        for directory in self.model_dirs:
            matches = sorted(p for p in directory.rglob(relative.name) if p.is_file())
            if matches:
                return self._verified(name=name, path=matches[0])
        raise ResourceNotFoundError(
            f"{kind} {name!r} not found in {[str(d) for d in self.model_dirs]} (looked for the file name, and by sha256 where given)"
        )

    def _verified(self, *, name: str, path: Path) -> Path:
        actual = sha256_file_cached(path)
        expected = self.hashes.get(name)
        if expected is not None and actual != expected.lower():
            raise ResourceNotFoundError(
                f"{name!r} at {path} has sha256 {actual}, the workflow says {expected}"
            )
        self.loaded_files[name] = actual
        return path

    def checkpoint(self, *, name: str, profile: PrecisionProfile) -> LoadedCheckpoint:
        path = self.find(name=name, kind="checkpoint")
        sha = self.loaded_files[name]
        roots = self.all_config_roots()
        return self.cache.get_or_load(
            key=(sha, profile.name),
            load=lambda: load_checkpoint(
                path=path, profile=profile, config_roots=roots, identity=sha
            ),
        )

    def vae(self, *, name: str, profile: PrecisionProfile) -> VaeValue:
        path = self.find(name=name, kind="vae")
        state = read_state_dict(path=path)
        conv_in = state.get(
            "encoder.conv_in.weight", state.get("first_stage_model.encoder.conv_in.weight")
        )
        if conv_in is None:
            raise ResourceNotFoundError(
                f"vae {name!r} has no encoder.conv_in.weight: not an LDM-layout VAE"
            )
        for root in self.all_config_roots():
            if not root.is_dir():
                continue
            for candidate in sorted(root.iterdir()):
                config_path = candidate / "vae" / "config.json"
                if (candidate / MARKER).is_file() and config_path.is_file():
                    channels = read_json(config_path).get("block_out_channels")
                    if isinstance(channels, list) and channels[0] == conv_in.shape[0]:
                        module = load_vae_file(path=path, profile=profile, config_dir=candidate)
                        return VaeValue(
                            module=module, dtype=profile.vae_dtype, device=profile.device
                        )
        raise ResourceNotFoundError(f"no model-config directory has a VAE config matching {name!r}")

    def lora(self, *, name: str, checkpoint: LoadedCheckpoint) -> ParsedLora:
        path = self.find(name=name, kind="lora")
        sha = self.loaded_files[name]
        key = f"lora:{sha}"
        parsed = checkpoint.patch_state.get(key)
        if parsed is None:
            parsed = parse_lora(
                state_dict=read_state_dict(path=path), checkpoint=checkpoint, identity=sha
            )
            # Hook (issue 6, acceleration.py): LoRA factors kept on the GPU when RENDER_COMPILE=1.
            parsed = lora_factors_on_device(lora=parsed, device=checkpoint.profile.device)
            checkpoint.patch_state[key] = parsed
        assert isinstance(parsed, ParsedLora)
        return parsed

    def embedding(self, *, name: str, encoder: str = "l") -> torch.Tensor | None:
        """Textual-inversion vectors [n, width] for one text encoder ("l" or "g"), or None.

        SDXL embeddings hold ``clip_l`` and ``clip_g``; SD1 ones ``emb_params`` (or one tensor).
        """
        for suffix in ("", ".safetensors"):
            try:
                path = self.find(name=name + suffix, kind="embedding")
            except ResourceNotFoundError:
                continue
            state = read_state_dict(path=path)
            keys = ("clip_g",) if encoder == "g" else ("clip_l", "emb_params")
            for key in keys:
                if key in state:
                    return state[key].float()
            if encoder == "g" or len(state) != 1:
                raise ResourceNotFoundError(
                    f"embedding {name!r} has no vectors for text encoder {encoder!r} (keys {sorted(state)})"
                )
            return next(iter(state.values())).float()
        return None

    def image(self, *, name: str) -> bytes:
        data = self.input_images.get(name)
        if data is None:
            raise ResourceNotFoundError(
                f"input image {name!r} is not among the job's inputs {sorted(self.input_images)}"
            )
        return data
