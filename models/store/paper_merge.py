"""How records of one paper combine into one row: pure functions over plain dicts.

Rules (the store's dedup semantics, documented once here):
- identity: arXiv id (no version) > DOI > title hash. Records of one batch that share a DOI
  with an arXiv record fold into it; a row is re-keyed upwards (title -> doi -> arXiv id)
  when it learns a better identity, never downwards.
- versions: a higher version number is a revision (title and abstract of the new version are
  taken even if shorter); an equal or older one only enriches.
- richer value wins otherwise: the longer abstract/title/comment/journal_ref, the longer
  author list; empty values never replace; DOI, arXiv id, licence, journal_ref fill in later.
- categories: union in order of arrival, with the primary first. Only the arXiv API and
  arXiv RSS `new`/`replace` announcements say which category is primary (an RSS `cross`
  item is listed under another category's feed), so only they may move a category to the
  front; every other source only appends.
- Hugging Face upvotes and GitHub repo: the latest non-empty value wins (they change daily).
- announced_at: the earliest announcement of any version or source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from models.ids import canonical_key
from models.records import PaperRecord

PRIMARY_TYPES = frozenset({"new", "replace"})
_EMPTY: tuple[object, ...] = (None, "", [], ())


def record_key(rec: PaperRecord) -> str:
    return canonical_key(rec.arxiv_id, rec.doi, rec.title, rec.authors)


def key_rank(key: str) -> int:
    """0 for an arXiv key, 1 for a DOI key, 2 for a title key: lower is a better identity."""
    return 2 if key.startswith("title:") else 1 if key.startswith("doi:") else 0


def says_primary(rec: PaperRecord) -> bool:
    """Whether this record's first category is authoritatively the paper's primary one."""
    if not rec.arxiv_id or not rec.categories:
        return False
    if rec.announce_type in PRIMARY_TYPES:
        return True
    return rec.announce_type is None and "arxiv.org/abs/" in rec.external_id  # arXiv API


def group_records(records: Iterable[PaperRecord]) -> dict[str, list[PaperRecord]]:
    """Records by canonical key; a DOI-only group folds into the arXiv group with its DOI."""
    groups: dict[str, list[PaperRecord]] = {}
    for rec in records:
        groups.setdefault(record_key(rec), []).append(rec)
    by_doi = {
        r.doi: key for key, recs in groups.items() if key_rank(key) == 0 for r in recs if r.doi
    }
    for key in [k for k in groups if k.startswith("doi:")]:
        target = by_doi.get(key[4:])
        if target is not None:
            groups[target].extend(groups.pop(key))
    return groups


def _richer(old, new):
    if new in _EMPTY:
        return old
    if old in _EMPTY:
        return new
    if isinstance(new, str | list) and len(new) > len(old):
        return new
    return old


def merge_categories(old: list[str], rec: PaperRecord) -> list[str]:
    out = list(old)
    out.extend(c for c in dict.fromkeys(rec.categories) if c not in old)
    if says_primary(rec) and out[0] != rec.categories[0]:
        out.remove(rec.categories[0])
        out.insert(0, rec.categories[0])
    return out


def new_row(key: str, rec: PaperRecord, now: datetime) -> dict:
    """A papers row from the first record of a group."""
    version = rec.version or 1
    return {
        "key": key,
        "arxiv_id": rec.arxiv_id,
        "doi": rec.doi,
        "title": rec.title,
        "abstract": rec.abstract,
        "authors": list(rec.authors),
        "categories": list(dict.fromkeys(rec.categories)),
        "url": rec.url,
        "pdf_url": rec.pdf_url,
        "version": version,
        "version_dates": {str(version): (rec.published or now).date().isoformat()},
        "license": rec.license,
        "journal_ref": rec.journal_ref,
        "comment": rec.comment,
        "upvotes": rec.upvotes,
        "github_repo": rec.github_repo,
        "keywords": list(dict.fromkeys(rec.keywords)),
        "announced_at": rec.published or now,
        "first_seen_at": now,
        "updated_at": now,
        "revised_at": None,
    }


def merge_record(row: dict, rec: PaperRecord, now: datetime) -> bool:
    """Merge one record into a row's values in place; True when it is a newer version."""
    gained_arxiv = rec.arxiv_id is not None and row["arxiv_id"] is None
    for name in ("title", "abstract", "journal_ref", "comment"):
        row[name] = _richer(row[name], getattr(rec, name))
    for name in ("doi", "arxiv_id", "license"):
        row[name] = row[name] or getattr(rec, name)
    for name in ("url", "pdf_url"):  # an arXiv record brings the arXiv pages
        value = getattr(rec, name)
        row[name] = value if (gained_arxiv and value) else row[name] or value
    row["authors"] = _richer(row["authors"], list(rec.authors))
    row["categories"] = merge_categories(row["categories"], rec)
    row["keywords"] = row["keywords"] + [k for k in rec.keywords if k not in row["keywords"]]
    if rec.upvotes is not None:
        row["upvotes"] = rec.upvotes
    row["github_repo"] = rec.github_repo or row["github_repo"]
    if rec.published and (row["announced_at"] is None or rec.published < row["announced_at"]):
        row["announced_at"] = rec.published
    revised = False
    if rec.version:
        day = (rec.published or now).date().isoformat()
        if str(rec.version) not in row["version_dates"]:
            row["version_dates"] = {**row["version_dates"], str(rec.version): day}
        if rec.version > (row["version"] or 1):
            revised = True
            row.update(version=rec.version, revised_at=now)
            for name in ("title", "abstract", "url", "pdf_url"):
                row[name] = getattr(rec, name) or row[name]
    rekey(row)
    return revised


def merge_rows(winner: dict, loser: dict) -> None:
    """Fold another stored row of the same paper into winner (both were stored apart)."""
    for name in ("title", "abstract", "journal_ref", "comment", "authors"):
        winner[name] = _richer(winner[name], loser[name])
    for name in ("arxiv_id", "doi", "license", "url", "pdf_url", "github_repo", "upvotes"):
        winner[name] = winner[name] if winner[name] is not None else loser[name]
    winner["categories"] = winner["categories"] + [
        c for c in loser["categories"] if c not in winner["categories"]
    ]
    winner["keywords"] = winner["keywords"] + [
        k for k in loser["keywords"] if k not in winner["keywords"]
    ]
    winner["version_dates"] = {**loser["version_dates"], **winner["version_dates"]}
    for name in ("announced_at", "first_seen_at"):
        if loser[name] is not None and (winner[name] is None or loser[name] < winner[name]):
            winner[name] = loser[name]
    # The later write's sequence: a window that had not reached the loser yet still sees it
    # (a paper may be considered again, never skipped; sent_items keep it from being resent).
    for name in ("seq", "revised_seq"):
        if (loser.get(name) or 0) > (winner.get(name) or 0):
            winner[name] = loser[name]
    rekey(winner)


def rekey(row: dict) -> None:
    """Move a row's key up to the best identity it now has (title -> doi -> arXiv id)."""
    if row["arxiv_id"]:
        row["key"] = row["arxiv_id"]
    elif row["doi"] and key_rank(row["key"]) == 2:
        row["key"] = f"doi:{row['doi']}"
