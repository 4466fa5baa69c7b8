"""Comparing two API graphs up to node renumbering (an isomorphism check for small graphs).

Two graphs are equivalent when a one-to-one mapping of node ids exists under which every node
has the same class_type, the same literal inputs by name (strings compared with a pluggable
rule, e.g. "is one resolution of this {a|b} template") and the same links. ``_meta`` is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

StringRule = Callable[[str, str], bool]


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
    )


def _literals(node: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in node.get("inputs", {}).items() if not _is_link(value)}


def _links(node: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {
        name: (value[0], value[1])
        for name, value in node.get("inputs", {}).items()
        if _is_link(value)
    }


def _values_equal(left: Any, right: Any, strings_equal: StringRule) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left == right or strings_equal(left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    return bool(left == right)


def _node_compatible(
    left: dict[str, Any], right: dict[str, Any], strings_equal: StringRule, ignored: set[str]
) -> str | None:
    if left.get("class_type") != right.get("class_type"):
        return f"class_type {left.get('class_type')} != {right.get('class_type')}"
    left_literals = {k: v for k, v in _literals(left).items() if k not in ignored}
    right_literals = {k: v for k, v in _literals(right).items() if k not in ignored}
    if set(left_literals) != set(right_literals):
        return f"literal inputs {sorted(left_literals)} != {sorted(right_literals)}"
    for name, value in left_literals.items():
        if not _values_equal(value, right_literals[name], strings_equal):
            return f"input {name!r}: {value!r} != {right_literals[name]!r}"
    if set(_links(left)) != set(_links(right)):
        return f"linked inputs {sorted(_links(left))} != {sorted(_links(right))}"
    return None


def graph_difference(
    compiled: dict[str, Any],
    expected: dict[str, Any],
    *,
    strings_equal: StringRule = lambda compiled_text, expected_text: False,
    ignored_inputs: dict[str, set[str]] | None = None,
) -> str | None:
    """None when the graphs are equivalent, else a description of the first obstacle found.

    ``ignored_inputs`` maps an id of ``expected`` to input names not compared (known, declared
    differences such as the next-seed trap).
    """
    ignored_inputs = ignored_inputs or {}
    if len(compiled) != len(expected):
        return (
            f"node count {len(compiled)} != {len(expected)}: "
            f"{sorted(compiled)} vs {sorted(expected)}"
        )
    candidates: dict[str, list[str]] = {}
    for left_id, left in compiled.items():
        reasons = []
        options = []
        for right_id, right in expected.items():
            reason = _node_compatible(
                left, right, strings_equal, ignored_inputs.get(right_id, set())
            )
            if reason is None:
                options.append(right_id)
            else:
                reasons.append(f"{right_id}: {reason}")
        if not options:
            same_class = [r for r in reasons if "class_type" not in r]
            return (
                f"compiled node {left_id} ({left.get('class_type')}) matches nothing: "
                f"{same_class[:3] or reasons[:1]}"
            )
        candidates[left_id] = options
    order = sorted(candidates, key=lambda node_id: len(candidates[node_id]))
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def consistent(left_id: str, right_id: str) -> bool:
        left_links = _links(compiled[left_id])
        right_links = _links(expected[right_id])
        for name, (source, slot) in left_links.items():
            right_source, right_slot = right_links[name]
            if slot != right_slot:
                return False
            if source in mapping and mapping[source] != right_source:
                return False
        # Links pointing at nodes mapped earlier must agree in the other direction too.
        for other_left, other_right in mapping.items():
            for name, (source, _slot) in _links(compiled[other_left]).items():
                if source == left_id and _links(expected[other_right])[name][0] != right_id:
                    return False
        return True

    def search(index: int) -> bool:
        if index == len(order):
            return True
        left_id = order[index]
        for right_id in candidates[left_id]:
            if right_id in used or not consistent(left_id, right_id):
                continue
            mapping[left_id] = right_id
            used.add(right_id)
            if search(index + 1):
                return True
            del mapping[left_id]
            used.discard(right_id)
        return False

    if not search(0):
        return "no node mapping makes the links agree"
    for left_id, right_id in mapping.items():
        for name, (source, _slot) in _links(compiled[left_id]).items():
            target = _links(expected[right_id])[name][0]
            if source not in compiled:
                if target in expected:
                    return f"node {left_id} input {name!r} dangles while expected links to {target}"
            elif mapping.get(source) != target:
                return (
                    f"node {left_id} input {name!r} links to {source} "
                    f"(maps to {mapping.get(source)}), expected {target}"
                )
    return None
