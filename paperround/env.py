"""Keep Prefect offline and quiet before it is imported.

Without these, Prefect tries to reach a telemetry host and writes to ~/.prefect.
The user's own values always win. These are Prefect's own variables, which Prefect reads
from the environment (in this process and the ones it starts), so they are set there rather
than kept in Settings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from models.db import ensure_home
from models.errors import StoreUnavailableError
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
    ensure_home(settings.home)  # a home that is a file is named as such, not as Prefect's
    for folder in {settings.prefect_home, Path(os.environ["PREFECT_HOME"]).expanduser()}:
        _check_writable(folder)


def _check_writable(folder: Path) -> None:
    """Fail now if Prefect cannot write its home: its server would retry for 90 s first."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise StoreUnavailableError(
            f"Prefect's home {folder} cannot be written ({exc.strerror}): make it writable, "
            "or set PAPERROUND_HOME to a writable directory"
        ) from exc
