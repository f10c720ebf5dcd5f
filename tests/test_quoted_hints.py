"""A command suggested to the person works as printed: a profile name with a space is
shell-quoted, in the digest's footer (text, Markdown, HTML: escaped once for each) and on the
web pages and in `profile show`."""

from __future__ import annotations

import html
import re
import shlex
from datetime import UTC, datetime

import pytest

from models.store import papers
from tests.cli import run_cli
from tests.records import arxiv_record, fake_id

NAME = "my papers"


@pytest.fixture
def profile(engine, capsys) -> str:
    now = datetime.now(UTC)
    records = [arxiv_record(fake_id(1001), title="A language model", published=now)]
    papers.upsert_records(records, engine=engine, now=now)
    assert run_cli(capsys, "profile", "add", NAME, "-k", "language model").exit_code == 0
    return NAME


def footer_commands(body: str) -> list[list[str]]:
    """The `paperround ...` commands in the digest's 'Change it / pause it' line, as argv."""
    line = next(x for x in body.splitlines() if "pause it:" in x)
    line = line[line.index("Change it:") :]
    line = re.sub(r"<[^>]+>", "", line).strip(" _")  # the HTML paragraph, Markdown italics
    return [shlex.split(part.split(": ", 1)[1]) for part in line.split(" · ")]


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_the_digest_footer_commands_work_as_printed(profile, capsys, fmt):
    r = run_cli(capsys, "digest", "preview", profile, "--format", fmt)
    assert r.exit_code == 0, r.output
    body = html.unescape(r.stdout) if fmt == "html" else r.stdout
    assert "&amp;" not in r.stdout and "\\'" not in body  # escaped once, if at all
    edit, pause = footer_commands(body)
    assert edit == ["paperround", "profile", "edit", NAME]
    assert pause == ["paperround", "profile", "pause", NAME]
    assert f"like ID -p {shlex.quote(NAME)} " in body  # the feedback hint too
    assert run_cli(capsys, *pause[1:]).exit_code == 0
    r = run_cli(capsys, "profile", "show", NAME)
    assert f"paperround profile resume {shlex.quote(NAME)} to send again" in r.stdout
    assert run_cli(capsys, *shlex.split(f"profile resume {shlex.quote(NAME)}")).exit_code == 0


@pytest.mark.parametrize(
    ("ctx", "command"),
    [
        ({"profile": NAME, "key": "2507.01752", "action": "dislike"},
         ["paperround", "dislike", "2507.01752", "-p", NAME]),
        ({"profile": "it's mine", "key": "t:a b", "action": "like"},
         ["paperround", "like", "t:a b", "-p", "it's mine"]),
        ({}, ["paperround", "like", "ID", "-p", "NAME"]),
    ],
)  # fmt: skip
def test_the_web_footer_command_works_as_printed(ctx, command):
    from paperround.web.pages import page

    body = page(
        "error.html.j2", status=404, headline="Not found", message="m", hint=None, **ctx
    ).body.decode()
    [code] = re.findall(r"<footer>.*?<code>(.*?)</code>", body)
    assert "&amp;" not in code  # escaped once
    assert shlex.split(html.unescape(code)) == command
