"""The profile commands a reader meets first: pending seeds, BibTeX in LaTeX, channel URL
hints, `profile apply` that says what it changes, `profile show` with its next send."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.cli import run_cli
from tests.feedserver import Reply
from tests.test_cli_profile import EMAIL, api_body, dump, point_arxiv_api, show, store_papers

OFFLINE_API = "http://export.paperround.invalid/api/query"  # never resolves
SEED = "1605.08386"  # the recorded API answer below describes this paper
SEED_TITLE = "Heat-bath random walks with Markov bases"


def _serve_api(feed_server, monkeypatch) -> None:
    url = feed_server.route(
        "/api/query",
        Reply(body=api_body(f"arxivpy_id_{SEED}.json"), content_type="application/atom+xml"),
    )
    point_arxiv_api(monkeypatch, url)


def _add_offline(capsys, monkeypatch, *extra: str):
    point_arxiv_api(monkeypatch, OFFLINE_API)
    return run_cli(capsys, "profile", "add", "theory", "-k", "kernels", "--seed", SEED, *extra)


def test_a_seed_that_cannot_be_looked_up_is_kept_pending_and_the_profile_created(
    engine, capsys, monkeypatch
):
    r = _add_offline(capsys, monkeypatch)
    assert r.exit_code == 0, r.output
    assert r.stdout == "created profile theory\n"
    (warning,) = r.stderr.strip().splitlines()
    assert warning == (
        f"warning: seed {SEED} kept as pending: the arXiv API is unreachable (cannot resolve "
        "export.paperround.invalid); it is looked up again at the next ingest or "
        "profile command"
    )
    (seed,) = show(capsys)["seeds"]  # `show` tried again, still offline: it warned, went on
    assert seed == {"key": SEED, "title": "", "abstract": "", "authors": [], "pending": True}

    from models.store.profile_views import profile_spec
    from models.store.profiles import get_profile

    assert profile_spec(get_profile("theory", engine=engine), engine=engine).seeds == ()


def test_the_next_ingest_looks_pending_seeds_up(engine, capsys, monkeypatch, feed_server):
    assert _add_offline(capsys, monkeypatch).exit_code == 0
    feed = feed_server.route("/rss", Reply(body=b"<rss version='2.0'><channel/></rss>"))
    assert run_cli(capsys, "source", "add", "blog", "feed", feed).exit_code == 0
    _serve_api(feed_server, monkeypatch)  # the network is back
    r = run_cli(capsys, "ingest", "--json")
    assert r.exit_code == 0, r.output
    rows = {s["name"]: s for s in json.loads(r.stdout)["sources"]}
    assert rows["pending-seeds"]["status"] == "ok"
    assert rows["pending-seeds"]["note"] == "1 pending seed(s) looked up"
    (seed,) = show(capsys)["seeds"]
    assert seed["title"] == SEED_TITLE and seed["pending"] is False and seed["abstract"]

    from models.store.profile_views import profile_spec
    from models.store.profiles import get_profile

    spec = profile_spec(get_profile("theory", engine=engine), engine=engine)
    assert [s.title for s in spec.seeds] == [SEED_TITLE]
    r = run_cli(capsys, "ingest", "--json")  # nothing pending any more: no row, no API call
    assert "pending-seeds" not in r.stdout
    assert len(feed_server.requests_for("/api/query")) == 1


def test_a_profile_command_looks_pending_seeds_up_too(capsys, monkeypatch, feed_server):
    assert _add_offline(capsys, monkeypatch).exit_code == 0
    _serve_api(feed_server, monkeypatch)
    r = run_cli(capsys, "profile", "seeds", "list", "theory", "--json")
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert [(s["key"], s["title"]) for s in json.loads(r.stdout)] == [(SEED, SEED_TITLE)]


def test_a_seed_the_api_does_not_know_is_still_an_error(engine, capsys, monkeypatch, feed_server):
    url = feed_server.route("/api/query", Reply(body=api_body("arxivpy_id_0000.0000_empty.json")))
    point_arxiv_api(monkeypatch, url)
    before = dump(engine)
    r = run_cli(capsys, "profile", "add", "theory", "-k", "kernels", "--seed", "2611.99999")
    assert r.exit_code == 1 and "seed 2611.99999 not found" in r.stderr
    assert dump(engine) == before


BIB = r"""
@article{hongler,
  title = {The {NTK} of {\"U}ber-wide nets -- a ``study''},
  author = {Hongler, Cl{\'e}ment and {\"O}zt{\"u}rk, Ay{\c{s}}e and {Barnes and Noble}
            and van der Berg, Jan},
  abstract = {Kernels at 50\% width.},
}
@misc{noabstract,
  title = {A {Title} with No Abstract},
  author = {Doe, Jane},
  doi = {10.1101/2023.12.11.571168},
}
"""


def test_bibtex_latex_is_decoded_and_seeds_without_abstract_are_named(
    engine, capsys, tmp_path, monkeypatch
):
    store_papers(engine)
    assert run_cli(capsys, "profile", "add", "theory", "-k", "kernels").exit_code == 0
    bib = tmp_path / "zotero.bib"
    bib.write_text(BIB, encoding="utf-8")
    r = run_cli(capsys, "profile", "seeds", "add", "theory", "--from-file", str(bib))
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() == (
        "warning: 1 seed(s) have no abstract, so only their title is used: "
        "“A Title with No Abstract”"
    )
    seeds = {s["title"]: s for s in show(capsys)["seeds"]}
    first = seeds["The NTK of Über-wide nets – a “study”"]
    assert first["authors"] == [
        "Clément Hongler",
        "Ayşe Öztürk",
        "Barnes and Noble",
        "Jan van der Berg",
    ]
    assert first["abstract"] == "Kernels at 50% width."
    assert seeds["A Title with No Abstract"]["authors"] == ["Jane Doe"]


@pytest.mark.parametrize(
    "url,hint",
    [
        (
            "mailto://192.168.1.5:2525?to=me@example.org",
            "email to an IP host needs a sender: add from=",
        ),
        ("mailtos://smtp.example.org?to=me@example.org", "email needs a sender: add from="),
        ("nope://x", "Apprise has no service 'nope'"),
    ],
)
def test_a_channel_url_apprise_cannot_parse_gets_a_hint(engine, capsys, url, hint):
    assert run_cli(capsys, "profile", "add", "theory", "-k", "kernels").exit_code == 0
    before = dump(engine)
    r = run_cli(capsys, "profile", "channel", "add", "theory", url)
    assert r.exit_code == 1 and hint in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert dump(engine) == before
    fixed = f"{url}&from=paperround@example.org" if url.startswith("mailto") else None
    if fixed:
        assert run_cli(capsys, "profile", "channel", "add", "theory", fixed).exit_code == 0


def _exported(capsys) -> str:
    r = run_cli(capsys, "profile", "export", "theory")
    assert r.exit_code == 0
    return r.stdout


def test_apply_says_unchanged_or_what_changed_and_dry_run_changes_nothing(engine, capsys, tmp_path):
    args = ("profile", "add", "theory", "-k", "kernels", "-k", "mean field", "--channel", EMAIL)
    assert run_cli(capsys, *args).exit_code == 0
    path = tmp_path / "p.yaml"
    path.write_text(_exported(capsys))
    assert run_cli(capsys, "profile", "apply", str(path)).stdout == "unchanged profile theory\n"

    edited = (
        _exported(capsys)
        .replace("schedule: 0 7 * * *", "schedule: 0 7 * * 1-5")
        .replace("  mean field: 1.0\n", "  feature learning: 2.0\n")
        .replace(f"channels:\n- {EMAIL}\n", "channels: []\n")
    )
    assert edited != _exported(capsys)
    path.write_text(edited + "---\n" + edited.replace("name: theory", "name: other"))
    before = dump(engine)
    r = run_cli(capsys, "profile", "apply", str(path), "--dry-run")
    assert r.exit_code == 0, r.output
    changes = (
        "schedule: 0 7 * * * -> 0 7 * * 1-5; keywords: +feature learning=2, -mean field; "
        f"channels: -{EMAIL}"
    )
    assert r.stdout.splitlines() == [
        f"would update profile theory: {changes}",
        "would create profile other",
    ]
    assert dump(engine) == before
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.stdout.splitlines() == [f"updated profile theory: {changes}", "created profile other"]
    assert show(capsys)["schedule"] == "0 7 * * 1-5"
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.stdout.splitlines() == ["unchanged profile theory", "unchanged profile other"]


def test_apply_of_an_export_made_while_a_seed_was_pending_keeps_it_looked_up(
    capsys, monkeypatch, feed_server, tmp_path
):
    assert _add_offline(capsys, monkeypatch).exit_code == 0
    path = tmp_path / "p.yaml"
    path.write_text(_exported(capsys))
    assert "pending: true" in path.read_text()
    _serve_api(feed_server, monkeypatch)
    assert show(capsys)["seeds"][0]["title"] == SEED_TITLE  # looked up since
    assert run_cli(capsys, "profile", "apply", str(path)).stdout == "unchanged profile theory\n"
    assert show(capsys)["seeds"][0]["title"] == SEED_TITLE
    assert "pending" not in _exported(capsys)


def test_show_gives_the_next_send_time_and_the_last_delivery(engine, capsys):
    store_papers(engine)
    args = (
        "profile",
        "add",
        "theory",
        "-k",
        "peeking",
        "--schedule",
        "weekdays",
        "--tz",
        "Europe/Paris",
    )
    assert run_cli(capsys, *args).exit_code == 0
    before = datetime.now(UTC)
    p = show(capsys)
    nxt = datetime.fromisoformat(p["next_send"])
    local = nxt.astimezone(ZoneInfo("Europe/Paris"))
    assert nxt > before and f"{local:%H:%M}" == "07:00" and local.weekday() < 5
    assert p["last_delivery"] is None
    text = run_cli(capsys, "profile", "show", "theory").stdout
    assert f"{local:%a %Y-%m-%d} 07:00 Europe/Paris" in text and "none yet" in text

    assert run_cli(capsys, "digest", "send", "theory").exit_code == 0
    last = show(capsys)["last_delivery"]
    assert last["status"] == "sent" and last["papers"] >= 1 and last["error"] is None
    assert ": sent, " in run_cli(capsys, "profile", "show", "theory").stdout

    assert run_cli(capsys, "profile", "pause", "theory").exit_code == 0
    assert show(capsys)["next_send"] is None
    assert "paused" in run_cli(capsys, "profile", "show", "theory").stdout
