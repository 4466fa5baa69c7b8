"""Kiln's render worker: runs ComfyUI graphs on torch + diffusers and judges reproductions.

This package never imports Django and never touches the database (docs/architecture.md).
``renderworker.workflow`` is pure Python and importable without torch.
"""

# The ComfyUI behaviour this worker emulates; recorded in every verdict. Bump it whenever a
# change can alter rendered pixels: listed Blueprints are then re-verified.
BEHAVIOUR_VERSION = "comfy-0.3.6x/kiln-1"
