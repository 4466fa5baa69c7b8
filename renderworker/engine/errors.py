"""Errors raised by the render engine; each names what was wrong and what is accepted."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class UnsupportedModelError(EngineError):
    """A checkpoint belongs to a model family Kiln does not render (the family is named)."""

    def __init__(self, *, family: str, reason: str) -> None:
        super().__init__(f"unsupported model family {family!r}: {reason}")
        self.family = family
        self.reason = reason


class ModelConfigMissingError(EngineError):
    """No local model-config directory matches a checkpoint (no hub access ever)."""


class UnsupportedNodesError(EngineError):
    """The graph holds nodes the engine cannot run; raised before any compute."""

    def __init__(self, *, problems: list[tuple[str, str, str]]) -> None:
        listing = "; ".join(
            f"node {node_id} ({class_type}): {reason}" for node_id, class_type, reason in problems
        )
        super().__init__(f"graph cannot be rendered: {listing}")
        self.problems = problems


class NodeInputError(EngineError):
    """A node input has a bad value; the message names the node, the input and what is accepted."""


class ResourceNotFoundError(EngineError):
    """A model, LoRA or image named by the graph is not available to the job."""


class GraphInvalidError(EngineError):
    """The graph is malformed (missing inputs, bad links, wrong types); raised before any compute."""

    def __init__(self, *, problems: list[tuple[str, str, str]]) -> None:
        listing = "; ".join(
            f"node {node_id} ({class_type}): {reason}" for node_id, class_type, reason in problems
        )
        super().__init__(f"graph is invalid: {listing}")
        self.problems = problems


class MissingResourcesError(ResourceNotFoundError):
    """Files named by the graph are not available; raised before any compute, all listed."""

    def __init__(self, *, problems: list[tuple[str, str, str]]) -> None:
        listing = "; ".join(
            f"node {node_id} ({class_type}): {reason}" for node_id, class_type, reason in problems
        )
        super().__init__(f"graph needs files the job does not have: {listing}")
        self.problems = problems
