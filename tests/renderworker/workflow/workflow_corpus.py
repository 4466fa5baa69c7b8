"""Loading the workflow corpus (tests/corpus/workflows) for the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "workflows"
GENERATED = CORPUS / "generated"
HANDWRITTEN = CORPUS / "handwritten"


@dataclass
class CorpusCase:
    name: str
    ui: dict[str, Any] | None
    api: dict[str, Any]
    image_path: Path | None = None
    features: list[str] = field(default_factory=list)
    expected_differences: dict[str, set[str]] = field(default_factory=dict)
    valid: bool = True
    family: str = "unknown"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_cases() -> list[CorpusCase]:
    cases: list[CorpusCase] = []
    manifest = _load(GENERATED / "manifest.json")
    for name, meta in manifest.items():
        differences: dict[str, set[str]] = {}
        for node_id, input_name in meta["expected_differences"]:
            differences.setdefault(node_id, set()).add(input_name)
        image = GENERATED / f"{name}.{meta['image']}" if meta["image"] else None
        cases.append(
            CorpusCase(
                name=name,
                ui=_load(GENERATED / f"{name}.ui.json"),
                api=_load(GENERATED / f"{name}.api.json"),
                image_path=image,
                features=meta["features"],
                expected_differences=differences,
                valid=meta["valid"],
                family=meta["family"],
            )
        )
    for api_path in sorted(HANDWRITTEN.glob("*.api.json")):
        name = api_path.name[: -len(".api.json")]
        ui_path = HANDWRITTEN / f"{name}.ui.json"
        cases.append(
            CorpusCase(
                name=f"handwritten/{name}",
                ui=_load(ui_path) if ui_path.exists() else None,
                api=_load(api_path),
                features=["handwritten"],
            )
        )
    return cases
