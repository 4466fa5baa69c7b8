"""Object storage as the worker sees it: bytes by key, in S3 or a local folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class ObjectStoreError(Exception):
    pass


class ObjectStore(Protocol):
    def get(self, key: str) -> bytes: ...
    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None: ...


class LocalObjects:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ObjectStoreError(f"object key {key!r} leaves the storage root")
        return path

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise ObjectStoreError(f"no object {key!r} in {self.root}") from error

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)


class S3Objects:
    def __init__(self, *, bucket: str, prefix: str, client: Any) -> None:
        self.bucket, self.prefix, self.client = bucket, prefix, client

    def get(self, key: str) -> bytes:
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read())
        except Exception as error:  # botocore raises many types; all mean "not readable"
            raise ObjectStoreError(f"cannot read s3://{self.bucket}/{self.prefix}{key}: {error}") from error

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type)
