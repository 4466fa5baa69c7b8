"""Acceleration hooks do nothing unless RENDER_COMPILE asks, and leave torch as they found it."""

from __future__ import annotations

import types

import pytest
import torch

from renderworker.engine import acceleration


def test_without_the_flag_the_unet_is_the_eager_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(acceleration.ENV_FLAG, raising=False)
    unet = torch.nn.Linear(2, 2)
    checkpoint = types.SimpleNamespace(unet=unet, patch_state={})
    assert acceleration.accelerated_unet(checkpoint=checkpoint) is unet
    assert checkpoint.patch_state == {}


@pytest.mark.parametrize(("value", "enabled"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_the_flag_is_read_as_a_boolean(monkeypatch: pytest.MonkeyPatch, value: str, enabled: bool) -> None:
    monkeypatch.setenv(acceleration.ENV_FLAG, value)
    assert acceleration.compile_enabled() is enabled


def test_skip_weight_init_skips_inside_and_restores_after() -> None:
    original = torch.nn.init.normal_
    tensor = torch.zeros(64)
    with acceleration.skip_weight_init():
        torch.nn.init.normal_(tensor)
        assert torch.count_nonzero(tensor) == 0
    assert torch.nn.init.normal_ is original
    torch.manual_seed(0)
    torch.nn.init.normal_(tensor)
    assert torch.count_nonzero(tensor) > 0
