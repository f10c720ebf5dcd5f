"""Store faults and hostile input as a table: command, exit code, first line, changed anything?

Each case runs one command in a fresh home prepared for it (an empty home, an initialised
store, or a corrupt database file), with extra environment. "Changed anything" compares
the home (and the case's watched paths) file by file, bytes included, before and after.
Other helpers' cases (issue 14, points 4-7) are added to CASES or passed to run_cases.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fault_world import PAPERROUND, Runner


@dataclass(frozen=True)
class Case:
    """One command to run; `prepare` is "empty", "store" (an initialised SQLite store) or
    "corrupt" (random bytes where the database file belongs). Environment values may use
    {home} and {tmp} (the case's home and a scratch folder beside it)."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    prepare: str = "store"
    watch: tuple[str, ...] = ()  # more paths ({tmp}/...) whose appearance counts as a change


CASES: tuple[Case, ...] = (
    Case(
        "malformed database URL",
        ("profile", "list"),
        {"PAPERROUND_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:notaport/x"},
    ),
    Case(
        "unreachable database",
        ("profile", "list"),
        {"PAPERROUND_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:{closed_port}/x"},
    ),
    Case(
        "SQLite file in a missing directory",
        ("profile", "list"),
        {"PAPERROUND_DATABASE_URL": "sqlite:///{tmp}/missing-dir/x.db"},
        watch=("{tmp}/missing-dir",),
    ),
    Case("corrupt database file: profile list", ("profile", "list"), prepare="corrupt"),
    Case("corrupt database file: db upgrade", ("db", "upgrade"), prepare="corrupt"),
    Case("profile named ..", ("profile", "add", "..", "-k", "x")),
    Case("profile named .", ("profile", "add", ".", "-k", "x")),
    Case("--min-score nan", ("profile", "add", "p", "-k", "x", "--min-score", "nan")),
)


@dataclass(frozen=True)
class Row:
    case: str
    command: str
    exit_code: int | None
    first_line: str
    changed: bool
    traceback: bool


def _closed_port() -> int:
    from tests.servers import free_port

    return free_port()  # nothing listens there once the probe socket is closed


def snapshot(paths: Sequence[Path]) -> dict[str, str]:
    """Every file (and directory) under the paths, with a hash of its bytes."""
    seen: dict[str, str] = {}
    for root in paths:
        if not root.exists():
            continue
        for path in [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]:
            if path.is_file():
                seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                seen[str(path)] = "dir"
    return seen


def first_line(*texts: str) -> str:
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                return " ".join(line.split())[:100]
    return ""


def run_cases(
    cases: Sequence[Case],
    *,
    runner: Runner,
    root: Path,
    env: dict[str, str],
    initialised: Callable[[Path], None],
) -> list[Row]:
    """Run each case in its own home under root; `initialised(home)` makes a fresh store."""
    rows = []
    for n, case in enumerate(cases):
        tmp = root / f"case{n}"
        home = tmp / "home"
        home.mkdir(parents=True)
        if case.prepare == "store":
            initialised(home)
        elif case.prepare == "corrupt":
            (home / "paperround.db").write_bytes(os.urandom(64 * 1024))
        fill = {"home": str(home), "tmp": str(tmp), "closed_port": str(_closed_port())}
        case_env = {**env, "PAPERROUND_HOME": str(home)}
        case_env.update({k: v.format(**fill) for k, v in case.env.items()})
        watched = [home, *(Path(w.format(**fill)) for w in case.watch)]
        before = snapshot(watched)
        proc = runner.run([*PAPERROUND, *case.args], case_env, tmp, timeout=300)
        rows.append(
            Row(
                case.name,
                "paperround " + " ".join(case.args),
                proc.code,
                first_line(proc.stdout, proc.stderr),
                snapshot(watched) != before,
                "Traceback" in proc.stderr,
            )
        )
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def format_rows(rows: Sequence[Row]) -> str:
    """A Markdown table (what docs/reliability.md can quote)."""
    lines = [
        "| case | command | exit | first line of output | changed anything? |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        line = r.first_line.replace("|", "\\|")
        changed = "yes" if r.changed else "no"
        lines.append(f"| {r.case} | `{r.command}` | {r.exit_code} | {line} | {changed} |")
    return "\n".join(lines)
