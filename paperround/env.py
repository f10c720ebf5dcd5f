"""Keep Prefect offline and quiet before it is imported.

Without these, Prefect tries to reach a telemetry host and writes to ~/.prefect.
The user's own values always win.
"""

from __future__ import annotations

import os

from models.settings import get_settings


def prepare_prefect_env() -> None:
    """Set Prefect's environment defaults (unless already set). Call before importing prefect."""
    settings = get_settings()
    defaults = {
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # The first ephemeral run spends ~16 s on migrations on these machines.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
