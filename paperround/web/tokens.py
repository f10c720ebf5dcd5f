"""Signed feedback tokens: what a "more like this" link carries, and the secret that signs it.

A token is `<payload>.<mac>`, both unpadded URL-safe base64. The payload is a compact JSON
array (profile, paper, action, digest, expires, via); the MAC is HMAC-SHA256 over the
payload's base64 text with the home's secret, truncated to 128 bits (RFC 2104 allows
truncation to half the hash; 2**128 guesses is out of reach). The payload is signed, not
encrypted: a link shows its profile's name and paper key, and changing either breaks the MAC,
so no link can act on another profile or paper, and no token can be guessed from another.

The secret lives in `$home/web-secret` (0600, created atomically on first use). Rotating it
keeps the previous secret valid for a grace period, so links already mailed keep working.
Pure apart from the secret file helpers: the clock comes in as `now`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import secrets as _random
import tempfile
import time
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit, urlunsplit

from models.errors import ConfigError, TokenExpired, TokenInvalid

Action = Literal["like", "dislike", "view"]
Via = Literal["email", "chat", "web"]
ACTIONS: tuple[Action, ...] = ("like", "dislike", "view")
VIAS: tuple[Via, ...] = ("email", "chat", "web")
SECRET_FILE = "web-secret"
MAC_BYTES = 16
MAX_TOKEN_CHARS = 2048  # far above any real token; bounds the work a hostile URL can cause
DAY = 86400


@dataclass(frozen=True)
class Claim:
    """What a link lets its holder do: one action on one profile (and paper), until expires."""

    profile: str
    paper: str | None  # the paper key; None for a digest view
    action: Action
    digest: int | None
    expires: int  # unix seconds
    via: Via | None = None  # where the link was shown: the recorded origin (None: email)


@dataclass(frozen=True)
class Secrets:
    """The signing secret and the retired ones still accepted (secret, valid until unix s)."""

    current: bytes
    previous: tuple[tuple[bytes, int], ...] = ()

    def accepted(self, now: int) -> tuple[bytes, ...]:
        return (self.current, *(key for key, until in self.previous if now < until))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, payload.encode("ascii"), sha256).digest()[:MAC_BYTES]


def sign(claim: Claim, secrets: Secrets) -> str:
    """The claim as a compact URL-safe token, signed with the current secret."""
    fields = [claim.profile, claim.paper, claim.action, claim.digest, claim.expires, claim.via]
    while fields[-1] is None:  # drop trailing defaults: shorter links for chat
        fields.pop()
    body = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    payload = _b64(body)
    return f"{payload}.{_b64(_mac(secrets.current, payload))}"


def verify(token: str, secrets: Secrets, *, now: int) -> Claim:
    """The claim a token carries; TokenInvalid if it is not ours, TokenExpired if it is stale.

    The MAC is checked (in constant time, against every accepted secret) before the payload
    is parsed, so nothing from a forged token is ever read.
    """
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise TokenInvalid("this link is not a Paperround link (malformed)")
    payload, _, mac_text = token.partition(".")
    try:
        mac = _unb64(mac_text)
        payload.encode("ascii")
    except (binascii.Error, ValueError):
        raise TokenInvalid("this link is not a Paperround link (malformed)") from None
    if not any(hmac.compare_digest(_mac(key, payload), mac) for key in secrets.accepted(now)):
        raise TokenInvalid("this link was changed, or was signed by a secret no longer in use")
    try:
        claim = _claim(json.loads(_unb64(payload)))
    except (binascii.Error, ValueError, TypeError):
        raise TokenInvalid("this link's contents cannot be read") from None
    if now >= claim.expires:
        raise TokenExpired("this link has expired; use the buttons in a newer digest")
    return claim


def _claim(fields: object) -> Claim:
    if not isinstance(fields, list) or not 5 <= len(fields) <= 6:
        raise ValueError("bad shape")
    profile, paper, action, digest, expires, *rest = fields
    via = rest[0] if rest else None
    ok = (
        isinstance(profile, str)
        and (paper is None or isinstance(paper, str))
        and action in ACTIONS
        and (digest is None or (isinstance(digest, int) and not isinstance(digest, bool)))
        and isinstance(expires, int)
        and not isinstance(expires, bool)
        and (via is None or via in VIAS)
        and (paper is None) == (action == "view")
    )
    if not ok:
        raise ValueError("bad fields")
    return Claim(profile, paper, cast(Action, action), digest, expires, cast("Via | None", via))


def _url(public_url: str, token: str, kind: str) -> str:
    """public_url + /<kind>/<token>, keeping the public URL's base path."""
    parts = urlsplit(public_url)
    path = parts.path.rstrip("/") + f"/{kind}/{token}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def feedback_links(
    public_url: str,
    secrets: Secrets,
    *,
    profile: str,
    paper: str,
    digest: int | None,
    now: int,
    ttl_days: int = 60,
    via: Via = "email",
) -> tuple[str, str]:
    """The (more like this, less like this) URLs for one paper of one profile's digest."""
    expires = now + ttl_days * DAY
    like = Claim(profile, paper, "like", digest, expires, via if via != "email" else None)
    dislike = Claim(profile, paper, "dislike", digest, expires, like.via)
    return (
        _url(public_url, sign(like, secrets), "f"),
        _url(public_url, sign(dislike, secrets), "f"),
    )


