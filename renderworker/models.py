"""The model store: resources by SHA-256 from local disk or S3, verified, cached on disk and in memory.

Identity is the SHA-256 of the whole file (COMFY_FIDELITY §9). A file is used only after its
hash was checked, streamed in 1 MiB blocks (never the whole file in memory). Downloads land in
an on-disk cache (``<cache>/<sha256>``) bounded by a size cap with least-recently-used
eviction; loaded components are kept in a small in-memory LRU keyed by hash and profile.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

BLOCK = 1024 * 1024
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
S3_KEY_PREFIX = "models/"


class ModelStoreError(Exception):
    """A resource could not be found or failed its hash check."""


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


_hash_memo: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def sha256_file_cached(path: Path) -> str:
    """SHA-256 of a file, remembered per (path, size, mtime) for this process."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _hash_lock:
        known = _hash_memo.get(key)
    if known is not None:
        return known
    digest = sha256_file(path)
    with _hash_lock:
        _hash_memo[key] = digest
    return digest


def _check_sha(sha256: str) -> str:
    value = sha256.lower()
    if not SHA256_PATTERN.match(value):
        raise ModelStoreError(f"sha256 {sha256!r} is not 64 hexadecimal characters")
    return value


@dataclass
class ModelStore:
    """Resolve ``sha256 → verified local path``.

    Looks in ``local_dirs`` for a file named by its hash (``<dir>/<sha256>`` or
    ``<dir>/models/<sha256>``), then in the disk cache, then in S3 (``models/<sha256>`` in
    ``s3_bucket`` through a boto3 client). ``max_cache_bytes`` caps the disk cache.
    """

    cache_dir: Path
    max_cache_bytes: int
    local_dirs: Sequence[Path] = ()
    s3_bucket: str | None = None
    s3_client: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def resolve(self, *, sha256: str) -> Path:
        """A local path whose content has exactly this SHA-256; raises ModelStoreError otherwise."""
        wanted = _check_sha(sha256)
        for directory in self.local_dirs:
            for candidate in (directory / wanted, directory / "models" / wanted):
                if candidate.is_file():
                    actual = sha256_file_cached(candidate)
                    if actual != wanted:
                        raise ModelStoreError(
                            f"local file {candidate} has sha256 {actual}, expected {wanted}"
                        )
                    return candidate
        cached = self.cache_dir / wanted
        if cached.is_file():
            os.utime(cached)  # mark as recently used for the LRU
            return cached
        if self.s3_bucket is None or self.s3_client is None:
            raise ModelStoreError(
                f"no file with sha256 {wanted} in {[str(d) for d in self.local_dirs]} or the cache, and no S3 configured"
            )
        return self._download(wanted)

    def _download(self, sha256: str) -> Path:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = self.cache_dir / f".{sha256}.{os.getpid()}.{threading.get_ident()}.part"
        digest = hashlib.sha256()

        class _HashingWriter:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def write(self, data: bytes) -> int:
                digest.update(data)
                return int(self.handle.write(data))

        try:
            with partial.open("wb") as handle:
                self.s3_client.download_fileobj(
                    self.s3_bucket, S3_KEY_PREFIX + sha256, _HashingWriter(handle)
                )
            actual = digest.hexdigest()
            if actual != sha256:
                raise ModelStoreError(
                    f"S3 object {S3_KEY_PREFIX}{sha256} has sha256 {actual}: refused"
                )
            size = partial.stat().st_size
            with self._lock:
                self._evict(keep_free=size)
                final = self.cache_dir / sha256
                partial.replace(final)
            return final
        finally:
            partial.unlink(missing_ok=True)

    def cached_files(self) -> list[Path]:
        if not self.cache_dir.is_dir():
            return []
        return [
            path
            for path in self.cache_dir.iterdir()
            if path.is_file() and SHA256_PATTERN.match(path.name)
        ]

    def _evict(self, *, keep_free: int) -> None:
        """Delete least-recently-used cache files until ``keep_free`` more bytes fit under the cap."""
        files = sorted(self.cached_files(), key=lambda path: path.stat().st_mtime_ns)
        total = sum(path.stat().st_size for path in files)
        while files and total + keep_free > self.max_cache_bytes:
            oldest = files.pop(0)
            total -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)


Value = TypeVar("Value")


class LoadedComponentCache(Generic[Value]):
    """In-memory LRU of loaded components keyed by (sha256, profile)."""

    def __init__(self, *, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_load(self, *, key: tuple[str, str], load: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = load()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def keys(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._entries)
