"""`paperround demo` end to end, and the promise that commands without flows skip Prefect."""

from __future__ import annotations

import html
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli

FEEDS = Path(__file__).resolve().parents[1] / "examples" / "feeds"


def _flat(text: str) -> str:
    """Entities decoded and whitespace collapsed, so titles compare across formats."""
    return " ".join(html.unescape(text).split())


def _bundled_feeds_text() -> str:
    parts = []
    for path in sorted(FEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":  # decode \\u escapes the JSON feed may use
            text = json.dumps(json.loads(text), ensure_ascii=False)
        parts.append(_flat(text))
    return "\n".join(parts)


@pytest.mark.prefect
def test_demo_writes_an_html_digest_of_ranked_bundled_papers(
    prefect_harness, paperround_home, capsys, monkeypatch
):
    monkeypatch.delenv("PAPERROUND_DEMO_CHANNEL", raising=False)  # the file channel only

    def ours() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k.startswith("PAPERROUND_")}

    before = ours()
    r = run_cli(capsys, "demo")
    assert r.exit_code == 0, r.output
    assert ours() == before  # the demo's own store is a setting, not a rewritten environment

    (page,) = (paperround_home / "demo" / "digests" / "demo").glob("*.html")
    # Rich may fold a long path over lines: compare without whitespace.
    assert f"HTMLdigest:{page}" in "".join(r.stdout.split()), r.stdout

    with sqlite3.connect(paperround_home / "demo" / "paperround.db") as conn:
        titles = [
            t
            for (t,) in conn.execute(
                "select p.title from digest_items i join papers p on p.id = i.paper_id"
                " where i.digest_id = (select max(id) from digests) order by i.rank"
            )
        ]
    assert len(titles) == 10  # the demo profile's max_items; the bundled feeds have more
    body = _flat(page.read_text(encoding="utf-8"))
    feeds = _bundled_feeds_text()
    positions = []
    for title in titles:
        assert _flat(title) in feeds, f"{title!r} is not from examples/feeds"
        assert _flat(title) in body, f"{title!r} is missing from {page}"
        positions.append(body.index(_flat(title)))
    assert positions == sorted(positions)  # in rank order


@pytest.mark.parametrize("args", [("profile", "list"), ("source", "list")])
def test_commands_without_flows_do_not_import_prefect(args, paperround_home):
    # A fresh interpreter: this test process has imported prefect already.
    code = (
        "import sys\n"
        "from paperround.cli import main\n"
        f"sys.argv = ['paperround', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.'))\n"
        "print('PREFECT_MODULES=' + ','.join(loaded))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PAPERROUND_DATABASE_URL"}
    env["PAPERROUND_HOME"] = str(paperround_home)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last == "PREFECT_MODULES=", f"{' '.join(args)} imported {last}"
