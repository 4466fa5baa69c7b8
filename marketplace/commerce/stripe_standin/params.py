"""Parameter schemas: what each endpoint accepts, checked the way Stripe checks it.

A schema is a mapping of parameter name to `Field`. `validate_params` walks the decoded form
against it, converts strings to the declared types and raises Stripe-shaped errors that name
the parameter exactly as Stripe does (`line_items[0][price_data][currency]`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError, invalid_parameter, missing_parameter, unknown_parameter
from .forms import format_param

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    """One accepted parameter: its kind, whether it is required, and its nested shape."""

    kind: str  # "string" | "integer" | "boolean" | "object" | "array" | "metadata" | "string_list"
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: Mapping[str, Field] = field(default_factory=dict)
    items: Field | None = None
    minimum: int | None = None
    max_length: int | None = None


def string(
    *, required: bool = False, choices: tuple[str, ...] = (), max_length: int = 5000
) -> Field:
    """A string parameter, optionally limited to `choices`."""
    return Field(kind="string", required=required, choices=choices, max_length=max_length)


def integer(*, required: bool = False, minimum: int | None = None) -> Field:
    """An integer parameter (Stripe sends amounts and timestamps as decimal strings)."""
    return Field(kind="integer", required=required, minimum=minimum)


def boolean(*, required: bool = False) -> Field:
    """A boolean parameter (`true` / `false` on the wire)."""
    return Field(kind="boolean", required=required)


def obj(fields: Mapping[str, Field], *, required: bool = False) -> Field:
    """A nested hash parameter with its own known keys."""
    return Field(kind="object", required=required, fields=fields)


def array(items: Field, *, required: bool = False) -> Field:
    """An array parameter (`a[0]=...` or `a[]=...`)."""
    return Field(kind="array", required=required, items=items)


def string_list(*, required: bool = False) -> Field:
    """An array of strings, such as `payment_method_types[]`."""
    return Field(kind="string_list", required=required)


METADATA = Field(kind="metadata")
EXPAND = Field(kind="string_list")


def validate_params(*, params: Mapping[str, Any], schema: Mapping[str, Field]) -> dict[str, Any]:
    """Check `params` against `schema` (plus `expand`), returning typed values.

    Unknown names raise `parameter_unknown`, absent required ones `parameter_missing`, and
    badly typed values an `invalid_request_error` naming the parameter and what is accepted.
    """
    return _validate_object(value=params, fields={**schema, "expand": EXPAND}, path=())


def _validate_object(*, value: Any, fields: Mapping[str, Field], path: Path) -> dict[str, Any]:
    if value == "":
        # Stripe treats an empty string for a hash as "unset".
        value = {}
    if not isinstance(value, Mapping):
        raise invalid_parameter(
            param=format_param(path=path),
            message=(
                f"Invalid object: {format_param(path=path)} must be a hash (send "
                f"{format_param(path=path)}[key]=value)."
            ),
        )
    for name in value:
        if name not in fields:
            raise unknown_parameter(param=format_param(path=(*path, name)))
    result: dict[str, Any] = {}
    for name, spec in fields.items():
        child_path = (*path, name)
        if name not in value:
            if spec.required:
                raise missing_parameter(param=format_param(path=child_path))
            continue
        result[name] = _validate_value(value=value[name], spec=spec, path=child_path)
    return result


def _validate_value(*, value: Any, spec: Field, path: Path) -> Any:
    param = format_param(path=path)
    if spec.kind == "object":
        return _validate_object(value=value, fields=spec.fields, path=path)
    if spec.kind == "metadata":
        return _validate_metadata(value=value, param=param)
    if spec.kind in ("array", "string_list"):
        items = value if isinstance(value, list) else None
        if value == "":
            items = []
        if items is None:
            raise invalid_parameter(
                param=param,
                message=f"Invalid array: {param} must be sent as {param}[0]=... or {param}[]=...",
            )
        item_spec = spec.items if spec.kind == "array" else Field(kind="string")
        assert item_spec is not None
        return [
            _validate_value(value=item, spec=item_spec, path=(*path, index))
            for index, item in enumerate(items)
        ]
    if not isinstance(value, str):
        raise invalid_parameter(
            param=param,
            message=f"Invalid {spec.kind}: {param} must be a single value, not a hash or array.",
        )
    if spec.kind == "integer":
        return _validate_integer(value=value, spec=spec, param=param)
    if spec.kind == "boolean":
        if value not in ("true", "false"):
            raise invalid_parameter(
                param=param, message=f"Invalid boolean: {value!r}. {param} accepts true or false."
            )
        return value == "true"
    if spec.choices and value not in spec.choices:
        accepted = ", ".join(spec.choices)
        raise invalid_parameter(
            param=param, message=f"Invalid {param}: {value!r}. Must be one of {accepted}."
        )
    if spec.required and value == "":
        raise invalid_parameter(
            param=param,
            code="parameter_invalid_empty",
            message=(
                f"You passed an empty string for '{param}'. We assume empty values are an "
                f"attempt to unset a parameter; however '{param}' cannot be unset. You "
                f"should remove '{param}' from your request or supply a non-empty value."
            ),
        )
    if spec.max_length is not None and len(value) > spec.max_length:
        raise invalid_parameter(
            param=param,
            message=(
                f"Invalid string: {param} is {len(value)} characters long; the maximum is "
                f"{spec.max_length}."
            ),
        )
    return value


def _validate_integer(*, value: str, spec: Field, param: str) -> int:
    try:
        number = int(value, 10)
    except ValueError:
        raise invalid_parameter(
            param=param, code="parameter_invalid_integer", message=f"Invalid integer: {value}"
        ) from None
    if spec.minimum is not None and number < spec.minimum:
        raise invalid_parameter(
            param=param, message=f"Invalid {param}: {number}. Must be at least {spec.minimum}."
        )
    return number


def _validate_metadata(*, value: Any, param: str) -> dict[str, str]:
    if value == "":
        return {}
    if isinstance(value, list):
        # `metadata[0]=x` decodes as a list; metadata keys are plain strings, so undo that.
        value = {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, Mapping):
        raise invalid_parameter(
            param=param, message=f"Invalid hash: {param} must be sent as {param}[key]=value."
        )
    if len(value) > 50:
        raise invalid_parameter(
            param=param,
            message=f"Invalid {param}: {len(value)} keys sent; metadata holds at most 50 keys.",
        )
    result: dict[str, str] = {}
    for key, item in value.items():
        key_param = f"{param}[{key}]"
        if not isinstance(item, str):
            raise invalid_parameter(
                param=key_param, message=f"Invalid {key_param}: metadata values must be strings."
            )
        if len(key) > 40:
            raise invalid_parameter(
                param=key_param,
                message=f"Invalid {key_param}: metadata keys can be at most 40 characters.",
            )
        if len(item) > 500:
            raise invalid_parameter(
                param=key_param,
                message=f"Invalid {key_param}: metadata values can be at most 500 characters.",
            )
        if item != "":
            result[key] = item
    return result


def require_one_of(*, values: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """Exactly one of `names` must be present; return which. Mirrors Stripe's exclusive params."""
    present = [name for name in names if name in values]
    if len(present) > 1:
        raise StripeError(
            status=400,
            code="parameters_exclusive",
            param=present[1],
            message=f"You cannot pass both {present[0]} and {present[1]}; pass only one.",
        )
    if not present:
        raise StripeError(
            status=400,
            code="parameter_missing",
            param=names[0],
            message=f"Missing required param: one of {', '.join(names)}.",
        )
    return present[0]
