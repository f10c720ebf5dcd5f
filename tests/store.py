"""Store helpers shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime

from models.store import candidates
from models.store.papers import upsert_records
from models.store.profiles import create_profile
from models.tables import Profile
from tests.records import arxiv_record, fake_id

# A month before the dispatch tests' Monday (23 November 2026, 07:05 in Paris).
LONG_AGO = datetime(2026, 10, 24, 6, 5, tzinfo=UTC)


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


def papers_on(engine, day: datetime, start: int, count: int) -> list[str]:
    """Store `count` diffusion papers first seen at `day`; returns their titles."""
    recs = [
        arxiv_record(
            fake_id(i),
            title=f"Diffusion models, study {i}",
            abstract="We study diffusion.",
            authors=("A. Author",),
            categories=("cs.LG",),
        )
        for i in range(start, start + count)
    ]
    upsert_records(recs, engine=engine, now=day)
    return [r.title for r in recs]


def reader(engine, name: str, channel: str, tz: str = "Europe/Paris", **kw) -> Profile:
    """A profile that wants diffusion papers daily at 07:00 (its time zone) on `channel`."""
    prof = Profile(
        name=name,
        keywords=[["diffusion", 1.0]],
        schedule=kw.pop("schedule", "0 7 * * *"),
        timezone=tz,
        max_items=50,
        created_at=kw.pop("created_at", LONG_AGO),
        **kw,
    )
    return create_profile(prof, engine=engine, channels=[channel])


def migration_head() -> str:
    """The newest migration's revision."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from models.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()
