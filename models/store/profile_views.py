"""Two views of a stored profile: the ranker's (ProfileSpec) and the declarative one
(ProfileConfig, as YAML and export show it), each with its seeds, feedback and channels."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.profile_config import ProfileConfig, SeedConfig
from models.records import ProfileSpec, SeedPaper, StoredProfile
from models.store.profiles import LISTS, SCALARS, channels_of
from models.tables import Feedback, Paper, Seed


def _seeds_of(profile_id: int, *, engine: Engine) -> list[Seed]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Seed).where(Seed.profile_id == profile_id).order_by(col(Seed.id))
            ).all()
        )


def profile_spec(profile: StoredProfile, *, engine: Engine) -> ProfileSpec:
    """The ranker's plain view of a profile: seeds and feedback papers as SeedPapers
    (a pending seed has no text yet: it is left out until it is looked up)."""
    seeds = tuple(
        SeedPaper(key=s.key, title=s.title, abstract=s.abstract, authors=tuple(s.authors))
        for s in _seeds_of(profile.id, engine=engine)
        if not s.pending
    )
    liked: list[SeedPaper] = []
    disliked: list[SeedPaper] = []
    with Session(engine) as session:
        rows = session.exec(
            select(Feedback, Paper)
            .join(Paper, col(Paper.id) == col(Feedback.paper_id))
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
        keywords=profile.keywords,
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


def config_of(profile: StoredProfile, *, engine: Engine) -> ProfileConfig:
    """The declarative view of a stored profile (channels as stored, secrets included)."""
    scalars: dict[str, Any] = {k: getattr(profile, k) for k in SCALARS}
    lists: dict[str, Any] = {k: list(getattr(profile, k)) for k in LISTS}
    return ProfileConfig.model_construct(
        name=profile.name,
        **scalars,
        keywords={str(k): float(w) for k, w in profile.keywords},
        **lists,
        weights=dict(profile.weights),
        seeds=[
            SeedConfig(
                key=s.key,
                title=s.title,
                abstract=s.abstract,
                authors=list(s.authors),
                pending=s.pending,
            )
            for s in _seeds_of(profile.id, engine=engine)
        ],
        channels=[c.url for c in channels_of(profile.id, engine=engine)],
    )
