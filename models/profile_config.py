"""A profile as a person declares it: one validated shape for the CLI, YAML files and the store.

Validation happens here, once, before anything touches the database, so a bad value changes
nothing. What needs the delivery library (that Apprise can read a channel URL) is checked
where profiles come in: paperround/profiles.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.errors import ConfigError
from models.schedule_words import DEFAULT_SCHEDULE, SCHEDULE_SHORTCUTS
from models.userinput import check_name, check_text, finite, scrub

# A cron with no fire time this far ahead is refused (a 29 February one fires every 4 years).
FIRES_WITHIN_YEARS = 5


def parse_schedule(text: str) -> str:
    """A cron string, or a shortcut (daily, weekdays, weekly); raises ConfigError if invalid
    or if it never fires (e.g. "0 7 31 2 *", 31 February): such a profile would never be sent."""
    from croniter import CroniterError, croniter

    cron = SCHEDULE_SHORTCUTS.get(text.strip().lower(), text.strip())
    if len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise ConfigError(
            f"invalid schedule {text!r}: use a 5-field cron string like '0 7 * * 1-5' "
            f"or one of {', '.join(SCHEDULE_SHORTCUTS)}"
        )
    try:  # a bounded search: croniter gives up after this many years without a match
        croniter(cron, datetime.now(UTC), max_years_between_matches=FIRES_WITHIN_YEARS).get_next()
    except CroniterError:
        raise ConfigError(
            f"schedule {text!r} never fires (no time in the next {FIRES_WITHIN_YEARS} years "
            "matches it, like 31 February): check its day of month and month"
        ) from None
    return cron


def parse_timezone(name: str) -> str:
    """An IANA timezone name; raises ConfigError if unknown."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown timezone {name!r}: use an IANA name, e.g. Europe/Paris"
        ) from None
    return name


# The ranker's signals (paperround.rank.DEFAULT_WEIGHTS; a test keeps the two in step).
WEIGHT_NAMES = (
    "keywords",
    "seeds",
    "feedback",
    "authors",
    "categories",
    "popularity",
    "dislikes",
    "diversity",
)


def parse_keyword(text: str) -> tuple[str, float]:
    """'phrase' or 'phrase:2.5' -> (phrase, weight).

    Text after the last colon is the weight and must be a finite number: 'foo:abc' is an
    error, not the keyword "foo:abc" (write 'time:series:1' for a phrase with a colon).
    """
    term, sep, weight = text.rpartition(":")
    if not sep:
        term, weight = text, "1"
    term = term.strip().lower()
    if not term:
        raise ConfigError(f"empty keyword in {text!r}: use 'phrase' or 'phrase:weight'")
    if not weight.strip():
        raise ConfigError(f"keyword {text!r} has no weight after ':': write e.g. '{term}:2'")
    try:
        float(weight)
    except ValueError:
        raise ConfigError(
            f"keyword {text!r}: weight {weight.strip()!r} is not a number (write 'phrase:2.5'; "
            "a phrase holding a colon takes an explicit weight, e.g. 'time:series:1')"
        ) from None
    value = finite(weight.strip(), f"keyword {text!r}: weight")
    return check_text(term, "keyword"), value


def parse_weight(text: str) -> tuple[str, float]:
    """'SIGNAL=NUMBER' for a ranking weight: a known signal and a finite number."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ConfigError(f"invalid weight {text!r}: use SIGNAL=NUMBER, e.g. seeds=2")
    return check_weight_name(name), finite(value.strip(), f"weight {name!r}")


def check_weight_name(name: str) -> str:
    if name not in WEIGHT_NAMES:
        raise ConfigError(f"unknown signal {name!r}: use one of {', '.join(WEIGHT_NAMES)}")
    return name


class SeedConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    title: str
    abstract: str = ""
    authors: list[str] = Field(default_factory=list)
    # Named by arXiv id while the API could not be reached: looked up later (seeds.py).
    pending: bool = False

    @field_validator("key", "title", "abstract", mode="after")
    @classmethod
    def _text(cls, v: str) -> str:
        # Seeds come from bibliography files: control characters (a NUL breaks PostgreSQL)
        # become spaces, and no field is unbounded.
        return scrub(v, 20_000)

    @field_validator("authors", mode="after")
    @classmethod
    def _authors(cls, v: list[str]) -> list[str]:
        return [scrub(a, 200) for a in v[:1000]]


class ProfileConfig(BaseModel):
    """A profile as a person declares it. Field order is the YAML's order."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    description: str = ""
    enabled: bool = True
    schedule: str = DEFAULT_SCHEDULE  # a shortcut here would skip _schedule: store cron
    timezone: str = "UTC"
    max_items: int = Field(10, ge=1, le=200)
    min_score: float = 0.0
    send_empty: bool = False
    # After downtime: one digest with everything missed, or one per missed slot (dispatch.py).
    catch_up: Literal["one", "each"] = "one"
    keywords: dict[str, float] = Field(default_factory=dict)
    excluded: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    seeds: list[SeedConfig] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_name(v, "profile")

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return check_text(v.strip(), "description", max_len=1000)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        return parse_schedule(v)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return parse_timezone(v)

    @field_validator("categories")
    @classmethod
    def _cats(cls, v: list[str]) -> list[str]:
        from models.taxonomy import validate_category

        return list(dict.fromkeys(validate_category(c) for c in v))

    @field_validator("keywords")
    @classmethod
    def _kw(cls, v: dict[str, float]) -> dict[str, float]:
        return {check_text(k.strip().lower(), "keyword"): w for k, w in v.items() if k.strip()}

    @field_validator("excluded")
    @classmethod
    def _ex(cls, v: list[str]) -> list[str]:
        words = (check_text(x.strip().lower(), "excluded word") for x in v if x.strip())
        return list(dict.fromkeys(words))

    @field_validator("authors", "sources")
    @classmethod
    def _texts(cls, v: list[str], info) -> list[str]:
        what = "author" if info.field_name == "authors" else "source"
        return list(dict.fromkeys(check_text(x.strip(), what) for x in v if x.strip()))

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        return {check_weight_name(k.strip()): w for k, w in v.items()}

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        # Bounded text here; that Apprise can read each URL is checked where profiles come
        # in (paperround.profiles.build_config), so the store never imports Apprise.
        return list(dict.fromkeys(check_text(u, "channel URL", max_len=2000) for u in v))

    def check_signal(self) -> None:
        if not (self.keywords or self.categories or self.authors or self.seeds):
            raise ConfigError(
                f"profile {self.name!r} has no signal: give keywords, categories, authors or seeds"
            )
