"""A profile's feedback as people see it: `profile history`, and what a feedback link shows.

Feedback is written by profiles.set_feedback (the one write path, for the CLI and the web).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.errors import NotFoundError
from models.tables import Delivery, DigestItem, DigestRecord, Feedback, Paper, Profile

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


def history(name: str, *, engine: Engine, limit: int = 50) -> list[dict]:
    """What was sent (or attempted) when, paper by paper (its key: what `like` takes), with
    the reasons it was picked and the feedback given (and where it came from)."""
    with Session(engine) as session:
        profile_id = _profile_id(session, name)
        rows = session.exec(
            select(DigestRecord, Delivery)
            .join(Delivery, col(Delivery.digest_id) == col(DigestRecord.id))
            .where(DigestRecord.profile_id == profile_id)
            .order_by(col(DigestRecord.id).desc())
            .limit(limit)
        ).all()
        none: tuple[str | None, str | None] = (None, None)
        feedback: dict[int, tuple[str | None, str | None]] = {
            f.paper_id: (_WORDS.get(f.value), f.origin)
            for f in session.exec(select(Feedback).where(Feedback.profile_id == profile_id))
        }
        out = []
        for digest, delivery in rows:
            items = session.exec(
                select(DigestItem, Paper)
                .join(Paper, col(Paper.id) == col(DigestItem.paper_id))
                .where(DigestItem.digest_id == digest.id)
                .order_by(col(DigestItem.rank))
            ).all()
            out.append(
                {
                    "digest": digest.id,
                    "created_at": digest.created_at,
                    "status": delivery.status,
                    "error": delivery.error,
                    "papers": [
                        {
                            "rank": item.rank,
                            "paper": paper.key,
                            "title": paper.title,
                            "reasons": item.reasons,
                            "feedback": feedback.get(item.paper_id, none)[0],
                            "origin": feedback.get(item.paper_id, none)[1],
                        }
                        for item, paper in items
                    ],
                }
            )
        return out
