"""Full-size arXiv RSS days in exactly the rss.arxiv.org shape, built from real records.

The shape (namespaces, channel header, item element order, the description prefix
"arXiv:IDvN Announce Type: TYPE \\nAbstract: ...", guid, one <category> per class with the
primary first, dc:rights, the single comma-joined dc:creator) is copied from the real
captures in tests/fixtures/arxiv-rss/. Titles, authors, categories and abstracts come from
real papers: the 3,000 of tests/fixtures/records/ (enough for every test), then, for larger
days, ../shared/data (arxiv-category-bench and arxiv-daily-cs-jsonl) when it is present.
The sample is the first 3,000 records of arxiv-category-bench in its own order, so a day
that reads on into ../shared uses the same records as one read from ../shared alone.

Used by tests (up to 3,000 items), bench/ingest.py and bench/cycle.py (6,000 items), and the
RSS template by scripts/make_demo_feeds.py.
"""

from __future__ import annotations

import json
import lzma
import random
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from tests.fixtures import RECORDS

SHARED = Path(__file__).resolve().parents[2] / "shared"
MORE_DATA_DIRS = (  # only for days larger than the sample (benchmarks); optional
    SHARED / "data" / "arxiv-category-bench" / "papers",
    SHARED / "data" / "arxiv-daily-cs-jsonl",
)
DEFAULT_MIX: Mapping[str, float] = {"new": 0.5, "cross": 0.2, "replace": 0.2, "replace-cross": 0.1}
LICENSES = (
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
)
OLD_ARCHIVES = ("math", "hep-th", "cond-mat", "astro-ph", "quant-ph", "gr-qc", "physics")
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z-]+)?$")
_EDT = timezone(timedelta(hours=-4))

CHANNEL_HEAD = """<rss xmlns:arxiv="http://arxiv.org/schemas/atom" \
xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>{cat} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{cat}</link>
    <description>{cat} updates on the arXiv.org e-print archive.</description>
    <atom:link href="http://rss.arxiv.org/rss/{cat}" rel="self" type="application/rss+xml" />
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>{build}</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>{pub}</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
"""
ITEM = """    <item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/{id}</link>
      <description>arXiv:{id}v{version} Announce Type: {kind} \nAbstract: {abstract}</description>
      <guid isPermaLink="false">oai:arXiv.org:{id}v{version}</guid>
{categories}
      <pubDate>{pub}</pubDate>
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>{rights}</dc:rights>
      <dc:creator>{authors}</dc:creator>
    </item>
"""
CHANNEL_TAIL = "    </channel>\n</rss>"


@lru_cache(maxsize=4)
def _pool(min_size: int) -> tuple[dict, ...]:
    """Real records, deduplicated by id, read file by file until there are enough."""
    seen: dict[str, dict] = {}
    files = [RECORDS] + [p for d in MORE_DATA_DIRS for p in sorted(d.glob("*.jsonl"))]
    for path in files:
        with (lzma.open if path.suffix == ".xz" else open)(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                seen.setdefault(rec["id"], rec)
        if len(seen) >= min_size:
            break
    return tuple(seen.values())


def _old_style_id(rng: random.Random) -> str:
    archive = rng.choice(OLD_ARCHIVES)
    year, month, number = rng.randint(92, 106) % 100, rng.randint(1, 12), rng.randint(1, 999)
    return f"{archive}/{year:02d}{month:02d}{number:03d}"


def make_arxiv_rss_day(
    n_items: int,
    *,
    day: date,
    seed: int = 0,
    mix: Mapping[str, float] = DEFAULT_MIX,
    category: str = "cs.LG",
    old_style_share: float = 0.05,
) -> bytes:
    """One day's listing of n_items, deterministic for (n_items, day, seed, mix).

    Types are assigned in exact proportions of `mix` (then shuffled); replace and
    replace-cross items get versions 2..5, and a share of them old-style ids such as
    "math/0501001" (arXiv keeps announcing replacements of pre-2007 papers).
    n_items=0 gives the item-less channel arXiv serves on weekends and holidays.
    """
    rng = random.Random(f"{seed}:{day.isoformat()}:{n_items}")
    pub = format_datetime(datetime.combine(day, time(0, 0), _EDT))
    build = format_datetime(datetime.combine(day, time(4, 0, 1), UTC))
    parts = [CHANNEL_HEAD.format(cat=category, build=build, pub=pub)]
    if n_items:
        pool = _pool(max(n_items, 1000))
        picks = [pool[i % len(pool)] for i in rng.sample(range(len(pool)), min(n_items, len(pool)))]
        picks += [pool[rng.randrange(len(pool))] for _ in range(n_items - len(picks))]
        kinds = _kinds(n_items, mix, rng)
        for i, (rec, kind) in enumerate(zip(picks, kinds, strict=True)):
            parts.append(_item(rec, kind, i, pub, rng, old_style_share))
    parts.append(CHANNEL_TAIL)
    return "".join(parts).encode("utf-8")


def _kinds(n: int, mix: Mapping[str, float], rng: random.Random) -> list[str]:
    total = sum(mix.values())
    kinds: list[str] = []
    for kind, share in mix.items():
        kinds += [kind] * round(n * share / total)
    kinds = (kinds + [next(iter(mix))] * n)[:n]
    rng.shuffle(kinds)
    return kinds


def _item(rec: dict, kind: str, i: int, pub: str, rng: random.Random, old_share: float) -> str:
    ident = rec["id"]
    version = 1
    if kind.startswith("replace"):
        version = rng.randint(2, 5)
        if rng.random() < old_share:
            ident = _old_style_id(rng)
    cats = [c for c in rec.get("categories", ()) if _CATEGORY.match(c)] or ["cs.LG"]
    abstract = " ".join((rec.get("abstract") or rec.get("summary") or "").split())
    return ITEM.format(
        title=escape(" ".join(rec["title"].split())),
        id=ident,
        version=version,
        kind=kind,
        abstract=escape(abstract),
        categories="\n".join(f"      <category>{escape(c)}</category>" for c in cats),
        pub=pub,
        rights=LICENSES[i % len(LICENSES)],
        authors=escape(", ".join(rec.get("authors", ()))),
    )


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    sys.stdout.buffer.write(make_arxiv_rss_day(n, day=date(2026, 4, 27)))
