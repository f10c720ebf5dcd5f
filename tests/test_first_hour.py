"""A first hour without surprises: offline runs, backfill's refusals, local paths, feedback.

Offline is real here: hosts under `.invalid` (RFC 2606) never resolve, as no host resolves
on a machine without a network.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from models.errors import FetchError
from paperround.ingest.fetch import fetch
from tests.cli import run_cli
from tests.feedserver import Reply
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]
FEEDS = REPO / "examples" / "feeds"


def test_an_unresolvable_host_fails_at_once_marked_offline():
    sleeps: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch("http://rss.paperround.invalid/rss/cs.LG", retries=3, sleep=sleeps.append)
    assert info.value.offline and info.value.transient
    assert "cannot resolve rss.paperround.invalid" in info.value.reason
    assert sleeps == []  # no backoff: waiting does not bring a network back


def test_a_refused_connection_is_still_retried_and_not_called_offline():
    sleeps: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{free_port()}/rss", retries=1, backoff=0.01, sleep=sleeps.append)
    assert not info.value.offline and sleeps == [0.01]


def test_offline_ingest_gives_a_line_per_source_and_a_hint(capsys):
    for name, kind, url in (
        ("lg", "arxiv-rss", "https://rss.paperround.invalid/rss/cs.LG"),
        ("hf", "hf-daily", "https://hf.paperround.invalid/api/daily_papers"),
    ):
        assert run_cli(capsys, "source", "add", name, kind, url).exit_code == 0
    r = run_cli(capsys, "ingest", "--json")
    assert r.exit_code == 1
    summary = json.loads(r.stdout)  # errors and hints go to stderr: stdout stays JSON
    notes = {s["name"]: s["note"] for s in summary["sources"]}
    assert notes == {
        "hf": "cannot resolve hf.paperround.invalid",
        "lg": "cannot resolve rss.paperround.invalid",
    }  # one attempt each: no "after 4 attempts"
    assert summary["offline"] == ["hf", "lg"]
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "error: ingest failed: sources failed: hf, lg"
    assert lines[1].startswith("hint: offline? the bundled feeds work offline")
    assert "docs/cli.md" in lines[1] and len(lines) == 2
    assert "Traceback" not in r.output


def test_a_failure_that_is_not_offline_gives_no_offline_hint(capsys, feed_server):
    url = feed_server.route("/gone", Reply(status=404))
    assert run_cli(capsys, "source", "add", "gone", "feed", url).exit_code == 0
    r = run_cli(capsys, "ingest")
    assert r.exit_code == 1 and "hint:" not in r.output


def _offline_section() -> list[list[str]]:
    """The commands of docs/cli.md's "Working offline" section, as argument lists."""
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("## Working offline", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_the_documented_offline_walkthrough_works_without_a_network(capsys, monkeypatch):
    monkeypatch.chdir(REPO)  # the section runs from the repository's folder
    ran = 0
    for argv in _offline_section():
        if not argv:
            continue
        if argv[0] == "export":
            name, _, value = argv[1].partition("=")
            if name != "PAPERROUND_HOME":  # every test keeps its own home
                monkeypatch.setenv(name, os.path.expanduser(value))
            continue
        assert argv[0] == "paperround", argv
        r = run_cli(capsys, *argv[1:])
        assert r.exit_code == 0, (argv, r.output)
        ran += 1
    assert ran >= 4
    r = run_cli(capsys, "source", "list", "--json")
    urls = [s["url"] for s in json.loads(r.stdout)]
    assert urls and all(Path(u).is_absolute() and Path(u).exists() for u in urls), urls


def _offline_arxiv_api(monkeypatch) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_ARXIV_API_URL", "http://export.paperround.invalid/api/query")
    monkeypatch.setenv("PAPERROUND_ARXIV_API_SPACING", "0")
    get_settings.cache_clear()


def test_backfill_refuses_a_named_source_it_cannot_backfill_before_fetching(capsys, feed_server):
    url = feed_server.route("/blog.xml", Reply(body=b"<rss/>"))
    assert run_cli(capsys, "source", "add", "blog", "feed", url).exit_code == 0
    r = run_cli(capsys, "backfill", "--since", "2026-11-20", "-s", "blog")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "error: cannot backfill blog: a feed source only shows its latest items; "
        "backfill reads arxiv-rss and hf-daily sources"
    )
    assert feed_server.requests == []


