"""Hostile names, values and files typed by a person: one line, no traceback, nothing stored.

Also: a dry run never prints a stored channel secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.test_cli_profile import dump

DISCORD = "discord://1234567890/webhooksecrettokenabcdefghij"
EMAIL = "mailtos://me:hunter2hunter2@smtp.example.org?to=me@example.org"


def _strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""

    def refuse(name: str):
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def _one_line_error(r, code: int = 1, *, says: str = "") -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("error:", "Error:"))]
    assert len(errors) == 1, r.stderr
    if code == 1:
        assert len(lines) == 1, r.stderr  # usage errors (2) add click's usage lines
    assert says in errors[0], errors[0]


# -- 5. secrets --------------------------------------------------------------------------


@pytest.mark.parametrize("json_out", [False, True])
def test_dry_run_shows_channel_urls_redacted(engine, capsys, json_out):
    args = ["profile", "add", "p", "-k", "x", "--send-empty"]
    assert run_cli(capsys, *args, "--channel", DISCORD, "--channel", EMAIL).exit_code == 0
    r = run_cli(capsys, "digest", "send", "p", "--dry-run", *(["--json"] if json_out else []))
    assert r.exit_code == 0, r.output
    for secret in ("webhooksecrettokenabcdefghij", "hunter2hunter2"):
        assert secret not in r.output
    if json_out:
        labels = [c["channel"] for c in json.loads(r.stdout)["channels"]]
        assert len(labels) == 2 and labels[0].startswith("discord://")
        assert labels[1].startswith("mailtos://me:")


# -- 6. names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["..", ".", "a/b", "a\\b", ".hidden", "", "   ", "x" * 65, "tab\there", "[/b]", "-x"]
)
def test_bad_profile_names_are_refused(engine, capsys, paperround_home, name):
    before = dump(engine)
    r = run_cli(capsys, "profile", "add", "-k", "x", "--", name)
    _one_line_error(r, says="invalid profile name")
    assert "letters, digits" in r.stderr  # the error names the rule
    assert dump(engine) == before
    assert not (paperround_home / "digests").exists()


def test_names_are_stripped_everywhere(engine, capsys):
    assert run_cli(capsys, "profile", "add", "  spaced name  ", "-k", "x").exit_code == 0
    assert run_cli(capsys, "profile", "rename", "spaced name", " renamed ").exit_code == 0
    assert run_cli(capsys, "profile", "clone", "renamed", " copy ").exit_code == 0
    names = [p["name"] for p in json.loads(run_cli(capsys, "profile", "list", "--json").stdout)]
    assert names == ["copy", "renamed"]


def test_renaming_to_a_bad_name_changes_nothing(engine, capsys):
    assert run_cli(capsys, "profile", "add", "good", "-k", "x").exit_code == 0
    before = dump(engine)
    _one_line_error(run_cli(capsys, "profile", "rename", "good", ".."), says="invalid profile")
    assert dump(engine) == before


@pytest.mark.parametrize("name", ["..", "a\\0b", "a/b", " "])
def test_yaml_apply_refuses_bad_names(engine, capsys, tmp_path, name):
    path = tmp_path / "p.yaml"
    path.write_text(f'name: "{name}"\nkeywords: {{x: 1}}\n', encoding="utf-8")
    before = dump(engine)
    _one_line_error(run_cli(capsys, "profile", "apply", str(path)), says="invalid profile name")
    assert dump(engine) == before


def test_import_refuses_bad_names(engine, capsys, tmp_path):
    assert run_cli(capsys, "profile", "add", "good", "-k", "x").exit_code == 0
    r = run_cli(capsys, "export")
    data = json.loads(r.stdout)
    data["profiles"][0]["name"] = "a\x00b"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = dump(engine)
    _one_line_error(run_cli(capsys, "import", str(path)), says="invalid profile name")
    assert dump(engine) == before


@pytest.mark.parametrize("name", ["..", "a/b", "[red]x"])
def test_bad_source_names_are_refused(engine, capsys, name):
    r = run_cli(capsys, "source", "add", name, "feed", "https://example.org/feed.xml")
    _one_line_error(r, says="invalid source name")
    names = [s["name"] for s in json.loads(run_cli(capsys, "source", "list", "--json").stdout)]
    assert name not in names


# -- 6. values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,says",
    [
        (("-k", "foo:abc"), "weight 'abc' is not a number"),
        (("-k", "foo:nan"), "not a finite number"),
        (("-k", "foo:inf"), "not a finite number"),
        (("-k", "foo:-Infinity"), "not a finite number"),
        (("-k", "x", "--min-score", "nan"), "not a finite number"),
        (("-k", "x", "--min-score", "inf"), "not a finite number"),
    ],
)
def test_bad_numbers_on_the_command_line(engine, capsys, args, says):
    before = dump(engine)
    _one_line_error(run_cli(capsys, "profile", "add", "p", *args), code=2, says=says)
    assert dump(engine) == before


@pytest.mark.parametrize(
    "args,says",
    [
        (("--weight", "bogus=2"), "unknown signal 'bogus': use one of keywords, seeds"),
        (("--weight", "seeds=nan"), "not a finite number"),
        (("--weight", "seeds"), "use SIGNAL=NUMBER"),
        (("--add-keyword", "foo:abc"), "weight 'abc' is not a number"),
        (("--min-score", "-inf"), "not a finite number"),
    ],
)
def test_bad_values_in_edit(engine, capsys, args, says):
    assert run_cli(capsys, "profile", "add", "p", "-k", "x").exit_code == 0
    before = dump(engine)
    _one_line_error(run_cli(capsys, "profile", "edit", "p", *args), code=2, says=says)
    assert dump(engine) == before
    show = run_cli(capsys, "profile", "show", "p", "--json")
    assert _strict_json(show.stdout)["weights"] == {}


def test_a_colon_phrase_is_written_with_its_weight(engine, capsys):
    assert run_cli(capsys, "profile", "add", "p", "-k", "time:series:2").exit_code == 0
    show = _strict_json(run_cli(capsys, "profile", "show", "p", "--json").stdout)
    assert show["keywords"] == {"time:series": 2.0}


@pytest.mark.parametrize(
    "yaml_text",
    [
        "keywords: {x: .nan}",
        "keywords: {x: .inf}",
        "keywords: {x: 1}\nmin_score: .nan",
        "keywords: {x: 1}\nweights: {seeds: -.inf}",
        "keywords: {x: 1}\nweights: {bogus: 1}",
        'keywords: {x: 1}\ndescription: "a\\0b"',
        'keywords: {"a\\x1bb": 1}',
    ],
)
def test_yaml_apply_refuses_bad_values(engine, capsys, tmp_path, yaml_text):
    path = tmp_path / "p.yaml"
    path.write_text(f"name: p\n{yaml_text}\n", encoding="utf-8")
    before = dump(engine)
    _one_line_error(run_cli(capsys, "profile", "apply", str(path)))
    assert dump(engine) == before


# -- 6. files ------------------------------------------------------------------------------

BAD_CSL = [
    '[{"title": 5}]',
    '[{"title": "t", "author": "Ada"}]',
    '[{"title": "t", "author": [5]}]',
    '[{"title": "t", "author": [{"family": 5}]}]',
    '[{"title": "t", "DOI": 5}]',
    '[{"title": "t", "abstract": ["x"]}]',
    '"just a string"',
    "5",
    "[[1, 2]]",
]


@pytest.mark.parametrize("text", BAD_CSL)
def test_csl_json_with_wrong_types_is_one_line(engine, capsys, tmp_path, text):
    path = tmp_path / "seeds.json"
    path.write_text(text, encoding="utf-8")
    before = dump(engine)
    r = run_cli(capsys, "profile", "add", "p", "-k", "x", "--from-file", str(path))
    _one_line_error(r, says="CSL JSON")
    assert dump(engine) == before


def test_a_bibtex_arxiv_doi_that_names_no_paper_stays_a_doi():
    # It crashed with "'NoneType' object is not subscriptable" (found by mypy).
    from paperround.seeds import parse_bibtex

    good, bad = parse_bibtex(
        "@article{a, title={A}, doi={10.48550/arXiv.2301.00001}}\n"
        "@article{b, title={B}, doi={10.48550/arXiv.notanid}}\n"
    )
    assert (good.arxiv_id, good.doi) == ("2301.00001", None)
    assert (bad.arxiv_id, bad.doi) == (None, "10.48550/arxiv.notanid")


def test_random_bytes_as_a_seed_file(engine, capsys, tmp_path):
    path = tmp_path / "seeds.bin"
    path.write_bytes(bytes(range(256)) * 8 + os.urandom(512))
    before = dump(engine)
    r = run_cli(capsys, "profile", "add", "p", "-k", "x", "--from-file", str(path))
    _one_line_error(r, says="not UTF-8 text")
    assert dump(engine) == before


def test_an_oversized_bibtex_file_is_refused_unread(engine, capsys, tmp_path):
    from models.userinput import MAX_SEED_FILE

    entry = b"@article{k%d, title={A title}, author={Ada Lovelace}, eprint={2301.00001}}\n"
    path = tmp_path / "big.bib"
    with path.open("wb") as f:
        n = 0
        while f.tell() <= MAX_SEED_FILE:
            f.write(entry % n)
            n += 1
    before = dump(engine)
    r = run_cli(capsys, "profile", "add", "p", "-k", "x", "--from-file", str(path))
    _one_line_error(r, says="larger than")
    assert dump(engine) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args",
    [
        ("profile", "add", "p", "-k", "x", "--from-file", "/dev/zero"),
        ("profile", "seeds", "add", "base", "--from-file", "/dev/zero"),
        ("profile", "apply", "/dev/zero"),
        ("import", "/dev/zero"),
    ],
)
def test_endless_files_are_refused(engine, capsys, args):
    assert run_cli(capsys, "profile", "add", "base", "-k", "x").exit_code == 0
    before = dump(engine)
    _one_line_error(run_cli(capsys, *args), says="/dev/zero is not UTF-8 text (a NUL byte")
    assert dump(engine) == before


def test_a_directory_or_missing_file_is_a_usage_error(engine, capsys, tmp_path):
    for path in (str(tmp_path), str(tmp_path / "missing.bib")):
        for args, says in (
            (("profile", "add", "p", "-k", "x", "--from-file", path), "--from-file"),
            (("profile", "apply", path), "'FILE'"),
            (("import", path), "'FILE'"),
        ):
            _one_line_error(run_cli(capsys, *args), code=2, says=says)
    assert run_cli(capsys, "profile", "list", "--json").stdout.strip() == "[]"


def test_weight_names_are_the_rankers_signals():
    from models.profile_config import WEIGHT_NAMES
    from paperround.rank import DEFAULT_WEIGHTS

    assert set(WEIGHT_NAMES) == set(DEFAULT_WEIGHTS)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_endless_text_stream_is_cut_at_the_limit(tmp_path):
    import threading

    from models.errors import ConfigError
    from models.userinput import MB, read_text

    fifo = tmp_path / "stream.bib"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with open(fifo, "wb") as f:
                while True:
                    f.write(b"@article{k, title={A}}\n" * 4096)
        except (BrokenPipeError, OSError):
            pass  # the reader stopped: what the test wants

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(ConfigError, match="is larger than 1 MB"):
        read_text(fifo, limit=MB, what="seed file")
    writer.join()
