"""Files Paperround ships besides its code: the digest templates and the demo's feeds.

They live at the repository's top level (`templates/`, `examples/`), where people edit
them. A wheel carries them inside the package, as `paperround/_bundled/<name>` (the
`force-include` table in pyproject.toml), because an installed package cannot reach a
folder beside its checkout. So: the packaged copy when there is one (a wheel, `pip install
.`), else the checkout's folder (a source tree or an editable install; hatchling's editable
install also copies them into site-packages, but the package it imports is the checkout's,
so that copy is never read).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

PACKAGED = Path(__file__).resolve().parent / "_bundled"
CHECKOUT = Path(__file__).resolve().parents[1]


def bundled_dir(name: Literal["templates", "examples"]) -> Path:
    """The folder of bundled files `name`, installed or in the checkout."""
    packaged = PACKAGED / name
    return packaged if packaged.is_dir() else CHECKOUT / name
