"""The home's signing secrets, re-read when the file changes (a rotation takes effect at once)."""

from __future__ import annotations

import threading
from pathlib import Path

from paperround.web.tokens import SECRET_FILE, Secrets, load_secrets


class SecretsCache:
    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._secrets: Secrets | None = None

    def get(self) -> Secrets:
        """The current secrets: one stat per call, a read only when the file changed."""
        try:
            st = (self.home / SECRET_FILE).stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if self._secrets is None or stamp is None or stamp != self._stamp:
                self._secrets = load_secrets(self.home)
                st = (self.home / SECRET_FILE).stat()
                self._stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
            return self._secrets
