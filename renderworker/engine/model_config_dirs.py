"""Find the local model-config directory (component configs + tokenizer files) for a checkpoint.

A config root holds one directory per variant, each with ``kiln-model.json`` naming the family
and diffusers-style component folders: ``unet/config.json``, ``vae/config.json``,
``text_encoder/config.json``, ``tokenizer/{vocab.json,merges.txt}`` and for SDXL also
``text_encoder_2/`` and ``tokenizer_2/``. Nothing is ever fetched from a hub.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from renderworker.engine.errors import ModelConfigMissingError
from renderworker.engine.families import ModelFamily

PACKAGED_CONFIG_ROOT = Path(__file__).resolve().parent.parent / "model_configs"
MARKER = "kiln-model.json"


def read_json(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    assert isinstance(data, dict), f"{path} must hold a JSON object"
    return data


def find_model_config_dir(*, family: ModelFamily, roots: Sequence[Path]) -> Path:
    """Return the config directory whose family and UNet shape match the checkpoint."""
    searched: list[str] = []
    for root in roots:
        if not root.is_dir():
            continue
        for candidate in sorted(root.iterdir()):
            marker = candidate / MARKER
            if not marker.is_file():
                continue
            searched.append(str(candidate))
            if read_json(marker).get("family") != family.name:
                continue
            unet = read_json(candidate / "unet" / "config.json")
            channels = unet.get("block_out_channels")
            if (
                isinstance(channels, list)
                and channels
                and channels[0] == family.unet_channels
                and unet.get("cross_attention_dim") == family.context_dim
            ):
                return candidate
    raise ModelConfigMissingError(
        f"no model-config directory for family {family.name!r} with UNet width {family.unet_channels} and "
        f"context {family.context_dim}; searched {searched or [str(r) for r in roots]} "
        "(see docs/render-engine.md, 'Model-config directory')"
    )
