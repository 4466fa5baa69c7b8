"""Node implementations by ComfyUI class_type (importing this package registers them all)."""

from renderworker.engine.nodes import conditioning, images, latents, loaders, sampling  # noqa: F401
from renderworker.engine.nodes.spec import NODES, NodeSpec

__all__ = ["NODES", "NodeSpec"]