def digest_link(
    public_url: str,
    secrets: Secrets,
    *,
    profile: str,
    digest: int,
    now: int,
    ttl_days: int = 60,
) -> str:
    """The "view in browser" URL of one archived digest: `<public_url>/d/<token>`."""
    claim = Claim(profile, None, "view", digest, now + ttl_days * DAY)
    return _url(public_url, sign(claim, secrets), "d")


# -- the secret file ------------------------------------------------------------------------


def _encode(secrets: Secrets) -> bytes:
    doc = {
        "current": secrets.current.hex(),
        "previous": [{"secret": k.hex(), "until": until} for k, until in secrets.previous],
    }
    return (json.dumps(doc, indent=1) + "\n").encode("ascii")


def _decode(raw: bytes, path: Path) -> Secrets:
    try:
        doc = json.loads(raw)
        current = bytes.fromhex(doc["current"])
        previous = tuple((bytes.fromhex(p["secret"]), int(p["until"])) for p in doc["previous"])
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{path} is not a Paperround web secret; move it away and a new one is created "
            "(links already sent stop working)"
        ) from None
    if len(current) < 32:
        raise ConfigError(f"{path}: the secret is shorter than 32 bytes; rotate it")
    return Secrets(current, previous)


def _write_temp(home: Path, secrets: Secrets) -> Path:
    fd, name = tempfile.mkstemp(prefix=".web-secret.", dir=home)  # mkstemp: mode 0600
    with os.fdopen(fd, "wb") as out:
        out.write(_encode(secrets))
        out.flush()
        os.fsync(out.fileno())
    return Path(name)


def load_secrets(home: Path) -> Secrets:
    """The home's secrets, creating the file (0600, atomically) on first use.

    Two processes starting at once both end up with the same secret: the new file is linked
    into place only if none exists yet (os.link fails if the name is taken), never replaced.
    """
    path = home / SECRET_FILE
    try:
        return _decode(path.read_bytes(), path)
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(home, Secrets(_random.token_bytes(32)))
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return _decode(path.read_bytes(), path)


def rotate_secret(home: Path, *, grace_days: int = 60, now: int | None = None) -> Secrets:
    """Start signing with a new secret; the old one is accepted for grace_days more.

    Retired secrets whose grace has ended are dropped. The file is replaced atomically.
    `now` (unix seconds) defaults to the clock: rotating is a command's edge.
    """
    if now is None:
        now = int(time.time())
    old = load_secrets(home)
    kept = tuple((key, until) for key, until in old.previous if now < until)
    new = Secrets(_random.token_bytes(32), ((old.current, now + grace_days * DAY), *kept))
    temp = _write_temp(home, new)
    os.replace(temp, home / SECRET_FILE)
    return new
