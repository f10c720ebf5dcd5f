"""The signed links a recorded digest carries: "view in browser", "more/less like this".

They are made once the digest has its id (models/store/ledger.py renders inside the
transaction that records it), are stored in the digest's bodies, and so a resend of a
pending delivery carries the same links. No public URL (PAPERROUND_PUBLIC_URL): no links,
and the footer gives the CLI way. Tokens: paperround/web/tokens.py (docs/web.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from models.records import Digest, FeedbackLinks, RenderedDigest
from models.settings import get_settings
from paperround.digest.deliver import EMAIL_SCHEMES
from paperround.digest.render import render_digest
from paperround.web.tokens import Via, digest_link, feedback_links, load_secrets


def via_of(channel_url: str | None) -> Via:
    """Where a channel's links go, recorded as the feedback's origin: an email address
    (and the digest files, which are the HTML email) -> "email"; any other -> "chat"."""
    if channel_url is None:
        return "email"
    return "email" if channel_url.split("://", 1)[0].lower() in EMAIL_SCHEMES else "chat"


def links_for(
    digest: Digest, *, digest_id: int, via: Via, home: Path, now: datetime
) -> FeedbackLinks | None:
    """The links of one recorded digest (None when no public URL is configured)."""
    settings = get_settings()
    if not settings.public_url:
        return None
    secrets = load_secrets(home)
    stamp, ttl = int(now.timestamp()), settings.link_ttl_days
    papers = {
        s.paper.paper_id: feedback_links(
            settings.public_url,
            secrets,
            profile=digest.profile,
            paper=s.paper.key,
            digest=digest_id,
            now=stamp,
            ttl_days=ttl,
            via=via,
        )
        for s in digest.items
    }
    view = digest_link(
        settings.public_url,
        secrets,
        profile=digest.profile,
        digest=digest_id,
        now=stamp,
        ttl_days=ttl,
    )
    return FeedbackLinks(view=view, papers=papers)


def render_recorded(
    digest: Digest, *, digest_id: int, via: Via, home: Path, now: datetime
) -> RenderedDigest:
    """Render a digest that has its id, with its links."""
    links = links_for(digest, digest_id=digest_id, via=via, home=home, now=now)
    return render_digest(replace(digest, links=links))
