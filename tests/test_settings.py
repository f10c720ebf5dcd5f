"""One settings object, read once; every default defined in one place (models/settings.py)."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest

from models.errors import ConfigError
from models.settings import Settings, get_settings, replace_settings

REPO = Path(__file__).resolve().parents[1]

# The only modules that touch the process environment, each for a reason written beside it:
# channel URLs' {env:NAME} (read at send time), and Prefect's own variables, which Prefect
# reads from the environment (set before it is imported, or for the server it starts).
ENV_TOUCHING = {
    "paperround/digest/deliver.py",
    "paperround/env.py",
    "paperround/server.py",
    "paperround/cli/run.py",
    "paperround/cli/serve.py",
}
_ENV_USE = re.compile(r"os\.environ|os\.getenv|getenv\(|envvar=")


def test_no_module_reads_the_environment_outside_settings():
    found = {
        str(path.relative_to(REPO))
        for package in ("models", "paperround", "flows")
        for path in (REPO / package).rglob("*.py")
        if "migrations" not in path.parts and _ENV_USE.search(path.read_text(encoding="utf-8"))
    }
    assert found <= ENV_TOUCHING, found - ENV_TOUCHING


def test_library_defaults_are_the_settings_defaults():
    from models.db import make_engine
    from paperround.ingest.arxiv_client import ArxivApiClient
    from paperround.ingest.fetch import fetch

    field = {name: f.default for name, f in Settings.model_fields.items()}
    defaults = {
        **{f"fetch.{k}": p.default for k, p in inspect.signature(fetch).parameters.items()},
        **{
            f"client.{k}": p.default
            for k, p in inspect.signature(ArxivApiClient.__init__).parameters.items()
        },
        **{f"engine.{k}": p.default for k, p in inspect.signature(make_engine).parameters.items()},
    }
    assert defaults["fetch.timeout"] == field["fetch_timeout"]
    assert defaults["fetch.max_bytes"] == field["fetch_max_bytes"]
    assert defaults["fetch.backoff"] == field["fetch_backoff"]
    assert defaults["client.base_url"] == field["arxiv_api_url"]
    assert defaults["client.min_interval"] == field["arxiv_api_spacing"]
    assert defaults["client.timeout"] == field["fetch_timeout"]
    assert defaults["engine.busy_timeout"] == field["busy_timeout"]
    assert defaults["engine.connect_timeout"] == field["connect_timeout"]


def test_replace_settings_changes_this_process_not_the_environment(paperround_home, tmp_path):
    before = dict(os.environ)
    replaced = replace_settings(home=str(tmp_path / "other"), enrich=False)
    assert get_settings() is replaced
    assert replaced.home == tmp_path / "other"  # validated: a Path
    assert replaced.db_url.endswith(f"{tmp_path / 'other' / 'paperround.db'}")
    assert dict(os.environ) == before
    get_settings.cache_clear()  # as the tests' fixture does: back to the environment
    assert get_settings().home == paperround_home


def test_replace_settings_keeps_prefects_api_url(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    get_settings.cache_clear()
    assert get_settings().prefect_api_url == "http://127.0.0.1:9/api"
    assert replace_settings(enrich=False).prefect_api_url == "http://127.0.0.1:9/api"
    assert replace_settings(prefect_api_url="http://x/api").prefect_api_url == "http://x/api"


def test_replace_settings_validates(paperround_home):
    with pytest.raises(Exception, match="busy_timeout"):
        replace_settings(busy_timeout=-1)


@pytest.mark.parametrize(("value", "debug"), [("", False), ("0", False), ("1", True)])
def test_debug_is_a_setting(monkeypatch, value, debug):
    monkeypatch.setenv("PAPERROUND_DEBUG", value)  # empty: as if unset
    get_settings.cache_clear()
    assert get_settings().debug is debug


def test_a_bad_setting_is_one_config_error_naming_it(monkeypatch):
    monkeypatch.setenv("PAPERROUND_PREFECT_PORT", "http")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="PAPERROUND_PREFECT_PORT"):
        get_settings()
