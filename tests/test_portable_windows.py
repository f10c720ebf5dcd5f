"""An import restores digests that cover what they covered: papers this store ingested before
the import, after the old digests' time, are still sent (paperround/portable.py), on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from models.profile_config import ProfileConfig
from models.store.profiles import get_profile
from paperround.digest.run import digest_profile
from paperround.portable import import_store
from tests.records import fake_id
from tests.store import papers_on

SENT_AT = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # the old machine's last digest
NEXT_DAY = SENT_AT + timedelta(days=1)


def _paper(n: int) -> dict:
    key = fake_id(n)
    return {
        "key": key, "arxiv_id": key, "doi": None, "title": f"Diffusion models, study {n}",
        "abstract": "We study diffusion.", "authors": ["A. Author"], "categories": ["cs.LG"],
        "url": f"https://arxiv.org/abs/{key}", "announced_at": SENT_AT.isoformat(), "version": 1,
    }  # fmt: skip


def _export() -> dict:
    """The old machine's export: profile p (files), one digest of study 1 delivered at
    SENT_AT, and a like of study 2, a paper that digest never sent."""
    profile = ProfileConfig(name="p", keywords={"diffusion": 1.0}, max_items=50)
    at = SENT_AT.isoformat()
    item = {"paper": fake_id(1), "rank": 1, "score": 1.0, "version": 1, "reasons": []}
    data = {
        "format": "paperround-export", "version": 1, "exported_at": at, "secrets": True,
        "profiles": [profile.model_dump(mode="json") | {"channels": []}],
        "papers": [_paper(1), _paper(2)],
        "feedback": [{"profile": "p", "paper": fake_id(2), "value": 1, "origin": "cli",
                      "created_at": at}],
        "deliveries": [{"profile": "p", "channel": "file", "created_at": at,
                        "period_start": None, "period_end": at, "subject": "1 paper",
                        "status": "sent", "attempts": 1, "error": None, "sent_at": at,
                        "items": [item]}],
        "sent": [{"profile": "p", "channel": "file", "paper": fake_id(1), "version": 1,
                  "sent_at": at}],
    }  # fmt: skip
    return json.loads(json.dumps(data))  # as read from the file


def _next_digest(engine, home) -> str:
    prof = get_profile("p", engine=engine)
    outcome = digest_profile(prof, engine=engine, now=NEXT_DAY + timedelta(hours=1), home=home)
    if not outcome.channels:
        return ""
    return (home / "digests" / "p" / f"{NEXT_DAY:%Y-%m-%d}.txt").read_text()


def test_papers_ingested_before_an_import_are_still_sent(any_engine, paperround_home):
    """The new machine ingests a day's papers, then the old machine's backup is imported:
    the next digest holds that day's papers, not the one the old digest's period covered."""
    engine = any_engine
    papers_on(engine, SENT_AT - timedelta(hours=2), 100, 1)  # seen by the old digest's time
    papers_on(engine, NEXT_DAY, 200, 2)  # the next day's, never sent anywhere
    for _ in range(2):  # a second import of the same file adds nothing
        report = import_store(_export(), engine=engine, now=NEXT_DAY + timedelta(minutes=30))
    assert report.digests == 0
    text = _next_digest(engine, paperround_home)
    assert "study 200" in text and "study 201" in text
    assert "study 100" not in text  # covered by the old digest's period
    assert "study 1\n" not in text  # the old digest's paper: sent already
    # (study 2, restored for its like and never sent to this channel, may come too: the
    # import's papers sit after this store's in sequence order; see restore_history.)


def test_an_import_into_a_fresh_store_sends_only_what_comes_after(any_engine, paperround_home):
    """Into an empty store, the restored papers (sent or only liked) are history: the next
    digest holds the papers ingested after the import."""
    engine = any_engine
    assert import_store(_export(), engine=engine, now=NEXT_DAY).digests == 1
    papers_on(engine, NEXT_DAY + timedelta(minutes=30), 300, 1)
    text = _next_digest(engine, paperround_home)
    assert "study 300" in text
    assert "study 1\n" not in text and "study 2\n" not in text
