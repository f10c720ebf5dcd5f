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
