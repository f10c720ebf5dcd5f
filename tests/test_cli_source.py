"""`paperround source ...`: defaults, add/remove, and one-line errors that change nothing."""

from __future__ import annotations

import json

from tests.cli import run_cli


def _sources(capsys) -> list[dict]:
    result = run_cli(capsys, "source", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_fresh_install_lists_default_sources(capsys):
    names = [s["name"] for s in _sources(capsys)]
    assert names == ["arxiv-cs.AI", "arxiv-cs.LG", "hf-daily"]


def test_add_and_remove(capsys):
    _sources(capsys)
    r = run_cli(capsys, "source", "add", "biorxiv-gen", "feed", "https://connect.biorxiv.org/x.xml")
    assert r.exit_code == 0 and "added source" in r.stdout
    assert "biorxiv-gen" in [s["name"] for s in _sources(capsys)]
    r = run_cli(capsys, "source", "remove", "biorxiv-gen")
    assert r.exit_code == 0
    assert "biorxiv-gen" not in [s["name"] for s in _sources(capsys)]


def test_errors_are_one_line_and_change_nothing(capsys):
    before = _sources(capsys)
    cases = [
        (("source", "add", "hf-daily", "hf-daily", "https://x.org/a"), "already exists"),
        (("source", "remove", "nope"), "no source named 'nope'"),
        (("ingest", "--source", "nope"), "no source named 'nope'"),  # a typo ingested nothing
    ]
    for args, message in cases:
        r = run_cli(capsys, *args)
        assert r.exit_code == 1, (args, r.output)
        assert message in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.output
    # Checked by the parameter types: click's usage error (exit 2), naming the choices.
    r = run_cli(capsys, "source", "add", "x", "gopher", "https://x.org/a")
    assert r.exit_code == 2 and "'gopher' is not one of 'arxiv-rss', 'arxiv-api'" in r.stderr
    r = run_cli(capsys, "backfill", "--since", "23/11/2026")
    assert r.exit_code == 2 and "Invalid value for '--since'" in r.stderr
    assert "Traceback" not in r.output
    assert _sources(capsys) == before


def test_list_shows_each_sources_last_run(engine, capsys):
    """The ingest log's latest row per source: what its last fetch brought, or why not."""
    from datetime import UTC, datetime, timedelta

    from models.store.sources import add_source, record_fetch

    now = datetime(2026, 11, 30, 7, tzinfo=UTC)
    add_source("arxiv-a", "feed", "https://example.org/a.xml", engine=engine)
    add_source("arxiv-b", "feed", "https://example.org/b.xml", engine=engine)
    record_fetch("arxiv-a", engine=engine, now=now - timedelta(hours=1), status="failed")
    record_fetch("arxiv-a", engine=engine, now=now, status="ok", fetched=120, new=12, revised=3)
    record_fetch("arxiv-b", engine=engine, now=now - timedelta(hours=1), status="ok", fetched=9)
    record_fetch("arxiv-b", engine=engine, now=now, status="not-modified")

    runs = {s["name"]: s["last_run"] for s in _sources(capsys)}
    assert runs["arxiv-a"] == {
        "at": "2026-11-30T07:00:00+00:00",
        "status": "ok",
        "fetched": 120,
        "new": 12,
        "revised": 3,
    }
    assert runs["arxiv-b"]["status"] == "not-modified"
    add_source("arxiv-c", "feed", "https://example.org/c.xml", engine=engine)
    assert {s["name"]: s["last_run"] for s in _sources(capsys)}["arxiv-c"] is None  # never run


def test_the_last_run_column_says_what_the_fetch_brought():
    from paperround.cli.source import _run_line

    assert _run_line({"status": "ok", "fetched": 120, "new": 12}) == "ok: 120 fetched, 12 new"
    assert _run_line({"status": "failed", "fetched": 0, "new": 0}) == "failed"
    assert _run_line(None) == "-"


def _profile_sources(capsys, name: str) -> list[str]:
    r = run_cli(capsys, "profile", "show", name, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["sources"]


def test_removing_a_source_profiles_read_is_refused_unless_forced(capsys):
    """A profile reading a removed source would read nothing, quietly, for ever: the removal
    names its readers; --force takes the source out of their lists (none left: every source)."""
    _sources(capsys)
    r = run_cli(capsys, "source", "add", "lab", "feed", "https://example.org/feed.xml")
    assert r.exit_code == 0, r.output
    for name, sources in (("both", ("lab", "hf-daily")), ("only", ("lab",)), ("other", ())):
        args = [a for s in sources for a in ("-s", s)]
        assert run_cli(capsys, "profile", "add", name, "-k", "x", *args).exit_code == 0
    before = _sources(capsys)

    r = run_cli(capsys, "source", "remove", "lab")
    assert r.exit_code == 1, r.output
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert "source 'lab' is read by profile(s) 'both', 'only':" in r.stderr
    assert "paperround profile edit NAME -s SOURCE" in r.stderr and "--force" in r.stderr
    assert _sources(capsys) == before
    assert _profile_sources(capsys, "only") == ["lab"]

    r = run_cli(capsys, "source", "remove", "lab", "--force")
    assert r.exit_code == 0, r.output
    assert "profile both no longer reads it; it reads hf-daily" in r.stdout
    assert "profile only no longer reads it; it reads every source (its list is empty)" in (
        r.stdout
    )
    assert "other" not in r.stdout
    assert "lab" not in [s["name"] for s in _sources(capsys)]
    assert _profile_sources(capsys, "both") == ["hf-daily"]
    assert _profile_sources(capsys, "only") == []


def test_a_typo_in_a_source_name_says_the_likely_one(capsys):
    _sources(capsys)
    for args in (("source", "remove", "HF-Daily"), ("ingest", "--source", "arxiv-cs.lg")):
        r = run_cli(capsys, *args)
        assert r.exit_code == 1, r.output
        assert "did you mean" in r.stderr and "see: paperround source list" in r.stderr
