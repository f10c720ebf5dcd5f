"""Drive the real console entry point in-process, with its one-line error handling."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> Result:
    """Run `paperround ARGS` through paperround.cli.main, as the console script does."""
    import sys

    from paperround.cli import main

    argv = sys.argv
    sys.argv = ["paperround", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return Result(code, out.out, out.err)
