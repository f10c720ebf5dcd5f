"""Help that reads well: `App`, a Typer whose commands show words, not Python types.

Typer (0.29) labels each value with its Python annotation (`<str>`, `<list[str]>`, `<bool>`
even on flags and --help) and writes a required argument as `{name}` in the usage line.
Commands made through `App` show click's plain convention instead: `--max-items N`,
`--since YYYY-MM-DD`, `--catch-up one|each`, no label on a flag, and `NAME` / `[NAMES]...`
in usage. A parameter's own `metavar=` always wins. tests/test_cli_help.py scans every
command's help so the type names cannot come back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# What a value of each annotation is called in help (click's own words where it has them).
_WORDS: dict[Any, str] = {str: "TEXT", int: "N", float: "NUMBER", Path: "PATH"}


class PlainArgument(TyperArgument):
    """An argument shown as NAME: in usage `NAME`, `[NAME]` or `[NAMES]...`, no type label."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return f"{name}..." if self.nargs != 1 else name


def _option_metavar(option: TyperOption) -> str:
    if option.is_flag:
        return ""  # a flag takes no value
    desc = option.type_descriptor
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    if desc.is_datetime:
        formats = desc.parameter_info.formats or ["%Y-%m-%d"]
        return "|".join(
            f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in formats
        )
    annotation = desc.annotation
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if annotation is Path and desc.parameter_info.dir_okay is False:
        return "FILE"
    return _WORDS.get(annotation, "TEXT")


def plain_params(params: list[Any]) -> None:
    """Give every parameter a plain metavar (in place); arguments become PlainArgument."""
    for param in params:
        if isinstance(param, TyperArgument):
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            # Typer builds its parameters itself (no class hook): PlainArgument only changes
            # how the argument is displayed, never how it is parsed.
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = _option_metavar(param)


if TYPE_CHECKING:  # what the mixin is mixed into: Typer's copy of click's Command
    from typer._click.core import Command as _Command
else:
    _Command = object


class _Plain(_Command):
    """Shared by PlainCommand and PlainGroup: every parameter as help and usage show it,
    --help and the completion options Typer adds after construction included."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        plain_params(params)
        return params


class PlainCommand(_Plain, TyperCommand):
    pass


class PlainGroup(_Plain, TyperGroup):
    pass


class App(typer.Typer):
    """typer.Typer whose groups and commands are PlainGroup and PlainCommand by default."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", PlainGroup)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", PlainCommand)
        return super().command(name, **kwargs)
