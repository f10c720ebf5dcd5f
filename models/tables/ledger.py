"""The delivery ledger: digests as archived, deliveries, what each channel was sent, quiet
windows, schedule claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field

from models.tables._base import _Table
from models.utctime import UTCDateTime, utcnow


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
