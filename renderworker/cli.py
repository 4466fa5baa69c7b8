"""Command line of the render worker.

    python -m renderworker render WORKFLOW --models DIR --out DIR [--profile cpu-fp32|cuda-comfy]
                                           [--inputs DIR] [--configs DIR]
    python -m renderworker make-tiny-models DIR
    python -m renderworker environment [--profile ...]

WORKFLOW is a UI or API JSON file, or a PNG/WebP carrying one. Model names in the graph are
found by file name under --models (and by SHA-256 where the workflow's ``models[]`` gives one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2


def _graph_from_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(API graph, {model name: sha256}) from a workflow file of any supported kind."""
    from renderworker.workflow import WorkflowError, compile_ui, read_upload

    source = read_upload(path.read_bytes(), filename=path.name)
    hashes: dict[str, str] = {}
    if source.ui is not None:
        for entry in source.ui.get("models") or []:
            if isinstance(entry, dict) and str(entry.get("hash_type", "")).upper() == "SHA256":
                name, digest = entry.get("name"), entry.get("hash")
                if isinstance(name, str) and isinstance(digest, str):
                    hashes[name] = digest.lower()
    if source.api is not None:
        return source.api, hashes
    if source.ui is not None:
        return compile_ui(source.ui), hashes
    raise WorkflowError.single(
        "no_comfy_graph",
        f"{path.name}: holds no ComfyUI graph (Automatic1111 parameters cannot be rendered directly)",
    )


def _input_images(directory: Path | None) -> dict[str, bytes]:
    if directory is None:
        return {}
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


def _save_png(*, pixels: Any, path: Path, graph: dict[str, Any]) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("prompt", json.dumps(graph))
    Image.fromarray(pixels).save(path, pnginfo=info)


def command_render(arguments: argparse.Namespace) -> int:
    from renderworker.engine.errors import EngineError
    from renderworker.engine.executor import render_graph
    from renderworker.engine.precision import default_profile_name, get_profile
    from renderworker.engine.resources import Resources
    from renderworker.workflow import WorkflowError

    started = time.perf_counter()
    try:
        workflow = Path(arguments.workflow)
        if not workflow.is_file():
            raise FileNotFoundError(f"workflow file {workflow} does not exist")
        models = Path(arguments.models)
        if not models.is_dir():
            raise FileNotFoundError(f"--models {models} is not a directory")
        graph, hashes = _graph_from_file(workflow)
        profile = get_profile(name=arguments.profile or default_profile_name())
        resources = Resources(
            model_dirs=[models],
            config_roots=[Path(arguments.configs)] if arguments.configs else [],
            input_images=_input_images(Path(arguments.inputs) if arguments.inputs else None),
            hashes=hashes,
        )
        read_seconds = time.perf_counter() - started
        result = render_graph(
            graph=graph,
            resources=resources,
            profile=profile,
            on_progress=_print_progress if arguments.verbose else None,
        )
    except (WorkflowError, EngineError, ValueError, FileNotFoundError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    for image in result.images:
        _save_png(pixels=image.pixels, path=out / image.filename, graph=graph)
        print(
            f"wrote {out / image.filename} ({image.pixels.shape[1]}x{image.pixels.shape[0]}) from node {image.node_id}"
        )
    print(f"{'stage':<32} {'seconds':>9} {'peak MiB':>9}")
    print(f"{'read + compile workflow':<32} {read_seconds:>9.3f} {'':>9}")
    for timing in result.timings:
        label = f"{timing.node_id} {timing.class_type}"
        print(f"{label:<32} {timing.seconds:>9.3f} {timing.peak_memory_bytes / 2**20:>9.1f}")
    print(f"{'total':<32} {time.perf_counter() - started:>9.3f}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    print("environment: " + json.dumps(result.environment))
    return 0


def _print_progress(event: Any) -> None:
    if event.total:
        print(
            f"  node {event.node_id} {event.class_type}: step {event.step}/{event.total}",
            file=sys.stderr,
        )


def command_make_tiny_models(arguments: argparse.Namespace) -> int:
    from renderworker.tiny_models import write_tiny_models

    written = write_tiny_models(directory=Path(arguments.directory), seed=arguments.seed)
    for _name, path in written.items():
        print(f"wrote {path}")
    print(f"wrote {Path(arguments.directory) / 'model_configs'}")
    return 0


def command_environment(arguments: argparse.Namespace) -> int:
    from renderworker.engine.precision import default_profile_name, environment_report, get_profile

    try:
        profile = get_profile(name=arguments.profile or default_profile_name())
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(environment_report(profile=profile), indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m renderworker", description="Kiln render worker"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render a ComfyUI workflow file")
    render.add_argument("workflow", help="UI or API JSON, or a PNG/WebP carrying one")
    render.add_argument(
        "--models", required=True, help="directory holding the model files named by the graph"
    )
    render.add_argument("--out", required=True, help="directory for the output PNGs")
    render.add_argument(
        "--profile",
        choices=("cpu-fp32", "cuda-comfy"),
        help="precision profile (default: cuda-comfy on a GPU)",
    )
    render.add_argument("--inputs", help="directory of input images for LoadImage nodes")
    render.add_argument("--configs", help="extra model-config root (see docs/render-engine.md)")
    render.add_argument("--verbose", action="store_true", help="print sampler progress")
    render.set_defaults(handler=command_render)
    tiny = commands.add_parser(
        "make-tiny-models", help="write the tiny deterministic test/demo models"
    )
    tiny.add_argument("directory")
    tiny.add_argument("--seed", type=int, default=0)
    tiny.set_defaults(handler=command_make_tiny_models)
    environment = commands.add_parser(
        "environment", help="print what a verdict records about this machine"
    )
    environment.add_argument("--profile", choices=("cpu-fp32", "cuda-comfy"))
    environment.set_defaults(handler=command_environment)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return int(arguments.handler(arguments))
