"""`paperround papers list|search|show`, `export` and `import` through the real entry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from models.profile_config import ProfileConfig
from models.records import PaperRecord, RenderedDigest, ScoredPaper
from models.store import ledger, papers
from models.store.feedback import set_feedback
from models.store.profile_views import config_of
from models.store.profiles import get_profile, save_profile
from tests.cli import run_cli
from tests.records import arxiv_record
from tests.store import unsent

NOW = datetime(2026, 4, 28, 4, 0, tzinfo=UTC)
SECRET_CHANNEL = "mailtos://me:hunter2@smtp.example.org?to=me@example.org"


def _rec(arxiv_id: str, title: str, cats: tuple[str, ...], source: str, **kw) -> PaperRecord:
    return arxiv_record(
        arxiv_id,
        source=source,
        title=title,
        abstract=kw.pop("abstract", f"About {title.lower()}."),
        authors=("Ana Souza",),
        categories=cats,
        announce_type="new",
        published=kw.pop("published", NOW),
        **kw,
    )


@pytest.fixture
def store(engine):
    papers.upsert_records(
        [
            _rec("2604.00001", "Diffusion Models for Proteins", ("q-bio.BM", "cs.LG"), "arxiv-rss"),
            _rec(
                "2604.00002",
                "Sparse Attention at Scale",
                ("cs.CL",),
                "arxiv-rss",
                abstract="We make DIFFUSION-free transformers sparse.",
                published=NOW - timedelta(days=3),
            ),
            _rec(
                "2604.00003",
                "Kernel Regimes",
                ("stat.ML", "cs.LG"),
                "hf-daily",
                doi="10.1101/2026.04.01.000003",
            ),
        ],
        engine=engine,
        now=NOW,
    )
    return engine


def _json(capsys, *args) -> list | dict:
    r = run_cli(capsys, *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_list_filters(store, capsys):
    assert [p["key"] for p in _json(capsys, "papers", "list")] == [
        "2604.00003",
        "2604.00001",
        "2604.00002",
    ]
    assert [p["key"] for p in _json(capsys, "papers", "list", "--category", "cs.LG")] == [
        "2604.00003",
        "2604.00001",
    ]
    assert [p["key"] for p in _json(capsys, "papers", "list", "--source", "hf-daily")] == [
        "2604.00003"
    ]
    since = _json(capsys, "papers", "list", "--since", "2026-04-27", "--limit", "1")
    assert [p["key"] for p in since] == ["2604.00003"]
    r = run_cli(capsys, "papers", "list")
    assert r.exit_code == 0 and "Kernel Regimes" in r.stdout and "3 paper(s)" in r.stdout


def test_search_title_and_abstract_case_insensitive(store, capsys):
    found = _json(capsys, "papers", "search", "diffusion")
    assert [p["key"] for p in found] == ["2604.00001", "2604.00002"]
    assert found[0]["sources"] == ["arxiv-rss"] and found[0]["categories"][0] == "q-bio.BM"
    assert _json(capsys, "papers", "search", "diffusion", "--category", "cs.CL")[0]["title"] == (
        "Sparse Attention at Scale"
    )


def test_show_by_id_url_and_doi(store, capsys):
    by_url = _json(capsys, "papers", "show", "https://arxiv.org/abs/2604.00003v1")
    by_doi = _json(capsys, "papers", "show", "doi:10.1101/2026.04.01.000003")
    assert by_url == by_doi
    assert by_url["title"] == "Kernel Regimes" and by_url["occurrences"][0]["source"] == "hf-daily"
    r = run_cli(capsys, "papers", "show", "2604.00003")
    assert r.exit_code == 0 and "Kernel Regimes" in r.stdout


def test_errors_are_one_line(store, capsys, tmp_path):
    r = run_cli(capsys, "papers", "show", "2699.99999")
    assert r.exit_code == 1 and r.stderr.strip().count("\n") == 0
    assert "no paper '2699.99999'" in r.stderr
    r = run_cli(capsys, "papers", "list", "--since", "yesterday")  # click's DateTime: a usage error
    assert r.exit_code == 2 and "'yesterday' does not match the formats '%Y-%m-%d'" in r.stderr
    r = run_cli(capsys, "import", "/nonexistent/export.json")
    assert r.exit_code == 2 and "does not exist" in r.stderr  # a usage error (click's Path)
    notjson = tmp_path / "export.json"
    notjson.write_text("{not json")
    r = run_cli(capsys, "import", str(notjson))
    assert r.exit_code == 1 and "not a readable JSON export" in r.stderr


def _history(engine) -> None:
    """A profile with a seed, a secret channel, a like, and one delivered digest."""
    config = ProfileConfig(
        name="theory",
        schedule="0 7 * * 1-5",
        keywords={"kernel": 2.0},
        categories=["cs.LG"],
        seeds=[{"key": "2604.00003", "title": "Kernel Regimes"}],
        channels=[SECRET_CHANNEL],
    )
    prof, _ = save_profile(config, engine=engine, now=NOW)
    set_feedback("theory", "2604.00001", 1, engine=engine)
    cands = unsent(engine, prof.id, "1", NOW - timedelta(days=9))
    items = [ScoredPaper(c, 1.0 - i / 10, ("matches kernel",)) for i, c in enumerate(cands)]
    _, delivery = ledger.record_digest(
        engine=engine,
        profile_id=prof.id,
        channel_key="1",
        rendered=RenderedDigest("Your digest", "<p>h</p>", "t", "m"),
        items=items,
        period_start=None,
        now=NOW,
        period_end=NOW - timedelta(hours=1),  # a catch-up digest: export keeps where it ends
    )
    ledger.finish_delivery(delivery, engine=engine, ok=True, error=None, now=NOW)


def test_export_redacts_secrets_unless_asked(store, capsys):
    _history(store)
    r = run_cli(capsys, "export")
    assert r.exit_code == 0 and "hunter2" not in r.stdout
    data = json.loads(r.stdout)
    assert data["secrets"] is False and "redacted" in data["profiles"][0]["channels"][0]
    assert data["feedback"] == [
        {
            "profile": "theory",
            "paper": "2604.00001",
            "value": 1,
            "origin": "cli",  # where it came from (cli, email, chat, web) travels with it
            "created_at": data["feedback"][0]["created_at"],
        }
    ]
    assert len(data["sent"]) == 3 and data["deliveries"][0]["status"] == "sent"
    assert data["deliveries"][0]["period_end"].startswith("2026-")
    assert {p["key"] for p in data["papers"]} == {"2604.00001", "2604.00002", "2604.00003"}


def test_export_then_import_into_a_fresh_store_twice(store, capsys, tmp_path, monkeypatch):
    from models.db import get_engine, reset_engines
    from models.settings import get_settings

    _history(store)
    out = tmp_path / "backup.json"
    r = run_cli(capsys, "export", "--output", str(out), "--include-secrets")
    assert r.exit_code == 0 and SECRET_CHANNEL in out.read_text()
    monkeypatch.setenv("PAPERROUND_HOME", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    reset_engines()
    for _ in range(2):  # idempotent
        r = run_cli(capsys, "import", str(out))
        assert r.exit_code == 0, r.output
    assert "1 profile(s), 1 feedback, 0 new digest(s), 3 sent item(s)" in r.stdout
    fresh = get_engine()
    prof = get_profile("theory", engine=fresh)
    restored = config_of(prof, engine=fresh)
    assert restored.channels == [SECRET_CHANNEL] and restored.keywords == {"kernel": 2.0}
    assert [s.key for s in restored.seeds] == ["2604.00003"]
    again = json.loads(run_cli(capsys, "export", "--include-secrets").stdout)
    original = json.loads(out.read_text())
    for part in ("profiles", "feedback", "sent", "deliveries", "papers"):
        assert again[part] == original[part], part
    # Nothing is due again on the restored store: the ledger came back.
    chan = str(prof.id)  # first channel of the first profile in a fresh store
    assert unsent(fresh, prof.id, chan, NOW - timedelta(days=9)) == []


def test_db_upgrade_creates_the_schema_and_reports_its_revision(paperround_home, capsys):
    import sqlite3

    from alembic.script import ScriptDirectory
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
    from models.db import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    db = paperround_home / "paperround.db"
    assert not db.exists()
    r = run_cli(capsys, "db", "upgrade")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == f"database at revision {head}"
    with sqlite3.connect(db) as conn:
        tables = {n for (n,) in conn.execute("select name from sqlite_master where type='table'")}
        (stored,) = conn.execute("select version_num from alembic_version").fetchone()
    assert stored == head
    assert set(SQLModel.metadata.tables) <= tables  # every table the models declare
    assert {"papers", "profiles", "digests", "deliveries", "sent_items"} <= tables
    # Already at head: a second upgrade changes nothing and says the same.
    again = run_cli(capsys, "db", "upgrade")
    assert again.exit_code == 0 and again.stdout == r.stdout
