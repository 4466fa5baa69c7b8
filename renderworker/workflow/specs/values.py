"""Specs of ComfyUI's backend value nodes (utils/primitive): not the frontend PrimitiveNode.

Unlike the virtual ``PrimitiveNode`` they reach the API graph as real nodes whose output feeds a
widget input (seed, steps, text...). The analysis reads through them.
"""

from __future__ import annotations

import sys

from .types import InputSpec, NodeSpec, int_widget, outputs

_REASON = (
    "value nodes (utils/primitive) are not run by the worker yet; connect the value directly "
    "to the widget it feeds"
)
VALUE_NODE_TYPES = frozenset(
    {
        "PrimitiveInt",
        "PrimitiveFloat",
        "PrimitiveString",
        "PrimitiveStringMultiline",
        "PrimitiveBoolean",
    }
)

VALUE_SPECS = (
    NodeSpec(
        class_type="PrimitiveInt",
        inputs=(int_widget("value", 0, -sys.maxsize, sys.maxsize, control_after_generate=True),),
        outputs=outputs(("INT", "INT")),
        worker_supported=False,
        unsupported_reason=_REASON,
    ),
    NodeSpec(
        class_type="PrimitiveFloat",
        inputs=(
            InputSpec(name="value", type="FLOAT", default=0.0, min=-sys.maxsize, max=sys.maxsize),
        ),
        outputs=outputs(("FLOAT", "FLOAT")),
        worker_supported=False,
        unsupported_reason=_REASON,
    ),
    NodeSpec(
        class_type="PrimitiveString",
        inputs=(InputSpec(name="value", type="STRING", default=""),),
        outputs=outputs(("STRING", "STRING")),
        worker_supported=False,
        unsupported_reason=_REASON,
    ),
    NodeSpec(
        class_type="PrimitiveStringMultiline",
        inputs=(InputSpec(name="value", type="STRING", default=""),),
        outputs=outputs(("STRING", "STRING")),
        worker_supported=False,
        unsupported_reason=_REASON,
    ),
    NodeSpec(
        class_type="PrimitiveBoolean",
        inputs=(InputSpec(name="value", type="BOOLEAN", default=False),),
        outputs=outputs(("BOOLEAN", "BOOLEAN")),
        worker_supported=False,
        unsupported_reason=_REASON,
    ),
)
