"""The house's dependency rules (docs/architecture.md), read from the sources' own imports.

models/ is the ground: it imports nothing from paperround/ or flows/. The ranker and the
renderer are pure: no Prefect, no SQL. All SQL lives in models/store/: the stages and the
flows import neither table objects nor statement builders nor a database driver. And no two
modules import each other, directly or around a loop, counting imports made inside functions
too (they must not hide a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "paperround", "flows")
PURE = (
    "paperround.rank",
    "paperround.digest.render",
    "paperround.digest.mathtext",
    "paperround.digest.tldr",
)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module this one imports (at any depth in the file), as dotted names."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            subs = {f"{base}.{alias.name}" for alias in node.names}
            # "from package import submodule" imports the submodule, not the package's body.
            found = {m for m in subs if m in MODULES}
            out.update(found or {base})
            out.update(subs - found)
    return out


def _internal(names: set[str]) -> set[str]:
    return {n for n in names if n in MODULES}


def test_models_is_the_ground():
    offenders = {
        name: sorted(i for i in _imports(name) if i.split(".")[0] in ("paperround", "flows"))
        for name in MODULES
        if name.startswith("models")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize(
    "name", [m for m in MODULES if any(m == p or m.startswith(p + ".") for p in PURE)]
)
def test_ranker_and_renderer_are_pure(name):
    banned = {i for i in _imports(name) if i.split(".")[0] in ("prefect", "sqlalchemy", "sqlmodel")}
    assert banned == set()


# What the stages and flows may take from SQLAlchemy/SQLModel, and why.
SQL_ALLOWED = {
    # The engine is a handle passed down to models/store/ functions; the stages only name its
    # type in signatures. Every statement is built and run in models/store/.
    ("sqlalchemy", "Engine"),
}
DRIVERS = ("sqlite3", "psycopg", "psycopg2")


def _sql_imports(path: Path) -> set[str]:
    """SQL machinery a module imports: sqlalchemy/sqlmodel names (but SQL_ALLOWED), drivers,
    and the table objects (models.tables)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(
                a.name
                for a in node.names
                if a.name.split(".")[0] in ("sqlalchemy", "sqlmodel", *DRIVERS)
                or a.name == "models.tables"
                or a.name.startswith("models.tables.")
            )
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            root = module.split(".")[0]
            if module == "models.tables" or module.startswith("models.tables.") or root in DRIVERS:
                found.add(module)
            elif module == "models":
                found.update(f"models.{a.name}" for a in node.names if a.name == "tables")
            elif root in ("sqlalchemy", "sqlmodel"):
                found.update(
                    f"{module}.{a.name}" for a in node.names if (module, a.name) not in SQL_ALLOWED
                )
    return found


@pytest.mark.parametrize("name", [m for m in MODULES if m.split(".")[0] in ("paperround", "flows")])
def test_sql_lives_in_the_store(name):
    assert _sql_imports(MODULES[name]) == set()


def test_the_sql_check_sees_what_it_bans(tmp_path):
    """The check above can fail: it catches each form of import it exists to ban."""
    lines = {
        "from sqlalchemy import select": {"sqlalchemy.select"},
        "from sqlmodel import Session, select": {"sqlmodel.Session", "sqlmodel.select"},
        "from sqlalchemy import Engine, text": {"sqlalchemy.text"},
        "import sqlalchemy as sa": {"sqlalchemy"},
        "from models.tables import Profile": {"models.tables"},
        "from models import tables": {"models.tables"},
        "import sqlite3": {"sqlite3"},
        "def f():\n    from sqlalchemy.dialects import sqlite": {"sqlalchemy.dialects.sqlite"},
        "from sqlalchemy import Engine": set(),
    }
    for line, banned in lines.items():
        path = tmp_path / "m.py"
        path.write_text(line + "\n", encoding="utf-8")
        assert _sql_imports(path) == banned, line


def test_no_import_cycles():
    graph = {name: _internal(_imports(name)) - {name} for name in MODULES}
    # A package's __init__ importing its own submodules is how a package is built, not a loop.
    for name in graph:
        graph[name] = {
            d for d in graph[name] if not (d.startswith(name + ".") and name in PACKAGES)
        }
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)
