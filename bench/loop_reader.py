"""The simulated reader's store: a temporary SQLite store driven by the product's own functions.

Why not pass likes to the ranker directly: what the ranker learns from is what the store
gives back, so the reader's clicks go through `models.store.feedback.set_feedback` (what
`paperround like` / `dislike` call) and each day's profile is read back with `profile_spec`
(what `paperround.ranking.rank_for` ranks with). Papers enter the store as an arXiv listing
would bring them (`upsert_records`), so a click on a paper the store does not hold fails as it
would for a user.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from models.db import make_engine, upgrade
from models.records import PaperRecord, ProfileSpec
from models.store.feedback import set_feedback
from models.store.papers import upsert_records
from models.store.profile_views import profile_spec
from models.store.profiles import create_profile, get_profile
from models.tables import Profile, Seed

SOURCE = "arxiv-category-bench"


def listing_record(p: dict) -> PaperRecord:
    """A paper of the data set as an arXiv listing gives it (categories left out: they are
    the benchmark's label, and the ranker must not see them through the store either)."""
    return PaperRecord(
        source=SOURCE,
        external_id=f"oai:arXiv.org:{p['id']}v1",
        arxiv_id=p["id"],
        version=1,
        url=f"https://arxiv.org/abs/{p['id']}",
        title=p["title"],
        abstract=p["abstract"],
        authors=tuple(p["authors"]),
    )


class ReaderStore:
    """One store for every simulated reader of a run; one profile per task."""

    def __init__(self, folder: Path | None = None) -> None:
        self._tmp = None
        if folder is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="rank-loop-")
            folder = Path(self._tmp.name)
        self.engine = make_engine(f"sqlite:///{folder / 'reader.db'}")
        upgrade(self.engine)
        self._held: set[str] = set()

    def close(self) -> None:
        self.engine.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()

    def add_listing(self, day: str, papers: Iterable[dict]) -> None:
        """Store a listing day's papers, first seen that day (each paper once)."""
        fresh = [p for p in papers if p["id"] not in self._held]
        if not fresh:
            return
        now = datetime.fromisoformat(day).replace(tzinfo=UTC)
        upsert_records([listing_record(p) for p in fresh], engine=self.engine, now=now)
        self._held.update(p["id"] for p in fresh)

    def add_reader(self, name: str, seeds: Iterable[dict], *, weights: dict[str, float]) -> None:
        """A profile with these seed papers (as `paperround profile add --seed` stores them)."""
        rows = [
            Seed(
                profile_id=0,  # create_profile sets it
                key=p["id"],
                title=p["title"],
                abstract=p["abstract"],
                authors=list(p["authors"]),
            )
            for p in seeds
        ]
        create_profile(Profile(name=name, weights=dict(weights)), engine=self.engine, seeds=rows)

    def click(self, name: str, paper_key: str, value: int) -> None:
        """The reader's thumbs up (+1) or down (-1), recorded as `paperround like` does."""
        set_feedback(name, paper_key, value, engine=self.engine)

    def spec(self, name: str) -> ProfileSpec:
        """The profile as the product ranks it: seeds, likes and dislikes from the store."""
        return profile_spec(get_profile(name, engine=self.engine), engine=self.engine)
