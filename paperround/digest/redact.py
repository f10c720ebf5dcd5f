"""Channel URLs without their secrets, for every listing, label, error line and export.

Apprise knows where each service keeps its secrets (a Telegram bot token sits where a host
would, Slack's three tokens in the path, ntfy's token in ?token=), so a URL is shown in its
plugin's privacy form, `url(privacy=True)`; the values that form masks (each plugin masks them
through its `pprint`) are collected too, to take out of the failure reasons Apprise logs.
Apprise leaves a few in clear, masked here as well: a lone user before the host (a Matrix
access token), custom headers (`+Authorization=...`) and query values named like secrets. A
URL Apprise cannot read keeps only its scheme and a host that looks like one.

{env:NAME} placeholders hold no secret: such a URL is shown as written, with any literal
secret it also holds masked. To check and analyse it, each placeholder stands in for a value
of a shape the services accept (Telegram's `digits:token`, Slack's `xoxb-...`, digits).
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import quote, unquote, urlsplit

import apprise

ENV_PLACEHOLDER = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
EMAIL_SCHEMES = ("mailto", "mailtos")
MASK = "****"
# Values a placeholder may stand for while a URL is checked, tried in turn per placeholder.
DUMMIES = ("placeholder", "123456789:placeholder", "xoxb-placeholder", "1234567890")
_SECRET_KEY = re.compile(
    r"(token|key|secret|pass|password|passwd|pwd|signature|sig|credentials?|authorization)$", re.I
)


def instantiate(url: str):
    """Apprise's plugin for a URL, or None if Apprise cannot read it."""
    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def _privacy_form(plugin) -> tuple[str, list[str]]:
    """The plugin's privacy URL and the values it masked (recorded from its pprint calls)."""
    masked: list[str] = []
    original = plugin.pprint

    def recording(content, privacy=True, *args, **kwargs):
        if privacy and isinstance(content, str) and content:
            masked.append(content)
        return original(content, privacy, *args, **kwargs)

    plugin.pprint = recording  # this instance only: shadows the class's staticmethod
    try:
        return plugin.url(privacy=True), masked
    finally:
        del plugin.pprint


