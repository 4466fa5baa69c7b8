"""The render worker's configuration, read from the environment (no Django here).

Shared with the web side only through the same variable names: REDIS_URL (broker and
progress), KILN_VAR_DIR (embedded broker folder, local objects), S3_* (object storage).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as error:
        raise RuntimeError(f"Environment variable {name}={raw!r} is not an integer.") from error


@dataclass(frozen=True)
class WorkerSettings:
    redis_url: str | None
    var_dir: Path
    objects_dir: Path  # local object storage root (embedded default): the web's private media
    models_dir: Path  # on-disk model cache
    s3_bucket: str | None
    s3_prefix: str  # the web side's private storage location inside the bucket
    soft_time_limit: int
    time_limit: int
    visibility_timeout: int
    heartbeat_ttl: int

    @classmethod
    def from_env(cls) -> WorkerSettings:
        var_dir = Path(os.environ.get("KILN_VAR_DIR") or ROOT / "var")
        soft = _int("RENDER_SOFT_TIME_LIMIT", 1500)
        hard = _int("RENDER_TIME_LIMIT", 1800)
        visibility = _int("RENDER_VISIBILITY_TIMEOUT", 3600)
        if not soft < hard < visibility:
            # Redis re-delivers an unacked task after the visibility timeout: if a run could
            # outlive it, it would run twice (INFRA_NOTES measured three runs on two workers).
            raise RuntimeError(
                f"Render time limits must satisfy soft ({soft}) < hard ({hard}) < visibility timeout ({visibility})."
            )
        return cls(
            redis_url=os.environ.get("REDIS_URL") or None,
            var_dir=var_dir,
            objects_dir=Path(os.environ.get("RENDER_OBJECTS_DIR") or var_dir / "media" / "private"),
            models_dir=Path(os.environ.get("RENDER_MODELS_DIR") or var_dir / "models"),
            s3_bucket=os.environ.get("S3_BUCKET") or None,
            s3_prefix=os.environ.get("S3_PRIVATE_PREFIX", "private/"),
            soft_time_limit=soft,
            time_limit=hard,
            visibility_timeout=visibility,
            heartbeat_ttl=_int("RENDER_HEARTBEAT_TTL", 60),
        )
