"""`paperround digest preview|send|list|show` against a real store, without Prefect."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from models.store import papers
from models.store.profiles import create_profile
from models.tables import Profile
from tests.cli import run_cli
from tests.records import arxiv_record, fake_id
from tests.servers import HttpSink


def _setup(engine, channels: tuple[str, ...] = ()) -> None:
    now = datetime.now(UTC)
    records = [
        arxiv_record(
            fake_id(1000 + n),
            title=f"Implicit bias of gradient descent, part {n}",
            abstract="We characterise the implicit bias.",
            published=now,
        )
        for n in range(1, 4)
    ]
    papers.upsert_records(records, engine=engine, now=now)
    create_profile(
        Profile(name="theory", keywords=[["implicit bias", 1.0]]),
        engine=engine,
        channels=list(channels),
    )


def test_preview_sends_and_records_nothing(engine, capsys, paperround_home):
    _setup(engine)
    r = run_cli(capsys, "digest", "preview", "theory", "--format", "md")
    assert r.exit_code == 0, r.output
    assert "Implicit bias of gradient descent, part 1" in r.stdout
    assert json.loads(run_cli(capsys, "digest", "list", "--json").stdout) == []
    assert not (paperround_home / "digests").exists()


def test_send_then_list_and_show(engine, capsys, paperround_home):
    _setup(engine)
    r = run_cli(capsys, "digest", "send", "theory", "--dry-run", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["channels"][0]["items"] == 3
    assert json.loads(run_cli(capsys, "digest", "list", "--json").stdout) == []

    r = run_cli(capsys, "digest", "send", "theory")
    assert r.exit_code == 0, r.output
    (row,) = json.loads(run_cli(capsys, "digest", "list", "--json").stdout)
    assert row["profile"] == "theory" and row["status"] == "sent" and row["item_count"] == 3
    shown = run_cli(capsys, "digest", "show", str(row["id"]), "--format", "text")
    assert "Implicit bias of gradient descent, part 3" in shown.stdout
    # Sent once: a second send has nothing left.
    r = run_cli(capsys, "digest", "send", "theory", "--json")
    assert json.loads(r.stdout)["channels"] == []


def test_show_json_has_metadata_papers_and_deliveries_with_secrets_redacted(engine, capsys):
    with HttpSink() as sink:
        url = sink.url().replace("json://", "json://reader:s3cretpassword@")
        _setup(engine, channels=(url,))
        assert run_cli(capsys, "digest", "send", "theory").exit_code == 0
        assert len(sink.posts) == 1
    (row,) = json.loads(run_cli(capsys, "digest", "list", "--json").stdout)
    r = run_cli(capsys, "digest", "show", str(row["id"]), "--json", "--format", "md")
    assert r.exit_code == 0, r.output
    assert "s3cretpassword" not in r.output
    shown = json.loads(r.stdout)
    assert shown["id"] == row["id"] and shown["profile"] == "theory"
    assert shown["subject"] == row["subject"] and shown["item_count"] == 3
    assert shown["channel"].startswith("json://reader:") and shown["channel"] != url
    assert [i["rank"] for i in shown["items"]] == [1, 2, 3]
    assert {i["key"] for i in shown["items"]} == {"2611.01001", "2611.01002", "2611.01003"}
    first = shown["items"][0]
    assert first["title"].startswith("Implicit bias of gradient descent, part ")
    assert first["url"].startswith("https://arxiv.org/abs/2611.0100")
    assert first["reasons"] and first["score"] > 0
    (delivery,) = shown["deliveries"]
    assert delivery["status"] == "sent" and delivery["attempts"] == 1 and delivery["error"] is None
    assert shown["format"] == "md" and first["title"] in shown["body"]


def test_errors(engine, capsys):
    _setup(engine)
    for args, message in [
        (("digest", "preview", "nobody"), "no profile named 'nobody'"),
        (("digest", "--profile", "nobody"), "no profile named 'nobody'"),  # sent nothing, 0
        (("digest", "show", "999"), "no digest with id 999"),
    ]:
        r = run_cli(capsys, *args)
        assert r.exit_code == 1 and message in r.stderr, (args, r.output)
    r = run_cli(capsys, "digest", "preview", "theory", "--format", "pdf")  # a click Choice
    assert r.exit_code == 2 and "'pdf' is not one of 'html', 'text', 'md'" in r.stderr
