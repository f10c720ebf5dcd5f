"""Seed papers from what readers already have: arXiv ids or URLs, BibTeX, Zotero CSL JSON.

Parsing is pure; resolving an arXiv id to its metadata looks in the store first, then asks
the arXiv API through ArxivApiClient (its spacing and single connection; one request per
100 ids).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from models.records import SeedPaper
from models.tables import Paper
from paperround.errors import ConfigError, FeedError, FetchError, NotFoundError
from paperround.ids import canonical_key, normalize_doi, parse_arxiv_id
from paperround.userinput import MAX_SEED_FILE, read_text


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

    # bibtexparser logs each broken block (warnings, errors); the summary below says enough.
    quiet = logging.getLogger("bibtexparser")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        quiet.setLevel(level)
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
    """Items of a CSL JSON export (Zotero's 'CSL JSON' format); wrong types are one line."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not CSL JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ConfigError(f"not CSL JSON: expected a list of items, got {_json_type(items)}")
    refs = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "title" not in item:
            raise ConfigError(f"CSL JSON item {n} has no title")
        field = _csl_fields(item, n)
        arxiv = None
        for candidate in (field("URL"), field("number"), field("note"), field("id")):
            found = parse_arxiv_id(candidate)
            if found:
                arxiv = found[0]
                break
        refs.append(
            SeedRef(
                arxiv,
                normalize_doi(field("DOI")),
                _clean(field("title")),
                _clean(field("abstract")),
                _csl_authors(item.get("author", []), n),
            )
        )
    return refs


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")


def _csl_fields(item: dict, n: int):
    """A getter for an item's text fields: strings (CSL allows numbers for "id" and
    "number" only), or "" when absent."""

    def field(name: str) -> str:
        value = item.get(name)
        if value is None:
            return ""
        numeric = name in ("id", "number") and isinstance(value, int | float)
        if not (isinstance(value, str) or numeric) or isinstance(value, bool):
            raise ConfigError(
                f"CSL JSON item {n}: {name!r} should be text, got {_json_type(value)}"
            )
        return str(value)

    return field


def _csl_authors(authors: object, n: int) -> tuple[str, ...]:
    if not isinstance(authors, list):
        raise ConfigError(f"CSL JSON item {n}: 'author' should be a list of names")
    names = []
    for a in authors:
        if not isinstance(a, dict):
            raise ConfigError(
                f"CSL JSON item {n}: each author should be an object, got {_json_type(a)}"
            )
        part = _csl_fields(a, n)
        names.append(" ".join(p for p in (part("given"), part("family")) if p) or part("literal"))
    return tuple(names)


def parse_id_list(text: str) -> list[SeedRef]:
    """One arXiv id or URL per line; blank lines and # comments ignored."""
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        found = parse_arxiv_id(line)
        if not found:
            shown = line if len(line) <= 60 else line[:60] + "…"
            raise ConfigError(f"line {n}: {shown!r} is not an arXiv id or URL")
        refs.append(SeedRef(arxiv_id=found[0]))
    return refs


def read_seed_file(path: Path) -> list[SeedRef]:
    """BibTeX (.bib), CSL JSON (.json) or an id list (anything else), of at most 10 MB."""
    text = read_text(path, limit=MAX_SEED_FILE, what="seed file (BibTeX, CSL JSON or id list)")
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
