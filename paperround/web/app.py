"""The feedback web app (Starlette): confirm and record a digest's "more/less like this",
undo it, and show an archived digest with the same buttons.

GET never records: mail gateways and chat unfurlers fetch every link they see, so a GET shows
a confirmation page and only its form's POST records (through models.store.profiles
.set_feedback, the same write as `paperround like`). A POST is idempotent, and its undo only
removes the choice it made. Every failure is a page with its status (400 tampered or unknown,
410 expired, 404 gone, 429 too many, 403 cross-site form), never a traceback.
Endpoints are plain functions: Starlette runs them in its thread pool, beside the store's
blocking calls. The clock is read once per request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from models.errors import NotFoundError, StoreError, TokenExpired, TokenInvalid
from paperround.web.pages import error_page, page, redirect, web_url
from paperround.web.ratelimit import Limit, RateLimiter
from paperround.web.secrets_cache import SecretsCache
from paperround.web.tokens import Claim, sign, verify

log = logging.getLogger(__name__)
VALUES = {"like": 1, "dislike": -1}
WORDS = {"like": "More like this", "dislike": "Less like this"}


@dataclass(frozen=True)
class WebConfig:
    """What the app needs; `paperround web` builds it from the settings and its options."""

    engine: Engine
    home: Path
    public_url: str | None = None
    ttl_days: int = 60
    per_token: Limit = field(default_factory=lambda: Limit(burst=10, per_minute=6))
    per_address: Limit = field(default_factory=lambda: Limit(burst=60, per_minute=60))

    @property
    def base_path(self) -> str:
        return urlsplit(self.public_url).path.rstrip("/") if self.public_url else ""


class TooMany(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


class CrossSite(Exception):
    pass


class WebApp:
    """The routes, with what they share: config, secrets and the rate limiters."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.secrets = SecretsCache(config.home)
        self.by_token = RateLimiter(config.per_token)
        self.by_address = RateLimiter(config.per_address)
        public = urlsplit(config.public_url) if config.public_url else None
        self.public_origin = f"{public.scheme}://{public.netloc}" if public else None

    # -- what every route does first -------------------------------------------------------

    def _limit(self, request: Request, token: str) -> None:
        address = request.client.host if request.client else "unknown"
        key = hashlib.blake2b(token.encode("utf-8", "replace"), digest_size=12).hexdigest()
        wait = max(self.by_address.take(address), self.by_token.take(key))
        if wait:
            raise TooMany(wait)

    def _claim(self, request: Request, token: str, *, now: int, view: bool) -> Claim:
        self._limit(request, token)
        claim = verify(token, self.secrets.get(), now=now)
        if (claim.action == "view") != view or (claim.paper is None) != view:
            raise TokenInvalid("this link is for another page of Paperround")
        if claim.digest is not None:  # the profile, renamed or not, that the digest went to
            from models.store.digest_archive import digest_owner

            owner = digest_owner(claim.digest, claim.profile, engine=self.config.engine)
            claim = replace(claim, profile=owner)
        return claim

    def _same_origin(self, request: Request) -> None:
        """A POST must come from our own page: its Origin (or Sec-Fetch-Site) says so."""
        origin = request.headers.get("origin")
        if origin is None:
            if request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none"):
                return
            raise CrossSite()
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin not in (own, self.public_origin):
            raise CrossSite()

    def _path(self, kind: str, token: str) -> str:
        return f"{self.config.base_path}/{kind}/{token}"

    def _digest_path(self, claim: Claim, now: int, anchor: str = "") -> str | None:
        if claim.digest is None:
            return None
        view = Claim(claim.profile, None, "view", claim.digest, now + self.config.ttl_days * 86400)
        return self._path("d", sign(view, self.secrets.get())) + anchor

    # -- routes ------------------------------------------------------------------------------

    def confirm(self, request: Request) -> Response:
        from models.store.feedback import feedback_target

        token = request.path_params["token"]
        claim = self._claim(request, token, now=int(time.time()), view=False)
        target = feedback_target(claim.profile, claim.paper or "", engine=self.config.engine)
        return page(
            "confirm.html.j2", profile=claim.profile, key=target.key, title=target.title,
            paper_url=web_url(target.url), action=claim.action, current=target.feedback,
            current_words=WORDS.get(target.feedback or "", "").lower(),
            verb_title=WORDS[claim.action], button=f"Yes, {WORDS[claim.action].lower()}",
            post_action=self._path("f", token), undo_action=self._path("f", token) + "/undo",
        )  # fmt: skip

    def record(self, request: Request) -> Response:
        return self._set(request, undo=False)

    def undo(self, request: Request) -> Response:
        return self._set(request, undo=True)

    def _set(self, request: Request, *, undo: bool) -> Response:
        from models.store.feedback import set_feedback

        token = request.path_params["token"]
        now = int(time.time())
        self._same_origin(request)
        claim = self._claim(request, token, now=now, view=False)
        paper = claim.paper or ""  # _claim: a vote's claim names its paper
        value = VALUES[claim.action]
        title = set_feedback(
            claim.profile, paper, None if undo else value, engine=self.config.engine,
            origin=claim.via or "email", only_if=value,
        )  # fmt: skip
        if claim.via == "web":  # a button on the digest view: back to it, at the paper
            back = self._digest_path(claim, now, f"#{anchor(paper)}")
            if back:
                return redirect(back)
        from models.store.feedback import feedback_target

        target = feedback_target(claim.profile, paper, engine=self.config.engine)
        headline = "Undone" if undo else f"Recorded: {WORDS[claim.action].lower()}"
        return page(
            "done.html.j2", profile=claim.profile, key=paper, title=title,
            paper_url=web_url(target.url), action=claim.action, undone=undo, headline=headline,
            button=WORDS[claim.action], post_action=self._path("f", token),
            undo_action=self._path("f", token) + "/undo", digest_url=self._digest_path(claim, now),
        )  # fmt: skip

    def digest(self, request: Request) -> Response:
        from models.store.digest_archive import get_digest
        from models.store.feedback import feedback_on

        token = request.path_params["token"]
        now = int(time.time())
        claim = self._claim(request, token, now=now, view=True)
        found = get_digest(claim.digest, engine=self.config.engine) if claim.digest else None
        if found is None or found["profile"] != claim.profile:
            raise NotFoundError("this digest is no longer in the archive")
        given = feedback_on(
            claim.profile, [i["key"] for i in found["items"]], engine=self.config.engine
        )
        secrets, expires = self.secrets.get(), now + self.config.ttl_days * 86400
        items = []
        for item in found["items"]:
            tokens = {
                action: sign(Claim(claim.profile, item["key"], action, claim.digest, expires,
                                   "web"), secrets)
                for action in ("like", "dislike")
            }  # fmt: skip
            items.append(
                {
                    "rank": item["rank"], "key": item["key"], "title": item["title"],
                    "anchor": anchor(item["key"]), "paper_url": web_url(item["url"]),
                    "reasons": [str(r) for r in item["reasons"] or []],
                    "feedback": given.get(item["key"]),
                    "like": self._path("f", tokens["like"]),
                    "dislike": self._path("f", tokens["dislike"]),
                    "like_undo": self._path("f", tokens["like"]) + "/undo",
                    "dislike_undo": self._path("f", tokens["dislike"]) + "/undo",
                }
            )  # fmt: skip
        return page(
            "digest.html.j2", profile=claim.profile, subject=found["subject"], items=items,
            created=f"{found['created_at']:%a %d %b %Y}",
        )  # fmt: skip


