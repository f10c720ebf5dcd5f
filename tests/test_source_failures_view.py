"""A failing source: its error goes to the operator's views (source list, the Prefect
artifact), and a reader's digest says only how many sources could not be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.records import PaperRecord
from models.store import papers
from models.store.profiles import create_profile
from models.store.sources import add_source, record_fetch
from models.tables import Profile
from tests.cli import run_cli

NOW = datetime(2026, 11, 30, 7, tzinfo=UTC)
ERROR = "ConnectError: [Errno -2] Name or service not known after 4 attempts"


def _sources(engine) -> None:
    for name in ("arxiv-a", "arxiv-b", "journal"):
        add_source(name, "feed", f"https://example.org/{name}.xml", engine=engine)
    record_fetch("arxiv-a", engine=engine, now=NOW, status="ok")
    record_fetch("arxiv-b", engine=engine, now=NOW, status="ok")
    record_fetch("journal", engine=engine, now=NOW, status="failed", note=ERROR)


def test_the_reader_sees_a_count_the_operator_sees_the_error(engine, paperround_home, capsys):
    from paperround.digest.run import digest_profile

    _sources(engine)
    record = PaperRecord(
        source="arxiv-a",
        external_id="oai:arXiv.org:2611.00001v1",
        title="Feature learning in wide networks",
        abstract="We show that wide networks learn features.",
        url="https://arxiv.org/abs/2611.00001",
        arxiv_id="2611.00001",
        published=NOW - timedelta(hours=2),
    )
    papers.upsert_records([record], engine=engine, now=NOW - timedelta(hours=1))
    prof = create_profile(
        Profile(name="theory", keywords=[["feature learning", 1.0]]), engine=engine
    )
    assert digest_profile(prof, engine=engine, now=NOW, home=paperround_home).ok
    for ext in ("html", "txt", "md"):
        body = (paperround_home / "digests" / "theory" / f"2026-11-30.{ext}").read_text()
        assert "could not be read today" in body and "3 sources" in body, ext
        assert "ConnectError" not in body and "journal" not in body, ext

    listed = run_cli(capsys, "source", "list", "--json")
    assert listed.exit_code == 0 and ERROR in listed.stdout


def test_the_digest_artifact_names_the_failing_source(engine, monkeypatch):
    import flows.common as common

    _sources(engine)
    published: list[str] = []
    monkeypatch.setattr(common, "create_markdown_artifact", lambda md, **kw: published.append(md))
    monkeypatch.setattr(common, "create_table_artifact", lambda rows, **kw: None)
    common.publish_digest_artifacts([], key="digest", heading="Digest")
    (summary,) = published
    assert "Sources that could not be read" in summary and f"journal: {ERROR}" in summary


def test_a_sources_fetch_history_is_kept_for_90_days_only(any_engine):
    engine = any_engine
    from sqlmodel import Session, select

    from models.store.sources import RUNS_KEPT
    from models.tables import IngestRun

    add_source("a", "feed", "https://example.org/a.xml", engine=engine)
    add_source("b", "feed", "https://example.org/b.xml", engine=engine)
    for days in (200, 91, 89, 1):
        record_fetch("a", engine=engine, now=NOW - timedelta(days=days), status="ok")
    record_fetch("b", engine=engine, now=NOW - timedelta(days=200), status="ok")
    record_fetch("a", engine=engine, now=NOW, status="failed", note=ERROR)
    with Session(engine) as session:
        runs = session.exec(select(IngestRun)).all()
    ages = sorted((r.source, (NOW - r.started_at).days) for r in runs)
    # a's runs beyond RUNS_KEPT are gone; b's stay until b itself is fetched again
    assert ages == [("a", 0), ("a", 1), ("a", 89), ("b", 200)]
    assert timedelta(days=90) == RUNS_KEPT
