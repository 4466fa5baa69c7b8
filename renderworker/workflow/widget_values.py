"""Mapping a node's positional ``widgets_values`` onto input names (COMFY_FIDELITY §1)."""

from __future__ import annotations

from typing import Any

from .specs import NodeSpec

CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})
_SEED_WIDGET_NAMES = frozenset({"seed", "noise_seed"})


def widgets_by_name(spec: NodeSpec, values: Any) -> tuple[dict[str, Any], list[str]]:
    """Values of the spec's widgets by name, defaults for missing trailing ones.

    ``values`` is a list (positional: widget inputs in definition order, each followed by its
    hidden control/upload slots) or a dict (a few nodes serialise by name). Returns the mapping
    and the names that fell back to defaults.
    """
    result: dict[str, Any] = {}
    defaulted: list[str] = []
    if isinstance(values, dict):
        for widget in spec.widget_inputs:
            if widget.name in values:
                result[widget.name] = values[widget.name]
            else:
                result[widget.name] = widget.default_value()
                defaulted.append(widget.name)
        return result, defaulted
    sequence = values if isinstance(values, list) else []
    position = 0
    for widget in spec.widget_inputs:
        if position < len(sequence):
            result[widget.name] = sequence[position]
        else:
            result[widget.name] = widget.default_value()
            defaulted.append(widget.name)
        position += 1 + widget.hidden_slots_after
    return result, defaulted


def control_values(spec: NodeSpec, values: Any) -> dict[str, str]:
    """The hidden ``control_after_generate`` value stored after each widget that has one."""
    controls: dict[str, str] = {}
    if not isinstance(values, list):
        return controls
    position = 0
    for widget in spec.widget_inputs:
        if widget.control_after_generate and position + 1 < len(values):
            control = values[position + 1]
            if isinstance(control, str) and control in CONTROL_VALUES:
                controls[widget.name] = control
        position += 1 + widget.hidden_slots_after
    return controls


def custom_widgets_by_name(widget_names: list[str], values: Any) -> dict[str, Any] | None:
    """Best-effort naming for nodes without a spec (custom nodes).

    Newer frontends list every widget as an input slot with ``widget.name``; when the values
    line up with those names (skipping a control value after seed-like widgets) the mapping is
    exact, otherwise None: positional mapping is impossible without the node's definition.
    """
    if isinstance(values, dict):
        return {name: value for name, value in values.items() if isinstance(name, str)}
    if not isinstance(values, list) or not widget_names:
        return None if values else {}
    result: dict[str, Any] = {}
    position = 0
    for name in widget_names:
        if position >= len(values):
            return None
        result[name] = values[position]
        position += 1
        if (
            name in _SEED_WIDGET_NAMES
            and position < len(values)
            and isinstance(values[position], str)
            and values[position] in CONTROL_VALUES
        ):
            position += 1
    return result if position == len(values) else None
