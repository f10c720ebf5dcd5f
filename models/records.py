"""Plain frozen records passed between pipeline stages.

Library objects (feedparser entries, httpx responses, session-bound ORM rows) are
stripped at each boundary and turned into one of these, so every stage can be
tested with hand-built values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from models.schedule_words import DEFAULT_SCHEDULE


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One paper as one source announced it, normalised but not yet deduplicated."""

    source: str  # name of the configured source, e.g. "arxiv-cs.LG"
    external_id: str  # the id as the source gives it: "oai:arXiv.org:2604.21952v1", a DOI...
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    url: str = ""  # the abstract page
    arxiv_id: str | None = (
        None  # canonical arXiv id without version: "2604.21952", "hep-th/9901001"
    )
    version: int | None = None
    doi: str | None = None  # lower case, no resolver prefix
    categories: tuple[str, ...] = ()  # primary first
    announce_type: str | None = None  # new | cross | replace | replace-cross
    published: datetime | None = None  # announcement / publication time, tz-aware
    updated: datetime | None = None
    license: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    pdf_url: str | None = None
    upvotes: int | None = None  # Hugging Face Daily Papers
    github_repo: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one response body gave: records, plus feed-level facts."""

    records: tuple[PaperRecord, ...]
    feed_title: str = ""
    announced_on: date | None = None  # the listing day the feed describes
    # An empty arXiv feed on a weekend or holiday is normal, not an error:
    # e.g. "no announcement on 2026-04-25".
    empty_reason: str | None = None
    total_results: int | None = None  # arXiv API opensearch:totalResults, for pagination
    dropped: int = 0  # junk items left out: no title and no id or link (sources._common)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored paper as the ranker sees it (no ORM, no session)."""

    paper_id: int
    key: str  # canonical key: arXiv id, "doi:..." or "title:<hash>"
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # primary first; empty when the source gives none
    url: str = ""
    pdf_url: str | None = None
    announced: datetime | None = None
    upvotes: int | None = None
    github_repo: str | None = None
    hf_url: str | None = None
    version: int = 1
    revised: bool = False  # a new version of a paper this reader already received


@dataclass(frozen=True, slots=True)
class SeedPaper:
    """A paper the reader liked before: the best description of their taste."""

    key: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """Everything the ranker needs to know about a reader, as plain values."""

    name: str
    keywords: tuple[tuple[str, float], ...] = ()  # (term or phrase, weight)
    excluded: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    seeds: tuple[SeedPaper, ...] = ()
    liked: tuple[SeedPaper, ...] = ()
    disliked: tuple[SeedPaper, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)  # per-signal overrides
    max_items: int = 10
    min_score: float = 0.0


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a paper was picked, in words ("very close to your seed “Tensor Programs
    IV”"); `detail` is what a hover adds (that seed's full title), empty when nothing."""

    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ScoredPaper:
    """A ranked paper and the one to three reasons it was picked: `reasons` as text (what
    the archive stores), `why` the same reasons with their details when the ranker gave
    them (a digest rendered from the archive has only the text)."""

    paper: Candidate
    score: float
    reasons: tuple[str, ...] = ()
    # One line on what the paper does, filled by the digest stage for the papers a digest
    # holds (paperround/digest/summaries.py): a model's line, or the extractive one.
    tldr: str = ""
    why: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestHealth:
    """The footer's health line: what was fetched and what was not."""

    sources_ok: tuple[str, ...] = ()
    sources_failed: tuple[str, ...] = ()  # "arxiv-cs.LG: HTTP 503" (no secrets)
    notes: tuple[str, ...] = ()  # "arXiv did not announce on Saturday 2026-11-21"


@dataclass(frozen=True, slots=True)
class FeedbackLinks:
    """The signed links one recorded digest carries (paperround/digest/links.py): its page
    in the browser, and per paper "more like this" / "less like this". Each opens a page
    that records nothing until the reader confirms there."""

    view: str  # the digest in the browser
    papers: dict[int, tuple[str, str]] = field(default_factory=dict)  # paper_id: (more, less)


@dataclass(frozen=True, slots=True)
class Digest:
    """One profile's digest for one run, before rendering."""

    profile: str
    generated_at: datetime  # tz-aware; "now" of the run
    items: tuple[ScoredPaper, ...]
    period_start: datetime | None = None  # last successful delivery, if any
    period_end: datetime | None = None  # a catch-up digest's slot; None: generated_at
    candidates: int = 0  # unsent papers considered
    health: DigestHealth = field(default_factory=DigestHealth)
    empty_reason: str | None = None  # "nothing matched your profile", "arXiv did not announce..."
    manage_hint: str = ""  # e.g. "paperround profile edit NAME / profile pause NAME"
    description: str = ""
    # The feedback links (None: no public URL, or not recorded yet: feedback is by the CLI).
    links: FeedbackLinks | None = None


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """A digest rendered in every format; subject has no newline or control character."""

    subject: str
    html: str
    text: str
    markdown: str
    # The Markdown cut at item boundaries: header, one block per paper, footer. Chat delivery
    # packs these into messages under each service's limit, never cutting a paper in half.
    markdown_blocks: tuple[str, ...] = ()
    slack_blocks: tuple[str, ...] = ()  # the same, escaped for Slack's mrkdwn


@dataclass(frozen=True)
class SourceOutcome:
    """What one source's fetch did: ok | not-modified | empty | failed, or warning (its papers
    are stored, a follow-up step such as the category lookup failed: the run is not failed)."""

    name: str
    status: str
    fetched: int = 0
    new: int = 0
    revised: int = 0
    note: str | None = None
    offline: bool = False  # the host could not be resolved or reached: no network here?


@dataclass(frozen=True, slots=True)
class ProfileSchedule:
    """What the dispatcher needs of an enabled profile to find its due slots."""

    profile_id: int
    name: str
    schedule: str  # cron
    timezone: str
    catch_up: str  # one | each
    created_at: datetime  # tz-aware UTC
    channel_keys: tuple[str, ...] = ()  # its channels' ids as text; none: the file channel


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A saved profile as the stages read it: the store's row copied into plain values."""

    id: int
    name: str
    description: str = ""
    keywords: tuple[tuple[str, float], ...] = ()  # (term or phrase, weight)
    excluded: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # source names it reads; empty: all
    weights: dict[str, float] = field(default_factory=dict)
    schedule: str = DEFAULT_SCHEDULE  # cron
    timezone: str = "UTC"
    max_items: int = 10
    min_score: float = 0.0
    send_empty: bool = False
    catch_up: str = "one"  # one | each
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredChannel:
    """A profile's channel: its id (the ledger's channel key, as text) and Apprise URL."""

    id: int
    url: str  # may hold secrets and {env:NAME} placeholders: redact before showing


@dataclass(frozen=True, slots=True)
class SourceState:
    """A configured source and how its fetches have been going (the store's row, copied)."""

    name: str
    kind: str  # arxiv-rss | arxiv-api | hf-daily | feed
    url: str
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0  # consecutive failures; reset by a success
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_announced_on: date | None = None
    last_empty_reason: str | None = None


@dataclass(frozen=True, slots=True)
class IngestRunRecord:
    """One fetch of one source, as the ingest log keeps it: counts, or the error."""

    source: str
    started_at: datetime
    status: str  # ok | not-modified | empty | failed
    fetched: int = 0
    new: int = 0
    revised: int = 0
    note: str | None = None
