"""Settings read once from the environment (and `.env`), validated, obtained via get_settings()."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.defaults import (  # noqa: F401  (re-exported: callers import them from here too)
    ARXIV_API_SPACING,
    ARXIV_API_URL,
    BUSY_TIMEOUT,
    CONNECT_TIMEOUT,
    DISPATCH_EVERY_SECONDS,
    FETCH_BACKOFF,
    FETCH_MAX_BYTES,
    FETCH_TIMEOUT,
    MiB,
)
from models.errors import ConfigError


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "paperround"


class Settings(BaseSettings):
    """Paperround's configuration. Every field maps to PAPERROUND_<NAME>."""

    # An empty variable (PAPERROUND_DEBUG=) counts as unset.
    model_config = SettingsConfigDict(
        env_prefix="PAPERROUND_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    home: Path = Field(default_factory=_default_home, description="Data directory.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file paperround.db in home."
    )
    # Your own Jinja2 templates for the digest (default: the top-level templates/ folder).
    templates: Path | None = None
    # The dispatcher's task runner: "" (Prefect's threads) or "dask" (optional extra), and
    # the Dask scheduler's address (none: a local cluster).
    task_runner: Literal["", "dask"] = ""
    dask_address: str | None = None
    # Seconds a SQLite command waits for another process's write lock before failing.
    busy_timeout: float = Field(default=BUSY_TIMEOUT, ge=0)
    # Seconds to wait for PostgreSQL to accept a connection (libpq counts whole seconds, >= 2).
    connect_timeout: float = Field(default=CONNECT_TIMEOUT, gt=0)
    fetch_timeout: float = FETCH_TIMEOUT
    # Seconds before the first retry of a feed that failed in passing (429, 5xx, a dropped
    # connection); each further retry waits twice as long. A Retry-After header wins.
    fetch_backoff: float = Field(default=FETCH_BACKOFF, ge=0)
    # How long a run waits for another run that is sending the same (profile, channel).
    channel_lock_timeout: float = 300.0
    # Seconds a channel waits for a server that stops answering (to connect, and for each
    # reply) before its delivery fails as temporary; a URL's own cto=/rto= wins. Apprise's
    # own defaults are 15 s for email and 4 s for HTTP services.
    delivery_timeout: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = FETCH_MAX_BYTES
    arxiv_api_url: str = ARXIV_API_URL
    arxiv_api_spacing: float = ARXIV_API_SPACING
    # Look up, on the arXiv API, new papers that came without categories (Hugging Face...).
    enrich: bool = True
    # TL;DR lines written by a model through simonw's llm (pip install 'paperround[llm]'):
    # an `llm models` id, e.g. "gpt-4o-mini" or one from extra-openai-models.yaml. Unset:
    # the extractive line (docs/digest.md). A run asks the model for at most max_papers
    # lines and stops asking after max_seconds; every other paper keeps the extractive line.
    summariser: str | None = None
    summariser_max_papers: int = Field(default=100, ge=0)
    summariser_max_seconds: float = Field(default=120.0, ge=0)
    summariser_concurrency: int = Field(default=4, ge=1, le=32)
    summariser_timeout: float = Field(default=30.0, gt=0)  # seconds for one paper's answer
    language: str = "English"  # the language the model writes TL;DR lines in
    # An error also prints its traceback (as `paperround --debug ...`).
    debug: bool = False
    # An Apprise URL the demo profile also delivers to.
    demo_channel: str | None = None
    # The embedded Prefect server's port for `paperround serve` (0: any free port).
    prefect_port: int = Field(default=0, ge=0, le=65535)
    # Prefect's own variable, which Prefect reads itself; Paperround reads it only to know
    # whether runs go through a Prefect server (flow runs) or run in this process.
    prefect_api_url: str | None = Field(default=None, alias="PREFECT_API_URL")
    # Where readers reach `paperround web` (e.g. https://papers.example.org, a base path
    # allowed): digests carry signed "more/less like this" links to it. Unset: no links,
    # feedback is by CLI (docs/web.md).
    public_url: str | None = None
    link_ttl_days: int = Field(default=60, ge=1, le=3650)  # how long a feedback link works
    web_port: int = Field(default=8300, ge=0, le=65535)  # `paperround web` / serve's app

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str | None) -> str | None:
        return check_public_url(value) if value else None

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'paperround.db'}"

    @property
    def digests_dir(self) -> Path:
        return self.home / "digests"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"


_replacement: Settings | None = None


def check_public_url(value: str) -> str:
    """The public URL of `paperround web`, without a trailing slash; ValueError if unfit."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL such as https://papers.example.org")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query or fragment")
    return value.strip().rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once; tests call get_settings.cache_clear() after
    changing the env (which also drops a replace_settings()).

    A value that does not validate is a ConfigError naming its variable (never its value,
    which may be a secret).
    """
    global _replacement
    if _replacement is not None:
        replaced, _replacement = _replacement, None
        return replaced
    return _read()


def replace_settings(**changes: object) -> Settings:
    """From now on this process runs with its settings changed as given (validated); the
    environment is left alone. The demo runs this way on a store of its own."""
    global _replacement
    current = get_settings()
    named = {(Settings.model_fields[k].alias or k): v for k, v in changes.items()}
    _replacement = Settings.model_validate({**current.model_dump(by_alias=True), **named})
    get_settings.cache_clear()
    return get_settings()


def _read() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = f"PAPERROUND_{str(first['loc'][0]).upper()}" if first["loc"] else "a setting"
        raise ConfigError(f"{name}: {first['msg']}; fix it in the environment or .env") from None
