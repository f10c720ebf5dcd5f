"""Build the demo's bundled feeds in examples/feeds/ from the real files in ../shared.

Run once by a developer (the demo itself never reads ../shared):
    .venv/bin/python scripts/make_demo_feeds.py

- arxiv-rss-cs.LG.xml: one listing day (2025-07-01) in rss.arxiv.org's exact format, made
  from real records of ../shared/data/arxiv-category-bench (CC0 arXiv metadata), with the
  four announce types;
- arxiv-api-page.xml: a real arXiv API response (../shared/fixtures/arxiv-api, MIT);
- hf-daily-papers.json: real Hugging Face Daily Papers entries (../shared/fixtures/hf-daily,
  MIT), plus three entries rewritten from papers of the RSS day so the demo shows one paper
  arriving from two sources becoming one row.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.feedgen import CHANNEL_HEAD, CHANNEL_TAIL, ITEM  # noqa: E402  (the one RSS template)

SHARED = REPO.parent / "shared"
OUT = REPO / "examples" / "feeds"
DAY = "2025-07-01"
PUBDATE = "Tue, 01 Jul 2025 00:00:00 -0400"
BUILD = "Tue, 01 Jul 2025 04:00:01 +0000"
THEORY = re.compile(
    r"neural tangent|\bNTK\b|feature learning|generalization (bound|error|gap)|"
    r"implicit (bias|regulari)|grokking|gradient descent|mode connectivity|training dynamics|"
    r"loss landscape|overparameteri|score (matching|estimation)|sample complexity",
    re.IGNORECASE,
)
API_PAGE = "sotawhat_api_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
LICENSES = (
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
)


def _records(pattern: str) -> list[dict]:
    folder = SHARED / "data" / "arxiv-category-bench" / "papers"
    return [
        json.loads(line)
        for path in sorted(folder.glob(pattern))
        for line in path.read_text().splitlines()
    ]


def pick() -> list[dict]:
    """12 deep-learning-theory papers (June-July 2025) and 18 others of DAY, deterministic."""
    theory = [
        r
        for r in _records("2025-0[67]-*.jsonl")
        if r["categories"][0] in ("cs.LG", "stat.ML") and THEORY.search(r["title"] + r["abstract"])
    ]
    rng = random.Random(20261123)
    theory = rng.sample(theory, 12)
    others = [r for r in _records(f"{DAY}.jsonl") if r not in theory]
    return sorted(theory + rng.sample(others, 18), key=lambda r: r["id"])


def rss_item(rec: dict, announce: str, version: int, license_url: str) -> str:
    return ITEM.format(
        title=escape(rec["title"]),
        id=rec["id"],
        version=version,
        kind=announce,
        abstract=escape(rec["abstract"]),
        categories="\n".join(f"      <category>{escape(c)}</category>" for c in rec["categories"]),
        pub=PUBDATE,
        rights=license_url,
        authors=escape(", ".join(rec["authors"])),
    )


def arxiv_rss(items: list[dict]) -> str:
    body = []
    for i, rec in enumerate(items):
        if rec["categories"][0] not in ("cs.LG", "stat.ML"):
            announce, version = "cross", 1
        elif i % 7 == 3:
            announce, version = "replace", 2
        else:
            announce, version = "new", 1
        body.append(rss_item(rec, announce, version, LICENSES[i % 2]))
    head = CHANNEL_HEAD.format(cat="cs.LG", build=BUILD, pub=PUBDATE)
    return head + "".join(body) + CHANNEL_TAIL + "\n"


def hf_daily(items: list[dict]) -> list:
    real = json.loads(
        (
            SHARED / "fixtures" / "hf-daily" / "sotawhat_hf_api_daily_papers_2026-06-12.json"
        ).read_text()
    )[:8]
    theory = [r for r in items if THEORY.search(r["title"] + r["abstract"])][:3]
    rewritten = []
    for n, rec in enumerate(theory):
        entry = json.loads(json.dumps(real[n]))
        paper = entry["paper"]
        paper.update(
            id=rec["id"],
            title=rec["title"],
            summary=rec["abstract"],
            authors=[
                {"_id": f"demo{n}{k}", "name": a, "hidden": False}
                for k, a in enumerate(rec["authors"])
            ],
            upvotes=[31, 12, 5][n],
            publishedAt=f"{DAY}T00:00:00.000Z",
            submittedOnDailyAt=f"{DAY}T00:00:00.000Z",
        )
        paper.pop("githubRepo", None)
        entry.update(title=rec["title"], summary=rec["abstract"], publishedAt=paper["publishedAt"])
        rewritten.append(entry)
    return rewritten + real


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    items = pick()
    (OUT / "arxiv-rss-cs.LG.xml").write_text(arxiv_rss(items), encoding="utf-8")
    shutil.copy(
        SHARED / "fixtures" / "arxiv-api" / API_PAGE,
        OUT / "arxiv-api-page.xml",
    )
    (OUT / "hf-daily-papers.json").write_text(
        json.dumps(hf_daily(items), indent=1, ensure_ascii=False), encoding="utf-8"
    )
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(REPO)}: {f.stat().st_size} bytes")


if __name__ == "__main__":
    main()
