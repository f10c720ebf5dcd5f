"""Every command explains itself, shows an example, and appears in docs/cli.md."""

from __future__ import annotations

import importlib.util
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
