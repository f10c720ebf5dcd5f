"""Request-to-record latency of a feedback click: POST /f/<token> over HTTP until the like
is committed, against a 50,000-paper SQLite store.

    nice -n 5 .venv/bin/python bench/web_latency.py [--papers 50000] [--posts 100]

The store is built in a scratch home through the ingest's bulk path (models.store.papers
.upsert_records -> models.store.bulk), 5,000 synthetic papers per transaction; one profile.
The app runs for real (uvicorn on 127.0.0.1 in a thread, as `paperround serve` runs it);
one keep-alive httpx client, as a browser tab keeps its connection. Each POST is a distinct
paper, so every one writes a row (none is an idempotent replay). Timed, same run:
  post_ms       POST /f/<token>: verify, rate-limit, set_feedback (commit), render the page
  confirm_ms    GET /f/<token>: the confirmation page a click lands on (reads the paper)
  healthz_ms    GET /healthz: the HTTP floor (uvicorn + Starlette, no store, no template)
  store_ms      models.store.feedback.set_feedback in-process: the write `paperround like` does
  cli_like_ms   `paperround like ID -p NAME` through the Typer app in-process (no process start)
Each series: 10 untimed warm-up requests, then n timed; median and p90 in milliseconds.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORDS = [
    "diffusion",
    "transformer",
    "kernel",
    "gradient",
    "attention",
    "sparse",
    "graph",
    "bayesian",
    "operator",
    "spectral",
    "manifold",
    "contrastive",
    "reinforcement",
    "policy",
    "scaling",
    "mean",
    "field",
    "neural",
    "tangent",
    "language",
]


def _records(n: int):
    from models.records import PaperRecord

    for i in range(n):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(40)]
        arxiv_id = f"{2000 + i // 99999 % 700}.{i % 99999:05d}"
        yield PaperRecord(
            source="bench", external_id=f"oai:arXiv.org:{arxiv_id}v1", arxiv_id=arxiv_id,
            version=1, url=f"https://arxiv.org/abs/{arxiv_id}",
            title=f"On {words[0]} {words[1]} and {words[2]}, study {i}",
            abstract=" ".join(words), authors=(f"Author {i % 977}", "A. Nother"),
            categories=("cs.LG",), announce_type="new",
        )  # fmt: skip


def build_store(home: Path, papers: int):
    os.environ["PAPERROUND_HOME"] = str(home)
    os.environ.pop("PAPERROUND_DATABASE_URL", None)
    os.environ["PAPERROUND_ENRICH"] = "false"
    from models.db import get_engine
    from models.store.papers import upsert_records
    from models.store.profiles import create_profile
    from models.tables import Profile

    engine = get_engine()
    now = datetime.now(UTC)
    records = list(_records(papers))
    keys = []
    for start in range(0, papers, 5000):
        got = upsert_records(records[start : start + 5000], engine=engine, now=now)
        keys += list(got.keys)
    create_profile(Profile(name="bench", created_at=now - timedelta(days=1)), engine=engine)
    return engine, keys


def _series(fn, n: int) -> list[float]:
    for _ in range(10):
        fn(None)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="web-latency-") as scratch:
        home = Path(scratch) / "home"
        t0 = time.perf_counter()
        engine, keys = build_store(home, args.papers)
        built_s = time.perf_counter() - t0
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM papers").scalar()
        print(f"store: {stored} papers in {built_s:.1f} s", flush=True)
        result = {"papers": stored, "posts": args.posts, "store_build_s": round(built_s, 1)}
        result |= run(engine, home, keys, args.posts)
    result["loadavg"] = {"before": load_before, "after": os.getloadavg()}
    for name in ("post_ms", "confirm_ms", "healthz_ms", "store_ms", "cli_like_ms"):
        s = result[name]
        print(f"{name:12} median {s['median']:7.2f} ms   p90 {s['p90']:7.2f} ms   (n={s['n']})")
    print(json.dumps(result))


def run(engine, home: Path, keys: list[str], n: int) -> dict:
    import httpx

    from models.store.feedback import set_feedback
    from paperround.cli import app
    from paperround.web.app import WebConfig
    from paperround.web.ratelimit import Limit
    from paperround.web.server import WebThread
    from paperround.web.tokens import feedback_links, load_secrets

    secrets = load_secrets(home)
    now = int(time.time())
    # Distinct papers per series: every timed call is a real write, never a no-op replay.
    pools = {name: iter(keys[k * 1000 : (k + 1) * 1000]) for k, name in enumerate(
        ("post", "confirm", "store", "cli"))}  # fmt: skip
    out: dict = {}
    # Limits far above the run's rate: the limiter still runs on every request.
    roomy = Limit(burst=100_000, per_minute=100_000)
    config = WebConfig(engine=engine, home=home, per_token=roomy, per_address=roomy)
    with WebThread(config) as web, httpx.Client() as client:

        def link(pool: str) -> str:
            key = next(pools[pool])
            return feedback_links(web.url, secrets, profile="bench", paper=key, digest=None,
                                  now=now)[0]  # fmt: skip

        def post(_i):
            r = client.post(link("post"))
            assert r.status_code == 200, r.status_code

        def confirm(_i):
            r = client.get(link("confirm"))
            assert r.status_code == 200, r.status_code

        def healthz(_i):
            assert client.get(f"{web.url}/healthz").status_code == 200

        out["post_ms"] = _stats(_series(post, n))
        out["confirm_ms"] = _stats(_series(confirm, n))
        out["healthz_ms"] = _stats(_series(healthz, n))
    with engine.connect() as conn:
        recorded = conn.exec_driver_sql("SELECT count(*) FROM feedback WHERE origin='email'")
        out["recorded_by_post"] = recorded.scalar()
    out["store_ms"] = _stats(
        _series(lambda _i: set_feedback("bench", next(pools["store"]), 1, engine=engine), n)
    )

    def cli(_i):
        with contextlib.redirect_stdout(io.StringIO()):
            app(["like", next(pools["cli"]), "-p", "bench"], standalone_mode=False)

    out["cli_like_ms"] = _stats(_series(cli, n))
    return out


if __name__ == "__main__":
    main()
