"""Tiny UI workflows written inline for compiler unit tests."""

from __future__ import annotations

from typing import Any


def node(
    node_id: int,
    type_: str,
    *,
    widgets: Any = None,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[str] | None = None,
    mode: int = 0,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": node_id,
        "type": type_,
        "mode": mode,
        "inputs": inputs or [],
        "outputs": [{"name": t, "type": t, "links": []} for t in (outputs or [])],
    }
    if widgets is not None:
        result["widgets_values"] = widgets
    return result


def slot(name: str, type_: str, link: int | None, *, widget: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {"name": name, "type": type_, "link": link}
    if widget:
        result["widget"] = {"name": name}
    return result


def workflow(nodes: list[dict[str, Any]], links: list[list[Any]], **extra: Any) -> dict[str, Any]:
    return {"nodes": nodes, "links": links, "version": 0.4, **extra}


KSAMPLER_WIDGETS = [5, "fixed", 20, 7.5, "euler", "karras", 1.0]


def ksampler(
    node_id: int,
    *,
    model: int | None = None,
    latent: int | None = None,
    extra: list[dict[str, Any]] | None = None,
    widgets: Any = None,
    mode: int = 0,
) -> dict[str, Any]:
    return node(
        node_id,
        "KSampler",
        widgets=KSAMPLER_WIDGETS if widgets is None else widgets,
        mode=mode,
        inputs=[
            slot("model", "MODEL", model),
            slot("positive", "CONDITIONING", None),
            slot("negative", "CONDITIONING", None),
            slot("latent_image", "LATENT", latent),
            *(extra or []),
        ],
        outputs=["LATENT"],
    )


def checkpoint(node_id: int, *, mode: int = 0) -> dict[str, Any]:
    return node(
        node_id,
        "CheckpointLoaderSimple",
        widgets=["m.safetensors"],
        outputs=["MODEL", "CLIP", "VAE"],
        mode=mode,
    )
