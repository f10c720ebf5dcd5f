"""`paperround profile ...`, feedback and seeds: every command, its errors, and no half-writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.records import PaperRecord
from models.store import papers
from tests.cli import run_cli
from tests.feedserver import Reply
from tests.fixtures import api_body
from tests.servers import HttpSink, free_port

DATA = Path(__file__).parent / "data"
EMAIL = "mailtos://me:{env:SMTP_PASSWORD}@smtp.example.org?to=me@example.org"


def dump(engine) -> dict:
    """Every profile-related table (and the sources they read), to prove an error changed
    nothing."""
    tables = ("profiles", "profile_seeds", "channels", "feedback", "sources")
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.exec_driver_sql(f"select * from {t} order by id")]
            for t in tables
        }


def store_papers(engine) -> None:
    now = datetime.now(UTC)
    records = [
        PaperRecord(
            source="arxiv-cs.LG",
            external_id=f"oai:arXiv.org:{i}v1",
            title=t,
            abstract="Abstract.",
            authors=("Ada Lovelace",),
            arxiv_id=i,
            version=1,
            published=now,
        )
        for i, t in (
            ("2507.01752", "Tuning without Peeking"),
            ("2507.02092", "Energy-Based Transformers"),
        )
    ]
    papers.upsert_records(records, engine=engine, now=now)


@pytest.fixture
def theory(engine, capsys):
    store_papers(engine)
    r = run_cli(
        capsys,
        "profile",
        "add",
        "theory",
        "-k",
        "neural tangent kernel:2",
        "-k",
        "feature learning",
        "-c",
        "cs.lg",
        "-a",
        "Cengiz Pehlevan",
        "--seed",
        "2507.01752",
        "--schedule",
        "weekdays",
        "--tz",
        "Europe/Paris",
        "--channel",
        EMAIL,
    )
    assert r.exit_code == 0, r.output
    return "theory"


def point_arxiv_api(monkeypatch, url: str) -> None:
    """Send seed lookups to url, with a tiny spacing so a retry does not wait 3 s."""
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_ARXIV_API_URL", url)
    monkeypatch.setenv("PAPERROUND_ARXIV_API_SPACING", "0.01")
    get_settings.cache_clear()


def show(capsys, name="theory") -> dict:
    r = run_cli(capsys, "profile", "show", name, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_add_and_show(theory, capsys):
    p = show(capsys)
    assert p["keywords"] == {"neural tangent kernel": 2.0, "feature learning": 1.0}
    assert p["categories"] == ["cs.LG"]
    assert p["schedule"] == "0 7 * * 1-5" and p["timezone"] == "Europe/Paris"
    assert [s["key"] for s in p["seeds"]] == ["2507.01752"]
    assert p["seeds"][0]["title"] == "Tuning without Peeking"
    assert p["channels"] == [EMAIL]  # {env:...} placeholders are not secrets


def test_edit_list_rename_clone_pause_resume_remove(theory, capsys):
    assert (
        run_cli(
            capsys,
            "profile",
            "edit",
            "theory",
            "--add-keyword",
            "mean field:1.5",
            "--remove-keyword",
            "feature learning",
            "--max-items",
            "5",
            "--weight",
            "seeds=2",
        ).exit_code
        == 0
    )
    p = show(capsys)
    assert p["keywords"] == {"neural tangent kernel": 2.0, "mean field": 1.5}
    assert p["max_items"] == 5 and p["weights"] == {"seeds": 2.0}
    assert p["categories"] == ["cs.LG"]  # untouched
    assert run_cli(capsys, "profile", "rename", "theory", "dl-theory").exit_code == 0
    assert run_cli(capsys, "profile", "clone", "dl-theory", "weekly").exit_code == 0
    assert show(capsys, "weekly")["seeds"] == show(capsys, "dl-theory")["seeds"]
    assert run_cli(capsys, "profile", "pause", "weekly").exit_code == 0
    rows = json.loads(run_cli(capsys, "profile", "list", "--json").stdout)
    assert [(r["name"], r["enabled"]) for r in rows] == [("dl-theory", True), ("weekly", False)]
    assert run_cli(capsys, "profile", "resume", "weekly").exit_code == 0
    assert show(capsys, "weekly")["enabled"] is True
    assert run_cli(capsys, "profile", "remove", "weekly").exit_code == 0
    assert [r["name"] for r in json.loads(run_cli(capsys, "profile", "list", "--json").stdout)] == [
        "dl-theory"
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        (("profile", "add", "x", "-c", "cs.XY"), "unknown arXiv category 'cs.XY'"),
        (("profile", "add", "x", "-k", "a", "--channel", "nope://x"), "unparseable Apprise URL"),
        (("profile", "add", "theory", "-k", "a"), "already exists"),
        (("profile", "add", "x"), "has no signal"),
        (("profile", "edit", "nobody", "-k", "a"), "no profile named 'nobody'"),
        (("profile", "rename", "theory", "a/b"), "invalid profile name"),
        (("profile", "seeds", "remove", "theory", "1234.5678"), "has no seed"),
        (("profile", "channel", "remove", "theory", "json://x/y"), "has no channel"),
        (("profile", "channel", "add", "theory", "nope://x"), "unparseable Apprise URL"),
        (("profile", "clone", "theory", "theory"), "already exists"),
        (("profile", "clone", "nobody", "x"), "no profile named 'nobody'"),
        (("profile", "pause", "nobody"), "no profile named 'nobody'"),
        (("profile", "resume", "nobody"), "no profile named 'nobody'"),
        (("like", "2611.99999", "--profile", "theory"), "no paper '2611.99999'"),
        # A source no source has would read nothing and mark each empty window read.
        (
            ("profile", "add", "x", "-k", "a", "-s", "arxiv-cs.lg"),
            "no source named 'arxiv-cs.lg' for profile 'x' (did you mean 'arxiv-cs.LG'? "
            "see: paperround source list)",
        ),
        (("profile", "add", "x", "-k", "a", "-s", "hf-daily", "-s", "nope"), "named 'nope'"),
        (("profile", "edit", "theory", "-s", "arxiv-cs.lg"), "did you mean 'arxiv-cs.LG'?"),
        (("profile", "edit", "theory", "-s", "hf-dialy"), "did you mean 'hf-daily'?"),
        (("profile", "edit", "theory", "-s", "lab-blog"), "no source named 'lab-blog'"),
    ],
)
def test_errors_are_one_line_and_change_nothing(theory, engine, capsys, args, message, monkeypatch):
    # No network: the arXiv API lookup for a missing seed goes to a closed local port.
    point_arxiv_api(monkeypatch, "http://127.0.0.1:9/api/query")
    before = dump(engine)
    r = run_cli(capsys, *args)
    assert r.exit_code == 1, r.output
    assert message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert dump(engine) == before


@pytest.mark.parametrize(
    "args,message",
    [
        (("profile", "add", "x", "--schedule", "every day", "-k", "a"), "invalid schedule"),
        (("profile", "add", "x", "--tz", "Mars/Olympus", "-k", "a"), "unknown timezone"),
        (("profile", "edit", "theory", "--tz", "Nowhere/City"), "unknown timezone"),
        (("profile", "edit", "theory", "--catch-up", "all"), "'all' is not one of 'one', 'each'"),
        (("profile", "add", "x", "-k", "a", "--catch-up", "daily"), "is not one of 'one'"),
        (("profile", "add", "x", "-k", "a", "--max-items", "0"), "Invalid value for '--max-items'"),
    ],
)
def test_values_checked_by_their_parameter_type_are_usage_errors(
    theory, engine, capsys, args, message
):
    before = dump(engine)
    r = run_cli(capsys, *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr, r.stderr
    assert "Traceback" not in r.output
    assert dump(engine) == before


def test_seed_metadata_comes_from_the_arxiv_api(theory, capsys, feed_server, monkeypatch):
    url = feed_server.route(
        "/api/query",
        Reply(body=api_body("arxivpy_id_1605.08386.json"), content_type="application/atom+xml"),
    )
    point_arxiv_api(monkeypatch, url)
    r = run_cli(capsys, "profile", "seeds", "add", "theory", "1605.08386")
    assert r.exit_code == 0, r.output
    seeds = {s["key"]: s for s in show(capsys)["seeds"]}
    assert seeds["1605.08386"]["title"] == "Heat-bath random walks with Markov bases"
    assert seeds["1605.08386"]["authors"][0] == "Caprice Stanley"
    (request,) = feed_server.requests_for("/api/query")
    assert "id_list=1605.08386" in request.path
    assert "sortBy=relevance" in request.path  # ArxivApiClient.lookup's query, not a bare GET


def test_seed_unknown_to_a_reachable_api_is_not_found(
    theory, engine, capsys, feed_server, monkeypatch
):
    url = feed_server.route("/api/query", Reply(body=api_body("arxivpy_id_0000.0000_empty.json")))
    point_arxiv_api(monkeypatch, url)
    before = dump(engine)
    r = run_cli(capsys, "profile", "seeds", "add", "theory", "2611.99999")
    assert r.exit_code == 1
    assert "seed 2611.99999 not found in the store or on the arXiv API" in r.stderr, r.stderr
    assert dump(engine) == before


def test_seed_lookup_with_the_api_unreachable_keeps_it_pending(theory, engine, capsys, monkeypatch):
    point_arxiv_api(monkeypatch, f"http://127.0.0.1:{free_port()}/api/query")  # nothing listens
    r = run_cli(capsys, "profile", "seeds", "add", "theory", "2611.99999")
    assert r.exit_code == 0, r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("warning: seed 2611.99999 kept as pending: the arXiv API is unreachable")
    assert "not found" not in r.stderr
    seeds = {s["key"]: s for s in show(capsys)["seeds"]}
    assert seeds["2611.99999"]["pending"] is True and seeds["2507.01752"]["pending"] is False


def test_seeds_from_bibtex_csl_and_id_list(theory, capsys):
    r = run_cli(
        capsys,
        "profile",
        "seeds",
        "add",
        "theory",
        "--from-file",
        str(DATA / "zotero.bib"),
        "--from-file",
        str(DATA / "zotero-csl.json"),
        "--from-file",
        str(DATA / "ids.txt"),
    )
    assert r.exit_code == 0, r.output
    seeds = json.loads(run_cli(capsys, "profile", "seeds", "list", "theory", "--json").stdout)
    keys = [s["key"] for s in seeds]
    assert keys[:4] == ["2507.01752", "1806.07572", "2011.14522", "doi:10.1101/2023.12.11.571168"]
    assert keys[5] == "1902.06015" and keys[6] == "2507.02092"
    assert keys[4].startswith("title:")  # no arXiv id, no DOI: title + first author
    ntk = seeds[1]
    assert (
        ntk["title"] == "Neural Tangent Kernel: Convergence and Generalization in Neural Networks"
    )
    assert (
        ntk["authors"] == ["Arthur Jacot", "Franck Gabriel", "Clément Hongler"]
        or ntk["authors"][0] == "Arthur Jacot"
    )
    assert seeds[5]["authors"] == ["Song Mei", "Theodor Misiakiewicz", "Andrea Montanari"]
    assert run_cli(capsys, "profile", "seeds", "remove", "theory", "1806.07572").exit_code == 0
    seeds = json.loads(run_cli(capsys, "profile", "seeds", "list", "theory", "--json").stdout)
    assert "1806.07572" not in [s["key"] for s in seeds]


def test_yaml_round_trip_is_identical(theory, capsys, tmp_path):
    first = run_cli(capsys, "profile", "export", "theory")
    assert first.exit_code == 0
    path = tmp_path / "theory.yaml"
    path.write_text(first.stdout)
    assert run_cli(capsys, "profile", "apply", str(path)).stdout == "unchanged profile theory\n"
    assert run_cli(capsys, "profile", "export", "theory").stdout == first.stdout
    # Applying to a fresh name creates it.
    path.write_text(first.stdout.replace("name: theory", "name: theory2"))
    assert "created profile theory2" in run_cli(capsys, "profile", "apply", str(path)).stdout


def test_catch_up_option_is_stored_shown_and_round_trips(theory, capsys, tmp_path):
    from paperround.cli.profile_common import CATCH_UP_HELP
    from paperround.schedule.slots import MAX_CATCH_UP_SLOTS

    assert f"last {MAX_CATCH_UP_SLOTS} slots" in CATCH_UP_HELP
    assert show(capsys)["catch_up"] == "one"
    assert run_cli(capsys, "profile", "edit", "theory", "--catch-up", "each").exit_code == 0
    assert show(capsys)["catch_up"] == "each"
    assert "each" in run_cli(capsys, "profile", "show", "theory").stdout
    exported = run_cli(capsys, "profile", "export", "theory").stdout
    assert "catch_up: each" in exported
    path = tmp_path / "theory.yaml"
    path.write_text(exported.replace("name: theory", "name: copy"))
    assert "created profile copy" in run_cli(capsys, "profile", "apply", str(path)).stdout
    assert show(capsys, "copy")["catch_up"] == "each"
    assert run_cli(capsys, "profile", "export", "copy").stdout == path.read_text()
    r = run_cli(capsys, "profile", "add", "daily", "-k", "a", "--catch-up", "each")
    assert r.exit_code == 0 and show(capsys, "daily")["catch_up"] == "each"


def test_secret_channels_are_redacted_in_listings_and_export(theory, capsys, tmp_path):
    secret = "discord://1234567890/supersecrettokenvalue"
    assert run_cli(capsys, "profile", "channel", "add", "theory", secret).exit_code == 0
    for args in (
        ("profile", "channel", "list", "theory"),
        ("profile", "show", "theory"),
        ("profile", "export", "theory"),
    ):
        r = run_cli(capsys, *args)
        assert "supersecrettokenvalue" not in r.output
    exported = run_cli(capsys, "profile", "export", "theory").stdout
    path = tmp_path / "p.yaml"
    path.write_text(exported)
    assert run_cli(capsys, "profile", "apply", str(path)).exit_code == 0
    full = run_cli(capsys, "profile", "export", "theory", "--include-secrets").stdout
    assert secret in full  # the redacted entry kept the stored channel


def test_feedback_and_history(theory, capsys, engine, monkeypatch):
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    assert "liked" in run_cli(capsys, "like", "2507.02092", "--profile", "theory").stdout
    assert (
        run_cli(
            capsys, "dislike", "https://arxiv.org/abs/2507.01752v2", "--profile", "theory"
        ).exit_code
        == 0
    )
    with engine.connect() as conn:
        rows = sorted(conn.exec_driver_sql("select value from feedback").scalars())
    assert rows == [-1, 1]
    assert run_cli(capsys, "unlike", "2507.01752", "--profile", "theory").exit_code == 0
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select value from feedback").scalars().all() == [1]
    run_cli(capsys, "profile", "edit", "theory", "--add-keyword", "transformers")
    r = run_cli(capsys, "digest", "send", "theory", "--json")
    assert r.exit_code == 1  # SMTP_PASSWORD is not set: the delivery is recorded as failed
    (entry,) = json.loads(run_cli(capsys, "profile", "history", "theory", "--json").stdout)
    assert entry["status"] == "failed" and "SMTP_PASSWORD" in entry["error"]
    assert entry["papers"][0]["title"] == "Energy-Based Transformers"
    assert entry["papers"][0]["feedback"] == "like"


def test_clone_onto_another_existing_profile_changes_nothing(theory, engine, capsys):
    assert run_cli(capsys, "profile", "add", "weekly", "-k", "mean field").exit_code == 0
    before = dump(engine)
    r = run_cli(capsys, "profile", "clone", "theory", "weekly")
    assert r.exit_code == 1
    assert "a profile named 'weekly' already exists" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert dump(engine) == before
    assert show(capsys, "weekly")["keywords"] == {"mean field": 1.0}


def test_channel_test_delivers_to_a_working_channel(theory, capsys):
    with HttpSink() as sink:
        run_cli(capsys, "profile", "channel", "remove", "theory", EMAIL)
        assert run_cli(capsys, "profile", "channel", "add", "theory", sink.url()).exit_code == 0
        r = run_cli(capsys, "profile", "channel", "test", "theory")
    assert r.exit_code == 0, r.output
    assert ": ok" in r.stdout and "failed" not in r.stdout
    (post,) = sink.posts
    assert post["path"] == "/hook"
    assert post["json"]["title"] == "Paperround test"
    assert "this channel will receive your digests" in post["json"]["message"]


def test_history_table_after_a_sent_digest(theory, capsys):
    with HttpSink() as sink:
        run_cli(capsys, "profile", "channel", "remove", "theory", EMAIL)
        run_cli(capsys, "profile", "channel", "add", "theory", sink.url())
        run_cli(capsys, "profile", "edit", "theory", "--add-keyword", "transformers")
        assert run_cli(capsys, "like", "2507.02092", "--profile", "theory").exit_code == 0
        sent = run_cli(capsys, "digest", "send", "theory", "--json")
    assert sent.exit_code == 0, sent.output
    assert len(sink.posts) == 1
    (entry,) = json.loads(run_cli(capsys, "profile", "history", "theory", "--json").stdout)
    assert entry["status"] == "sent"
    r = run_cli(capsys, "profile", "history", "theory")
    assert r.exit_code == 0, r.output
    assert not r.stdout.lstrip().startswith(("[", "{"))  # a table, not JSON
    assert "digest" in r.stdout and "feedback" in r.stdout  # the header
    # One table row per paper (a long title may wrap onto a continuation line).
    liked = [line for line in r.stdout.splitlines() if "2507.02092" in line]
    assert len(liked) == 1, r.stdout
    cells = [c.strip() for c in liked[0].strip().strip("│").split("│")]
    assert cells[0] == str(entry["digest"]) and cells[2] == "sent" and cells[3] == "1"
    assert cells[4] == "2507.02092"  # the id `paperround like` takes
    assert cells[5].startswith("Energy-Based") and cells[6] == "like (cli)"
    assert any("Tuning" in line for line in r.stdout.splitlines())
    reasons = entry["papers"][0]["reasons"]
    # the reasons it was picked, under the title (a narrow column wraps them)
    assert reasons and f"- {reasons[0].split()[0]}" in r.stdout


def test_channel_test_reports_the_real_reason(theory, capsys):
    url = f"json://127.0.0.1:{free_port()}/hook"
    run_cli(capsys, "profile", "channel", "remove", "theory", EMAIL)
    run_cli(capsys, "profile", "channel", "add", "theory", url)
    r = run_cli(capsys, "profile", "channel", "test", "theory")
    assert r.exit_code == 1
    assert "failed" in r.stdout and ("refused" in r.stdout.lower() or "error" in r.stdout.lower())


def test_a_profile_reading_a_default_source_keeps_it_on_a_fresh_store(engine, capsys):
    """A store with no sources reads the defaults; a profile naming one stores them with it,
    so a source added next does not leave the profile reading a name no source has."""
    r = run_cli(capsys, "profile", "add", "x", "-k", "a", "-s", "arxiv-cs.LG")
    assert r.exit_code == 0, r.output
    r = run_cli(capsys, "source", "add", "lab", "feed", "https://example.org/feed.xml")
    assert r.exit_code == 0, r.output
    r = run_cli(capsys, "source", "list", "--json")
    assert "arxiv-cs.LG" in [s["name"] for s in json.loads(r.stdout)]


def test_edit_all_sources_clears_the_source_list(engine, capsys):
    """A profile that reads named sources can read every source again (it could not: an
    empty --source is no option, and source remove --force was the only way)."""
    assert run_cli(capsys, "profile", "add", "x", "-k", "a", "-s", "arxiv-cs.LG").exit_code == 0
    both = run_cli(capsys, "profile", "edit", "x", "--all-sources", "-s", "arxiv-cs.LG")
    assert both.exit_code == 1 and "not both" in both.output
    assert run_cli(capsys, "profile", "edit", "x", "--all-sources").exit_code == 0
    shown = json.loads(run_cli(capsys, "profile", "show", "x", "--json").stdout)
    assert shown["sources"] == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_apply_refuses_a_source_no_source_has_before_any_write(
    theory, engine, capsys, tmp_path, dry_run
):
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: first\nkeywords: {a: 1}\nsources: [hf-daily]\n---\n"
        "name: second\nkeywords: {a: 1}\nsources: [arxiv-cs.lg]\n",
        encoding="utf-8",
    )
    before = dump(engine)
    r = run_cli(capsys, "profile", "apply", str(path), *(["--dry-run"] if dry_run else []))
    assert r.exit_code == 1, r.output
    assert r.stdout == ""  # not even the first profile's line: the file fails as a whole
    assert "no source named 'arxiv-cs.lg' for profile 'second'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert dump(engine) == before
    path.write_text(path.read_text().replace("arxiv-cs.lg", "arxiv-cs.LG"), encoding="utf-8")
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 0 and "created profile second" in r.stdout, r.output


def test_import_refuses_a_source_no_source_has(theory, engine, capsys, tmp_path):
    assert run_cli(capsys, "source", "list").exit_code == 0  # the defaults, stored
    data = json.loads(run_cli(capsys, "export").stdout)
    data["profiles"][0]["sources"] = ["arxiv-cs.LG", "lab-blog"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = dump(engine)
    r = run_cli(capsys, "import", str(path))
    assert r.exit_code == 1, r.output
    assert "no source named 'lab-blog' for profile 'theory'" in r.stderr
    assert "an export holds no sources; add it (paperround source add)" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert dump(engine) == before
    r = run_cli(capsys, "source", "add", "lab-blog", "feed", "https://example.org/feed.xml")
    assert r.exit_code == 0, r.output
    assert run_cli(capsys, "import", str(path)).exit_code == 0
    assert show(capsys)["sources"] == ["arxiv-cs.LG", "lab-blog"]
