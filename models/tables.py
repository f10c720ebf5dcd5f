"""SQLModel tables. Created and changed only by Alembic migrations (models/migrations).

Unique constraints back every dedup key, so re-running any stage is harmless:
papers.key, (occurrence paper, source), (sent item profile, channel, paper),
(delivery digest, channel), (claim profile, slot), (quiet window profile, channel).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import JSON, BigInteger, Column, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.schedule_words import DEFAULT_SCHEDULE
from models.utctime import UTCDateTime, utcnow

if TYPE_CHECKING:

    class _Table(SQLModel):
        """What the type checker sees of a table class: SQLAlchemy sets __table__ on every
        mapped class, but SQLModel's typing does not declare it. At run time this is SQLModel."""

        __table__: ClassVar[Table]

else:
    _Table = SQLModel


class Source(_Table, table=True):
    """A configured listing: where to fetch, how to read it, and how it has been doing."""

    __tablename__ = "sources"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str  # arxiv-rss | arxiv-api | hf-daily | feed
    url: str
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0  # consecutive failures; reset by a success
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_announced_on: date | None = None
    last_empty_reason: str | None = None  # "no announcement on 2026-11-21"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Paper(_Table, table=True):
    """One paper, whatever the number of sources, versions and cross-lists it came through."""

    __tablename__ = "papers"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)  # canonical: arXiv id, doi:..., title:<hash>
    arxiv_id: str | None = None  # not indexed: lookups go by key (an arXiv paper's key is its id)
    doi: str | None = Field(default=None, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    url: str = ""
    pdf_url: str | None = None
    version: int = 1
    version_dates: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    license: str | None = None
    journal_ref: str | None = Field(default=None, sa_column=Column(Text))
    comment: str | None = Field(default=None, sa_column=Column(Text))
    upvotes: int | None = None
    github_repo: str | None = None
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    announced_at: datetime | None = Field(default=None, index=True, sa_type=UTCDateTime)
    first_seen_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revised_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime
    )  # when a newer version was last seen
    # The store sequence of the write that added it / last revised it: commit order, which
    # digest windows follow (wall-clock times do not: a slow ingest commits late).
    seq: int = Field(default=0, sa_type=BigInteger, index=True)
    revised_seq: int | None = Field(default=None, sa_type=BigInteger, index=True)


class StoreCounter(_Table, table=True):
    """A sequence every paper write takes its next value from, inside its own transaction:
    the row lock (PostgreSQL) or write lock (SQLite) makes its order the commit order."""

    __tablename__ = "store_counters"
    name: str = Field(primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)


class PaperOccurrence(_Table, table=True):
    """That a source listed a paper: one row per (paper, source)."""

    __tablename__ = "paper_occurrences"
    __table_args__ = (UniqueConstraint("paper_id", "source"),)
    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the (paper_id, source) unique index serves paper_id lookups.
    paper_id: int = Field(foreign_key="papers.id", ondelete="CASCADE")
    source: str = Field(index=True)
    external_id: str
    announce_type: str | None = None
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IngestRun(_Table, table=True):
    """One fetch of one source: counts, or the error, or why the feed was empty."""

    __tablename__ = "ingest_runs"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    started_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    status: str = "ok"  # ok | not-modified | empty | failed
    fetched: int = 0
    new: int = 0
    revised: int = 0
    note: str | None = Field(default=None, sa_column=Column(Text))


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


class DigestRecord(_Table, table=True):
    """A rendered digest for one profile and channel, kept as the archive."""

    __tablename__ = "digests"
    __table_args__ = ({"sqlite_autoincrement": True},)  # links carry its id: never reused
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    channel_key: str  # channel id as text, or "file" for a profile without channels
    created_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # How far it covers: created_at, or the earlier slot of a catch-up digest (None: created_at).
    period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The store sequence range it read: (seq_from, seq_to]; None seq_from: a first digest.
    seq_from: int | None = Field(default=None, sa_type=BigInteger)
    seq_to: int | None = Field(default=None, sa_type=BigInteger)
    subject: str
    item_count: int = 0
    html: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    # The chat blocks ({"markdown": [...], "slack": [...]}): a resend splits them the same way.
    parts: dict | None = Field(default=None, sa_column=Column(JSON))


class Delivery(_Table, table=True):
    """The ledger: one attempt history per (digest, channel)."""

    __tablename__ = "deliveries"
    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digests.id", index=True, ondelete="CASCADE")
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    channel_key: str
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))  # secrets redacted
    # The email Message-ID, fixed when the digest is recorded: a resend after a crash is the
    # same message, which mail clients fold into one.
    message_id: str | None = Field(default=None, sa_column=Column(Text))
    # Of a failed delivery: temporary | permanent | unknown (paperround/digest/failure_class.py).
    error_class: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DigestItem(_Table, table=True):
    """A paper in a digest, with its rank, score and reasons."""

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("digest_id", "paper_id"),)
    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digests.id", index=True, ondelete="CASCADE")
    paper_id: int = Field(foreign_key="papers.id", index=True, ondelete="CASCADE")
    rank: int
    score: float
    version: int = 1
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SentItem(_Table, table=True):
    """That a paper (at a version) reached a profile's channel: never send it twice."""

    __tablename__ = "sent_items"
    __table_args__ = (UniqueConstraint("profile_id", "channel_key", "paper_id"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    channel_key: str
    paper_id: int = Field(foreign_key="papers.id", index=True, ondelete="CASCADE")
    version: int = 1
    digest_id: int | None = Field(default=None, foreign_key="digests.id", ondelete="SET NULL")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QuietWindow(_Table, table=True):
    """A channel's last run that found nothing to send: its window counts as read
    (models/store/coverage.py)."""

    __tablename__ = "quiet_windows"
    __table_args__ = (UniqueConstraint("profile_id", "channel_key"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", ondelete="CASCADE")
    channel_key: str
    seq_to: int = Field(sa_type=BigInteger)
    reach: datetime = Field(sa_type=UTCDateTime)


class RunClaim(_Table, table=True):
    """A dispatcher's claim on a profile's schedule slot: two dispatchers never both send it."""

    __tablename__ = "run_claims"
    __table_args__ = (UniqueConstraint("profile_id", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    slot: datetime = Field(sa_type=UTCDateTime)  # the scheduled time (UTC) this run serves
    claimed_by: str
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = "running"  # running | done | failed
    attempts: int = 1  # a failed slot is retried a few times, then left to the next slot
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_column=Column(Text))


class PaperSummary(_Table, table=True):
    """A TL;DR line a summariser model wrote for one version of a paper (the digest stage's
    cache: one model call per paper, never per profile or channel)."""

    __tablename__ = "paper_summaries"
    __table_args__ = (UniqueConstraint("paper_id", "version", "model", "prompt"),)
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", ondelete="CASCADE")
    version: int
    model: str = Field(sa_column=Column(Text, nullable=False))  # the llm model id
    prompt: str = Field(sa_column=Column(Text, nullable=False))  # fingerprint of prompt + language
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
