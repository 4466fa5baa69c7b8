"""The verification job and result: versioned plain JSON, the only contract between the web
side and the render worker. The worker needs nothing else: no Django, no database.

Object keys name files in object storage (S3, or a local directory in the embedded default);
model files are additionally identified by SHA-256 and verified before use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

JOB_SCHEMA_VERSION = 1


class JobFormatError(ValueError):
    """A payload that is not a job (or result) this worker understands."""


@dataclass(frozen=True)
class JobResource:
    name: str  # as the graph names it (e.g. "v1-5-pruned-emaonly.safetensors")
    kind: str  # checkpoint | lora | vae | embedding | ...
    sha256: str
    key: str  # object key of the file


@dataclass(frozen=True)
class VerificationJob:
    run_id: str
    graph: dict[str, Any]
    resources: list[JobResource]
    showcase_key: str
    output_prefix: str  # where the worker writes images: <prefix>/declared.png, ...
    input_images: dict[str, str] = field(default_factory=dict)  # LoadImage name → object key
    controls: bool = True  # render the control variants (seed+1, LoRA ±0.2/removed, cfg ±1)
    profile: str = ""  # "" = the worker's default (cuda-comfy on CUDA, else cpu-fp32)
    max_attempts: int = 3
    thresholds: dict[str, float] = field(default_factory=dict)
    schema_version: int = JOB_SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: Any) -> VerificationJob:
        if not isinstance(payload, dict):
            raise JobFormatError("a verification job is a JSON object")
        version = payload.get("schema_version")
        if version != JOB_SCHEMA_VERSION:
            raise JobFormatError(f"job schema_version {version!r} is not supported (this worker reads {JOB_SCHEMA_VERSION})")
        try:
            resources = [JobResource(**item) for item in payload.get("resources", [])]
            return cls(**{**payload, "resources": resources})
        except TypeError as error:
            raise JobFormatError(f"malformed verification job: {error}") from error


class Verdict:
    VERIFIED = "verified"
    REJECTED = "rejected"
    UNSUPPORTED = "unsupported"
    ERROR = "error"


@dataclass
class VerificationResult:
    run_id: str
    status: str  # Verdict.*
    reason: str
    behaviour_version: str
    attempt: int = 1
    decision: dict[str, Any] = field(default_factory=dict)  # compare.Decision.as_dict()
    images: dict[str, str] = field(default_factory=dict)  # role → object key (declared, diff, control:<name>)
    unsupported_nodes: list[dict[str, str]] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds
    peak_memory_bytes: int = 0
    schema_version: int = JOB_SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
