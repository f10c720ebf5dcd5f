"""Profiles, their seeds and channels, and the ranker's view of them (ProfileSpec)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from models.errors import ConfigError, DuplicateError, NotFoundError
from models.profile_config import ProfileConfig, SeedConfig
from models.records import ProfileSpec, SeedPaper
from models.tables import Channel, Feedback, Paper, Profile, Seed, utcnow
from models.userinput import check_name


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
    """The ranker's plain view of a profile: seeds and feedback papers as SeedPapers
    (a pending seed has no text yet: it is left out until it is looked up)."""
    seeds = tuple(
        SeedPaper(key=s.key, title=s.title, abstract=s.abstract, authors=tuple(s.authors))
        for s in seeds_of(profile.id, engine=engine)
        if not s.pending
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


_SCALARS = (
    "description",
    "enabled",
    "schedule",
    "timezone",
    "max_items",
    "min_score",
    "send_empty",
    "catch_up",
)
_LISTS = ("excluded", "categories", "authors", "sources")


def config_of(profile: Profile, *, engine: Engine) -> ProfileConfig:
    """The declarative view of a stored profile (channels as stored, secrets included)."""
    return ProfileConfig.model_construct(
        name=profile.name,
        **{k: getattr(profile, k) for k in _SCALARS},
        keywords={str(k): float(w) for k, w in profile.keywords},
        **{k: list(getattr(profile, k)) for k in _LISTS},
        weights=dict(profile.weights),
        seeds=[
            SeedConfig(
                key=s.key,
                title=s.title,
                abstract=s.abstract,
                authors=list(s.authors),
                pending=s.pending,
            )
            for s in seeds_of(profile.id, engine=engine)
        ],
        channels=[c.url for c in channels_of(profile.id, engine=engine)],
    )


def save_profile(
    config: ProfileConfig, *, engine: Engine, now: datetime, mode: str = "upsert"
) -> tuple[Profile, bool]:
    """Create or update a profile with its seeds and channels in one transaction.

    mode: "create" (fails if it exists), "update" (fails if it does not) or "upsert".
    Returns (profile, created). Seeds and channels are replaced by the config's lists.
    """
    with Session(engine) as session:
        prof = session.exec(select(Profile).where(Profile.name == config.name)).first()
        if prof is not None and mode == "create":
            raise DuplicateError(f"a profile named {config.name!r} already exists")
        if prof is None and mode == "update":
            raise NotFoundError(f"no profile named {config.name!r} (see: paperround profile list)")
        created = prof is None
        if created:
            prof = Profile(name=config.name, created_at=now)
        for k in _SCALARS:
            setattr(prof, k, getattr(config, k))
        for k in _LISTS:
            setattr(prof, k, list(getattr(config, k)))
        prof.keywords = [[k, w] for k, w in config.keywords.items()]
        prof.weights = dict(config.weights)
        prof.updated_at = now
        session.add(prof)
        session.flush()
        _replace_children(session, prof.id, config)
        session.commit()
        session.refresh(prof)
        return prof, created


def _replace_children(session: Session, profile_id: int, config: ProfileConfig) -> None:
    current_seeds = {
        s.key: s for s in session.exec(select(Seed).where(Seed.profile_id == profile_id))
    }
    wanted = [s.key for s in config.seeds]
    if list(current_seeds) != wanted or any(
        (c.title, c.abstract, list(c.authors), c.pending)
        != (s.title, s.abstract, list(s.authors), s.pending)
        for s in config.seeds
        if (c := current_seeds.get(s.key)) is not None
    ):
        for seed in current_seeds.values():
            session.delete(seed)
        session.flush()
        for s in config.seeds:
            session.add(
                Seed(
                    profile_id=profile_id,
                    key=s.key,
                    title=s.title,
                    abstract=s.abstract,
                    authors=list(s.authors),
                    pending=s.pending,
                )
            )
    current = {
        c.url: c for c in session.exec(select(Channel).where(Channel.profile_id == profile_id))
    }
    for url, chan in current.items():
        if url not in config.channels:
            session.delete(chan)
    for url in config.channels:
        if url not in current:
            session.add(Channel(profile_id=profile_id, url=url))


def rename_profile(old: str, new: str, *, engine: Engine) -> str:
    """Rename a profile; returns the new name as stored (checked and stripped)."""
    new = check_name(new, "profile")
    with Session(engine) as session:
        prof = _get(session, old)
        if session.exec(select(Profile).where(Profile.name == new)).first():
            raise DuplicateError(f"a profile named {new!r} already exists")
        prof.name = new
        session.add(prof)
        session.commit()
    return new


def set_enabled(name: str, enabled: bool, *, engine: Engine) -> None:
    with Session(engine) as session:
        prof = _get(session, name)
        prof.enabled = enabled
        session.add(prof)
        session.commit()


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
        prof = _get(session, name)
        paper = session.exec(select(Paper).where(Paper.key == paper_key)).first()
        if paper is None:
            raise NotFoundError(
                f"no paper {paper_key!r} in the store (see: paperround papers search)"
            )
        if value is None:
            fb = session.exec(
                select(Feedback).where(
                    Feedback.profile_id == prof.id, Feedback.paper_id == paper.id
                )
            ).first()
            if fb is not None and (only_if is None or fb.value == only_if):
                session.delete(fb)
        else:
            # One statement, so two clicks at once cannot both insert (a select-then-insert
            # lost the race with a UNIQUE error: tests/test_web_race.py).
            table = Feedback.__table__  # type: ignore[attr-defined]
            dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(table).values(
                profile_id=prof.id, paper_id=paper.id, value=value, origin=origin,
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
