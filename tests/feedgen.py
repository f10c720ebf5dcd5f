"""Full-size arXiv RSS days in rss.arxiv.org's exact format, from real records in ../shared.

The real captures are trimmed to 3 items; this builds days of thousands with all four
announce types, versions above 1 and old-style ids, for tests and benchmarks.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

SHARED = Path(__file__).resolve().parents[2] / "shared"
BENCH_PAPERS = SHARED / "data" / "arxiv-category-bench" / "papers"
RSS_OPEN = (
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">'
)
TRAILING_SPACE = " "  # rss.arxiv.org ends the "Announce Type" line with a space
LICENSES = (
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
)
OLD_ARCHIVES = ("math", "hep-th", "cond-mat", "astro-ph", "quant-ph", "physics")


def pubdate(day: date) -> str:
    return f"{day:%a, %d %b %Y} 00:00:00 -0400"


def rss_item(rec: dict, announce: str, version: int, license_url: str, day: date) -> str:
    """One <item> exactly as rss.arxiv.org writes it."""
    ident = f"{rec['id']}v{version}"
    cats = "\n".join(f"      <category>{escape(c)}</category>" for c in rec["categories"])
    return f"""    <item>
      <title>{escape(rec["title"])}</title>
      <link>https://arxiv.org/abs/{rec["id"]}</link>
      <description>arXiv:{ident} Announce Type: {announce}{TRAILING_SPACE}
Abstract: {escape(rec["abstract"])}</description>
      <guid isPermaLink="false">oai:arXiv.org:{ident}</guid>
{cats}
      <pubDate>{pubdate(day)}</pubDate>
      <arxiv:announce_type>{announce}</arxiv:announce_type>
      <dc:rights>{license_url}</dc:rights>
      <dc:creator>{escape(", ".join(rec["authors"]))}</dc:creator>
    </item>"""


def rss_day(items: Sequence[str], day: date, category: str = "cs.LG") -> str:
    """The channel around the items, with arXiv's header (skipDays and all)."""
    body = "\n".join(items)
    return f"""{RSS_OPEN}
  <channel>
    <title>{category} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{category}</link>
    <description>{category} updates on the arXiv.org e-print archive.</description>
    <atom:link href="http://rss.arxiv.org/rss/{category}" rel="self" type="application/rss+xml" />
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>{day:%a, %d %b %Y} 04:00:01 +0000</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>{pubdate(day)}</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
{body}
    </channel>
</rss>
"""


@cache
def bench_records() -> tuple[dict, ...]:
    """All 33,953 real records of the category benchmark (id, title, authors, categories...)."""
    return tuple(
        json.loads(line)
        for path in sorted(BENCH_PAPERS.glob("*.jsonl"))
        for line in path.read_text().splitlines()
    )


def make_arxiv_rss_day(
    n_items: int,
    *,
    day: date = date(2025, 7, 1),
    seed: int = 0,
    mix: tuple[float, float, float, float] = (0.55, 0.25, 0.15, 0.05),
    old_style_every: int = 97,
) -> bytes:
    """A listing day of n real papers: new / cross / replace / replace-cross in `mix`
    proportions, replacements at versions 2-5, and every `old_style_every`-th paper given
    a synthetic old-style id such as math/0501001 (real metadata, made-up id)."""
    rng = random.Random(seed)
    records = rng.sample(bench_records(), n_items)
    kinds = ("new", "cross", "replace", "replace-cross")
    items = []
    for i, rec in enumerate(records):
        announce = rng.choices(kinds, weights=mix)[0]
        version = 1 if announce in ("new", "cross") else rng.randint(2, 5)
        if old_style_every and i % old_style_every == old_style_every - 1:
            archive = OLD_ARCHIVES[i % len(OLD_ARCHIVES)]
            rec = {**rec, "id": f"{archive}/05{i % 12 + 1:02d}{i % 1000:03d}"}
        items.append(rss_item(rec, announce, version, LICENSES[i % 3], day))
    return rss_day(items, day).encode()
