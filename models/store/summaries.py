"""The summariser's cache: TL;DR lines by (paper, version, model, prompt fingerprint)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from models.tables import PaperSummary

S = PaperSummary.__table__


def cached_lines(
    keys: Iterable[tuple[int, int]], *, model: str, prompt: str, engine: Engine
) -> dict[tuple[int, int], str]:
    """The stored lines for these (paper id, version) pairs, by pair."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    match = or_(*(and_(S.c.paper_id == p, S.c.version == v) for p, v in keys))
    query = select(S.c.paper_id, S.c.version, S.c.text).where(
        S.c.model == model, S.c.prompt == prompt, match
    )
    with engine.connect() as conn:
        return {(r.paper_id, r.version): r.text for r in conn.execute(query)}


def store_lines(
    lines: dict[tuple[int, int], str], *, model: str, prompt: str, engine: Engine, now: datetime
) -> None:
    """Keep these lines; a line another run stored meanwhile is left as it is."""
    if not lines:
        return
    rows = [
        {
            "paper_id": p,
            "version": v,
            "model": model,
            "prompt": prompt,
            "text": t,
            "created_at": now,
        }
        for (p, v), t in lines.items()
    ]
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(S).on_conflict_do_nothing(), rows)
