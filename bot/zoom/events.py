"""A Zoom webhook event, reduced to the parts ClassBot uses, in a shape that survives a trip through the job queue."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ZoomEvent:
    """The parts of a Zoom event ClassBot uses; meeting ids are always strings."""

    name: str
    account_id: str
    zoom_user_id: str | None = None
    meeting_id: str | None = None
    start_time: str | None = None
    duration: int | None = None
    topic: str | None = None
    participant_key: str | None = None
    participant_name: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ZoomEvent:
        return cls(**payload)
