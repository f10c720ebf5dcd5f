"""No channel secret reaches an output: listings, labels, failure reasons (and so the ledger,
`digest show`, `profile show`, exports), log lines; for the services that keep their secret
where a host or a path segment would be (Telegram, Slack, Discord, Pushover, ...), and for
secrets given as {env:NAME}.

Services are reached at 127.0.0.1 (their API address pointed at a port nothing listens on):
a refused connection is the failure whose reason quotes the request path, token and all.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from apprise.plugins.discord import NotifyDiscord
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from models.store import papers
from models.store.profiles import create_profile
from models.tables import Profile
from paperround.digest.deliver import (
    deliver,
    redact_url,
    send_test_message,
    shown_url,
    validate_channel_url,
)
from tests.cli import run_cli
from tests.records import arxiv_record, fake_id
from tests.servers import free_port

TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM = f"tgram://{TG_TOKEN}/12345"
SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#papers"
DISCORD = "discord://123456789012/AbCdEfGhIjKlMnOpQrStUvWxYz"

# (URL, its secrets): what no shown form may contain.
SERVICES = [
    (TELEGRAM, ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"]),
    (SLACK, ["A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"]),
    ("slack://xoxb-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d/#chan", ["4ddbc191d40ee098"]),
    (DISCORD, ["AbCdEfGhIjKlMnOpQrStUvWxYz"]),
    ("matrixs://matrixtokenABCDEF@matrix.example.org/#room", ["matrixtokenABCDEF"]),
    ("matrix://user:matrixpass99@matrix.example.org/#room", ["matrixpass99"]),
    ("ntfys://user:pw12345678@ntfy.sh/topic", ["pw12345678"]),
    ("ntfys://ntfy.sh/topic?token=tk_abcdefghijklmnop", ["tk_abcdefghijklmnop"]),
    (
        "pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi/",
        ["uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "azGDORePK8gMaC0QOYAMyEEuzJnyUi"],
    ),
    ("json://user:jsonpass77@host.example.org/path?token=querysecret123", ["jsonpass77"]),
    (
        "json://host.example.org/path?-token=querysecret123&+Authorization=Bearer%20hdrsecret",
        ["querysecret123", "hdrsecret"],
    ),
    ("mailtos://user:hunter2SECRET@smtp.example.org?to=me@example.org", ["hunter2SECRET"]),
    ("mailtos://smtp.example.org?user=bob&pass=querypass999&to=me@example.org", ["querypass999"]),
    ("gotify://host.example.org/gotifytokenABCDE", ["gotifytokenABCDE"]),
    ("unknownservice://secretuser:secretpass@host.example.org/secretpath", ["secret"]),
]


@pytest.mark.parametrize(("url", "secrets"), SERVICES, ids=[u[:12] for u, _ in SERVICES])
def test_shown_forms_hold_no_secret(url, secrets):
    for shown in (redact_url(url), shown_url(url)):
        assert shown.split("://")[0] in url  # still says which service
        for secret in secrets:
            assert secret not in shown and quote(secret, safe="") not in shown, shown


@pytest.fixture
def services_down(monkeypatch):
    """Telegram, Discord and Slack's APIs at a local port nothing listens on."""
    port = free_port()
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"http://127.0.0.1:{port}/bot")
    monkeypatch.setattr(NotifyDiscord, "notify_url", f"http://127.0.0.1:{port}/api/webhooks")
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{port}/services")
    monkeypatch.setenv("PAPERROUND_DELIVERY_TIMEOUT", "3")


@pytest.mark.parametrize(
    ("url", "secrets"),
    [(TELEGRAM, [TG_TOKEN, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"]), *SERVICES[1:2], SERVICES[3]],
    ids=["telegram", "slack", "discord"],
)
def test_failure_reasons_hold_no_secret(services_down, url, secrets):
    result = send_test_message(url)
    assert not result.ok and result.error
    assert "connection" in result.error.lower()  # the reason is there, the secret is not
    for secret in secrets:
        assert secret not in result.error and quote(secret, safe="") not in result.error


def test_env_placeholder_in_a_token_position(services_down, monkeypatch):
    for url in (
        "tgram://{env:TG_TOKEN}/12345",
        "slack://{env:SLACK_BOT_TOKEN}/#papers",
        "discord://{env:HOOK_ID}/{env:HOOK_TOKEN}",
        "pover://{env:PO_USER}@{env:PO_TOKEN}",
    ):
        assert validate_channel_url(url) == url
        assert redact_url(url) == url  # a placeholder holds no secret: shown as written
    mixed = "mailtos://me:literalpw99@smtp.example.org?to={env:MAIL_TO}"
    assert validate_channel_url(mixed) == mixed
    assert "literalpw99" not in redact_url(mixed) and "{env:MAIL_TO}" in redact_url(mixed)
    monkeypatch.setenv("TG_TOKEN", TG_TOKEN)
    result = deliver_test("tgram://{env:TG_TOKEN}/12345")
    assert not result.ok and "connection" in (result.error or "").lower()
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in (result.error or "")


def deliver_test(url: str):
    from models.records import RenderedDigest

    return deliver(RenderedDigest("s", "<p>t</p>", "t", "t", markdown_blocks=("t",)), url)


def test_no_cli_output_or_log_line_holds_a_token(engine, capsys, caplog, services_down):
    caplog.set_level(logging.DEBUG)
    now = datetime.now(UTC)
    records = [
        arxiv_record(fake_id(2000 + n), title=f"Language model {n}", published=now)
        for n in range(1, 3)
    ]
    papers.upsert_records(records, engine=engine, now=now)
    create_profile(
        Profile(name="t", keywords=[["language model", 1.0]]),
        engine=engine,
        channels=[TELEGRAM, SLACK, DISCORD],
    )
    secrets = ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "TIiajkdnlazkcOXrIdevi7FQ"]
    secrets += ["AbCdEfGhIjKlMnOpQrStUvWxYz"]
    outputs = []
    test = run_cli(capsys, "profile", "channel", "test", "t")
    assert test.exit_code == 1 and test.stdout.count("failed") == 3
    outputs.append(test.output)
    for args in (("digest", "send", "t"), ("digest", "send", "t", "--json")):
        outputs.append(run_cli(capsys, *args).output)
    listed = run_cli(capsys, "digest", "list", "--json")
    ids = [row["id"] for row in json.loads(listed.stdout)]
    assert len(ids) == 6  # per send, one digest per channel, each failed
    outputs.append(listed.output)
    for digest_id in ids:
        shown = run_cli(capsys, "digest", "show", str(digest_id), "--json")
        (delivery,) = json.loads(shown.stdout)["deliveries"]
        assert delivery["status"] == "failed" and "connection" in delivery["error"].lower()
        outputs.append(shown.output)
    for args in (
        ("profile", "show", "t"),
        ("profile", "show", "t", "--json"),
        ("profile", "list", "--json"),
        ("profile", "channel", "list", "t"),
        ("profile", "channel", "list", "t", "--json"),
        ("profile", "export", "t"),
        ("export",),
    ):
        r = run_cli(capsys, *args)
        assert r.exit_code == 0, (args, r.output)
        outputs.append(r.output)
    with engine.connect() as conn:
        errors = list(conn.exec_driver_sql("select error from deliveries").scalars())
    assert len(errors) == 6 and all(errors)
    for text in [*outputs, *errors, caplog.text]:
        for secret in secrets:
            assert secret not in text, text
