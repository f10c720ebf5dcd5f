"""Where the digest's templates are, and a template that cannot be loaded as one line.

PAPERROUND_TEMPLATES names a folder that replaces the bundled one (docs/digest.md: the prompt
is "its own copy" there), so it must hold the full set; a missing or broken template says
which folder, which file, and what to do, instead of Jinja2's TemplateNotFound.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, Template, TemplateNotFound, TemplateSyntaxError

from models.errors import ConfigError
from models.settings import get_settings
from paperround.bundled import bundled_dir

# Every template a digest run may load (the prompt only with TL;DR summaries on).
TEMPLATE_SET = ("digest.html.j2", "digest.md.j2", "digest.txt.j2", "tldr_prompt.j2")


def templates_dir() -> Path:
    """Top-level templates/ (packaged in a wheel), or PAPERROUND_TEMPLATES to use your own."""
    return get_settings().templates or bundled_dir("templates")


def load_template(env: Environment, name: str) -> Template:
    """env.get_template(name); a missing or unparseable template is a ConfigError."""
    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        raise missing_template(exc.name if isinstance(exc.name, str) else name) from exc
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name} line {exc.lineno}"
        raise ConfigError(f"template {where}: {exc.message} (fix its Jinja2 syntax)") from exc


def missing_template(name: str) -> ConfigError:
    """What to do when the templates folder has no `name`."""
    bundled = bundled_dir("templates")
    if get_settings().templates is None:
        return ConfigError(f"the bundled templates folder {bundled} has no {name}: reinstall")
    folder = templates_dir()
    what = f"has no {name}" if folder.is_dir() else "is not a folder"
    return ConfigError(
        f"PAPERROUND_TEMPLATES folder {folder} {what}: it replaces the bundled templates, so "
        f"it must hold the full set ({', '.join(TEMPLATE_SET)}); copy the missing ones from "
        f"{bundled}, or unset PAPERROUND_TEMPLATES"
    )
