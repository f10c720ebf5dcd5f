"""Canonical paper identity: one paper is one key, whatever the source calls it.

Order of preference: the arXiv id without version, else the DOI, else a hash of the
normalised title and the first author's surname.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# New style 2501.01234 (4 or 5 digits after the dot), old style hep-th/9901001 or math.GT/0309136.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}"
_ARXIV_RE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|oai:arxiv\.org:|arxiv:|^)\s*({_NEW}|{_OLD})(?:v(\d+))?(?:\.pdf)?",
    re.IGNORECASE,
)
_DOI_RE = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)


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
    m = _DOI_RE.search(text.strip())
    if not m:
        return None
    return m.group(1).rstrip(".,;)").lower()


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
        return f"doi:{doi}"
    return title_key(title, authors[0] if authors else None)
