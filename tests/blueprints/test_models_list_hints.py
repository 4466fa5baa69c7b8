"""Hashes a workflow declares for its files: ComfyUI's models[] and nodes' properties.models."""

from __future__ import annotations

from blueprints.services import models_list_hints

SHA_A = "a" * 64
SHA_B = "B" * 64


def test_top_level_and_node_property_lists_both_count() -> None:
    ui = {
        "models": [{"name": "ckpt/base.safetensors", "hash": SHA_A, "hash_type": "SHA256"}],
        "nodes": [
            {
                "id": 1,
                "properties": {
                    "models": [{"name": "lora.safetensors", "hash": SHA_B, "hash_type": "sha256"}]
                },
            },
            {"id": 2, "properties": "not an object"},
        ],
    }

    assert models_list_hints(ui) == {
        "ckpt/base.safetensors": SHA_A,
        "base.safetensors": SHA_A,
        "lora.safetensors": SHA_B.lower(),
    }


def test_entries_without_a_sha256_are_ignored() -> None:
    ui = {
        "models": [
            {"name": "a.safetensors", "hash": "abc", "hash_type": "SHA256"},
            {"name": "b.safetensors", "hash": "z" * 64, "hash_type": "SHA256"},
            {"name": "c.safetensors", "hash": SHA_A, "hash_type": "MD5"},
            {"name": 3, "hash": SHA_A, "hash_type": "SHA256"},
            "not an entry",
        ],
        "nodes": "not a list",
    }

    assert models_list_hints(ui) == {}
    assert models_list_hints(None) == {}
