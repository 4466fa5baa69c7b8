from __future__ import annotations

import pytest
import torch

from renderworker.engine.checkpoint import LoadedCheckpoint
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.engine.resources import Resources
from renderworker.engine.text_encoding import encode_windows
from renderworker.engine.tokens import (
    WINDOW,
    WindowToken,
    build_windows,
    empty_window,
    segment_tokens,
)

BOS, EOS, PAD = 1022, 1023, 0


def group(size: int, *, token: int = 7, weight: float = 1.0) -> list[WindowToken]:
    return [WindowToken(token, weight) for _ in range(size)]


def ids(window: list[WindowToken]) -> list[int]:
    return [token.token for token in window]  # type: ignore[misc]


def test_short_prompt_fills_one_window_with_bos_eos_and_padding() -> None:
    windows = build_windows(groups=[group(3)], bos=BOS, eos=EOS, pad=PAD)
    assert len(windows) == 1
    assert ids(windows[0]) == [BOS, 7, 7, 7, EOS] + [PAD] * 72


def test_small_segment_that_does_not_fit_moves_whole_to_the_next_window() -> None:
    windows = build_windows(
        groups=[group(70, token=5), group(7, token=6)], bos=BOS, eos=EOS, pad=PAD
    )
    assert [len(window) for window in windows] == [WINDOW, WINDOW]
    assert ids(windows[0]) == [BOS] + [5] * 70 + [EOS] + [PAD] * 5
    assert ids(windows[1]) == [BOS] + [6] * 7 + [EOS] + [PAD] * 68


def test_segment_of_eight_or_more_tokens_is_split_across_windows() -> None:
    windows = build_windows(
        groups=[group(70, token=5), group(8, token=6)], bos=BOS, eos=EOS, pad=PAD
    )
    assert ids(windows[0]) == [BOS] + [5] * 70 + [6] * 5 + [EOS]
    assert ids(windows[1]) == [BOS] + [6] * 3 + [EOS] + [PAD] * 72


def test_long_prompt_makes_as_many_windows_as_needed() -> None:
    windows = build_windows(groups=[group(200)], bos=BOS, eos=EOS, pad=PAD)
    assert len(windows) == 3
    assert all(len(window) == WINDOW for window in windows)


def test_empty_window_is_bos_eos_then_padding() -> None:
    assert ids(empty_window(bos=BOS, eos=EOS, pad=PAD)) == [BOS, EOS] + [PAD] * 75


@pytest.fixture(scope="module")
def sd1(tiny_dir, component_cache) -> LoadedCheckpoint:  # type: ignore[no-untyped-def]
    return Resources(model_dirs=[tiny_dir], cache=component_cache).checkpoint(
        name="tiny-sd1.safetensors", profile=get_profile(name=CPU_FP32)
    )


@pytest.fixture(scope="module")
def sdxl(tiny_dir, component_cache) -> LoadedCheckpoint:  # type: ignore[no-untyped-def]
    return Resources(model_dirs=[tiny_dir], cache=component_cache).checkpoint(
        name="tiny-sdxl.safetensors", profile=get_profile(name=CPU_FP32)
    )


def test_weighted_segments_keep_their_weight_per_token(sd1: LoadedCheckpoint) -> None:
    slot = sd1.text_encoders["l"]
    groups = segment_tokens(text="a (red:1.3) cat", tokenizer=slot.tokenizer)
    assert [[token.weight for token in g] for g in groups][1] == [1.3] * len(groups[1])
    assert {token.weight for token in groups[0]} == {1.0}


def test_missing_embedding_is_an_error_not_a_silent_drop(sd1: LoadedCheckpoint) -> None:
    from renderworker.engine.errors import ResourceNotFoundError

    slot = sd1.text_encoders["l"]
    with pytest.raises(ResourceNotFoundError, match="'nothere'"):
        segment_tokens(
            text="a cat embedding:nothere", tokenizer=slot.tokenizer, embeddings=lambda name: None
        )


def test_embedding_rows_replace_token_slots(sd1: LoadedCheckpoint) -> None:
    slot = sd1.text_encoders["l"]
    vectors = torch.ones(2, 32)
    groups = segment_tokens(
        text="a cat embedding:style, dog", tokenizer=slot.tokenizer, embeddings=lambda name: vectors
    )
    embedded = [token for g in groups for token in g if isinstance(token.token, torch.Tensor)]
    assert len(embedded) == 2
    windows = build_windows(
        groups=groups, bos=slot.bos_token, eos=slot.eos_token, pad=slot.pad_token
    )
    plain = build_windows(
        groups=segment_tokens(text="a cat", tokenizer=slot.tokenizer),
        bos=slot.bos_token,
        eos=slot.eos_token,
        pad=slot.pad_token,
    )
    assert not torch.equal(
        encode_windows(slot=slot, windows=windows, layer=None).cond,
        encode_windows(slot=slot, windows=plain, layer=None).cond,
    )


