"""Profiles as people write them: flags and YAML files, validated into models.profile_config.

`build_config` is the one way in: the shape's own checks, then that Apprise can read each
channel URL. YAML export is stable (export -> apply -> export is byte-identical).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError

from models.errors import ConfigError
from models.profile_config import ProfileConfig


def build_config(data: dict[str, Any], *, require_signal: bool = True) -> ProfileConfig:
    """Validate a profile definition; any problem is one ConfigError line."""
    try:
        config = ProfileConfig(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        inner = err.get("ctx", {}).get("error")
        where = ".".join(str(p) for p in err["loc"])
        message = str(inner) if isinstance(inner, ConfigError) else err["msg"]
        raise ConfigError(f"{where}: {message}" if where else message) from None
    from paperround.digest.deliver import validate_channel_url

    for url in config.channels:
        try:
            validate_channel_url(url)
        except ConfigError as exc:
            raise ConfigError(f"channels: {exc}") from None
    if require_signal:
        config.check_signal()
    return config


def to_yaml(configs: list[ProfileConfig]) -> str:
    """Profiles as YAML, in a stable order: export -> apply -> export is byte-identical."""
    docs = [c.model_dump(mode="json") for c in configs]
    for doc in docs:
        for seed in doc.get("seeds", []):
            if not seed.get("pending"):
                seed.pop("pending", None)  # only a pending seed says so
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=100)


def restore_redacted(
    item: dict[str, Any], stored_channels: Callable[[str], list[str]] | None
) -> dict[str, Any]:
    """A channel entry `export` wrote redacted stands for the stored URL it was made from
    (the same profile's, with the same redacted form); one with no such URL is refused, as
    it could not be sent. Done before validation: a redacted token does not parse."""
    from paperround.digest.redact import looks_redacted, redact_url

    channels = item.get("channels")
    if not isinstance(channels, list) or not any(
        isinstance(u, str) and looks_redacted(u) for u in channels
    ):
        return item
    stored = stored_channels(str(item.get("name", "")).strip()) if stored_channels else []
    by_shown: dict[str, list[str]] = {}  # two bots posting to one chat look the same
    for u in stored:
        by_shown.setdefault(redact_url(u), []).append(u)
    restored = []
    for url in channels:
        if isinstance(url, str) and url not in stored and looks_redacted(url):
            if not by_shown.get(url):
                raise ConfigError(
                    f"channel {url!r} was exported redacted: add it again with its secret, "
                    "or export with --include-secrets"
                )
            url = by_shown[url].pop(0)  # in the order they were stored, as export wrote them
        restored.append(url)
    return {**item, "channels": restored}


def from_yaml(
    text: str,
    *,
    source: str = "<yaml>",
    stored_channels: Callable[[str], list[str]] | None = None,
) -> list[ProfileConfig]:
    """Parse one or several YAML documents of profiles. `stored_channels(name)`: the URLs
    the store holds for a profile, which redacted entries stand for (see restore_redacted)."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}{where}: not valid YAML") from None
    configs: list[ProfileConfig] = []
    for doc in docs:
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if not isinstance(item, dict):
                raise ConfigError(f"{source}: each profile must be a mapping")
            try:
                config = build_config(restore_redacted(item, stored_channels))
            except ConfigError as exc:
                raise ConfigError(f"{source}: profile {item.get('name', '?')!r}: {exc}") from None
            if any(c.name == config.name for c in configs):  # the second would overwrite
                raise ConfigError(
                    f"{source}: profile {config.name!r} is defined twice: keep one of them"
                )
            configs.append(config)
    return configs