def scheme_of(url: str) -> str:
    """The scheme of a URL, lower-cased (empty if none)."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def _query_pieces(query: str) -> list[tuple[str, str | None]]:
    """(key, value) per `k=v` piece, unquoted; None for a piece without `=`."""
    out: list[tuple[str, str | None]] = []
    for piece in query.split("&"):
        key, eq, value = piece.partition("=")
        out.append((unquote(key), unquote(value) if eq else None))
    return out


def _secret_query_key(key: str) -> bool:
    """A custom header (+Name), or a parameter named like a secret (token, apikey, pass...)."""
    return key.startswith("+") or bool(_SECRET_KEY.search(key))


def _missed_by_apprise(url: str) -> list[str]:
    """Secrets of a URL that some plugins show in clear: a password, a lone user before the
    host (not email's), header values and query values named like secrets."""
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return []
    found = [unquote(password)] if password else []
    if user and password is None and scheme_of(url) not in EMAIL_SCHEMES:
        found.append(unquote(user))
    found += [v for k, v in _query_pieces(parts.query) if v and _secret_query_key(k)]
    return found


def _mask_shown(shown: str, scheme: str) -> str:
    """Mask in a privacy form what Apprise left: a lone user, secret-named query values."""
    head, qmark, query = shown.partition("?")
    if "@" in head.split("://", 1)[-1].split("/", 1)[0] and scheme not in EMAIL_SCHEMES:
        prefix, rest = head.split("://", 1)
        netloc, slash, path = rest.partition("/")
        userinfo, host = netloc.rsplit("@", 1)
        if ":" not in userinfo:
            head = f"{prefix}://{MASK}@{host}{slash}{path}"
    if qmark:
        pieces = query.split("&")
        kept = [
            f"{p.partition('=')[0]}={MASK}"
            if "=" in p and _secret_query_key(unquote(p.partition("=")[0]))
            else p
            for p in pieces
        ]
        query = "&".join(kept)
    return f"{head}{qmark}{query}"


def scheme_and_host(url: str) -> str:
    """The conservative form: scheme, and the host only if it looks like a host name."""
    scheme = scheme_of(url) or "?"
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    shown = host if ("." in host or host == "localhost") and "{" not in host else ""
    return f"{scheme}://{shown}/…" if shown else f"{scheme}://…"


def _fill(url: str, values: tuple[str, ...]) -> str:
    """The URL with its placeholders replaced, in order, by `values`."""
    it = iter(values)
    return ENV_PLACEHOLDER.sub(lambda _m: next(it), url)


def _with_dummies(url: str):
    """(plugin, dummies used, the URL with them) for the first shape of placeholder values
    Apprise reads; (None, set(), url) if none."""
    names = ENV_PLACEHOLDER.findall(url)
    combos = [(d,) * len(names) for d in DUMMIES]
    if 1 < len(names) <= 3:
        combos += list(itertools.product(DUMMIES, repeat=len(names)))
    for combo in combos:
        stand_in = _fill(url, combo)
        plugin = instantiate(stand_in)
        if plugin is not None:
            return plugin, set(combo), stand_in
    return None, set(), url


def placeholders_readable(url: str) -> bool:
    """Whether Apprise reads a URL with {env:NAME} placeholders, given values of some shape."""
    return _with_dummies(url)[0] is not None


def _mask_written(url: str, secrets: set[str]) -> str:
    """A URL as written, each part (user, password, host, path segment, query value) that
    is one of `secrets` masked."""

    def hide(part: str) -> str:
        return MASK if part and unquote(part) in secrets else part

    scheme, _, rest = url.partition("://")
    rest, hashmark, fragment = rest.partition("#")
    rest, qmark, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        userinfo = f"{hide(user)}{colon}{hide(password)}"
    if unquote(hostport) in secrets:
        hostport = MASK
    else:
        host, colon, port = hostport.partition(":")
        hostport = f"{hide(host)}{colon}{hide(port)}"
    path = "/".join(hide(seg) for seg in path.split("/"))
    pieces = []
    for piece in query.split("&") if qmark else []:
        key, eq, value = piece.partition("=")
        pieces.append(f"{key}{eq}{hide(value)}")
    shown = f"{scheme}://{userinfo}{at}{hostport}{slash}{path}{qmark}{'&'.join(pieces)}"
    return f"{shown}{hashmark}{hide(fragment) if hashmark else ''}"


def _redact_written(url: str) -> str:
    """A URL with placeholders: as written, literal secrets masked (the conservative form if
    Apprise cannot read it, or a literal secret would still show)."""
    plugin, dummies, stand_in = _with_dummies(url)
    if plugin is None:
        return scheme_and_host(url)
    secrets = set(_privacy_form(plugin)[1]) | set(_missed_by_apprise(stand_in))
    literal = {s for s in secrets if not any(d in s for d in dummies)}
    shown = _mask_written(url, literal)
    if any(len(s) > 3 and s in shown for s in literal):
        return scheme_and_host(url)
    return shown


def looks_redacted(url: str) -> bool:
    """Whether a URL holds a mask (****, Apprise's a...z or ...abcd, the conservative …)."""
    return MASK in url or "..." in url or "…" in url


def redact_url(url: str) -> str:
    """A channel URL as every output shows it: Apprise's privacy form, what Apprise left in
    clear masked; a URL with {env:NAME} placeholders as written, literal secrets masked."""
    if ENV_PLACEHOLDER.search(url):
        return _redact_written(url)
    plugin = instantiate(url)
    if plugin is None:
        return scheme_and_host(url)
    shown, _ = _privacy_form(plugin)
    return _mask_shown(shown, scheme_of(url))


def secrets_of(url: str) -> list[str]:
    """Every secret a (resolved) URL holds, as a reason text may quote it, longest first:
    what Apprise masks, what it misses, long path segments; raw and URL-quoted."""
    found = set(_missed_by_apprise(url))
    plugin = instantiate(url)
    if plugin is not None:
        found |= set(_privacy_form(plugin)[1])
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    found |= {unquote(seg) for seg in path.split("/") if len(seg) >= 8}
    forms = found | {quote(s, safe="") for s in found} | {quote(s) for s in found}
    return sorted((s for s in forms if s), key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with each secret (longer than 3 characters) replaced by the mask."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) > 3:
            text = text.replace(secret, MASK)
    return text
