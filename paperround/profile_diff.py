"""What `profile apply` changes: one short phrase per setting that differs.

Pure: two ProfileConfigs in, phrases out ("schedule: 0 7 * * * -> 0 7 * * 1-5",
"keywords: +mean field=1.5, -feature learning", "seeds: +2006.14599"). Channel URLs appear as
listings show them (redacted unless they hold {env:NAME} placeholders only); seeds by key.
"""

from __future__ import annotations

from typing import Any

from models.profile_config import ProfileConfig


def _short(value: Any) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _list_change(old: list, new: list, shown=_short) -> str | None:
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    parts = [f"+{shown(x)}" for x in added] + [f"-{shown(x)}" for x in removed]
    if not parts and old != new:
        return "reordered"
    return ", ".join(parts) or None


def _dict_change(old: dict, new: dict) -> str | None:
    parts = [f"+{k}={_short(v)}" for k, v in new.items() if k not in old]
    parts += [f"-{k}" for k in old if k not in new]
    parts += [
        f"{k}={_short(old[k])}->{_short(v)}" for k, v in new.items() if k in old and old[k] != v
    ]
    return ", ".join(parts) or None


def _seed_change(old: list, new: list) -> str | None:
    before = {s.key: s for s in old}
    after = {s.key: s for s in new}
    parts = [f"+{k}" for k in after if k not in before]
    parts += [f"-{k}" for k in before if k not in after]
    parts += [
        f"~{k}"
        for k, s in after.items()
        if k in before and s.model_dump() != before[k].model_dump()
    ]
    return ", ".join(parts) or None


def profile_changes(old: ProfileConfig, new: ProfileConfig) -> list[str]:
    """Each setting of `new` that differs from `old`, as "setting: change"."""
    from paperround.digest.deliver import shown_url

    changes = []
    for field in ProfileConfig.model_fields:
        before, after = getattr(old, field), getattr(new, field)
        if field == "seeds":
            change = _seed_change(before, after)
        elif field == "channels":
            shown = [shown_url(u) for u in before], [shown_url(u) for u in after]
            change = _list_change(*shown, shown=str)  # a URL is shown whole, never cut
            if change is None and before != after:
                change = "a URL changed (same redacted form)"
        elif isinstance(before, dict):
            change = _dict_change(before, after)
        elif isinstance(before, list):
            change = _list_change(before, after)
        else:
            change = None if before == after else f"{_short(before)} -> {_short(after)}"
        if change is not None:
            changes.append(f"{field}: {change}")
    return changes
