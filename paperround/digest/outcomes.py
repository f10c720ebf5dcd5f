"""What a digest run did, per profile and channel: the records the CLI, flows and logs show."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ChannelOutcome:
    channel: str  # redacted URL, or the digest file path
    ok: bool
    items: int
    error: str | None = None
    resent: bool = False  # a digest a dead run left pending, sent again as the same message
    tldr_fallbacks: int = 0  # papers whose model TL;DR failed and kept the extractive line


@dataclass(frozen=True)
class ProfileOutcome:
    profile: str
    candidates: int
    channels: tuple[ChannelOutcome, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.channels)


def digest_summary(outcomes: list[ProfileOutcome]) -> dict:
    """What a digest run did, as the CLI's --json and the flow's result show it."""
    return {
        "profiles": [asdict(o) for o in outcomes],
        "failed": [o.profile for o in outcomes if not o.ok],
    }
