"""Identify and check model files while streaming them: hashes and the safetensors header.

Multi-GB checkpoints are never read into memory: one pass over the file in chunks computes
SHA-256 (the identity), AutoV1 (SHA-256 of the 64 KiB at offset 1 MiB, 8 hex), AutoV2 (the
first 10 hex of SHA-256) and AutoV3 (SHA-256 of the tensor data after the safetensors header,
what A1111 shows as 12 hex in "Lora hashes"). Pickle checkpoints are refused: loading one runs
arbitrary code.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marketplace.core.errors import DomainError

MAX_HEADER_BYTES = 100 * 1024 * 1024
AUTOV1_OFFSET = 1024 * 1024
AUTOV1_LENGTH = 64 * 1024
DTYPE_SIZES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
    "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "U16": 2, "U32": 4, "U64": 8,
}
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")


class ModelFileError(DomainError):
    """A model file Kiln refuses, with the reason."""


@dataclass
class ModelFileInfo:
    sha256: str
    autov1: str
    autov2: str
    autov3: str
    size_bytes: int
    tensor_count: int
    metadata: dict[str, str] = field(default_factory=dict)
    dtypes: list[str] = field(default_factory=list)
    sample_keys: list[str] = field(default_factory=list)


def refuse_pickle_name(filename: str) -> None:
    if filename.lower().endswith(PICKLE_SUFFIXES):
        raise ModelFileError(
            f"{filename!r} is a pickle checkpoint; loading one can run arbitrary code. "
            "Kiln accepts .safetensors files only — convert it first.",
            field="file",
            code="pickle_refused",
        )


class _Scanner:
    """Feeds chunks through the hashers and parses the header from the first bytes."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.tensor_sha = hashlib.sha256()
        self.autov1 = hashlib.sha256()
        self.size = 0
        self.head = bytearray()
        self.header_end: int | None = None
        self.header: dict[str, Any] | None = None

    def feed(self, chunk: bytes) -> None:
        start = self.size
        self.size += len(chunk)
        self.sha.update(chunk)
        lo = max(AUTOV1_OFFSET, start)
        hi = min(AUTOV1_OFFSET + AUTOV1_LENGTH, self.size)
        if lo < hi:
            self.autov1.update(chunk[lo - start : hi - start])
        if self.header_end is None:
            self.head += chunk
            self._try_parse_header()
            if self.header_end is not None and self.size > self.header_end:
                self.tensor_sha.update(bytes(self.head[self.header_end :]))
                self.head = bytearray()
        else:
            data_start = max(self.header_end, start)
            if data_start < self.size:
                self.tensor_sha.update(chunk[data_start - start :])

    def _try_parse_header(self) -> None:
        if len(self.head) < 8:
            return
        if self.head[:1] == b"\x80" or self.head[:2] == b"PK":
            raise ModelFileError(
                "The file is a pickle (or zip) checkpoint, not safetensors; Kiln refuses those "
                "because loading one can run arbitrary code.",
                field="file",
                code="pickle_refused",
            )
        (length,) = struct.unpack("<Q", bytes(self.head[:8]))
        if length < 2 or length > MAX_HEADER_BYTES:
            raise ModelFileError(
                f"Not a safetensors file: the header length {length} is outside 2..{MAX_HEADER_BYTES} bytes.",
                field="file",
                code="not_safetensors",
            )
        if len(self.head) < 8 + length:
            return
        try:
            header = json.loads(bytes(self.head[8 : 8 + length]).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ModelFileError(
                "Not a safetensors file: its header is not JSON.", field="file", code="not_safetensors"
            ) from error
        if not isinstance(header, dict):
            raise ModelFileError("Not a safetensors file: its header is not an object.", field="file", code="not_safetensors")
        self.header = header
        self.header_end = 8 + length


def scan_model_file(chunks: Iterable[bytes], *, filename: str) -> ModelFileInfo:
    """Hash and check a safetensors file given as a stream of chunks (one pass, O(1) memory)."""
    refuse_pickle_name(filename)
    scanner = _Scanner()
    for chunk in chunks:
        scanner.feed(chunk)
    if scanner.header is None or scanner.header_end is None:
        raise ModelFileError(
            "Not a safetensors file: it ends before its header does.", field="file", code="not_safetensors"
        )
    data_length = scanner.size - scanner.header_end
    metadata, dtypes, keys = _check_tensors(scanner.header, data_length)
    sha = scanner.sha.hexdigest()
    return ModelFileInfo(
        sha256=sha,
        autov1=scanner.autov1.hexdigest()[:8],
        autov2=sha[:10],
        autov3=scanner.tensor_sha.hexdigest(),
        size_bytes=scanner.size,
        tensor_count=len(keys),
        metadata=metadata,
        dtypes=dtypes,
        sample_keys=keys[:20],
    )


def _check_tensors(header: dict[str, Any], data_length: int) -> tuple[dict[str, str], list[str], list[str]]:
    raw_metadata = header.get("__metadata__", {})
    if not isinstance(raw_metadata, dict):
        raise ModelFileError("Not a safetensors file: __metadata__ is not an object.", field="file", code="not_safetensors")
    # NUL is dropped: PostgreSQL's jsonb refuses \u0000 and the upload would be a 500.
    metadata = {
        str(k).replace("\x00", "")[:200]: str(v).replace("\x00", "")[:2000]
        for k, v in list(raw_metadata.items())[:200]
    }
    dtypes: set[str] = set()
    keys: list[str] = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict):
            raise ModelFileError(f"Tensor {name!r} has no description.", field="file", code="not_safetensors")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if dtype not in DTYPE_SIZES:
            raise ModelFileError(f"Tensor {name!r} has unknown dtype {dtype!r}.", field="file", code="not_safetensors")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise ModelFileError(f"Tensor {name!r} has a bad shape {shape!r}.", field="file", code="not_safetensors")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
            raise ModelFileError(f"Tensor {name!r} has bad data_offsets.", field="file", code="not_safetensors")
        begin, end = offsets
        count = 1
        for dim in shape:
            count *= dim
        if not 0 <= begin <= end <= data_length or end - begin != count * DTYPE_SIZES[dtype]:
            raise ModelFileError(
                f"Tensor {name!r} points outside the file or has the wrong byte length; the file is truncated or corrupt.",
                field="file",
                code="corrupt_safetensors",
            )
        dtypes.add(dtype)
        keys.append(name)
    if not keys:
        raise ModelFileError("The safetensors file holds no tensors.", field="file", code="not_safetensors")
    return metadata, sorted(dtypes), sorted(keys)
