"""Rendering (walking-skeleton version): Jinja2 templates for HTML, text and Markdown."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.records import Digest, RenderedDigest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>])", r"\\\1", str(text))


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
    )
    env.filters["md"] = _md
    return env


def subject_for(digest: Digest) -> str:
    n = len(digest.items)
    text = f"Paperround · {digest.profile} · {digest.generated_at:%Y-%m-%d} · {n} papers"
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def render_digest(digest: Digest) -> RenderedDigest:
    ctx = {
        "subject": subject_for(digest),
        "items": digest.items,
        "empty_reason": digest.empty_reason,
    }
    env = _env()
    return RenderedDigest(
        subject=ctx["subject"],
        html=env.get_template("digest.html.j2").render(ctx),
        text=env.get_template("digest.txt.j2").render(ctx),
        markdown=env.get_template("digest.md.j2").render(ctx),
    )
