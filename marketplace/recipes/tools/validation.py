"""The one validator of Recipe parameters, called by the web form and the API serializer alike."""

from __future__ import annotations

from typing import Any

from .errors import ParamIssue, ParamsError, echo, shown
from .params import Rejected
from .registry import TOOLS, get_tool

# A Recipe has a few dozen parameters at most; this bounds the work on hostile payloads.
MAX_PARAMS = 200


def validate_params(tool: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check ``params`` against ``tool``'s schema and return the cleaned, typed values.

    Only the parameters given are returned (defaults are not filled in: the Recipe teaser
    lists the parameter names a creator actually used). ``None`` and empty text mean "not
    set" and are left out. Every problem found is reported at once in a :class:`ParamsError`
    whose issues name the field, the bad value, what is wrong and what is accepted.

    Positional arguments are allowed on purpose (unlike the rest of the codebase): this is the
    shared entry point of Django forms and DRF serializers, called as ``validate_params(tool,
    params)`` in both.
    """
    if not isinstance(tool, str) or tool not in TOOLS:
        raise ParamsError(
            [
                ParamIssue(
                    field="tool",
                    value=echo(tool),
                    message=f"tool: {shown(tool)} is not a known tool; accepted: "
                    + ", ".join(TOOLS),
                    accepted=list(TOOLS),
                )
            ]
        )
    schema = get_tool(tool)
    if not isinstance(params, dict):
        raise ParamsError(
            [
                ParamIssue(
                    field="params",
                    value=echo(params),
                    message=f"params: expected an object of parameters, got "
                    f"{type(params).__name__}; accepted: an object with keys among "
                    + ", ".join(schema.param_names),
                    accepted=list(schema.param_names),
                )
            ]
        )
    if len(params) > MAX_PARAMS:
        raise ParamsError(
            [
                ParamIssue(
                    field="params",
                    value=len(params),
                    message=f"params: {len(params)} parameters is too many; accepted: at "
                    f"most {MAX_PARAMS}",
                    accepted=MAX_PARAMS,
                )
            ]
        )
    issues: list[ParamIssue] = []
    cleaned: dict[str, Any] = {}
    for name, value in params.items():
        param = schema.param(name) if isinstance(name, str) else None
        if param is None:
            issues.append(
                ParamIssue(
                    field=str(name)[:100],
                    value=echo(value),
                    message=f"{shown(name)} is not a parameter of {schema.name}; accepted: "
                    + ", ".join(schema.param_names),
                    accepted=list(schema.param_names),
                )
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            cleaned[name] = param.clean(value)
        except Rejected as rejection:
            issues.append(
                ParamIssue(
                    field=name,
                    value=echo(value),
                    message=(
                        f"{name}: {shown(value)} {rejection.reason}; accepted: {param.accepted()}"
                    ),
                    accepted=param.accepted(),
                )
            )
    if not issues:
        for rule in schema.rules:
            issues.extend(rule(cleaned))
    if issues:
        raise ParamsError(issues)
    return cleaned
