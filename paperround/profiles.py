"""Profiles as people write them: flags and YAML files, validated into models.profile_config.

`build_config` is the one way in: the shape's own checks, then that Apprise can read each
channel URL. YAML export is stable (export -> apply -> export is byte-identical).
"""

from __future__ import annotations

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


def from_yaml(text: str, *, source: str = "<yaml>") -> list[ProfileConfig]:
    """Parse one or several YAML documents of profiles."""
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
                config = build_config(item)
            except ConfigError as exc:
                raise ConfigError(f"{source}: profile {item.get('name', '?')!r}: {exc}") from None
            if any(c.name == config.name for c in configs):  # the second would overwrite
                raise ConfigError(
                    f"{source}: profile {config.name!r} is defined twice: keep one of them"
                )
            configs.append(config)
    return configs
