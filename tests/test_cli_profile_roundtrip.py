"""`profile export` -> `profile apply` (the README's round trip) with channels that hold
secrets: a redacted entry stands for the URL the store holds for that profile; one the store
does not hold is refused in one line, never stored as a channel that cannot send."""

from __future__ import annotations

import pytest

from tests.cli import run_cli
from tests.test_cli_profile import dump

CHANNELS = [
    "discord://123456789012/AbCdEfGhIjKlMnOpQrStUvWxYz",
    "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345",
    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#papers",
    "ntfys://user:pw12345678@ntfy.sh/topic",
    "mailtos://user:hunter2SECRET@smtp.example.org?to=me@example.org",
]


def _add_and_export(capsys, tmp_path, url: str):
    added = run_cli(capsys, "profile", "add", "p", "-k", "language model", "--channel", url)
    assert added.exit_code == 0, added.output
    exported = run_cli(capsys, "profile", "export", "p")
    assert exported.exit_code == 0, exported.output
    path = tmp_path / "p.yaml"
    path.write_text(exported.stdout)
    return path


@pytest.mark.parametrize("url", CHANNELS, ids=[u.split(":")[0] for u in CHANNELS])
def test_export_then_apply_in_the_same_home_keeps_the_stored_channel(engine, capsys, tmp_path, url):
    path = _add_and_export(capsys, tmp_path, url)
    before = dump(engine)
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 0, r.output
    assert "unchanged profile p" in r.stdout
    assert dump(engine) == before
    full = run_cli(capsys, "profile", "export", "p", "--include-secrets").stdout
    assert url in full


@pytest.mark.parametrize("url", CHANNELS, ids=[u.split(":")[0] for u in CHANNELS])
def test_a_redacted_channel_the_store_does_not_hold_is_refused(engine, capsys, tmp_path, url):
    path = _add_and_export(capsys, tmp_path, url)
    # Another home: the profile is not there. Here: the same file under another name.
    path.write_text(path.read_text().replace("name: p\n", "name: elsewhere\n"))
    before = dump(engine)
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 1 and "Traceback" not in r.output
    (line,) = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert "was exported redacted" in line and "export with --include-secrets" in line
    assert "add it again with its secret" in line
    assert dump(engine) == before  # nothing stored: no channel that cannot send


def test_a_fresh_home_refuses_the_redacted_email_channel(engine, capsys, tmp_path):
    path = _add_and_export(capsys, tmp_path, CHANNELS[-1])
    assert run_cli(capsys, "profile", "remove", "p").exit_code == 0
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 1 and "was exported redacted" in r.stderr
    with engine.connect() as conn:
        assert list(conn.exec_driver_sql("select url from channels")) == []


def test_two_channels_that_redact_alike_both_come_back(engine, capsys, tmp_path):
    """Two Telegram bots posting to one chat export as the same redacted line: each stands
    for its own stored URL (they both came back as the first, and one channel was lost)."""
    bots = [
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345",
        "tgram://123456789:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345",
    ]
    args = ["profile", "add", "p", "-k", "language model"]
    assert run_cli(capsys, *args, "--channel", bots[0], "--channel", bots[1]).exit_code == 0
    exported = run_cli(capsys, "profile", "export", "p").stdout
    path = tmp_path / "p.yaml"
    path.write_text(exported)
    before = dump(engine)
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 0, r.output
    assert dump(engine) == before
    full = run_cli(capsys, "profile", "export", "p", "--include-secrets").stdout
    assert all(bot in full for bot in bots)
