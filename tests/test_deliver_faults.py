"""Delivery faults against real servers: each failure classed temporary / permanent / unknown
with the server's code, recorded in the ledger and listed; a hung server costs a bounded time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from models.store import papers
from models.store.profiles import create_profile
from models.tables import Delivery, Profile
from paperround.digest.deliver import deliver
from paperround.digest.render import render_digest
from paperround.digest.run import digest_profile
from tests.cli import run_cli
from tests.digests import fixed_digest
from tests.records import arxiv_record, fake_id
from tests.servers import HangingServer, HttpSink, SmtpSink, free_port


@pytest.mark.parametrize(
    "refusal,failure_class,code",
    [
        ({"rcpt_reply": "451 4.3.0 Mailbox busy, try again later"}, "temporary", 451),
        ({"data_reply": "554 5.7.1 Message rejected as spam"}, "permanent", 554),
    ],
)
def test_smtp_refusals_are_classed_by_their_reply_code(refusal, failure_class, code):
    with SmtpSink(**refusal) as smtp:
        result = deliver(render_digest(fixed_digest()), smtp.mailto())
    assert not result.ok and not smtp.messages
    assert (result.failure_class, result.failure_code) == (failure_class, code)
    assert f"SMTP {code} " in result.error  # the server's own words, code first
    assert next(iter(refusal.values()))[4:] in result.error


@pytest.mark.parametrize(
    "status,failure_class",
    [(500, "temporary"), (503, "temporary"), (429, "temporary"), (404, "permanent")],
)
def test_webhook_statuses_are_classed(status, failure_class):
    with HttpSink() as sink:
        sink.status = status
        result = deliver(render_digest(fixed_digest()), sink.url())
    assert (result.ok, result.failure_class, result.failure_code) == (False, failure_class, status)


def test_network_errors_are_temporary_and_config_errors_permanent(monkeypatch):
    rendered = render_digest(fixed_digest())
    port = free_port()  # nothing listens there
    refused = deliver(
        rendered, f"mailto://127.0.0.1:{port}?mode=insecure&from=d@example.org&to=r@example.org"
    )
    assert (refused.failure_class, refused.failure_code) == ("temporary", None)
    assert deliver(rendered, f"json://127.0.0.1:{port}/hook").failure_class == "temporary"
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    unset = deliver(rendered, "mailto://u:{env:NO_SUCH_SECRET}@127.0.0.1?to=r@example.org")
    assert unset.failure_class == "permanent" and "NO_SUCH_SECRET" in unset.error


def test_a_hung_smtp_server_costs_the_delivery_timeout_and_is_temporary(monkeypatch):
    """The server holds each connection for 10 s, well under Apprise's own 15 s default:
    with PAPERROUND_DELIVERY_TIMEOUT=0.5 the client must give up first."""
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_DELIVERY_TIMEOUT", "0.5")
    get_settings.cache_clear()
    with HangingServer(patience=10) as hung:
        url = f"mailto://127.0.0.1:{hung.port}?mode=insecure&from=d@example.org&to=r@example.org"
        result = deliver(render_digest(fixed_digest()), url)
        assert hung.client_gave_up.wait(10)
    assert not hung.server_gave_up.is_set()
    assert (result.ok, result.failure_class, result.failure_code) == (False, "temporary", None)
    assert "timed out" in result.error


def test_a_timeout_written_in_the_url_is_kept():
    import apprise

    from paperround.digest.deliver import bound_timeouts

    for url, expected in (
        (
            "mailto://127.0.0.1:2525?mode=insecure&from=d@example.org&to=r@example.org&cto=7",
            (7, 30),
        ),
        ("json://127.0.0.1/hook?RTO=9", (30, 9)),
        ("json://127.0.0.1/hook", (30, 30)),
    ):
        app = apprise.Apprise()
        assert app.add(url)
        service = bound_timeouts(app[0], url, 30.0)
        assert (service.socket_connect_timeout, service.socket_read_timeout) == expected, url


def test_the_failure_class_is_recorded_and_listed(engine, paperround_home, capsys):
    now = datetime.now(UTC)
    papers.upsert_records(
        [arxiv_record(fake_id(1), title="Feature learning dynamics", published=now)],
        engine=engine,
        now=now - timedelta(hours=1),
    )
    with SmtpSink(rcpt_reply="451 4.7.1 Greylisted, come back in 5 minutes") as smtp:
        prof = create_profile(
            Profile(name="theory", keywords=[["feature learning", 1.0]]),
            engine=engine,
            channels=[smtp.mailto()],
        )
        outcome = digest_profile(prof, engine=engine, now=now, home=paperround_home)
    assert not outcome.ok
    with engine.connect() as conn:
        status, error, error_class = conn.execute(
            Delivery.__table__.select().with_only_columns(
                Delivery.__table__.c.status,
                Delivery.__table__.c.error,
                Delivery.__table__.c.error_class,
            )
        ).one()
    assert (status, error_class) == ("failed", "temporary")
    assert "SMTP 451 4.7.1 Greylisted" in error

    (row,) = json.loads(run_cli(capsys, "digest", "list", "--json").stdout)
    assert (row["status"], row["error_class"]) == ("failed", "temporary")
    table = run_cli(capsys, "digest", "list")
    assert table.exit_code == 0 and "failed (temporary)" in table.stdout
