"""Profiles, their seeds and channels, and the ranker's view of them (ProfileSpec).

Rows stay in here: callers get StoredProfile / StoredChannel records (models/records.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.errors import DuplicateError, NotFoundError
from models.profile_config import ProfileConfig
from models.records import StoredChannel, StoredProfile
from models.schedule_words import stored_cron
from models.store.sources import hold_read_sources
from models.tables import Channel, Profile, Seed
from models.userinput import check_name


def _get(session: Session, name: str) -> Profile:
    prof = session.exec(select(Profile).where(Profile.name == name)).first()
    if prof is None:
        raise NotFoundError(f"no profile named {name!r} (see: paperround profile list)")
    return prof


def _record(prof: Profile) -> StoredProfile:
    assert prof.id is not None  # a stored row
    return StoredProfile(
        id=prof.id,
        name=prof.name,
        description=prof.description,
        keywords=tuple((str(k), float(w)) for k, w in prof.keywords),
        excluded=tuple(prof.excluded),
        categories=tuple(prof.categories),
        authors=tuple(prof.authors),
        sources=tuple(prof.sources),
        weights=dict(prof.weights),
        schedule=stored_cron(prof.schedule),
        timezone=prof.timezone,
        max_items=prof.max_items,
        min_score=prof.min_score,
        send_empty=prof.send_empty,
        catch_up=prof.catch_up,
        enabled=prof.enabled,
        created_at=prof.created_at,
        updated_at=prof.updated_at,
    )


def get_profile(name: str, *, engine: Engine) -> StoredProfile:
    with Session(engine) as session:
        return _record(_get(session, name))


def profile_id(name: str, *, engine: Engine) -> int:
    """A profile's id (NotFoundError when there is no profile of that name)."""
    with engine.connect() as conn:
        pid = conn.execute(select(Profile.id).where(Profile.name == name)).scalar()
    if pid is None:
        raise NotFoundError(f"no profile named {name!r} (see: paperround profile list)")
    return pid


def list_profiles(*, engine: Engine, enabled_only: bool = False) -> list[StoredProfile]:
    with Session(engine) as session:
        query = select(Profile).order_by(Profile.name)
        if enabled_only:
            query = query.where(Profile.enabled)
        return [_record(p) for p in session.exec(query).all()]


def select_profiles(names: list[str] | None, *, engine: Engine) -> list[StoredProfile]:
    """The enabled profiles, or the named ones (enabled or not); a name no profile has is a
    NotFoundError, so a typo on the command line is said, not sent as nothing."""
    found = list_profiles(engine=engine, enabled_only=not names)
    if not names:
        return found
    if unknown := set(names) - {p.name for p in found}:
        raise NotFoundError(f"no profile named {min(unknown)!r} (see: paperround profile list)")
    return [p for p in found if p.name in names]


def profiles_by_id(ids: Iterable[int], *, engine: Engine) -> dict[int, StoredProfile]:
    """The profiles of these ids that still exist, by id."""
    with Session(engine) as session:
        found = session.exec(select(Profile).where(col(Profile.id).in_(list(ids)))).all()
        return {p.id: _record(p) for p in found if p.id is not None}


def create_profile(
    profile: Profile,
    *,
    engine: Engine,
    seeds: list[Seed] | None = None,
    channels: list[str] | None = None,
) -> StoredProfile:
    """Create a profile with its seeds and channels in one transaction (tests and benchmarks
    build rows this way; the stages save a ProfileConfig: save_profile)."""
    with Session(engine) as session:
        if session.exec(select(Profile).where(Profile.name == profile.name)).first():
            raise DuplicateError(f"a profile named {profile.name!r} already exists")
        session.add(profile)
        session.flush()
        assert profile.id is not None  # the flush assigned it
        hold_read_sources(session, profile.sources, reader=profile.name)
        for seed in seeds or []:
            seed.profile_id = profile.id
            session.add(seed)
        for url in channels or []:
            session.add(Channel(profile_id=profile.id, url=url))
        session.commit()
        session.refresh(profile)
        return _record(profile)


def remove_profile(name: str, *, engine: Engine) -> None:
    with Session(engine) as session:
        session.delete(_get(session, name))
        session.commit()


def channels_of(profile_id: int, *, engine: Engine) -> list[StoredChannel]:
    """A profile's channels, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(Channel).where(Channel.profile_id == profile_id).order_by(col(Channel.id))
        ).all()
        return [StoredChannel(id=c.id, url=c.url) for c in rows if c.id is not None]


# The profile's own columns that ProfileConfig holds as they are (profile_views.config_of).
SCALARS = (
    "description",
    "enabled",
    "schedule",
    "timezone",
    "max_items",
    "min_score",
    "send_empty",
    "catch_up",
)
LISTS = ("excluded", "categories", "authors", "sources")


def save_profile(
    config: ProfileConfig, *, engine: Engine, now: datetime, mode: str = "upsert"
) -> tuple[StoredProfile, bool]:
    """Create or update a profile with its seeds and channels in one transaction.

    mode: "create" (fails if it exists), "update" (fails if it does not) or "upsert".
    Returns (profile, created). Seeds and channels are replaced by the config's lists.
    Every source the profile reads must exist (NotFoundError, nothing written): a name that
    names none would read nothing and mark each empty window read.
    """
    with Session(engine) as session:
        prof = session.exec(select(Profile).where(Profile.name == config.name)).first()
        if prof is not None and mode == "create":
            raise DuplicateError(f"a profile named {config.name!r} already exists")
        if prof is None and mode == "update":
            raise NotFoundError(f"no profile named {config.name!r} (see: paperround profile list)")
        created = prof is None
        if prof is None:
            prof = Profile(name=config.name, created_at=now)
        for k in SCALARS:
            setattr(prof, k, getattr(config, k))
        for k in LISTS:
            setattr(prof, k, list(getattr(config, k)))
        prof.keywords = [[k, w] for k, w in config.keywords.items()]
        prof.weights = dict(config.weights)
        prof.updated_at = now
        session.add(prof)
        session.flush()
        assert prof.id is not None  # the flush assigned it
        hold_read_sources(session, config.sources, reader=config.name)  # after the first write
        _replace_children(session, prof.id, config)
        session.commit()
        session.refresh(prof)
        return _record(prof), created


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
        c.url: c
        for c in session.exec(
            select(Channel).where(Channel.profile_id == profile_id).order_by(col(Channel.id))
        )
    }
    gone = [chan for url, chan in current.items() if url not in config.channels]
    for url in config.channels:
        if url in current:
            continue
        same = next((c for c in gone if _scheme(c.url) == _scheme(url)), None)
        if same is not None:  # the URL edited in place: the same channel, its ledger kept
            gone.remove(same)
            same.url = url
            session.add(same)
        else:
            session.add(Channel(profile_id=profile_id, url=url))
    for chan in gone:
        session.delete(chan)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower()


def rename_profile(old: str, new: str, *, engine: Engine) -> str:
    """Rename a profile; returns the new name as stored (checked and stripped)."""
    new = check_name(new, "profile")
    with Session(engine) as session:
        prof = _get(session, old)
        if session.exec(select(Profile).where(Profile.name == new)).first():
            raise DuplicateError(f"a profile named {new!r} already exists")
        prof.former_names = [n for n in prof.former_names if n != new] + [prof.name]
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
