"""The store's core promises on a real SQLite file: dedup, revisions, unsent selection, ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.records import PaperRecord, RenderedDigest, ScoredPaper
from models.store import coverage, ledger, papers
from models.store.profiles import create_profile
from models.tables import Profile
from tests.records import arxiv_record
from tests.store import unsent

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def rec(source: str, version: int = 1, **kw) -> PaperRecord:
    fields = dict(
        title="Focus Session: Accelerating Multimodal Foundation Models",
        abstract="Short.",
        authors=("Muhammad Shafique",),
        categories=("cs.LG",),
        announce_type="new",
        published=NOW,
    )
    ident = kw.pop("arxiv_id", "2604.21952")
    return arxiv_record(ident, source=source, version=version, **(fields | kw))


def deliver(engine, prof, item, *, ok: bool) -> None:
    """Record a one-paper digest to the "file" channel and finish its delivery."""
    _, delivery = ledger.record_digest(
        engine=engine,
        profile_id=prof.id,
        channel_key="file",
        rendered=RenderedDigest("s", "<p>h</p>", "t", "m"),
        items=[item],
        period_start=None,
        now=NOW,
    )
    error = None if ok else "smtp down"
    ledger.finish_delivery(delivery, engine=engine, ok=ok, error=error, now=NOW)


def test_same_paper_from_two_sources_is_one_row(engine):
    first = papers.upsert_records([rec("arxiv-rss")], engine=engine, now=NOW)
    second = papers.upsert_records(
        [
            rec(
                "hf-daily",
                external_id="2604.21952",
                announce_type=None,  # HF says nothing about which category is primary
                abstract="A much longer abstract from Hugging Face.",
                upvotes=42,
                categories=("cs.AI", "cs.LG"),
            )
        ],
        engine=engine,
        now=NOW,
    )
    assert len(first.new) == 1 and second.new == () and second.revised == ()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("select abstract, upvotes, categories from papers").all()
        occ = conn.exec_driver_sql("select source from paper_occurrences order by source").all()
    assert len(rows) == 1
    assert rows[0][0] == "A much longer abstract from Hugging Face."
    assert rows[0][1] == 42
    assert rows[0][2] == '["cs.LG", "cs.AI"]'
    assert [o[0] for o in occ] == ["arxiv-rss", "hf-daily"]


def test_new_version_is_revised_not_new(engine):
    papers.upsert_records([rec("arxiv-rss")], engine=engine, now=NOW)
    later = NOW + timedelta(days=1)
    result = papers.upsert_records(
        [rec("arxiv-rss", version=2, announce_type="replace")], engine=engine, now=later
    )
    assert result.new == () and len(result.revised) == 1
    with engine.connect() as conn:
        version, dates = conn.exec_driver_sql("select version, version_dates from papers").one()
    assert version == 2 and '"2"' in dates


def test_sent_papers_are_not_selected_again(engine):
    prof = create_profile(Profile(name="p", keywords=[["x", 1.0]]), engine=engine)
    stored = papers.upsert_records([rec("arxiv-rss")], engine=engine, now=NOW)
    since = NOW - timedelta(days=1)
    cands = unsent(engine, prof.id, "file", since)
    assert [c.paper_id for c in cands] == list(stored.new)
    item = ScoredPaper(paper=cands[0], score=1.0, reasons=("matches 'x'",))
    # A failed delivery leaves the paper pending ...
    deliver(engine, prof, item, ok=False)
    assert unsent(engine, prof.id, "file", since)
    assert coverage.last_success(prof.id, "file", engine=engine) is None
    # ... a successful one marks it sent for that channel only.
    deliver(engine, prof, item, ok=True)
    assert unsent(engine, prof.id, "file", since) == []
    assert coverage.last_success(prof.id, "file", engine=engine) == NOW
    assert unsent(engine, prof.id, "2", since)
    # A new version comes back once, flagged as revised.
    later = NOW + timedelta(days=1)
    papers.upsert_records([rec("arxiv-rss", version=2)], engine=engine, now=later)
    again = unsent(engine, prof.id, "file", NOW)
    assert [c.revised for c in again] == [True]


def test_a_runs_decoded_papers_are_reused_and_refreshed_when_they_change(engine):
    """unsent_candidates with a run's cache returns exactly what it returns without one."""
    prof = create_profile(Profile(name="p", keywords=[["x", 1.0]]), engine=engine)
    papers.upsert_records(
        [rec("arxiv-rss"), rec("arxiv-rss", arxiv_id="2604.00001", title="Another paper")],
        engine=engine,
        now=NOW,
    )
    since = NOW - timedelta(days=1)

    def both(channel: str, since: datetime = since):
        plain = unsent(engine, prof.id, channel, since)
        cached = unsent(engine, prof.id, channel, since, decoded=decoded)
        assert sorted(cached, key=lambda c: c.paper_id) == sorted(plain, key=lambda c: c.paper_id)
        return cached

    decoded: dict = {}
    first = both("file")
    assert len(first) == 2 and len(decoded) == 2
    held = decoded[first[0].paper_id][1]
    assert any(c is held for c in both("2"))  # the second channel reuses the decoded paper
    deliver(engine, prof, ScoredPaper(paper=first[0], score=1.0, reasons=("x",)), ok=True)
    # A paper changed since it was decoded (a new version, a longer abstract) is read again,
    # and comes back revised to the channel that had it at version 1.
    later = NOW + timedelta(hours=1)
    sent_id = first[0].paper_id
    sent_arxiv = "2604.21952" if first[0].key == "2604.21952" else "2604.00001"
    papers.upsert_records(
        [rec("arxiv-rss", version=2, arxiv_id=sent_arxiv, abstract="A new, longer abstract.")],
        engine=engine,
        now=later,
    )
    again = both("file", NOW)
    other = next(c.paper_id for c in first if c.paper_id != sent_id)
    assert sorted((c.paper_id, c.revised, c.version) for c in again) == sorted(
        [(sent_id, True, 2), (other, False, 1)]
    )
    assert decoded[sent_id][1].abstract == "A new, longer abstract."
