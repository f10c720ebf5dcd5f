"""The wheel is the product: built from this checkout, installed with the runtime lock into a
fresh venv in a temporary folder, it runs the demo and a digest from outside the checkout.

An editable install reads templates/ and examples/ beside the code, so only a real wheel
shows whether they ship. uv builds and installs from its cache, offline (`make install` put
the locked wheels and the build backend there). The module costs ~16 s of CPU (build ~2 s,
install ~4 s of wall time, the rest the four commands; ~60 s of wall time on a loaded
2-core machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _uv() -> str:
    found = Path(sys.executable).parent / "uv"
    uv = str(found) if found.exists() else shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (make install puts it in .venv/bin)")
    return uv


def _run_uv(uv: str, *args: str) -> None:
    """uv from its cache only (no network in tests): `make install` filled it."""
    r = subprocess.run([uv, *args, "--offline"], capture_output=True, text=True)
    assert r.returncode == 0, f"uv {' '.join(args)} --offline: {r.stderr}"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the fresh venv's bin/
    outside: Path  # a folder outside the checkout to run commands from

    def run(self, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PAPERROUND_") and k not in ("PREFECT_API_URL", "PYTHONPATH")
        }
        clean.update(PAPERROUND_HOME=str(home), PAPERROUND_ENRICH="false", **env)
        clean.pop("VIRTUAL_ENV", None)
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.outside,
            env=clean,
            capture_output=True,
            text=True,
            timeout=240,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    assert REPO not in root.parents
    uv = _uv()
    _run_uv(uv, "build", "--wheel", "--quiet", "--out-dir", str(root / "dist"), str(REPO))
    (wheel,) = (root / "dist").glob("paperround-*.whl")
    venv = root / "venv"
    _run_uv(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    _run_uv(
        uv, "pip", "install", "--quiet", "--python", python, "-r", str(REPO / "requirements.lock")
    )
    _run_uv(uv, "pip", "install", "--quiet", "--python", python, "--no-deps", str(wheel))
    outside = root / "elsewhere"
    outside.mkdir()
    return Installed(wheel=wheel, bin=venv / "bin", outside=outside)


def test_the_wheel_carries_templates_demo_feeds_and_migrations(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for path in (REPO / "templates").rglob("*.*"):  # the web app's pages in templates/web too
        assert f"paperround/_bundled/{path.relative_to(REPO)}" in names
    for path in REPO.glob("examples/feeds/*"):
        assert f"paperround/_bundled/examples/feeds/{path.name}" in names
    for path in REPO.glob("models/migrations/versions/*.py"):
        assert f"models/migrations/versions/{path.name}" in names
    assert "models/migrations/env.py" in names


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    code = "import paperround, models; print(paperround.__file__); print(models.__file__)"
    r = installed.run("python", "-c", code, home=tmp_path)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.split():
        assert Path(line).is_relative_to(installed.bin.parent), line


def test_the_demo_then_a_digest_run_from_the_wheel(installed, tmp_path):
    r = installed.run("paperround", "demo", home=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (page,) = (tmp_path / "demo" / "digests" / "demo").glob("*.html")
    # The demo profile sends its 10 best papers, each linked to its arXiv page.
    assert page.read_text(encoding="utf-8").count("arxiv.org/abs/") >= 10

    # A profile of one's own on the demo's store (its papers are in): `paperround digest`.
    demo_home = tmp_path / "demo"
    for step in (("profile", "add", "mine", "-k", "neural network", "-c", "cs.LG"), ("digest",)):
        r = installed.run("paperround", *step, home=demo_home)
        assert r.returncode == 0, f"{step}: {r.stdout}{r.stderr}"
    written = sorted((demo_home / "digests" / "mine").iterdir())
    assert [p.suffix for p in written] == [".html", ".md", ".txt"]
    text = written[-1].read_text(encoding="utf-8")
    assert text.count("arxiv.org/abs/") >= 3, text


def test_a_postgresql_url_without_the_extra_says_which_extra(installed, tmp_path):
    url = "postgresql+psycopg://paperround@127.0.0.1:1/paperround"
    r = installed.run("paperround", "profile", "list", home=tmp_path, PAPERROUND_DATABASE_URL=url)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "paperround[postgres]" in r.stderr, r.stderr


def test_make_engine_without_psycopg_names_the_extra(monkeypatch):
    from models.db import make_engine
    from models.errors import ConfigError

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as when the extra is not installed
    with pytest.raises(ConfigError, match=r"paperround\[postgres\]"):
        make_engine("postgresql+psycopg://paperround@127.0.0.1:1/paperround")


def test_the_web_app_renders_its_pages_from_the_wheel(installed, tmp_path):
    """`paperround web` reads templates/web from the installed package, not the checkout."""
    code = (
        "from paperround.web.pages import TEMPLATES, error_page\n"
        "print(TEMPLATES)\n"
        "print(error_page(410).body.decode())\n"
    )
    r = installed.run("python", "-c", code, home=tmp_path)
    assert r.returncode == 0, r.stderr
    where, html = r.stdout.split("\n", 1)
    assert Path(where).is_relative_to(installed.bin.parent), where
    assert "<html" in html and "410" in html, html