def anchor(key: str) -> str:
    """A paper's id on the digest page (keys hold ':' and '/'; ids and fragments need not)."""
    return "p-" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


async def _handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, TooMany):
        return error_page(429, headers={"Retry-After": str(max(1, round(exc.retry_after)))})
    if isinstance(exc, TokenExpired):
        return error_page(410, str(exc))
    if isinstance(exc, TokenInvalid):
        return error_page(400, str(exc))
    if isinstance(exc, CrossSite):
        return error_page(403)
    if isinstance(exc, NotFoundError):
        return error_page(404, str(exc))
    if isinstance(exc, StoreError):
        log.warning("web: the store failed: %s", exc)
        return error_page(503)
    if isinstance(exc, HTTPException):
        return error_page(exc.status_code)
    from models.db_errors import store_error

    if store_error(exc, None) is not None:  # a driver error: locked, unreachable...
        log.warning("web: the store failed: %s", type(exc).__name__)
        return error_page(503)
    log.error("web: unexpected %s on %s", type(exc).__name__, request.url.path.split("/")[1:2])
    return error_page(500)


def create_app(config: WebConfig) -> Starlette:
    """The ASGI app; routes live under the public URL's path (a proxy passes it unchanged)."""
    web = WebApp(config)
    routes = [
        Route("/f/{token}", web.confirm, methods=["GET"]),
        Route("/f/{token}", web.record, methods=["POST"]),
        Route("/f/{token}/undo", web.undo, methods=["POST"]),
        Route("/d/{token}", web.digest, methods=["GET"]),
        Route("/healthz", lambda _r: PlainTextResponse("ok"), methods=["GET"]),
    ]
    handlers = {
        key: _handle
        for key in (TooMany, TokenExpired, TokenInvalid, CrossSite, NotFoundError, StoreError,
                    HTTPException, Exception)
    }  # fmt: skip
    base = config.base_path
    return Starlette(routes=[Mount(base, routes=routes)] if base else routes,
                     exception_handlers=handlers)  # fmt: skip
