"""Pending seeds: those named while the arXiv API could not be reached (see
paperround/seed_lookup.py), found here and filled in once their metadata is known."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.records import SeedPaper
from models.tables import Profile, Seed


def pending_seed_keys(*, engine: Engine, profile: str | None = None) -> list[str]:
    """Keys of pending seeds (of one profile, or all), each once, oldest first."""
    with Session(engine) as session:
        query = select(Seed.key).where(Seed.pending).order_by(col(Seed.id))
        if profile is not None:
            query = query.join(Profile, col(Profile.id) == col(Seed.profile_id)).where(
                Profile.name == profile
            )
        return list(dict.fromkeys(session.exec(query).all()))


def fill_pending_seeds(found: dict[str, SeedPaper], *, engine: Engine) -> int:
    """Give every pending seed whose key is in `found` its title, abstract and authors; it
    is then ranked like any seed. Returns the number of rows filled."""
    if not found:
        return 0
    with Session(engine) as session:
        rows = session.exec(select(Seed).where(Seed.pending, col(Seed.key).in_(list(found)))).all()
        for seed in rows:
            paper = found[seed.key]
            seed.title, seed.abstract = paper.title, paper.abstract
            seed.authors = list(paper.authors)
            seed.pending = False
            session.add(seed)
        session.commit()
        return len(rows)
