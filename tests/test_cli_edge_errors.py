"""Errors from a file, a templates folder or a Prefect API the person named: one line saying
what and what to do, exit 1, never an internal exception's class name; --debug adds the
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]
CLASS_NAMES = ("FileNotFoundError", "TemplateNotFound", "RuntimeError", "OSError", "Traceback")


def one_line(r) -> str:
    assert r.exit_code == 1, r.output
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("error: ") and not any(n in r.output for n in CLASS_NAMES), r.output
    return line


def test_export_to_a_missing_directory_says_which(engine, capsys, tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "out.json"
    line = one_line(run_cli(capsys, "export", "-o", str(target)))
    assert f"cannot write {target}" in line and f"no directory {target.parent}" in line
    assert not target.parent.exists()


def test_an_unexpected_os_error_names_the_file_not_the_class(monkeypatch, capsys):
    import errno

    def broken(**_kw):
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/x.db")

    monkeypatch.setattr("paperround.portable.export_store", broken)
    line = one_line(run_cli(capsys, "export"))
    assert line == "error: /srv/x.db: Permission denied. Rerun with --debug for the traceback."


@pytest.fixture
def profile(engine, capsys) -> str:
    assert run_cli(capsys, "profile", "add", "p", "-k", "x").exit_code == 0
    return "p"


def use_templates(monkeypatch, folder: Path) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_TEMPLATES", str(folder))
    get_settings.cache_clear()


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_a_templates_folder_missing_a_template_says_which_and_what_to_do(
    profile, capsys, monkeypatch, tmp_path, fmt
):
    (tmp_path / "digest.txt.j2").write_text("{{ subject }}\n")  # only the text one
    use_templates(monkeypatch, tmp_path)
    line = one_line(run_cli(capsys, "digest", "preview", profile, "--format", fmt))
    assert f"PAPERROUND_TEMPLATES folder {tmp_path} has no digest." in line
    assert "full set (digest.html.j2, digest.md.j2, digest.txt.j2, tldr_prompt.j2)" in line
    assert "unset PAPERROUND_TEMPLATES" in line


def test_a_templates_folder_that_is_not_there_says_so(profile, capsys, monkeypatch, tmp_path):
    use_templates(monkeypatch, tmp_path / "nope")
    line = one_line(run_cli(capsys, "digest", "preview", profile))
    assert f"PAPERROUND_TEMPLATES folder {tmp_path / 'nope'} is not a folder" in line


def test_a_template_with_a_syntax_error_names_its_file_and_line(
    profile, capsys, monkeypatch, tmp_path
):
    for src in (REPO / "templates").glob("*.j2"):
        (tmp_path / src.name).write_text(src.read_text())
    (tmp_path / "digest.txt.j2").write_text("ok\n{% if %}\n")
    use_templates(monkeypatch, tmp_path)
    line = one_line(run_cli(capsys, "digest", "preview", profile, "--format", "text"))
    assert f"template {tmp_path / 'digest.txt.j2'} line 2:" in line


def test_debug_still_shows_the_traceback(profile, capsys, monkeypatch, tmp_path):
    from paperround.cli import _Edge

    monkeypatch.setattr(_Edge, "debug", False)  # --debug sets it for the process: undone after
    use_templates(monkeypatch, tmp_path)
    r = run_cli(capsys, "--debug", "digest", "preview", profile)
    assert r.exit_code == 1 and "Traceback" in r.stderr and "TemplateNotFound" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: PAPERROUND_TEMPLATES folder")


def test_an_unreachable_prefect_api_names_the_setting_and_what_to_do(tmp_path):
    url = f"http://user:secret@127.0.0.1:{free_port()}/api"  # nothing listens there
    env = {**os.environ, "PAPERROUND_HOME": str(tmp_path / "home"), "PREFECT_API_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", "from paperround.cli import main; main()", "ingest"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: cannot reach the Prefect API at http://127.0.0.1:"), line
    assert "PREFECT_API_URL" in line and "unset PREFECT_API_URL" in line
    assert "secret" not in line and not any(n in done.stderr for n in CLASS_NAMES)
