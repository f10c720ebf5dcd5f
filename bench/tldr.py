"""Digest text cost on a 6,000-paper day of real arXiv abstracts: TL;DR lines and TeX.

    .venv/bin/python bench/tldr.py [--papers 6000] [--runs 3] [--ingest]

Papers: the first --papers of ../shared/data/arxiv-category-bench/papers (real listings).
Measures (best of --runs, as timeit does on a shared machine; imports and the first call's
warm-up are not counted):
  tldr_seconds         paperround.digest.tldr.extractive_tldrs over every abstract (display text):
                       a digest only needs its own 10-50 papers; the target is < 1 s for
                       the whole day;
  tex_seconds          paperround.digest.mathtext.tex_to_text over every title and abstract: what
                       converting at ingest would add to each ingest of that day;
  digest50_ms          both steps for the 50 papers with the most TeX (what a digest pays,
                       since they run in the digest stage);
  with --ingest:       ingest_seconds, bench/ingest.py's ingest of a 6,000-entry day into an
                       empty SQLite store, on the same machine in the same run, and
                       tex_vs_ingest = tex_seconds / ingest_seconds (budget at ingest: 5%).
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
DATA = REPO.parent / "shared" / "data" / "arxiv-category-bench" / "papers"


def load(n: int) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(DATA.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        if len(rows) >= n:
            break
    return rows[:n]


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ingest_seconds(items: int, runs: int) -> float:
    import shutil
    import tempfile

    from ingest import serve, time_ingest

    from tests.feedgen import make_arxiv_rss_day

    body = make_arxiv_rss_day(items, day=date(2026, 4, 28), seed=1)
    tmp = Path(tempfile.mkdtemp(prefix="paperround-bench-"))
    try:
        with serve(body) as url:
            time_ingest(f"sqlite:///{tmp / 'warm.db'}", url)
            return min(time_ingest(f"sqlite:///{tmp / f'e{i}.db'}", url) for i in range(runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=6000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ingest", action="store_true")
    args = ap.parse_args()

    from paperround import mathtext
    from paperround.digest.tldr import extractive_tldrs

    rows = load(args.papers)
    texts = [r["title"] for r in rows] + [r["abstract"] for r in rows]
    mathtext.tex_to_text(r"$\alpha$")  # pylatexenc's tables load once per process

    def convert() -> list[str]:
        mathtext._math.cache_clear()  # every run converts from scratch
        mathtext._tex.cache_clear()
        return [mathtext.tex_to_text(t) for t in texts]

    display = convert()[len(rows) :]
    extractive_tldrs(display[:50])
    tex_s = best(convert, args.runs)
    tldr_s = best(lambda: extractive_tldrs(display), args.runs)
    heavy = sorted(rows, key=lambda r: -(r["title"] + r["abstract"]).count("$"))[:50]

    def digest50() -> None:
        mathtext._math.cache_clear()
        mathtext._tex.cache_clear()
        extractive_tldrs([mathtext.tex_to_text(r["abstract"]) for r in heavy])
        [mathtext.tex_to_text(r["title"]) for r in heavy]

    digest_ms = best(digest50, args.runs) * 1000
    with_tex = sum(mathtext.has_tex(t) for t in texts)
    out = {
        "papers": len(rows),
        "tldr_seconds": round(tldr_s, 3),
        "tex_seconds": round(tex_s, 3),
        "strings_with_tex": with_tex,
        "strings": len(texts),
        "digest50_ms": round(digest_ms, 1),
    }
    if args.ingest:
        ing = ingest_seconds(args.papers, args.runs)
        out |= {"ingest_seconds": round(ing, 2), "tex_vs_ingest": round(tex_s / ing, 3)}
    print(
        f"{len(rows)} papers: TL;DR {tldr_s:.2f} s, TeX {tex_s:.2f} s "
        f"({with_tex} of {len(texts)} strings hold TeX), 50-paper digest {digest_ms:.0f} ms"
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
