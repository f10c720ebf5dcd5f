"""Seed papers from what readers already have: arXiv ids or URLs, BibTeX, Zotero CSL JSON.

Parsing is pure; resolving an arXiv id to its metadata looks in the store first, then asks
the arXiv API through ArxivApiClient (its spacing and single connection; one request per
100 ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from models.records import SeedPaper
from models.tables import Paper
from paperround.errors import ConfigError, FeedError, FetchError, NotFoundError
from paperround.ids import canonical_key, normalize_doi, parse_arxiv_id


@dataclass(frozen=True)
class SeedRef:
    """A seed as named by the reader: an arXiv id, or full metadata from a bibliography."""

    arxiv_id: str | None = None
    doi: str | None = None
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()

    def to_seed(self) -> SeedPaper:
        key = canonical_key(self.arxiv_id, self.doi, self.title, self.authors)
        return SeedPaper(key=key, title=self.title, abstract=self.abstract, authors=self.authors)


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[{}]", "", text or "").split())


def _bib_authors(text: str) -> tuple[str, ...]:
    names = []
    for raw in re.split(r"\s+and\s+", _clean(text)):
        last, sep, first = raw.partition(",")
        names.append(f"{first.strip()} {last.strip()}".strip() if sep else raw.strip())
    return tuple(n for n in names if n)


def parse_bibtex(text: str) -> list[SeedRef]:
    """Entries of a BibTeX file (Zotero, Google Scholar, arXiv exports)."""
    import bibtexparser

    library = bibtexparser.parse_string(text)
    if library.failed_blocks and not library.entries:
        raise ConfigError("could not read any BibTeX entry from the file")
    refs = []
    for entry in library.entries:
        fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        get = fields.get
        arxiv = None
        for candidate in (get("eprint"), get("url"), get("journal"), get("note"), get("doi")):
            if not candidate:
                continue
            found = parse_arxiv_id(candidate)
            if found:
                arxiv = found[0]
                break
        doi = normalize_doi(get("doi", ""))
        if doi and doi.startswith("10.48550/arxiv."):
            arxiv = arxiv or parse_arxiv_id(doi.split("arxiv.", 1)[1])[0]
            doi = None
        refs.append(
            SeedRef(
                arxiv,
                doi,
                _clean(get("title")),
                _clean(get("abstract")),
                _bib_authors(get("author")),
            )
        )
    return refs


def parse_csl_json(text: str) -> list[SeedRef]:
    """Items of a CSL JSON export (Zotero's 'CSL JSON' format)."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not CSL JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(items, dict):
        items = [items]
    refs = []
    for item in items:
        if not isinstance(item, dict) or "title" not in item:
            raise ConfigError("a CSL JSON item has no title")
        authors = tuple(
            " ".join(p for p in (a.get("given", ""), a.get("family", "")) if p)
            or a.get("literal", "")
            for a in item.get("author", [])
        )
        arxiv = None
        for candidate in (item.get("URL"), item.get("number"), item.get("note"), item.get("id")):
            found = parse_arxiv_id(str(candidate or ""))
            if found:
                arxiv = found[0]
                break
        refs.append(
            SeedRef(
                arxiv,
                normalize_doi(item.get("DOI")),
                _clean(item["title"]),
                _clean(item.get("abstract", "")),
                authors,
            )
        )
    return refs


def parse_id_list(text: str) -> list[SeedRef]:
    """One arXiv id or URL per line; blank lines and # comments ignored."""
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        found = parse_arxiv_id(line)
        if not found:
            raise ConfigError(f"line {n}: {line!r} is not an arXiv id or URL")
        refs.append(SeedRef(arxiv_id=found[0]))
    return refs


def read_seed_file(path: Path) -> list[SeedRef]:
    """BibTeX (.bib), CSL JSON (.json) or an id list (anything else)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".bib" or text.lstrip().startswith("@"):
        return parse_bibtex(text)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        return parse_csl_json(text)
    return parse_id_list(text)


def ref_from_text(text: str) -> SeedRef:
    """An arXiv id or URL typed on the command line."""
    found = parse_arxiv_id(text)
    if not found:
        raise ConfigError(f"{text!r} is not an arXiv id or URL (use --from-file for BibTeX)")
    return SeedRef(arxiv_id=found[0])


def resolve(refs: Iterable[SeedRef], *, engine: Engine, use_api: bool = True) -> list[SeedPaper]:
    """Fill in bare arXiv ids from the store, then from the arXiv API; fail on any missing.

    An API that cannot be reached is reported as such, not as papers that do not exist.
    """
    refs = list(refs)
    bare = [r.arxiv_id for r in refs if r.arxiv_id and not r.title]
    found: dict[str, SeedPaper] = {}
    if bare:
        with engine.connect() as conn:
            for row in conn.execute(select(Paper.__table__).where(Paper.__table__.c.key.in_(bare))):
                found[row.key] = SeedPaper(row.key, row.title, row.abstract, tuple(row.authors))
        missing = [i for i in bare if i not in found]
        if missing and use_api:
            found.update(_from_arxiv_api(missing))
        missing = [i for i in bare if i not in found]
        if missing:
            raise NotFoundError(
                f"seed {', '.join(missing)} not found in the store or on the arXiv API; "
                "run `paperround ingest` or give it with --from-file (BibTeX / CSL JSON)"
            )
    return [found[r.arxiv_id] if r.arxiv_id in found else r.to_seed() for r in refs]


def _from_arxiv_api(ids: list[str]) -> dict[str, SeedPaper]:
    """Metadata for ids, through the polite client (spacing, one connection)."""
    from models.settings import get_settings
    from paperround.arxiv_client import ArxivApiClient

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
        message = (
            f"the arXiv API {problem} ({exc.reason}), so seed {', '.join(ids)} could not be "
            "looked up; try again later or give it with --from-file (BibTeX / CSL JSON)"
        )
        if isinstance(exc, FeedError):
            raise FeedError("arxiv-api", message) from None
        raise FetchError(
            settings.arxiv_api_url, message, status=exc.status, transient=exc.transient
        ) from None
    return {
        r.arxiv_id: SeedPaper(r.arxiv_id, r.title, r.abstract, r.authors)
        for r in records
        if r.arxiv_id
    }