def _windows(slot, text):  # type: ignore[no-untyped-def]
    groups = segment_tokens(text=text, tokenizer=slot.tokenizer)
    return build_windows(groups=groups, bos=slot.bos_token, eos=slot.eos_token, pad=slot.pad_token)


def test_weights_push_tokens_away_from_the_empty_prompt(sd1: LoadedCheckpoint) -> None:
    slot = sd1.text_encoders["l"]
    weighted = _windows(slot, "a (cat:1.5)")
    unweighted = [[WindowToken(token.token, 1.0) for token in window] for window in weighted]
    z = encode_windows(slot=slot, windows=unweighted, layer=None).cond[0]
    z_empty = encode_windows(
        slot=slot,
        windows=[empty_window(bos=slot.bos_token, eos=slot.eos_token, pad=slot.pad_token)],
        layer=None,
    ).cond[0]
    result = encode_windows(slot=slot, windows=weighted, layer=None).cond[0]
    weights = torch.tensor([token.weight for token in weighted[0]])
    expected = torch.where((weights != 1.0)[:, None], (z - z_empty) * weights[:, None] + z_empty, z)
    torch.testing.assert_close(result, expected, rtol=0, atol=1e-5)
    assert torch.equal(result[weights == 1.0], z[weights == 1.0])


def test_windows_are_concatenated_and_pooled_comes_from_the_first(sd1: LoadedCheckpoint) -> None:
    slot = sd1.text_encoders["l"]
    text = ", ".join(["red cat"] * 40)
    windows = _windows(slot, text)
    assert len(windows) >= 2
    encoded = encode_windows(slot=slot, windows=windows, layer=None)
    first = encode_windows(slot=slot, windows=windows[:1], layer=None)
    assert encoded.cond.shape == (1, WINDOW * len(windows), 32)
    torch.testing.assert_close(encoded.cond[:, :WINDOW], first.cond, rtol=0, atol=1e-6)
    torch.testing.assert_close(encoded.pooled, first.pooled, rtol=0, atol=1e-6)


def test_sd1_clip_skip_two_is_the_penultimate_layer_with_final_layer_norm(
    sd1: LoadedCheckpoint,
) -> None:
    slot = sd1.text_encoders["l"]
    windows = _windows(slot, "a red cat")
    model = slot.model
    hidden = model(torch.tensor([ids(windows[0])]), output_hidden_states=True).hidden_states  # type: ignore[operator]
    expected = model.final_layer_norm(hidden[-2])  # type: ignore[union-attr]
    result = encode_windows(slot=slot, windows=windows, layer=-2).cond
    torch.testing.assert_close(result, expected, rtol=0, atol=1e-5)
    last = encode_windows(slot=slot, windows=windows, layer=-1).cond
    default = encode_windows(slot=slot, windows=windows, layer=None).cond
    assert torch.equal(last, default)


def test_sdxl_uses_penultimate_layers_without_final_layer_norm(sdxl: LoadedCheckpoint) -> None:
    for key in ("l", "g"):
        slot = sdxl.text_encoders[key]
        assert slot.default_layer == -2 and slot.layer_norm_hidden_state is False
        windows = _windows(slot, "a red cat")
        hidden = slot.model(
            torch.tensor([ids(windows[0])]), output_hidden_states=True
        ).hidden_states  # type: ignore[operator]
        torch.testing.assert_close(
            encode_windows(slot=slot, windows=windows, layer=-2).cond[0],
            hidden[-2][0],
            rtol=0,
            atol=1e-5,
        )


def test_sdxl_pooled_output_is_clip_g_projected(sdxl: LoadedCheckpoint) -> None:
    slot = sdxl.text_encoders["g"]
    windows = _windows(slot, "a red cat")
    output = slot.model(torch.tensor([ids(windows[0])]))  # type: ignore[operator]
    torch.testing.assert_close(
        encode_windows(slot=slot, windows=windows, layer=-2).pooled,
        output.text_embeds,
        rtol=0,
        atol=1e-5,
    )
    assert (
        slot.pad_token == 0
        and sdxl.text_encoders["l"].pad_token == sdxl.text_encoders["l"].eos_token
    )


def test_fp16_stored_weights_are_computed_in_fp32(sd1: LoadedCheckpoint) -> None:
    import copy

    slot = sd1.text_encoders["l"]
    windows = _windows(slot, "a (red:1.2) cat")
    half = copy.copy(slot)
    half.model = copy.deepcopy(slot.model).half()
    rounded = copy.copy(slot)
    rounded.model = copy.deepcopy(slot.model).half().float()
    from_half = encode_windows(slot=half, windows=windows, layer=None)
    from_rounded = encode_windows(slot=rounded, windows=windows, layer=None)
    assert from_half.cond.dtype == torch.float32
    assert torch.equal(from_half.cond, from_rounded.cond)
    assert next(half.model.parameters()).dtype == torch.float16
