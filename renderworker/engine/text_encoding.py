"""CLIP text encoding with ComfyUI's semantics (COMFY_FIDELITY §6).

Windows are encoded in one batch, weighted tokens are pushed away from the empty prompt's
encoding (``z = (z − z_empty)·w + z_empty``), windows are concatenated along the token axis,
and the pooled output comes from the first window. Maths run in float32 even when the
weights are stored in float16 (ComfyUI's manual cast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.func import functional_call

from renderworker.engine.checkpoint import TextEncoderSlot
from renderworker.engine.tokens import WindowToken, empty_window


@dataclass(frozen=True)
class EncodedText:
    cond: torch.Tensor  # [1, 77·k, width] float32
    pooled: torch.Tensor  # [1, width or projection] float32


class _ClipRunner(torch.nn.Module):
    """Runs a transformers CLIP text model layer by layer to pick ComfyUI's output layer."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        token_ids: torch.Tensor,
        embedding_rows: torch.Tensor,
        embedding_mask: torch.Tensor,
        layer: int | None,
        layer_norm_hidden_state: bool,
        eos_positions: torch.Tensor,
        project_pooled: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        # CLIPTextModelWithProjection wraps a CLIPTextModel; transformers ≥ 5 CLIPTextModel is flat.
        text_model = getattr(self.model, "text_model", self.model)
        embeddings = text_model.embeddings
        token_embeddings = embeddings.token_embedding(token_ids)
        if embedding_mask.any():
            token_embeddings = torch.where(
                embedding_mask[..., None],
                embedding_rows.to(token_embeddings.dtype),
                token_embeddings,
            )
        hidden = embeddings(inputs_embeds=token_embeddings)
        length = token_ids.shape[1]
        causal = torch.full(
            (length, length), float("-inf"), dtype=hidden.dtype, device=hidden.device
        ).triu(1)
        mask = causal[None, None]
        states = [hidden]
        for encoder_layer in text_model.encoder.layers:
            hidden = encoder_layer(hidden, attention_mask=mask)
            if isinstance(hidden, tuple):
                hidden = hidden[0]
            states.append(hidden)
        last = text_model.final_layer_norm(states[-1])
        if layer is None:
            output = last
        else:
            output = states[layer]
            if layer_norm_hidden_state:
                output = text_model.final_layer_norm(output)
        pooled = last[torch.arange(last.shape[0], device=last.device), eos_positions]
        if project_pooled:
            pooled = self.model.text_projection(pooled)  # type: ignore[union-attr]
        return output, pooled


def _run_clip(
    *, slot: TextEncoderSlot, windows: Sequence[Sequence[WindowToken]], layer: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    model = slot.model
    parameter = next(model.parameters())
    device = parameter.device
    width = int(model.config.hidden_size)  # type: ignore[union-attr]
    ids = torch.tensor(
        [
            [token.token if isinstance(token.token, int) else 0 for token in window]
            for window in windows
        ],
        dtype=torch.long,
        device=device,
    )
    rows = torch.zeros((*ids.shape, width), dtype=torch.float32, device=device)
    embedding_mask = torch.zeros(ids.shape, dtype=torch.bool, device=device)
    for window_index, window in enumerate(windows):
        for position, token in enumerate(window):
            if isinstance(token.token, torch.Tensor):
                rows[window_index, position] = token.token.to(device=device, dtype=torch.float32)
                embedding_mask[window_index, position] = True
    # Pooled output at the first EOS: the highest id in CLIP's vocabulary, so argmax finds it.
    eos_positions = (ids == slot.eos_token).int().argmax(dim=1)
    runner = _ClipRunner(model)
    # Float32 maths on whatever the weights are stored in (fp16 under cuda-comfy).
    parameters = {name: value.float() for name, value in runner.named_parameters()}
    parameters.update(dict(runner.named_buffers()))
    num_layers = len(getattr(model, "text_model", model).encoder.layers)
    if layer is not None and abs(layer) > num_layers:
        layer = None
    with torch.no_grad():
        output, pooled = functional_call(
            runner,
            parameters,
            (
                ids,
                rows,
                embedding_mask,
                layer,
                slot.layer_norm_hidden_state,
                eos_positions,
                slot.projected_pooled,
            ),
        )
    return output.float(), pooled.float()


def encode_windows(
    *, slot: TextEncoderSlot, windows: Sequence[Sequence[WindowToken]], layer: int | None
) -> EncodedText:
    """Encode token windows for one CLIP model with empty-relative weighting."""
    has_weights = any(token.weight != 1.0 for window in windows for token in window)
    batch = list(windows)
    if has_weights or not batch:
        batch.append(empty_window(bos=slot.bos_token, eos=slot.eos_token, pad=slot.pad_token))
    output, pooled = _run_clip(slot=slot, windows=batch, layer=layer)
    pieces = []
    for index, window in enumerate(windows):
        z = output[index]
        if has_weights:
            empty = output[-1]
            weights = torch.tensor(
                [token.weight for token in window], dtype=torch.float32, device=z.device
            )
            weighted = (z - empty) * weights[:, None] + empty
            # Tokens at weight 1 keep their exact values.
            z = torch.where((weights != 1.0)[:, None], weighted, z)
        pieces.append(z)
    if not pieces:
        return EncodedText(cond=output[-1:], pooled=pooled[0:1])
    return EncodedText(cond=torch.cat(pieces, dim=0)[None], pooled=pooled[0:1])
