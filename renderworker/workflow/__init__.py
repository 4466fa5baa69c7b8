"""ComfyUI workflows understood without a GPU: read, compile, validate, analyse.

Pure Python (stdlib; Pillow only in tests), importable on the web side and in the worker.
Every public function raises only :class:`WorkflowError` for bad input.

- :func:`read_upload` — JSON (UI v0.4/v1, API), ComfyUI PNG/WebP, A1111 parameters.
- :func:`compile_ui` — UI workflow → API graph as ComfyUI's frontend builds it.
- :func:`validate_graph` — structured problems of an API graph.
- :func:`analyze` — resources, seeds, sampler settings, family, unsupported nodes.
- :func:`fill_models_list` — a UI workflow with ``models[]`` filled for buyers.
"""

from __future__ import annotations

from .analysis import (
    Analysis,
    PromptText,
    Resource,
    SamplerSetting,
    SeedSetting,
    UnsupportedNode,
)
from .analyze import analyze, analyze_api
from .compile_ui import CompiledWorkflow, compile_ui, compile_ui_report
from .limits import (
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    MAX_LINKS,
    MAX_METADATA_BYTES,
    MAX_NODES,
    MAX_STRING_LENGTH,
    MAX_SUBGRAPH_DEPTH,
    MAX_UPLOAD_BYTES,
)
from .models_list import MODEL_DIRECTORIES, fill_models_list
from .problems import Problem, WorkflowError
from .source import WorkflowSource
from .specs import (
    LINK_TYPES,
    NODE_SPECS,
    SAMPLER_NAMES,
    SCHEDULER_NAMES,
    VIRTUAL_NODE_TYPES,
    WORKER_SUPPORTED_CLASS_TYPES,
    InputSpec,
    NodeSpec,
    OutputSpec,
)
from .upload import read_upload
from .validate import validate_graph, validate_graph_or_raise

__all__ = [
    "LINK_TYPES",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_LINKS",
    "MAX_METADATA_BYTES",
    "MAX_NODES",
    "MAX_STRING_LENGTH",
    "MAX_SUBGRAPH_DEPTH",
    "MAX_UPLOAD_BYTES",
    "MODEL_DIRECTORIES",
    "NODE_SPECS",
    "SAMPLER_NAMES",
    "SCHEDULER_NAMES",
    "VIRTUAL_NODE_TYPES",
    "WORKER_SUPPORTED_CLASS_TYPES",
    "Analysis",
    "CompiledWorkflow",
    "InputSpec",
    "NodeSpec",
    "OutputSpec",
    "Problem",
    "PromptText",
    "Resource",
    "SamplerSetting",
    "SeedSetting",
    "UnsupportedNode",
    "WorkflowError",
    "WorkflowSource",
    "analyze",
    "analyze_api",
    "compile_ui",
    "compile_ui_report",
    "fill_models_list",
    "read_upload",
    "validate_graph",
    "validate_graph_or_raise",
]
