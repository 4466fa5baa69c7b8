"""Model files are identified and checked in one streaming pass."""

from __future__ import annotations

import hashlib
import json
import pickle
import struct

import pytest

from blueprints.model_files import AUTOV1_LENGTH, AUTOV1_OFFSET, ModelFileError, scan_model_file


def safetensors_bytes(tensors: dict[str, tuple[str, list[int], bytes]], metadata: dict[str, str] | None = None) -> bytes:
    header: dict[str, object] = {}
    offset = 0
    blobs = []
    for name, (dtype, shape, blob) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs)


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


BIG = bytes(range(256)) * (5 * 1024 * 4)  # 5 MiB of tensor data, so AutoV1's window is inside


@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 10_000_000])
def test_hashes_match_independent_computation_whatever_the_chunking(chunk_size: int) -> None:
    data = safetensors_bytes({"w": ("U8", [len(BIG)], BIG)}, {"ss_network_dim": "8"})
    if chunk_size == 1:
        data_chunks = chunked(data[:5000], 1) + chunked(data[5000:], 65536)
    else:
        data_chunks = chunked(data, chunk_size)
    info = scan_model_file(data_chunks, filename="style.safetensors")
    header_length = struct.unpack("<Q", data[:8])[0]
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.autov2 == info.sha256[:10]
    assert info.autov1 == hashlib.sha256(data[AUTOV1_OFFSET : AUTOV1_OFFSET + AUTOV1_LENGTH]).hexdigest()[:8]
    assert info.autov3 == hashlib.sha256(data[8 + header_length :]).hexdigest()
    assert (info.size_bytes, info.tensor_count, info.metadata, info.dtypes) == (len(data), 1, {"ss_network_dim": "8"}, ["U8"])


@pytest.mark.parametrize("name", ["model.ckpt", "model.pt", "lora.pth", "x.bin"])
def test_pickle_names_are_refused(name: str) -> None:
    with pytest.raises(ModelFileError) as caught:
        scan_model_file([b""], filename=name)
    assert caught.value.code == "pickle_refused"


def test_pickle_content_under_a_safetensors_name_is_refused() -> None:
    with pytest.raises(ModelFileError) as caught:
        scan_model_file([pickle.dumps({"a": 1})], filename="sneaky.safetensors")
    assert caught.value.code == "pickle_refused"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_safetensors"),
        (struct.pack("<Q", 10**12) + b"{}", "not_safetensors"),
        (struct.pack("<Q", 5) + b"nope!", "not_safetensors"),
        (struct.pack("<Q", 2) + b"{}", "not_safetensors"),
        (safetensors_bytes({"w": ("F32", [4], b"\x00" * 16)})[:-4], "corrupt_safetensors"),
        (safetensors_bytes({"w": ("F99", [1], b"\x00")}), "not_safetensors"),
        (safetensors_bytes({"w": ("F32", [3], b"\x00" * 16)}), "corrupt_safetensors"),
    ],
)
def test_broken_files_get_a_specific_error(data: bytes, code: str) -> None:
    with pytest.raises(ModelFileError) as caught:
        scan_model_file(chunked(data, 3) or [b""], filename="m.safetensors")
    assert caught.value.code == code
