"""A seed's title and abstract: from the store first, then the arXiv API; pending seeds.

A bare arXiv id (`profile add --seed 2006.14599`) is looked up in the papers already stored,
then on the arXiv API through ArxivApiClient (its spacing and single connection; one
request per 100 ids). When the API cannot be asked (offline, down, answering garbage), the
seed is kept as *pending* rather than refusing the whole command: it has no text yet, the
ranker leaves it out, and `resolve_pending` fills it in at the next ingest or profile
command that reaches the API. An id the API answers for and does not know is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine  # a type hint only: the SQL is in models/store/

from models.errors import FeedError, FetchError, NotFoundError
from models.records import SeedPaper
from models.settings import get_settings
from models.store.paper_queries import seed_papers
from models.store.seeds import fill_pending_seeds, pending_seed_keys
from paperround.seeds import SeedRef


@dataclass(frozen=True)
class Resolution:
    """Seeds as looked up: every one given, in order (a pending one has its key only)."""

    papers: tuple[SeedPaper, ...]
    pending: tuple[str, ...] = ()  # keys the arXiv API could not be asked about
    problem: str | None = None  # why, in one line, when any are pending

    def without_abstract(self) -> list[SeedPaper]:
        """Looked-up seeds with a title and no abstract: ranked on their title alone."""
        return [p for p in self.papers if p.key not in self.pending and not p.abstract]


def _from_arxiv_api(ids: list[str]) -> tuple[dict[str, SeedPaper], str | None]:
    """Metadata for ids through the polite client; (found, why the API could not be asked)."""
    # Here for start-up speed, not a cycle: the client's httpx and feedparser cost ~0.5 s,
    # and most seeds are found in the store or given with their text.
    from paperround.ingest.arxiv_client import ArxivApiClient

    settings = get_settings()
    # A person is waiting at the prompt: one quick retry, not ingest's patient backoff.
    client = ArxivApiClient(
        base_url=settings.arxiv_api_url,
        min_interval=settings.arxiv_api_spacing,
        timeout=15,
        retries=1,
    )
    try:
        with client:
            records = [r for page in client.lookup(ids) for r in page.records]
    except (FetchError, FeedError) as exc:
        if isinstance(exc, FeedError):
            problem = "answered with an error"
        else:
            problem = "is unreachable" if exc.status is None else "failed"
        return {}, f"the arXiv API {problem} ({exc.reason})"
    found = {
        r.arxiv_id: SeedPaper(r.arxiv_id, r.title, r.abstract, r.authors)
        for r in records
        if r.arxiv_id
    }
    return found, None


def resolve(refs: Iterable[SeedRef], *, engine: Engine, use_api: bool = True) -> Resolution:
    """Fill in bare arXiv ids from the store, then from the arXiv API.

    Ids the API could not be asked about are pending (see the module docstring); an id
    missing from the store and from an API that answered raises NotFoundError.
    """
    refs = list(refs)
    bare = [r.arxiv_id for r in refs if r.arxiv_id and not r.title]
    found = seed_papers(bare, engine=engine) if bare else {}
    missing = [i for i in bare if i not in found]
    problem = None
    pending: list[str] = []
    if missing and use_api:
        from_api, problem = _from_arxiv_api(missing)
        found.update(from_api)
        if problem is not None:
            pending = missing
    unknown = [i for i in bare if i not in found and i not in pending]
    if unknown:
        raise NotFoundError(
            f"seed {', '.join(unknown)} not found in the store or on the arXiv API; "
            "run `paperround ingest` or give it with --from-file (BibTeX / CSL JSON)"
        )
    papers = tuple(
        found[r.arxiv_id]
        if r.arxiv_id in found
        else SeedPaper(r.arxiv_id, "")
        if r.arxiv_id in pending
        else r.to_seed()
        for r in refs
    )
    return Resolution(papers, tuple(dict.fromkeys(pending)), problem)


@dataclass(frozen=True)
class PendingReport:
    resolved: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()  # still pending
    problem: str | None = None  # why they are still pending


def resolve_pending(
    *, engine: Engine, profile: str | None = None, use_api: bool = True
) -> PendingReport:
    """Look up the pending seeds (of every profile, or one) and fill in those found.

    Cheap when nothing is pending (one query); never raises for an API problem.
    """
    keys = pending_seed_keys(engine=engine, profile=profile)
    if not keys:
        return PendingReport()
    found = seed_papers(keys, engine=engine)
    missing = [k for k in keys if k not in found]
    problem = None
    if missing and use_api:
        from_api, problem = _from_arxiv_api(missing)
        found.update(from_api)
        if problem is None and (unknown := [k for k in missing if k not in found]):
            problem = f"not found on the arXiv API: {', '.join(unknown)}"
    fill_pending_seeds(found, engine=engine)
    still = tuple(k for k in keys if k not in found)
    return PendingReport(tuple(k for k in keys if k in found), still, problem if still else None)
