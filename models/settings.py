"""Settings read once from the environment (and `.env`), validated, obtained via get_settings()."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.errors import ConfigError


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "paperround"


class Settings(BaseSettings):
    """Paperround's configuration. Every field maps to PAPERROUND_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PAPERROUND_", env_file=".env", extra="ignore")

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
    busy_timeout: float = Field(default=30.0, ge=0)
    # Seconds to wait for PostgreSQL to accept a connection (libpq counts whole seconds, >= 2).
    connect_timeout: float = Field(default=10.0, gt=0)
    fetch_timeout: float = 30.0
    # Seconds before the first retry of a feed that failed in passing (429, 5xx, a dropped
    # connection); each further retry waits twice as long. A Retry-After header wins.
    fetch_backoff: float = Field(default=2.0, ge=0)
    # How long a run waits for another run that is sending the same (profile, channel).
    channel_lock_timeout: float = 300.0
    # Seconds a channel waits for a server that stops answering (to connect, and for each
    # reply) before its delivery fails as temporary; a URL's own cto=/rto= wins. Apprise's
    # own defaults are 15 s for email and 4 s for HTTP services.
    delivery_timeout: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = 50 * 1024 * 1024
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_api_spacing: float = 3.0  # seconds between arXiv API calls, as arXiv's terms ask
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
    # Where readers reach `paperround web` (e.g. https://papers.example.org, a base path
    # allowed): digests carry signed "more/less like this" links to it. Unset: no links,
    # feedback is by CLI (docs/web.md).
    public_url: str | None = None
    link_ttl_days: int = Field(default=60, ge=1, le=3650)  # how long a feedback link works

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
    """The process's settings; tests call get_settings.cache_clear() after changing the env.

    A value that does not validate is a ConfigError naming its variable (never its value,
    which may be a secret).
    """
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = f"PAPERROUND_{str(first['loc'][0]).upper()}" if first["loc"] else "a setting"
        raise ConfigError(f"{name}: {first['msg']}; fix it in the environment or .env") from None
