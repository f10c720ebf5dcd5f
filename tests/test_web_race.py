"""A double click: two POSTs for the same paper at the same instant both succeed, one row."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from models.store.feedback import set_feedback
from models.store.papers import upsert_records
from models.store.profiles import create_profile
from models.tables import Profile
from tests.records import arxiv_record, fake_id


def test_simultaneous_first_likes_of_one_paper_all_succeed(engine):
    now = datetime.now(UTC)
    upsert_records(
        [arxiv_record(fake_id(n), title=f"P{n}") for n in range(20)], engine=engine, now=now
    )
    create_profile(Profile(name="alice", created_at=now), engine=engine)
    errors: list[BaseException] = []
    for n in range(20):  # 20 papers, each liked by 4 threads released together
        barrier = threading.Barrier(4)

        def click(key: str = fake_id(n), barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                set_feedback("alice", key, 1, engine=engine, origin="email")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=click) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*), sum(value) FROM feedback").one() == (20, 20)


def test_set_feedback_keeps_a_repeat_and_records_a_change_on_both_engines(any_engine):
    now = datetime.now(UTC)
    upsert_records([arxiv_record(fake_id(1), title="P1")], engine=any_engine, now=now)
    create_profile(Profile(name="alice", created_at=now), engine=any_engine)

    def rows():
        with any_engine.connect() as conn:
            return conn.exec_driver_sql("SELECT value, origin, created_at FROM feedback").all()

    set_feedback("alice", fake_id(1), 1, engine=any_engine, origin="chat")
    first = rows()
    set_feedback("alice", fake_id(1), 1, engine=any_engine)  # the same value, from the CLI
    assert rows() == first and first[0][:2] == (1, "chat")
    set_feedback("alice", fake_id(1), -1, engine=any_engine, origin="web")
    assert [r[:2] for r in rows()] == [(-1, "web")]
    set_feedback("alice", fake_id(1), None, engine=any_engine, only_if=1)  # a stale undo
    assert len(rows()) == 1
    set_feedback("alice", fake_id(1), None, engine=any_engine)  # unlike
    assert rows() == []
