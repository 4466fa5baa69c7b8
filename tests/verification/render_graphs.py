"""Render API graphs with the engine, under .venv-render (the web venv has no torch).

    .venv-render/bin/python tests/verification/render_graphs.py GRAPHS.json --models DIR --out DIR

GRAPHS.json maps a name to an API graph; each first image is written as ``<name>.png``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("graphs")
    parser.add_argument("--models", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()

    import torch
    from PIL import Image

    from renderworker.engine.executor import render_graph
    from renderworker.engine.precision import CPU_FP32, get_profile
    from renderworker.engine.resources import Resources

    torch.set_num_threads(2)
    resources = Resources(model_dirs=[Path(arguments.models)])
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, graph in json.loads(Path(arguments.graphs).read_text()).items():
        result = render_graph(graph=graph, resources=resources, profile=get_profile(name=CPU_FP32))
        Image.fromarray(result.images[0].pixels).save(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
