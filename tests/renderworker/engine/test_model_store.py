from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from renderworker.models import LoadedComponentCache, ModelStore, ModelStoreError, sha256_file


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeS3:
    """Stands in for a boto3 S3 client (download_fileobj only)."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects
        self.calls: list[tuple[str, str]] = []

    def download_fileobj(self, bucket: str, key: str, fileobj: Any) -> None:
        self.calls.append((bucket, key))
        data = self.objects[key]
        for start in range(0, len(data), 7):
            fileobj.write(data[start : start + 7])


def test_sha256_file_streams_the_whole_file(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 5)
    (tmp_path / "f").write_bytes(data)
    assert sha256_file(tmp_path / "f") == _sha(data)


def test_local_file_named_by_hash_is_verified(tmp_path: Path) -> None:
    data = b"checkpoint bytes"
    (tmp_path / _sha(data)).write_bytes(data)
    store = ModelStore(cache_dir=tmp_path / "cache", max_cache_bytes=100, local_dirs=[tmp_path])
    assert store.resolve(sha256=_sha(data).upper()) == tmp_path / _sha(data)
    wrong = _sha(b"other")
    (tmp_path / wrong).write_bytes(data)
    with pytest.raises(ModelStoreError, match=f"expected {wrong}"):
        store.resolve(sha256=wrong)


def test_s3_download_is_verified_and_cached(tmp_path: Path) -> None:
    data = b"x" * 50
    s3 = FakeS3({f"models/{_sha(data)}": data})
    store = ModelStore(
        cache_dir=tmp_path / "cache", max_cache_bytes=1000, s3_bucket="kiln", s3_client=s3
    )
    path = store.resolve(sha256=_sha(data))
    assert path.read_bytes() == data
    assert store.resolve(sha256=_sha(data)) == path
    assert s3.calls == [("kiln", f"models/{_sha(data)}")]


def test_s3_object_with_wrong_content_is_refused_and_not_cached(tmp_path: Path) -> None:
    claimed = _sha(b"the real model")
    s3 = FakeS3({f"models/{claimed}": b"tampered"})
    store = ModelStore(
        cache_dir=tmp_path / "cache", max_cache_bytes=1000, s3_bucket="kiln", s3_client=s3
    )
    with pytest.raises(ModelStoreError, match="refused"):
        store.resolve(sha256=claimed)
    assert list((tmp_path / "cache").iterdir()) == []


def test_disk_cache_evicts_least_recently_used_over_the_cap(tmp_path: Path) -> None:
    blobs = [bytes([index]) * 40 for index in range(3)]
    s3 = FakeS3({f"models/{_sha(blob)}": blob for blob in blobs})
    store = ModelStore(
        cache_dir=tmp_path / "cache", max_cache_bytes=100, s3_bucket="kiln", s3_client=s3
    )
    first = store.resolve(sha256=_sha(blobs[0]))
    store.resolve(sha256=_sha(blobs[1]))
    os.utime(first, (1, 1))
    os.utime(tmp_path / "cache" / _sha(blobs[1]), (2, 2))
    store.resolve(sha256=_sha(blobs[0]))  # touched: now the most recent
    store.resolve(sha256=_sha(blobs[2]))
    assert sorted(path.name for path in store.cached_files()) == sorted(
        [_sha(blobs[0]), _sha(blobs[2])]
    )


def test_bad_hash_text_is_refused(tmp_path: Path) -> None:
    store = ModelStore(cache_dir=tmp_path, max_cache_bytes=10)
    with pytest.raises(ModelStoreError, match="64 hexadecimal"):
        store.resolve(sha256="abc")


def test_component_cache_keeps_the_most_recent_entries() -> None:
    cache: LoadedComponentCache[str] = LoadedComponentCache(max_entries=2)
    loads: list[str] = []

    def loader(name: str) -> Any:
        return lambda: loads.append(name) or name

    cache.get_or_load(key=("a", "p"), load=loader("a"))
    cache.get_or_load(key=("b", "p"), load=loader("b"))
    cache.get_or_load(key=("a", "p"), load=loader("a"))
    cache.get_or_load(key=("c", "p"), load=loader("c"))
    assert loads == ["a", "b", "c"]
    assert cache.keys() == [("a", "p"), ("c", "p")]
