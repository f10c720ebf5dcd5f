"""Where papers come from and how they are stored: sources, papers, their occurrences, fetch
runs, the store counter, model TL;DRs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field

from models.tables._base import _Table
from models.utctime import UTCDateTime, utcnow


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
