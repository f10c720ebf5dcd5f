"""Profiles, their seeds and channels, and the ranker's view of them (ProfileSpec)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.records import ProfileSpec, SeedPaper
from models.tables import Channel, Feedback, Paper, Profile, Seed
from paperround.errors import DuplicateError, NotFoundError


def _get(session: Session, name: str) -> Profile:
    prof = session.exec(select(Profile).where(Profile.name == name)).first()
    if prof is None:
        raise NotFoundError(f"no profile named {name!r} (see: paperround profile list)")
    return prof


def get_profile(name: str, *, engine: Engine) -> Profile:
    with Session(engine) as session:
        return _get(session, name)


def list_profiles(*, engine: Engine, enabled_only: bool = False) -> list[Profile]:
    with Session(engine) as session:
        query = select(Profile).order_by(Profile.name)
        if enabled_only:
            query = query.where(Profile.enabled)
        return list(session.exec(query).all())


def create_profile(
    profile: Profile,
    *,
    engine: Engine,
    seeds: list[Seed] | None = None,
    channels: list[str] | None = None,
) -> Profile:
    """Create a profile with its seeds and channels in one transaction."""
    with Session(engine) as session:
        if session.exec(select(Profile).where(Profile.name == profile.name)).first():
            raise DuplicateError(f"a profile named {profile.name!r} already exists")
        session.add(profile)
        session.flush()
        for seed in seeds or []:
            seed.profile_id = profile.id
            session.add(seed)
        for url in channels or []:
            session.add(Channel(profile_id=profile.id, url=url))
        session.commit()
        session.refresh(profile)
        return profile


def remove_profile(name: str, *, engine: Engine) -> None:
    with Session(engine) as session:
        session.delete(_get(session, name))
        session.commit()


def channels_of(profile_id: int, *, engine: Engine) -> list[Channel]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Channel).where(Channel.profile_id == profile_id).order_by(Channel.id)
            ).all()
        )


def seeds_of(profile_id: int, *, engine: Engine) -> list[Seed]:
    with Session(engine) as session:
        return list(
            session.exec(select(Seed).where(Seed.profile_id == profile_id).order_by(Seed.id)).all()
        )


def profile_spec(profile: Profile, *, engine: Engine) -> ProfileSpec:
    """The ranker's plain view of a profile: seeds and feedback papers as SeedPapers."""
    seeds = tuple(
        SeedPaper(key=s.key, title=s.title, abstract=s.abstract, authors=tuple(s.authors))
        for s in seeds_of(profile.id, engine=engine)
    )
    liked: list[SeedPaper] = []
    disliked: list[SeedPaper] = []
    with Session(engine) as session:
        rows = session.exec(
            select(Feedback, Paper)
            .join(Paper, Paper.id == Feedback.paper_id)
            .where(Feedback.profile_id == profile.id)
        ).all()
        for fb, paper in rows:
            seed = SeedPaper(
                key=paper.key,
                title=paper.title,
                abstract=paper.abstract,
                authors=tuple(paper.authors),
            )
            (liked if fb.value > 0 else disliked).append(seed)
    return ProfileSpec(
        name=profile.name,
        keywords=tuple((str(k), float(w)) for k, w in profile.keywords),
        excluded=tuple(profile.excluded),
        categories=tuple(profile.categories),
        authors=tuple(profile.authors),
        seeds=seeds,
        liked=tuple(liked),
        disliked=tuple(disliked),
        weights=dict(profile.weights),
        max_items=profile.max_items,
        min_score=profile.min_score,
    )


def touch(profile: Profile, now: datetime) -> None:
    profile.updated_at = now
