"""A reader's profile and what hangs from it: seeds, channels, feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field

from models.schedule_words import DEFAULT_SCHEDULE
from models.tables._base import _Table
from models.utctime import UTCDateTime, utcnow


class Profile(_Table, table=True):
    """A reader's saved interests, schedule and delivery settings."""

    __tablename__ = "profiles"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused (migration 0012)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    description: str = ""
    keywords: list[list] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    excluded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weights: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule: str = DEFAULT_SCHEDULE  # cron
    timezone: str = "UTC"
    max_items: int = 10
    min_score: float = 0.0
    send_empty: bool = False
    catch_up: str = "one"  # after downtime: one digest with everything, or "each" missed slot
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The names it had before `profile rename`: its digests' links, which carry the name they
    # were sent under, keep working (models/store/digest_archive.digest_owner).
    former_names: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class Seed(_Table, table=True):
    """A paper the reader names as representative of their interests."""

    __tablename__ = "profile_seeds"
    __table_args__ = (UniqueConstraint("profile_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    key: str
    title: str = Field(sa_column=Column(Text, nullable=False))
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Named by arXiv id while the API could not be reached: no title or abstract yet, left
    # out of ranking, looked up again at the next ingest or profile command (seeds.py).
    pending: bool = False


class Channel(_Table, table=True):
    """An Apprise URL a profile's digest goes to. May hold {env:NAME} placeholders."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("profile_id", "url"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    url: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Feedback(_Table, table=True):
    """A like (+1) or dislike (-1) of a paper by a profile's reader."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("profile_id", "paper_id"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    paper_id: int = Field(foreign_key="papers.id", index=True, ondelete="CASCADE")
    value: int
    # Where it came from: cli | email | chat | web (the digest's signed links, docs/web.md).
    origin: str = Field(default="cli", sa_column_kwargs={"server_default": "cli"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
