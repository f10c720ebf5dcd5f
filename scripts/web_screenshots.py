"""Rerun the browser end-to-end test of the feedback links and copy its screenshots to docs/.

tests/test_web_e2e.py ingests from a feed server, emails a digest whose links point at a
real `paperround web`, opens the first "more like this" link in headless Chromium, confirms,
undoes, confirms again and checks the next digest; on the way it screenshots the
confirmation page and the digest's "view in browser" page at 375 and 1024 px into
tests/artifacts/. This copies those four files to docs/, where the README shows them.

Usage: .venv/bin/python scripts/web_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
SHOTS = [f"web-{page}-{width}.png" for page in ("confirm", "digest") for width in (375, 1024)]


def main() -> int:
    for name in SHOTS:
        (ARTIFACTS / name).unlink(missing_ok=True)  # never copy a stale one
    test = [sys.executable, "-m", "pytest", "tests/test_web_e2e.py", "-q", "-x", "-rs"]
    if subprocess.run(test, cwd=REPO).returncode != 0:
        print("the end-to-end test failed (or was skipped): docs/ left as it was", file=sys.stderr)
        return 1
    missing = [name for name in SHOTS if not (ARTIFACTS / name).exists()]
    if missing:
        print(f"the test made no {', '.join(missing)} (Chromium skipped?)", file=sys.stderr)
        return 1
    for name in SHOTS:
        shutil.copyfile(ARTIFACTS / name, REPO / "docs" / name)
        print(f"docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
