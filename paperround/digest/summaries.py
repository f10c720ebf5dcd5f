"""The digest stage's TL;DR step: one line for each paper a digest holds.

Runs after ranking, on the papers actually in the digest (never on all candidates): the
extractive line (paperround/digest/tldr.py) for every paper, then, when a summariser model is set
(PAPERROUND_SUMMARISER), the model's line where it has one (paperround/digest/summariser.py):
cached in the store per paper version and model, within the run's budget; any failure
keeps the extractive line and is counted. Lines are plain text: each format escapes them
like any feed text.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import Engine

from models.errors import PaperroundError
from models.records import ScoredPaper
from models.settings import get_settings
from paperround.digest.mathtext import tex_to_text
from paperround.digest.summariser import Budget, TldrReport, model_lines
from paperround.digest.tldr import extractive_tldrs

log = logging.getLogger(__name__)


def run_budget() -> Budget | None:
    """The budget one run shares across its digests, or None without a summariser model."""
    if not get_settings().summariser:
        return None
    return Budget.from_settings()


def attach_tldrs(
    items: list[ScoredPaper], *, engine: Engine | None = None, budget: Budget | None = None
) -> tuple[list[ScoredPaper], TldrReport]:
    """The items with their `tldr` filled, and what it took.

    budget: the run's shared paperround.digest.summariser.Budget (max papers, max seconds), so a
    dispatch run over many profiles spends one budget; None: a fresh one for this call.
    """
    if not items:
        return items, TldrReport()
    abstracts = [tex_to_text(s.paper.abstract) for s in items]
    lines = extractive_tldrs(abstracts)
    report = TldrReport()
    model = get_settings().summariser
    if model and engine is not None:
        try:
            lines, report = model_lines(
                items, abstracts, lines, model=model, engine=engine, budget=budget
            )
        except Exception as exc:  # a bug, a missing prompt template: never break a digest
            report = TldrReport(model=model, fallbacks=len(items))
            if isinstance(exc, PaperroundError):  # says what to do (a missing template...)
                report.reasons[f"summariser error ({exc})"] = len(items)
            else:
                log.exception("TL;DR summariser %s failed", model)
                report.reasons[f"summariser error ({type(exc).__name__})"] = len(items)
        if report.fallbacks:
            log.warning(
                "TL;DR: %d of %d papers kept the extractive line (%s failed: %s)",
                report.fallbacks,
                len(items),
                model,
                ", ".join(f"{k} {v}" for k, v in sorted(report.reasons.items())),
            )
    return [replace(s, tldr=line) for s, line in zip(items, lines, strict=True)], report
