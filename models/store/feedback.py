"""What a feedback link shows: the paper and the profile's current choice (profile history,
with each paper's feedback and origin, is digest_archive.history).

Feedback is written by set_feedback (the one write path, for the CLI and the web).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models.errors import ConfigError, NotFoundError
from models.tables import Feedback, Paper, Profile, utcnow

_WORDS = {1: "like", -1: "dislike"}


def _profile_id(session: Session, name: str) -> int:
    found = session.exec(select(Profile.id).where(Profile.name == name)).first()
    if found is None:
        raise NotFoundError(f"no profile named {name!r} (see: paperround profile list)")
    return found


@dataclass(frozen=True)
class FeedbackTarget:
    """One paper as a profile's reader sees it on a feedback page, with the current choice."""

    profile: str
    key: str
    title: str
    url: str
    feedback: str | None  # "like" | "dislike" | None
    origin: str | None


def feedback_target(name: str, paper_key: str, *, engine: Engine) -> FeedbackTarget:
    """The paper a link is about and what the profile said of it; reads only."""
    with Session(engine) as session:
        profile_id = _profile_id(session, name)
        paper = session.exec(select(Paper).where(Paper.key == paper_key)).first()
        if paper is None:
            raise NotFoundError(f"no paper {paper_key!r} in the store")
        fb = session.exec(
            select(Feedback).where(Feedback.profile_id == profile_id, Feedback.paper_id == paper.id)
        ).first()
        return FeedbackTarget(
            profile=name,
            key=paper.key,
            title=paper.title,
            url=paper.url,
            feedback=_WORDS.get(fb.value) if fb else None,
            origin=fb.origin if fb else None,
        )


def feedback_on(name: str, paper_keys: Iterable[str], *, engine: Engine) -> dict[str, str]:
    """{paper key: "like" | "dislike"} for the given papers this profile gave feedback on."""
    keys = list(paper_keys)
    with Session(engine) as session:
        profile_id = _profile_id(session, name)
        rows = session.exec(
            select(Paper.key, Feedback.value)
            .join(Feedback, col(Feedback.paper_id) == col(Paper.id))
            .where(Feedback.profile_id == profile_id, col(Paper.key).in_(keys))
        ).all()
    return {key: _WORDS[value] for key, value in rows if value in _WORDS}


FEEDBACK_ORIGINS = ("cli", "email", "chat", "web")


def set_feedback(
    name: str,
    paper_key: str,
    value: int | None,
    *,
    engine: Engine,
    origin: str = "cli",
    only_if: int | None = None,
) -> str:
    """Like (+1), dislike (-1) or forget (None) a stored paper; returns the paper's title.

    origin: where it came from (FEEDBACK_ORIGINS). Setting the value a paper already has
    changes nothing (not even its origin or time), so a replayed web POST is harmless.
    only_if: forget only if the stored value is this one (a web "undo" never removes a
    later, different choice).
    """
    if origin not in FEEDBACK_ORIGINS:
        raise ConfigError(f"feedback origin {origin!r}: expected one of {FEEDBACK_ORIGINS}")
    with Session(engine) as session:
        prof_id = _profile_id(session, name)
        paper = session.exec(select(Paper).where(Paper.key == paper_key)).first()
        if paper is None:
            raise NotFoundError(
                f"no paper {paper_key!r} in the store (see: paperround papers search)"
            )
        if value is None:
            fb = session.exec(
                select(Feedback).where(
                    Feedback.profile_id == prof_id, Feedback.paper_id == paper.id
                )
            ).first()
            if fb is not None and (only_if is None or fb.value == only_if):
                session.delete(fb)
        else:
            # One statement, so two clicks at once cannot both insert (a select-then-insert
            # lost the race with a UNIQUE error: tests/test_web_race.py).
            table = Feedback.__table__
            dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(table).values(
                profile_id=prof_id, paper_id=paper.id, value=value, origin=origin,
                created_at=utcnow(),
            )  # fmt: skip
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["profile_id", "paper_id"],
                    set_={c: stmt.excluded[c] for c in ("value", "origin", "created_at")},
                    where=table.c.value != stmt.excluded.value,
                )
            )
        session.commit()
        return paper.title
