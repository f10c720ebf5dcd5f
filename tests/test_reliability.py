"""The delivery guarantees under the faults that broke them (issue: nothing lost, nothing sent
twice): a slow ingest committing after a digest, two sends racing, a sender killed between
the SMTP server's acceptance and the ledger's record. Real processes and a real SMTP sink.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.store.digest_archive import list_digests
from models.store.profiles import get_profile
from paperround.digest.run import digest_profile
from tests.racers import READY, start_racers
from tests.servers import SmtpSink
from tests.store import papers_on, reader

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)  # Monday 23 November 2026, 07:05 in Paris
CLI = "import sys; from paperround.cli import main; main()"

# Released with the other sender (tests/racers.py), so both start their digest at once.
_SENDER = (
    """
from paperround.cli import main
"""
    + READY
    + """
sys.argv = ["paperround", "digest", "send", sys.argv[1], "--json"]
main()
"""
)


def titles_in(messages) -> list[str]:
    """The paper titles the received digests hold (each once per message it is in)."""
    out = []
    for msg in messages:
        text = msg.get_body(preferencelist=("plain", "html")).get_content()
        out += dict.fromkeys(re.findall(r"Diffusion models, study \d+", text))
    return out


def test_a_slow_ingest_that_commits_after_a_digest_is_not_lost(engine, paperround_home):
    """The window follows commit order: papers of an ingest that started before a digest ran
    but committed after it (their first_seen_at precedes the digest) go in the next one."""
    with SmtpSink() as smtp:
        reader(engine, "p", smtp.mailto())
        first = papers_on(engine, NOW - timedelta(hours=3), 1, 3)
        prof = get_profile("p", engine=engine)
        digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
        assert sorted(titles_in(smtp.messages)) == sorted(first)
        # An ingest that began an hour before that digest, and committed only now.
        late = papers_on(engine, NOW - timedelta(hours=1), 10, 4)
        outcome = digest_profile(
            prof, engine=engine, now=NOW + timedelta(days=1), home=paperround_home
        )
        assert outcome.ok and [c.items for c in outcome.channels] == [4]
        assert sorted(titles_in(smtp.messages)) == sorted(first + late)


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PAPERROUND_HOME": str(home), **extra}


def _race_two_sends(env: dict, profile: str) -> list[subprocess.CompletedProcess]:
    argv = [sys.executable, "-c", _SENDER, profile]
    done = []
    for proc in start_racers(argv, argv, env=env):
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def _racing_sends_deliver_each_paper_once(engine, env, rounds=2):
    with SmtpSink() as smtp:
        reader(engine, "p", smtp.mailto())
        expected: list[str] = []
        for n in range(rounds):
            expected += papers_on(engine, datetime.now(UTC), 100 * n + 1, 5)
            done = _race_two_sends(env, "p")
            for proc in done:
                assert proc.returncode == 0, proc.stderr
                assert "Traceback" not in proc.stderr
            got = titles_in(smtp.messages)
            assert len(got) == len(set(got)), f"round {n}: a paper was delivered twice"
            assert sorted(got) == sorted(expected), f"round {n}: a paper was lost"


def test_two_manual_sends_racing_on_sqlite_deliver_each_paper_once(engine, paperround_home):
    _racing_sends_deliver_each_paper_once(engine, _env(paperround_home))


@pytest.mark.postgres
def test_two_manual_sends_racing_on_postgres_deliver_each_paper_once(tmp_path, request):
    from models.db import get_engine

    url = request.getfixturevalue("pg_url")
    env = _env(tmp_path / "home", PAPERROUND_DATABASE_URL=url)
    _racing_sends_deliver_each_paper_once(get_engine(url), env, rounds=1)


def test_a_sender_killed_after_the_smtp_server_accepted_resends_the_same_message(
    engine, paperround_home
):
    """kill -9 between the server's acceptance and the ledger's record: the delivery stays
    pending, and the next run sends the recorded digest again with the same Message-ID
    (never a re-ranked, different email); then nothing more."""
    papers_on(engine, datetime.now(UTC), 1, 3)  # the CLI reads the real clock
    victim: dict[str, subprocess.Popen] = {}

    def kill_sender(_message) -> None:
        proc = victim.get("proc")
        if proc is not None:
            os.kill(proc.pid, signal.SIGKILL)

    env = _env(paperround_home)
    with SmtpSink(on_message=kill_sender) as smtp:
        reader(engine, "p", smtp.mailto())
        victim["proc"] = subprocess.Popen(
            [sys.executable, "-c", CLI, "digest", "send", "p"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert victim["proc"].wait(timeout=120) == -signal.SIGKILL
        del victim["proc"]
        assert len(smtp.messages) == 1
        [row] = list_digests(engine=engine)
        assert row["status"] == "pending"
        # New papers arrived meanwhile: they must not change the resent message.
        papers_on(engine, datetime.now(UTC), 50, 2)
        again = subprocess.run(
            [sys.executable, "-c", CLI, "digest", "send", "p", "--json"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr
        first, resent, *rest = smtp.messages
        assert resent["Message-ID"] == first["Message-ID"]
        assert resent["Subject"] == first["Subject"]
        assert titles_in([resent]) == titles_in([first])
        # The same run then sent the papers that came after, as a new message.
        [new] = rest
        assert sorted(titles_in([new])) == [
            "Diffusion models, study 50",
            "Diffusion models, study 51",
        ]
        assert new["Message-ID"] != first["Message-ID"]
        channels = json.loads(again.stdout)["channels"]
        assert [c["resent"] for c in channels] == [True, False]
        assert {r["status"] for r in list_digests(engine=engine)} == {"sent"}
        count = len(smtp.messages)
        subprocess.run(
            [sys.executable, "-c", CLI, "digest", "send", "p"], cwd=REPO, env=env, timeout=120
        )
        assert len(smtp.messages) == count  # nothing pending, nothing new: nothing sent


@pytest.mark.parametrize("name", ["..", ".", "a/../../b"])
def test_a_legacy_profile_name_never_writes_outside_its_digest_folder(tmp_path, name):
    """Names are checked on save; one stored before that still stays inside digests/."""
    from paperround.digest.compose import write_digest_files
    from paperround.digest.render import render_digest
    from tests.digests import fixed_digest

    html = write_digest_files(render_digest(fixed_digest()), name, NOW, tmp_path)
    assert html.parent.parent == tmp_path / "digests"
    assert html.parent.name.startswith("profile-")


def test_a_failing_channel_never_stops_the_profile_s_next_channel(engine, paperround_home):
    """Each channel is served on its own: a first channel that fails (HTTP 500) leaves the
    second one's digest untouched, and its own papers pending."""
    from models.store.profiles import create_profile
    from models.tables import Profile
    from tests.servers import HttpSink

    papers_on(engine, NOW - timedelta(hours=3), 1, 2)
    with HttpSink() as hook, SmtpSink() as smtp:
        hook.status = 500
        prof = create_profile(
            Profile(name="p", keywords=[["diffusion", 1.0]], max_items=50),
            engine=engine,
            channels=[hook.url(), smtp.mailto()],
        )
        outcome = digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
        assert [c.ok for c in outcome.channels] == [False, True]
        assert len(smtp.messages) == 1 and len(hook.posts) >= 1
