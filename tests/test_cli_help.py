"""Every command explains itself, shows an example, and appears in docs/cli.md."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("gen_cli_docs", REPO / "scripts" / "gen_cli_docs.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

COMMANDS = gen.commands()


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p[1:]) for p, _ in COMMANDS])
def test_command_has_help_and_example(path, cmd):
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    if not hasattr(cmd, "commands"):
        assert "Example: paperround" in cmd.help, f"{' '.join(path)} has no example"


def test_docs_are_in_sync():
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert doc == gen.render(), "docs/cli.md is stale: run .venv/bin/python scripts/gen_cli_docs.py"
    for path, _ in COMMANDS:
        assert f"## `{' '.join(path)}`" in doc


def test_help_runs_for_every_command(capsys):
    for path, _ in COMMANDS:
        r = run_cli(capsys, *path[1:], "--help")
        assert r.exit_code == 0, (path, r.output)
        assert "Usage" in r.stdout


def test_version(capsys):
    r = run_cli(capsys, "--version")
    assert r.exit_code == 0 and r.stdout.startswith("paperround ")


# A value label in angle brackets is how Typer names Python types: <str>, <list[str]>, <bool>.
TYPE_LABEL = re.compile(r"<[^<>\s]+>")


def _help(capsys, path) -> str:
    r = run_cli(capsys, *path[1:], "--help")
    assert r.exit_code == 0, (path, r.output)
    return r.stdout


def test_help_shows_no_python_type_names_and_no_braces_in_usage(capsys):
    offenders = {}
    for path, _ in COMMANDS:
        text = _help(capsys, path)
        usage = [line for line in text.splitlines() if "Usage:" in line]
        found = TYPE_LABEL.findall(text) + [u.strip() for u in usage if "{" in u]
        if found:
            offenders[" ".join(path)] = found
    assert offenders == {}


def test_the_scan_would_see_a_type_name(capsys):
    """The check above can fail: a bare Typer command shows exactly what it forbids."""
    import typer
    from typer.testing import CliRunner

    bare = typer.Typer(rich_markup_mode="rich")

    @bare.command()
    def cmd(name: str, flag: bool = False) -> None:
        """A command."""

    text = CliRunner().invoke(bare, ["--help"]).output
    assert TYPE_LABEL.findall(text) and "{name}" in text


def test_every_positional_argument_is_described():
    undocumented = [
        f"{' '.join(path)} {p.name.upper()}"
        for path, cmd in COMMANDS
        for p in cmd.params
        if p.param_type_name == "argument" and not (getattr(p, "help", "") or "").strip()
    ]
    assert undocumented == []


def test_a_short_option_means_one_thing_across_commands():
    meanings: dict[str, set[str]] = {}
    for _path, cmd in COMMANDS:
        for p in cmd.params:
            if p.param_type_name != "option":
                continue
            longs = "/".join(o for o in p.opts if o.startswith("--"))
            for short in (o for o in (*p.opts, *p.secondary_opts) if not o.startswith("--")):
                meanings.setdefault(short, set()).add(longs)
    clashes = {short: longs for short, longs in meanings.items() if len(longs) > 1}
    assert clashes == {}
    assert meanings["-s"] == {"--source"} and meanings["-p"] == {"--profile"}


def test_schedule_shortcuts_say_when_they_send(capsys):
    from datetime import UTC, datetime

    from models.schedule_words import SCHEDULE_MEANINGS, SCHEDULE_SHORTCUTS
    from paperround.schedule.slots import next_slots

    text = " ".join(_help(capsys, ["paperround", "profile", "add"]).split())
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    sunday = datetime(2026, 11, 29, 12, tzinfo=UTC)
    for name, cron in SCHEDULE_SHORTCUTS.items():
        meaning = SCHEDULE_MEANINGS[name]
        assert f"{name} ({meaning})" in " ".join(text.replace("│", " ").split()), name
        slots = next_slots(cron, "UTC", sunday, count=14)
        assert {f"{s:%H:%M}" for s in slots} == {meaning.split()[0]}
        weekdays = sorted({s.weekday() for s in slots})
        said = {
            "every day": list(range(7)),
            "Monday to Friday": list(range(5)),
            "every Monday": [0],
        }[meaning.split(" ", 1)[1]]
        assert weekdays == said, (name, [days[d] for d in weekdays])


def _complete(capsys, monkeypatch, line: str) -> list[str]:
    """What bash completion offers for `line` (the word after its last space)."""
    words = line.split(" ")
    monkeypatch.setenv("_PAPERROUND_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    from paperround.cli import app

    # As the console script runs: its program name selects the _PAPERROUND_COMPLETE variable.
    with pytest.raises(SystemExit) as done:
        app(args=words[1:], prog_name="paperround")
    monkeypatch.delenv("_PAPERROUND_COMPLETE")
    out = capsys.readouterr()
    assert done.value.code == 0 and out.err == "", out
    return out.out.split()


def test_completion_offers_profile_source_and_channel_names(capsys, monkeypatch):
    for args in (
        ("profile", "add", "theory", "-k", "a", "--channel", "json://hooks.example.org/a"),
        ("profile", "add", "vision", "-k", "b"),
        ("source", "list"),
    ):
        assert run_cli(capsys, *args).exit_code == 0
    assert _complete(capsys, monkeypatch, "paperround profile show th") == ["theory"]
    assert _complete(capsys, monkeypatch, "paperround like 2507.01752 --profile ") == [
        "theory",
        "vision",
    ]
    assert _complete(capsys, monkeypatch, "paperround digest send v") == ["vision"]
    assert _complete(capsys, monkeypatch, "paperround ingest -s arxiv") == [
        "arxiv-cs.AI",
        "arxiv-cs.LG",
    ]
    (offered,) = _complete(capsys, monkeypatch, "paperround profile channel remove theory ")
    assert offered.startswith("json://hooks.example.org/a")  # as `channel list` shows it
    r = run_cli(capsys, "profile", "channel", "remove", "theory", offered)
    assert r.exit_code == 0, r.output


def test_completion_without_a_store_offers_nothing_and_creates_nothing(
    capsys, monkeypatch, paperround_home
):
    assert _complete(capsys, monkeypatch, "paperround profile show ") == []
    assert not paperround_home.exists()
