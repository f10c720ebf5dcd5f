"""CLI commands run the pipeline in their own process: no Prefect server is started (before,
each command spent ~25 s starting a temporary one, which outlived a killed command), and
nothing a command starts outlives it. Real processes, tagged through their environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Runs the console entry point and says, on exit, whether Prefect was ever imported.
_CLI = """
import atexit, sys
atexit.register(lambda: print("prefect imported:", "prefect" in sys.modules, file=sys.stderr))
from paperround.cli import main
main()
"""


def _tagged_processes(tag: str) -> list[int]:
    """Processes still alive whose environment carries the tag (the command and its children)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"PAPERROUND_TEST_TAG={tag}".encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _run(home: Path, tag: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PAPERROUND_HOME": str(home), "PAPERROUND_TEST_TAG": tag}
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen(
        [sys.executable, "-c", _CLI, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_demo_ingest_and_digest_never_start_prefect(tmp_path):
    tag = uuid.uuid4().hex
    for args in (("demo",), ("ingest",), ("digest",)):
        home = tmp_path / "home" / "demo" if args != ("demo",) else tmp_path / "home"
        proc = _run(home, tag, *args)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "prefect imported: False" in err, (args, err)
        assert _tagged_processes(tag) == [], f"{args} left processes behind"


def test_a_killed_command_leaves_no_process_behind(tmp_path):
    tag = uuid.uuid4().hex
    proc = _run(tmp_path / "home", tag, "demo")
    proc.stdout.readline()  # it has started working (the demo's first line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert _tagged_processes(tag) == []


def test_a_logged_exception_is_one_line_without_debug(capsys):
    """A failure the pipeline isolates and logs (log.exception) reaches the user as one line;
    the traceback only with --debug."""
    import logging

    from paperround.cli import _configure_logging, _Edge

    _configure_logging(verbose=False)
    log = logging.getLogger("paperround.digest.run")
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        log.exception("digest of profile %s failed", "[/b]theory")
    err = capsys.readouterr().err
    assert err == "error: digest of profile [/b]theory failed (ValueError: boom)\n"
    _Edge.debug = True
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("digest failed")
    finally:
        _Edge.debug = False
    assert "Traceback" in capsys.readouterr().err


def test_help_loads_neither_pydantic_nor_prefect():
    """`paperround --help` starts in ~0.2 s because the command modules import only what
    parsing needs: a module-level import of models.settings (pydantic, pydantic-settings)
    added ~0.27 s to every command, Prefect far more. Counted by module, not by clock."""
    code = (
        "import atexit, sys\n"
        "heavy = {'prefect', 'pydantic', 'pydantic_settings', 'sqlalchemy', 'apprise'}\n"
        "loaded = lambda: sorted({m.split('.')[0] for m in sys.modules} & heavy)\n"
        "atexit.register(lambda: print('loaded:', loaded(), file=sys.stderr))\n"
        "from paperround.cli import main\n"
        "main()\n"
    )
    # `profile --help` builds its group's help from the profile model (pydantic, ~60 ms),
    # but not the settings.
    for args, allowed in ((["--help"], "[]"), (["profile", "--help"], "['pydantic']")):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "Usage" in done.stdout
        assert done.stderr.strip().splitlines()[-1] == f"loaded: {allowed}", (args, done.stderr)
