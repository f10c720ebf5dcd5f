"""What pylatexenc knows for paperround/digest/mathtext.py: its default macros, plus the overrides
and additions that make arXiv's TeX read well as plain text (each tested in
tests/test_mathtext.py). Any macro or environment still unknown raises, so that the piece
holding it is shown as written rather than with the macro silently dropped.
"""

from __future__ import annotations

import re
from functools import cache

_BARE = re.compile(r"[^\s+\-−*/=<>,;|]*")
_PAIRS = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "|": "|", "‖": "‖"}


def atom(text: str) -> bool:
    """Whether a fraction's part or a root's body reads right without parentheses: no
    operator or space, or one bracketed whole ("(n+1)", "⟨ u^t ⟩")."""
    if _BARE.fullmatch(text):
        return True
    close = _PAIRS.get(text[:1])
    if close is None or text[-1:] != close:
        return False
    inner = text[1:-1]
    return not any(c in inner for c in "([{⟨⟩}])")


# Commands that only change the look: their text is what follows them.
_SWITCHES = (
    "em", "it", "bf", "sc", "sl", "tt", "rm", "sf", "up", "normalfont", "itshape", "bfseries",
    "scshape", "ttfamily", "upshape", "mdseries", "rmfamily", "sffamily", "boldmath",
    "unboldmath", "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large",
    "Large", "LARGE", "huge", "Huge", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
    "Bigr", "biggl", "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle",
    "limits", "nolimits", "nonumber", "notag",
)  # fmt: skip
# Drawn as plain letters: bold, typewriter, sans and upright read best (and stay findable)
# as the letters themselves; blackboard, calligraphic and fraktur keep their forms (ℝ, 𝒪).
_PLAIN = (
    "mathbf", "boldsymbol", "bm", "mathtt", "mathsf", "mathit", "mathrm", "texttt", "textsf",
    "textrm", "textup", "textnormal", "textmd", "mathnormal", "pmb", "mbox", "hbox", "fbox",
    "operatorname", "mathbin", "mathrel", "mathop", "textsuperscript", "textsubscript",
)  # fmt: skip
_SYMBOLS = {"deg": "deg", "ne": "≠", "vDash": "⊨", "textless": "<", "textgreater": ">",
            "circledR": "®", "space": " ", "color": ""}  # fmt: skip


class _Unknown(Exception):
    """A macro or environment pylatexenc has no text for: keep the piece as written."""


def _unknown(*_args, **_kwargs) -> str:
    raise _Unknown


@cache
def converters():
    """(text-mode converter, math-mode converter, walker context), built once (~20 ms)."""
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import (
        EnvironmentTextSpec,
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "paperround",
        prepend=True,
        macros=[
            macrospec.std_macro("href", False, 2),
            macrospec.std_macro("bm", False, 1),
            macrospec.std_macro("mathds", False, 1),
            *(
                macrospec.std_macro(name, False, 1)
                for name in ("pmb", "mbox", "hbox", "fbox", "color", "mathbin", "mathrel")
            ),
            macrospec.std_macro("pmod", False, 1),
            macrospec.std_macro("dfrac", False, 2),
            macrospec.std_macro("tfrac", False, 2),
        ],
    )
    text_db = get_default_latex_context_db()
    base = {m.macroname: m for m in text_db.iter_macro_specs()}

    def plain(node, l2tobj) -> str:
        return l2tobj.node_arg_to_text(node, 0)

    def fraction(node, l2tobj) -> str:
        parts = [l2tobj.node_arg_to_text(node, k).strip() for k in (0, 1)]
        return "/".join(p if atom(p) else f"({p})" for p in parts)

    def root(node, l2tobj) -> str:
        args = [a for a in node.nodeargd.argnlist if a is not None]
        body = l2tobj.nodelist_to_text(args[-1:]).strip()
        index = l2tobj.nodelist_to_text(args[:-1]).strip()
        return f"{index}√" + (body if atom(body) else f"({body})")

    def href(node, l2tobj) -> str:
        args = [a for a in node.nodeargd.argnlist if a is not None]
        text = l2tobj.nodelist_to_text(args[1:2]) if len(args) > 1 else ""
        url = l2tobj.nodelist_to_text(args[:1])
        return f"{text} <{url}>" if text else f"<{url}>"

    overrides = [
        *(MacroTextSpec(name, simplify_repl=plain) for name in _PLAIN),
        MacroTextSpec("frac", simplify_repl=fraction),
        MacroTextSpec("dfrac", simplify_repl=fraction),
        MacroTextSpec("tfrac", simplify_repl=fraction),
        MacroTextSpec("pmod", simplify_repl=lambda n, l2tobj: f" (mod {plain(n, l2tobj)})"),
        MacroTextSpec("bmod", simplify_repl=" mod "),
        MacroTextSpec("sqrt", simplify_repl=root),
        *(MacroTextSpec(name, simplify_repl=text) for name, text in _SYMBOLS.items()),
        MacroTextSpec("mathds", simplify_repl=base["mathbb"].simplify_repl),
        MacroTextSpec("widetilde", simplify_repl=base["tilde"].simplify_repl),
        MacroTextSpec("widehat", simplify_repl=base["hat"].simplify_repl),
        MacroTextSpec("|", simplify_repl="‖"),
        MacroTextSpec("href", simplify_repl=href),
        MacroTextSpec("\\", simplify_repl=" "),
        # Font switches ({\em ...}, {\bf ...}): their group's text is the text.
        *(MacroTextSpec(name, discard=True) for name in _SWITCHES),
    ]
    text_db.add_context_category("paperround", prepend=True, macros=overrides)
    text_db.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown))
    text_db.set_unknown_environment_spec(EnvironmentTextSpec("", simplify_repl=_unknown))

    class SourceSpaced(LatexNodes2Text):
        """Keeps the space the source has between two commands ("\\eta \\nabla f" reads
        "η ∇ f", not "η∇ f"); the caller collapses runs of space."""

        def chars_node_to_text(self, node, textcol=0):
            return node.chars if node.chars.strip() else " "

        def macro_node_to_text(self, node):
            out = super().macro_node_to_text(node)
            return out + " " if self._is_bare_macro_node(node) and node.macro_post_space else out

    text = LatexNodes2Text(latex_context=text_db, math_mode="text")
    math = SourceSpaced(latex_context=text_db, math_mode="text", strict_latex_spaces=True)
    return text, math, walker_db
