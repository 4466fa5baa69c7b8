"""The fourteen image tools Kiln sells Recipes for, and their parameter schemas (SPEC §1).

Pure Python (no Django): the Recipe model, its web form and its API serializer all call
:func:`validate_params`, so they accept and reject exactly the same things.

Adding a tool: one ``Tool(...)`` entry in ``catalog.TOOL_LIST``.
"""

from .errors import ParamIssue, ParamsError
from .forms import describe_form_fields
from .params import FormField
from .registry import REPRODUCIBLE_TOOLS, TOOL_CHOICES, TOOLS, UnknownToolError, get_tool
from .tool import Tool
from .validation import validate_params

__all__ = [
    "REPRODUCIBLE_TOOLS",
    "TOOLS",
    "TOOL_CHOICES",
    "FormField",
    "ParamIssue",
    "ParamsError",
    "Tool",
    "UnknownToolError",
    "describe_form_fields",
    "get_tool",
    "validate_params",
]