def test_backfill_exits_1_when_every_source_failed_and_skips_what_it_cannot_read(
    capsys, feed_server, monkeypatch
):
    _offline_arxiv_api(monkeypatch)
    url = feed_server.route("/blog.xml", Reply(body=b"<rss/>"))
    for name, kind, where in (
        ("blog", "feed", url),
        ("lg", "arxiv-rss", "https://rss.paperround.invalid/rss/cs.LG"),
        ("hf", "hf-daily", "https://hf.paperround.invalid/api/daily_papers"),
    ):
        assert run_cli(capsys, "source", "add", name, kind, where).exit_code == 0
    r = run_cli(capsys, "backfill", "--since", "2026-11-20")
    assert r.exit_code == 1, r.output
    assert "blog: skipped (a feed source only shows its latest items" in r.stdout
    assert "lg: 0 fetched, 0 new, failed: cannot resolve export.paperround.invalid" in r.stdout
    assert "error: backfill failed: sources failed: hf, lg" in r.stderr
    assert "hint: offline?" in r.stderr and "Traceback" not in r.output
    assert feed_server.requests == []


def test_backfill_that_worked_exits_0(capsys, feed_server, monkeypatch):
    url = feed_server.route("/api/daily_papers", Reply(body=b"[]"))
    assert run_cli(capsys, "source", "add", "hf", "hf-daily", url).exit_code == 0
    r = run_cli(capsys, "backfill", "--since", "2026-11-20")
    assert r.exit_code == 0, r.output
    assert "hf: 0 fetched, 0 new, ok" in r.stdout


def test_backfill_dates_are_checked_by_the_parameter_type(capsys):
    r = run_cli(capsys, "backfill", "--since", "23/11/2026")
    assert r.exit_code == 2 and "Invalid value for '--since'" in r.stderr
    assert "'23/11/2026' does not match the formats '%Y-%m-%d'" in r.stderr


def test_a_local_source_path_is_stored_absolute(capsys, tmp_path, monkeypatch):
    (tmp_path / "feeds").mkdir()
    feed = tmp_path / "feeds" / "lab.xml"
    feed.write_bytes((FEEDS / "arxiv-rss-cs.LG.xml").read_bytes())
    monkeypatch.chdir(tmp_path / "feeds")
    assert run_cli(capsys, "source", "add", "lab", "arxiv-rss", "./lab.xml").exit_code == 0
    monkeypatch.chdir(tmp_path)  # elsewhere, as `paperround serve` may run
    r = run_cli(capsys, "source", "list", "--json")
    assert [s["url"] for s in json.loads(r.stdout)] == [str(feed)]
    r = run_cli(capsys, "ingest", "-s", "lab", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["new"] > 0


@pytest.mark.parametrize(
    "where,message",
    [
        ("./missing.xml", "no feed file at './missing.xml'"),
        ("gopher://x.org/feed", "unsupported URL scheme 'gopher'"),
        ("https:///feed", "it names no host"),
    ],
)
def test_a_source_location_that_cannot_be_read_is_a_usage_error(capsys, tmp_path, where, message):
    r = run_cli(capsys, "source", "add", "x", "feed", where)
    assert r.exit_code == 2 and message in r.stderr, r.stderr
    assert json.loads(run_cli(capsys, "source", "list", "--json").stdout)[0]["name"] != "x"


def _profiles(capsys, *names: str) -> None:
    from models.db import get_engine
    from tests.test_cli_profile import store_papers

    store_papers(get_engine())
    for name in names:
        assert run_cli(capsys, "profile", "add", name, "-k", "transformers").exit_code == 0


def test_feedback_goes_to_the_only_profile_without_naming_it(capsys):
    _profiles(capsys, "theory")
    r = run_cli(capsys, "like", "2507.01752")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("liked for theory: Tuning without Peeking")
    assert run_cli(capsys, "dislike", "2507.02092").exit_code == 0
    assert run_cli(capsys, "unlike", "2507.02092").exit_code == 0
    history = run_cli(capsys, "profile", "show", "theory", "--json")
    assert history.exit_code == 0


def test_feedback_with_several_profiles_asks_which_and_lists_them(capsys):
    _profiles(capsys, "theory", "vision")
    r = run_cli(capsys, "like", "2507.01752")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "error: say which profile with --profile: there are 2 (theory, vision)"
    )
    assert run_cli(capsys, "like", "2507.01752", "-p", "vision").exit_code == 0


def test_feedback_without_any_profile_says_how_to_make_one(capsys):
    r = run_cli(capsys, "like", "2507.01752")
    assert r.exit_code == 1 and "paperround profile add" in r.stderr
