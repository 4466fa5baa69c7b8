"""``read_upload``: sniff an upload by content and pull the workflow(s) out of it."""

from __future__ import annotations

from typing import Any

from .image_metadata import (
    ImageMetadata,
    read_jpeg_metadata,
    read_png_metadata,
    read_webp_metadata,
)
from .json_text import decode_json_bytes, parse_json_text
from .limits import MAX_UPLOAD_BYTES
from .problems import WorkflowError
from .source import WorkflowSource

_EXTENSION_KINDS = {
    "json": "JSON",
    "png": "PNG",
    "webp": "WEBP",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jfif": "JPEG",
}
ACCEPTED_KINDS = (
    "a ComfyUI workflow JSON (UI or API format), a ComfyUI PNG or WebP, "
    "or a JPEG/PNG/WebP with Automatic1111 parameters"
)


def sniff_kind(data: bytes) -> str:
    """The file's kind from its first bytes: JSON, PNG, WEBP, JPEG, GIF, BMP, TIFF, or UNKNOWN."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data.startswith(b"BM"):
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if head.startswith((b"{", b"[")):
        return "JSON"
    return "UNKNOWN"


def _extension_kind(filename: str) -> tuple[str, str | None]:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in name:
        return "", None
    extension = name.rsplit(".", 1)[-1].lower()
    return extension, _EXTENSION_KINDS.get(extension)


def read_upload(data: bytes, *, filename: str = "") -> WorkflowSource:
    """Read an uploaded file into a :class:`WorkflowSource`, judging it by content.

    Accepts workflow JSON (UI format v0.4/v1, API format), ComfyUI PNG/WebP metadata and
    Automatic1111 ``parameters`` (PNG text, JPEG/WebP EXIF UserComment). A file whose extension
    contradicts its content, an image without metadata, oversized or malformed input all raise
    :class:`WorkflowError` with a specific problem code.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WorkflowError.single("bad_upload", "The upload must be raw bytes.", field="file")
    data = bytes(data)
    if not data:
        raise WorkflowError.single("empty_file", "The uploaded file is empty.", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkflowError.single(
            "file_too_large",
            f"The uploaded file is {len(data):,} bytes; at most {MAX_UPLOAD_BYTES:,} bytes are "
            "accepted.",
            field="file",
        )
    kind = sniff_kind(data)
    extension, extension_kind = _extension_kind(filename or "")
    if extension_kind == "JSON" and kind == "UNKNOWN":
        # A .json file that is not an object or array (42, "text", null) or not JSON at all:
        # the parser's answer ("not valid JSON at line 1", "the JSON is int") says more than
        # "unrecognised data".
        kind = "JSON"
    if extension_kind is not None and kind != extension_kind:
        content = "unrecognised data" if kind == "UNKNOWN" else f"{kind} data"
        raise WorkflowError.single(
            "extension_mismatch",
            f"The file is named {filename!r} (extension .{extension}, i.e. {extension_kind}) but "
            f"contains {content}; rename it or upload the right file.",
            field="file",
        )
    if kind == "JSON":
        return _source_from_json(decode_json_bytes(data, where="The uploaded file"))
    if kind == "PNG":
        return _source_from_png(read_png_metadata(data))
    if kind in ("WEBP", "JPEG"):
        reader = read_webp_metadata if kind == "WEBP" else read_jpeg_metadata
        return _source_from_exif_image(reader(data))
    if kind in ("GIF", "BMP", "TIFF"):
        raise WorkflowError.single(
            "unsupported_file_type",
            f"{kind} files are not accepted; upload {ACCEPTED_KINDS}.",
            field="file",
        )
    raise WorkflowError.single(
        "unrecognized_format",
        f"The file is neither JSON nor a PNG, WebP or JPEG image; upload {ACCEPTED_KINDS}.",
        field="file",
    )


def workflow_kind(value: Any) -> str | None:
    """'ui' for an editor workflow, 'api' for an executable graph, else None."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("nodes"), list):
        return "ui"
    if value and any(isinstance(node, dict) and "class_type" in node for node in value.values()):
        return "api"
    return None


def _source_from_json(value: Any) -> WorkflowSource:
    kind = workflow_kind(value)
    if kind == "ui":
        return WorkflowSource(ui=value)
    if kind == "api":
        return WorkflowSource(api=value)
    # The body ComfyUI's /prompt endpoint receives:
    # {"prompt": api, "extra_data": {"extra_pnginfo": {"workflow": ui}}}
    if isinstance(value, dict) and workflow_kind(value.get("prompt")) == "api":
        extra = value.get("extra_data")
        pnginfo = extra.get("extra_pnginfo") if isinstance(extra, dict) else None
        ui = pnginfo.get("workflow") if isinstance(pnginfo, dict) else None
        return WorkflowSource(api=value["prompt"], ui=ui if workflow_kind(ui) == "ui" else None)
    if isinstance(value, dict) and not value:
        raise WorkflowError.single(
            "empty_workflow", "The JSON object is empty; it holds no workflow.", field="file"
        )
    found = type(value).__name__ if not isinstance(value, dict) else "an object without nodes"
    raise WorkflowError.single(
        "not_a_workflow",
        f"The JSON is {found}; expected a ComfyUI workflow: an object with a 'nodes' list (UI "
        "format) or an object of nodes with 'class_type' (API format).",
        field="file",
    )


def _parse_embedded(text: str, *, where: str, expected: str) -> dict[str, Any]:
    value = parse_json_text(text, where=where)
    if workflow_kind(value) != expected:
        raise WorkflowError.single(
            "not_a_workflow",
            f"{where} does not hold a ComfyUI "
            f"{'UI workflow' if expected == 'ui' else 'API graph'}.",
            field="file",
        )
    assert isinstance(value, dict)
    return value


def _comfy_source(
    metadata: ImageMetadata, *, prompt_text: str | None, workflow_text: str | None, where: str
) -> WorkflowSource:
    source = WorkflowSource(image_format=metadata.image_format, image_size=metadata.size)
    # ComfyUI writes "null" when a graph was not recorded; that is absence, not an error.
    if prompt_text is not None and prompt_text.strip() != "null":
        source.api = _parse_embedded(
            prompt_text, where=f"The {where} 'prompt' metadata", expected="api"
        )
    if workflow_text is not None and workflow_text.strip() != "null":
        source.ui = _parse_embedded(
            workflow_text, where=f"The {where} 'workflow' metadata", expected="ui"
        )
    return source


def _no_metadata(metadata: ImageMetadata) -> WorkflowError:
    if metadata.truncated:
        return WorkflowError.single(
            "truncated_image",
            f"The {metadata.image_format} image is truncated (it ends inside a chunk) and the part "
            "that arrived carries no workflow; upload the complete file.",
            field="file",
        )
    return WorkflowError.single(
        "no_metadata",
        f"The {metadata.image_format} image carries no ComfyUI workflow ('prompt'/'workflow') and "
        "no "
        "Automatic1111 'parameters'; it was probably re-saved or stripped. Upload the original "
        "output image or the workflow JSON.",
        field="file",
    )


def _source_from_png(metadata: ImageMetadata) -> WorkflowSource:
    chunks = metadata.text_chunks
    if "prompt" in chunks or "workflow" in chunks:
        return _comfy_source(
            metadata,
            prompt_text=chunks.get("prompt"),
            workflow_text=chunks.get("workflow"),
            where="PNG",
        )
    parameters = chunks.get("parameters")
    if parameters and parameters.strip():
        return WorkflowSource(
            a1111_text=parameters, image_format=metadata.image_format, image_size=metadata.size
        )
    raise _no_metadata(metadata)


def _source_from_exif_image(metadata: ImageMetadata) -> WorkflowSource:
    prompt_text: str | None = None
    workflow_text: str | None = None
    for _tag, value in sorted(metadata.exif_strings.items(), reverse=True):
        key, separator, rest = value.partition(":")
        if not separator:
            continue
        if key == "prompt" and prompt_text is None:
            prompt_text = rest
        elif key == "workflow" and workflow_text is None:
            workflow_text = rest
    if prompt_text is not None or workflow_text is not None:
        return _comfy_source(
            metadata,
            prompt_text=prompt_text,
            workflow_text=workflow_text,
            where=f"{metadata.image_format} EXIF",
        )
    for candidate in (metadata.user_comment, metadata.jpeg_comment):
        if candidate and "Steps:" in candidate:
            return WorkflowSource(
                a1111_text=candidate, image_format=metadata.image_format, image_size=metadata.size
            )
    if metadata.user_comment and metadata.user_comment.strip():
        return WorkflowSource(
            a1111_text=metadata.user_comment,
            image_format=metadata.image_format,
            image_size=metadata.size,
        )
    raise _no_metadata(metadata)
