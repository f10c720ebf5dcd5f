"""Seed papers from what readers already have: arXiv ids or URLs, BibTeX, Zotero CSL JSON.

Parsing is pure (no network, no database); paperround.seed_lookup fills in a bare arXiv
id's title and abstract from the store or the arXiv API.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from models.errors import ConfigError
from models.ids import canonical_key, normalize_doi, parse_arxiv_id
from models.records import SeedPaper
from models.userinput import MAX_SEED_FILE, read_text


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


def _clean(text: str | None) -> str:
    return " ".join(re.sub(r"[{}]", "", text or "").split())


# The fields a seed is made of; the rest of an entry (file paths, keywords...) is dropped
# before decoding, which costs ~1.5 ms per field in pylatexenc.
_BIB_FIELDS = frozenset(("title", "abstract", "author", "eprint", "url", "journal", "note", "doi"))
# What LaTeX decoding changes (a macro, ~, ligatures); other text is left as it is, unparsed
# (braces are dropped by `_clean`; math is kept verbatim anyway).
_LATEX = re.compile(r"[\\~]|--|``|''")


def _bibtex_stack() -> list:
    """bibtexparser's own middlewares, after its default stack: LaTeX decoded
    (Cl{\\'e}ment -> Clément) keeping braced groups, so "{Barnes and Noble}" stays one
    author; authors split on "and" and each name put first-name-first ("Hongler, Clément"
    -> "Clément Hongler", "van der Berg, Jan" -> "Jan van der Berg"). The braces left
    (protected capitals, "{NTK}") are dropped by `_clean`."""
    from bibtexparser import middlewares as mw
    from bibtexparser.middlewares.middleware import BlockMiddleware

    class KeepSeedFields(BlockMiddleware):
        def transform_entry(self, entry, library):
            entry.fields = [f for f in entry.fields if f.key.lower() in _BIB_FIELDS]
            return entry

    class LatexDecoding(mw.LatexDecodingMiddleware):
        # pylatexenc costs ~1 ms per string: decoding every field of a 2,000-entry export
        # (1 MB) took 12 s against 0.3 s undecoded. Only the seed's fields, and of those only
        # text with something to decode: 0.46 s, or 1.3 s with an accent in every entry.
        def _transform_python_value_string(self, text: str) -> tuple[str, str]:
            if not _LATEX.search(text):
                return text, ""
            return super()._transform_python_value_string(text)

    return [
        KeepSeedFields(allow_inplace_modification=True),
        LatexDecoding(keep_braced_groups=True),
        mw.SeparateCoAuthors(),
        mw.SplitNameParts(),
        mw.MergeNameParts(style="first"),
    ]


def _bib_authors(value: object) -> tuple[str, ...]:
    """The names SplitNameParts/MergeNameParts made, without the braces that kept a group
    together (a corporate author, a protected capital)."""
    names = value if isinstance(value, list) else [value] if value else []
    return tuple(n for n in (_clean(str(name)) for name in names) if n)


def parse_bibtex(text: str) -> list[SeedRef]:
    """Entries of a BibTeX file (Zotero, Google Scholar, arXiv exports)."""
    import bibtexparser

    # bibtexparser logs each broken block (warnings, errors); the summary below says enough.
    quiet = logging.getLogger("bibtexparser")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text, append_middleware=_bibtex_stack())
    finally:
        quiet.setLevel(level)
    if library.failed_blocks and not library.entries:
        raise ConfigError("could not read any BibTeX entry from the file")
    refs = []
    for entry in library.entries:
        values = {k.lower(): v.value for k, v in entry.fields_dict.items()}
        fields = {k: str(v) for k, v in values.items() if isinstance(v, str)}
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
            # arXiv's own DOI names the paper; a malformed one stays a DOI
            named = parse_arxiv_id(doi.split("arxiv.", 1)[1])
            if arxiv is None and named is not None:
                arxiv = named[0]
            if arxiv is not None:
                doi = None
        refs.append(
            SeedRef(
                arxiv,
                doi,
                _clean(get("title")),
                _clean(get("abstract")),
                _bib_authors(values.get("author")),
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
    """BibTeX (.bib), CSL JSON (.json) or an id list (anything else), of at most 10 MB.

    A file that yields no seed at all is a ConfigError: a garbled or empty export added
    nothing, and "added 0 seed(s)" would read as success."""
    text = read_text(path, limit=MAX_SEED_FILE, what="seed file (BibTeX, CSL JSON or id list)")
    if path.suffix.lower() == ".bib" or text.lstrip().startswith("@"):
        refs, expected = parse_bibtex(text), "BibTeX entries such as @article{key, title = {...}}"
    elif path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        refs, expected = parse_csl_json(text), "a CSL JSON list of items"
    else:
        refs, expected = parse_id_list(text), "arXiv ids or URLs, one a line"
    if not refs:
        raise ConfigError(f"{path}: no seed paper in this file (expected {expected})")
    return refs


def ref_from_text(text: str) -> SeedRef:
    """An arXiv id or URL typed on the command line."""
    found = parse_arxiv_id(text)
    if not found:
        raise ConfigError(f"{text!r} is not an arXiv id or URL (use --from-file for BibTeX)")
    return SeedRef(arxiv_id=found[0])
