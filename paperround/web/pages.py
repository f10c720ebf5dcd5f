"""The web app's HTML: Jinja2 templates in templates/web/, autoescaped, and the headers every
page carries. Pure: templates in, (status, html, headers) out.

Every string from a feed (titles, reasons, URLs) reaches a page only through autoescaping,
and a paper's link only when it is http(s). Pages carry no script at all (the CSP forbids it),
keep their token out of Referer headers sent to other sites, and are never cached.
"""

from __future__ import annotations

import shlex
from functools import lru_cache
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse, RedirectResponse, Response

from paperround.bundled import bundled_dir

TEMPLATES = bundled_dir("templates") / "web"  # in the wheel too (paperround/bundled.py)
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the
    # confirm form's POST, and the same-origin check could not tell it from a hostile page.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template here is HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shell"] = shlex.quote  # a command's argument, as a shell reads it
    return env


def web_url(value: object) -> str | None:
    """A stored paper URL fit for an href: http(s) only (a feed may hold javascript:...)."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def page(
    template: str, *, status_code: int = 200, headers: dict[str, str] | None = None, **ctx: object
) -> Response:
    """A rendered page with the security headers."""
    html = _env().get_template(template).render({"profile": None} | ctx)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS | (headers or {}))


def redirect(url: str) -> Response:
    """303 See Other: after a POST, the browser GETs the page (a reload does not re-POST)."""
    return RedirectResponse(url, status_code=303, headers=HEADERS)


ERRORS = {
    400: ("This link does not work", "Use the buttons in your latest digest."),
    403: ("This form came from another site", "Open the link from your digest and try again."),
    404: ("Not found", "The page, profile or paper this link is about no longer exists."),
    405: ("Not allowed", "Open the link from your digest."),
    410: ("This link has expired", "Use the buttons in a newer digest, or the CLI."),
    429: ("Too many requests", "Wait a minute and try again."),
    500: ("Something went wrong", "Nothing was recorded; try again later."),
    503: ("The store is busy or unavailable", "Nothing was recorded; try again in a minute."),
}


def error_page(status: int, message: str | None = None, headers: dict | None = None) -> Response:
    """The page for an error status: what happened and what to do; never a traceback."""
    headline, hint = ERRORS.get(status, ERRORS[500] if status >= 500 else ERRORS[400])
    return page(
        "error.html.j2", status_code=status, headers=headers, status=status, headline=headline,
        message=message or hint, hint=hint if message else None,
    )  # fmt: skip
