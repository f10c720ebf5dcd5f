"""Canonical paper identity: one paper is one key, whatever the source calls it.

Order of preference: the arXiv id without version, else the DOI, else a hash of the
normalised title and the first author's surname.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote

# New style 2501.01234 (4 or 5 digits after the dot), old style hep-th/9901001 or math.GT/0309136.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}"
_ARXIV_RE = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html|format)/|oai:arxiv\.org:|arxiv:|10\.48550/arxiv\.|^)\s*"
    rf"({_NEW}|{_OLD})(?:v(\d+))?(?![\w.]*\d)",
    re.IGNORECASE,
)
_DOI_RE = re.compile(r"(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
# bioRxiv/medRxiv content URLs carry a version the DOI itself does not: 10.1101/2023.12.16.571984v1
_BIORXIV_VERSION = re.compile(r"^(10\.1101/(?:\d{4}\.\d{2}\.\d{2}\.)?\d{6,})v\d+$")


def parse_arxiv_id(text: str | None) -> tuple[str, int | None] | None:
    """Return (id without version, version or None) from an id, guid or URL; None if absent.

    >>> parse_arxiv_id("oai:arXiv.org:2604.21952v1")
    ('2604.21952', 1)
    >>> parse_arxiv_id("https://arxiv.org/pdf/hep-th/9901001v2.pdf")
    ('hep-th/9901001', 2)
    """
    if not text:
        return None
    m = _ARXIV_RE.search(text.strip())
    if not m:
        return None
    ident = m.group(1)
    # Old-style archive names are lower case, but subject classes keep their case (math.GT).
    if "/" in ident:
        archive, number = ident.split("/", 1)
        if "." in archive:
            head, sub = archive.split(".", 1)
            archive = f"{head.lower()}.{sub.upper()}"
        else:
            archive = archive.lower()
        ident = f"{archive}/{number}"
    return ident, int(m.group(2)) if m.group(2) else None


def normalize_doi(text: str | None) -> str | None:
    """Lower-case DOI without resolver prefix or "doi:"; None if there is none."""
    if not text:
        return None
    m = _DOI_RE.search(unquote(text.strip()))
    if not m:
        return None
    doi = m.group(1).rstrip(".,;:)]}'").lower()
    for suffix in (".pdf", "/abstract", "/full", ".full", ".abstract", ".full-text"):
        doi = doi.removesuffix(suffix)
    return _BIORXIV_VERSION.sub(r"\1", doi)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def title_key(title: str, first_author: str | None) -> str:
    """Stable key for a paper with neither arXiv id nor DOI."""
    surname = _fold(first_author or "").split(" ")[-1] if first_author else ""
    digest = hashlib.sha1(f"{_fold(title)}|{surname}".encode()).hexdigest()[:16]
    return f"title:{digest}"


def canonical_key(
    arxiv_id: str | None, doi: str | None, title: str, authors: tuple[str, ...] = ()
) -> str:
    """The dedup key: "2501.01234", "doi:10.1101/...", or "title:<hash>"."""
    if arxiv_id:
        return arxiv_id
    if doi:
        # arXiv's own DataCite DOI (10.48550/arXiv.2501.01234) names an arXiv paper.
        found = parse_arxiv_id(doi) if doi.startswith("10.48550/") else None
        return found[0] if found else f"doi:{doi}"
    return title_key(title, authors[0] if authors else None)
