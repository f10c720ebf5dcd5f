"""Shell completion of the names a person types most: profiles, sources, channels.

Each callback reads the store and offers the names that start with what is typed. A TAB
press must never print an error into the shell, so any failure (no store yet, a database
that is down, a bad setting) offers nothing. A store that does not exist yet is not created.
"""

from __future__ import annotations

import typer


def _engine():
    from models.settings import get_settings

    settings = get_settings()
    if settings.database_url is None and not (settings.home / "paperround.db").exists():
        return None
    from models.db import get_engine

    return get_engine()


def _matching(names: list[str], incomplete: str) -> list[str]:
    return [n for n in names if n.startswith(incomplete)]


def profile_names(incomplete: str) -> list[str]:
    """Profiles whose name starts with what is typed."""
    try:
        from models.store.profiles import list_profiles

        eng = _engine()
        names = [] if eng is None else [p.name for p in list_profiles(engine=eng)]
    except Exception:  # completion fails silently, by design
        return []
    return _matching(names, incomplete)


def source_names(incomplete: str) -> list[str]:
    """Configured sources whose name starts with what is typed."""
    try:
        from models.store.sources import list_sources

        eng = _engine()
        names = [] if eng is None else [s.name for s in list_sources(engine=eng)]
    except Exception:  # completion fails silently, by design
        return []
    return _matching(names, incomplete)


def channel_urls(ctx: typer.Context, incomplete: str) -> list[str]:
    """The channels of the profile named earlier on the line, as `channel list` shows them
    (redacted: `channel remove` accepts that form, so no secret reaches the shell)."""
    try:
        from models.store.profiles import channels_of, get_profile
        from paperround.digest.deliver import shown_url

        eng = _engine()
        name = ctx.params.get("name")
        if eng is None or not name:
            return []
        prof = get_profile(name, engine=eng)
        assert prof.id is not None  # a stored profile
        urls = [shown_url(c.url) for c in channels_of(prof.id, engine=eng)]
    except Exception:  # completion fails silently, by design
        return []
    return _matching(urls, incomplete)
