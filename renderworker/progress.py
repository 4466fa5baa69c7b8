"""Live progress, heartbeats and attempt counts of verification runs.

Redis in production (keys expire on their own); a folder of small JSON files in the embedded
default. The web side reads the same store to show progress and to reap silent runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Protocol

KEY = "kiln:verification:{run_id}:{part}"
TTL_SECONDS = 24 * 3600


class ProgressStore(Protocol):
    def publish(self, run_id: str, payload: dict[str, Any]) -> None: ...
    def read(self, run_id: str) -> dict[str, Any] | None: ...
    def next_attempt(self, run_id: str) -> int: ...
    def release_attempt(self, run_id: str) -> None: ...


class RedisProgress:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def publish(self, run_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps({**payload, "heartbeat_at": time.time()})
        self.client.set(KEY.format(run_id=run_id, part="progress"), body, ex=TTL_SECONDS)

    def read(self, run_id: str) -> dict[str, Any] | None:
        raw = self.client.get(KEY.format(run_id=run_id, part="progress"))
        return None if raw is None else dict(json.loads(raw))

    def next_attempt(self, run_id: str) -> int:
        key = KEY.format(run_id=run_id, part="attempts")
        value = int(self.client.incr(key))
        self.client.expire(key, TTL_SECONDS)
        return value

    def release_attempt(self, run_id: str) -> None:
        self.client.decr(KEY.format(run_id=run_id, part="attempts"))


class FileProgress:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, run_id: str, part: str) -> Path:
        safe = "".join(ch for ch in run_id if ch.isalnum() or ch in "-_")
        return self.folder / f"{safe}.{part}.json"

    def _write(self, path: Path, body: str) -> None:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(body)
        partial.replace(path)  # atomic: readers never see half a file

    def publish(self, run_id: str, payload: dict[str, Any]) -> None:
        self._write(self._path(run_id, "progress"), json.dumps({**payload, "heartbeat_at": time.time()}))

    def read(self, run_id: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._path(run_id, "progress").read_text()))
        except (FileNotFoundError, ValueError):
            return None

    def next_attempt(self, run_id: str) -> int:
        path = self._path(run_id, "attempts")
        try:
            value = int(path.read_text()) + 1
        except (FileNotFoundError, ValueError):
            value = 1
        self._write(path, str(value))
        return value

    def release_attempt(self, run_id: str) -> None:
        path = self._path(run_id, "attempts")
        try:
            self._write(path, str(max(int(path.read_text()) - 1, 0)))
        except (FileNotFoundError, ValueError):
            return


def progress_store(*, redis_url: str | None, var_dir: Path) -> ProgressStore:
    return RedisProgress(redis_url) if redis_url else FileProgress(var_dir / "progress")
