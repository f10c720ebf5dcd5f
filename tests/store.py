"""Store helpers shared by the tests."""

from __future__ import annotations

from models.store import candidates


def unsent(engine, profile_id, channel_key, since, decoded=None):
    """A channel's candidates among the papers first seen since `since` (a first digest)."""
    window = candidates.Window(upto=candidates.high_water(engine=engine), since=since)
    return candidates.unsent_candidates(
        engine=engine,
        profile_id=profile_id,
        channel_key=channel_key,
        window=window,
        decoded=decoded,
    )
