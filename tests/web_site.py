"""A store with two readers, three papers and an archived digest, served by the real app
(uvicorn on 127.0.0.1 in a thread) for the web tests; tokens signed as a digest would."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from models.records import Candidate, RenderedDigest, ScoredPaper
from models.store.ledger import record_digest
from models.store.papers import upsert_records
from models.store.profiles import create_profile
from models.tables import Profile
from paperround.web.app import WebConfig
from paperround.web.ratelimit import Limit
from paperround.web.server import Listen, WebThread, bind
from paperround.web.tokens import DAY, Claim, load_secrets, sign
from tests.records import arxiv_record, fake_id

EVIL = '<script>alert("t")</script> & "quotes"'
PAPERS = {fake_id(1): EVIL, fake_id(2): "Tensor Programs IV", fake_id(3): "Mean-field limits"}
_expiry = itertools.count(1)


@dataclass
class Site:
    engine: Engine
    home: Path
    web: WebThread
    digest: int

    @property
    def url(self) -> str:
        return self.web.url

    def token(
        self,
        paper: str | None = None,
        action: str = "like",
        *,
        profile: str = "alice",
        via: str | None = None,
        expires_in: int = 30 * DAY,
        digest: int | None = None,
    ) -> str:
        """A fresh token (a distinct expiry each time: its own rate-limit bucket)."""
        expires = int(time.time()) + expires_in + next(_expiry)
        claim = Claim(profile, paper, action, digest, expires, via)  # type: ignore[arg-type]
        return sign(claim, load_secrets(self.home))

    def feedback(self) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(
                "SELECT pr.name, p.key, f.value, f.origin, f.created_at FROM feedback f "
                "JOIN papers p ON p.id = f.paper_id JOIN profiles pr ON pr.id = f.profile_id "
                "ORDER BY pr.name, p.key"
            )]  # fmt: skip


def build_store(engine: Engine) -> int:
    """Papers, readers alice and bob, and one archived digest of alice's; returns its id."""
    now = datetime.now(UTC)
    recs = [arxiv_record(key, title=title, abstract="Abstract.") for key, title in PAPERS.items()]
    # A hostile feed's link: it must never become an href.
    recs[0] = arxiv_record(fake_id(1), title=EVIL, url="javascript:alert(1)")
    stored = upsert_records(recs, engine=engine, now=now)
    profiles = {
        name: create_profile(Profile(name=name, created_at=now), engine=engine)
        for name in ("alice", "bob")
    }
    items = [
        ScoredPaper(Candidate(paper_id=stored.keys[key], key=key, title=title), 0.9 - n / 10,
                    (f"because <b>{n}</b>",))
        for n, (key, title) in enumerate(PAPERS.items())
    ]  # fmt: skip
    rendered = RenderedDigest(subject="3 papers for alice", html="", text="", markdown="")
    digest_id, _ = record_digest(
        engine=engine, profile_id=profiles["alice"].id, channel_key="file", rendered=rendered,
        items=items, period_start=None, now=now,
    )  # fmt: skip
    return digest_id


def serve(engine: Engine, home: Path, *, public_path: str = "", limits: tuple = (), **listen):
    """The app on a free port; public_path: the public URL's base path (same host)."""
    sock = bind(Listen(port=0, **listen))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}{public_path}"
    extra = {"per_token": limits[0], "per_address": limits[1]} if limits else {}
    config = WebConfig(engine=engine, home=home, public_url=base, **extra)
    return WebThread(config, Listen(port=0, **listen), sock)


ROOMY = (Limit(burst=1000, per_minute=1000), Limit(burst=10_000, per_minute=10_000))
LINKS = re.compile(r'(?:href|action)="([^"]+)"')
