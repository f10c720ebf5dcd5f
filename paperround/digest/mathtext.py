"""TeX in titles and abstracts as Unicode a reader can read: "$\\mathbb{R}^d$" -> "ℝ^d".

Only TeX is converted: math spans ($...$, $$...$$, \\(...\\), \\[...\\]) and the backslash
commands in the prose (\\emph{...}, accents, \\%). The prose around them stays exactly as the
feed wrote it: LaTeX would read "50%" as the start of a comment and "~50" as a space.
Each piece goes through pylatexenc's LatexNodes2Text on its own and is kept only if it
converted cleanly: a piece that raises, uses a macro pylatexenc does not know, or loses a
word stays as written (so malformed TeX never raises and never drops text). An unmatched
"$" is a dollar sign.

Feeds' text is hostile: the output is plain text to be escaped by each format like any
other feed text, and nothing here raises on any input.
"""

from __future__ import annotations

import re
from functools import lru_cache

from paperround.digest.mathtext_specs import converters

# A "$" before a number that opens a "span" reading like prose ("costs $5 and $10 more")
# is a dollar sign: three plain words in a row do not happen in real inline maths.
_PROSE = re.compile(r"(?:(?<![\\A-Za-z])[A-Za-z]{2,}[,.;:]?\s+){3}")
_COMBINING_ALONE = re.compile(r"(?:^|\s)[\u0300-\u036f]")
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
# Words a correct conversion may change: macro arguments drawn in a math alphabet, the
# names of environments, and reference keys.
_NOT_WORDS = re.compile(r"\\(?:math(?:cal|frak|scr|bb|ds)|label|cite[pt]?|ref|eqref)\s*\{[^{}]*\}")
_SCRIPT = re.compile(r"([\^_])\s*\{")
_SIMPLE_SCRIPT = re.compile(
    r"\s*(?:[A-Za-z0-9]+|\\[A-Za-z]+|\\[A-Za-z]+\s*\{\s*\w+\s*\}|\([^()]*\)|\\[{|]|[*'+-])\s*"
)
_DEGREES = re.compile(r"\^\s*(?:\{\s*\\circ\s*\}|\\circ(?![A-Za-z]))")
_DIGIT_SCRIPT = re.compile(r"([\^_])(?:\{\s*(-?\d+)\s*\}|(\d))")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_MATH_SCAN = re.compile(r"\\.|[{}$]", re.DOTALL)
_SPECIAL = re.compile(r"[$\\\\{]")
_TEX_QUOTES = re.compile(r"``([^`'\n]{1,300})''")
_ACCENTS = "'\"`^~=.uvHckbdrt"
# Letters written as commands (\l in "Sk\l odowska"): TeX swallows the space after them.
_LETTERS = frozenset({"l", "L", "o", "O", "i", "j", "ss", "ae", "AE", "oe", "OE", "aa", "AA"})
_MAX_MATH = 1000  # a longer "$...$" is two stray dollars, not one formula


def has_tex(text: str) -> bool:
    """Whether a string may hold TeX at all: everything else is left untouched, unread."""
    return "$" in text or "\\" in text or "``" in text


def tex_to_text(text: str) -> str:
    """The string with its TeX as Unicode text; the string itself when it holds none."""
    if not text or not has_tex(text):
        return text
    try:
        out = "".join(_convert(kind, raw) for kind, raw in _pieces(text))
    except Exception:  # a bug here must never cost a paper: show the original
        return text
    if "``" in out:
        out = _TEX_QUOTES.sub(r"“\1”", out)
    return out


def display_form(text: str) -> str | None:
    """What to store as a display form: the converted text, or None when it is the same."""
    out = tex_to_text(text)
    return out if out != text else None


# -- splitting a string into prose and TeX pieces -----------------------------------------


def _closing(text: str, start: int, token: str) -> int:
    """Index of the next unescaped token at or after start, or -1."""
    i = start
    while True:
        i = text.find(token, i)
        if i < 0:
            return -1
        if _escaped(text, i):
            i += 1
            continue
        return i


def _escaped(text: str, i: int) -> bool:
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _group_end(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """Index just past the group opened at text[start], or -1 if it never closes."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _command_end(text: str, i: int) -> int:
    """End of the backslash command at text[i] with its arguments."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt.isascii() and nxt.isalpha():
        j = i + 1
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        if text[i + 1 : j] in _LETTERS and text[j : j + 1] == " " and text[j + 1 : j + 2].isalpha():
            return j + 1
        if j < len(text) and text[j] == "*":
            j += 1
        for _ in range(3):  # up to three {…} or […] arguments
            k = j
            while k < len(text) and text[k] == " ":
                k += 1
            if k < len(text) and text[k] in "{[":
                end = _group_end(text, k, text[k], "}" if text[k] == "{" else "]")
                if end < 0:
                    return -1 if text[k] == "{" else j  # an argument that never closes
                j = end
            else:
                break
        return j
    if nxt and nxt in _ACCENTS:
        k = i + 2
        if k < len(text) and text[k] == "{":
            end = _group_end(text, k)
            return end if end > 0 else k
        if text.startswith("\\i", k):
            return k + 2
        return k + 1 if k < len(text) and text[k].isalpha() else i + 2
    return i + 2


def _pieces(text: str):
    """(kind, raw) pieces: "plain" prose, "math" spans (raw without delimiters), "tex"
    commands and the braced groups that hold them."""
    plain_from = 0
    i = 0
    n = len(text)
    while True:
        found = _SPECIAL.search(text, i)
        if found is None:
            break
        i = found.start()
        c = text[i]
        piece = None
        if c == "$":
            piece = _dollar_math(text, i)
        elif c == "\\" and i + 1 < n and text[i + 1] in "([":
            close = "\\)" if text[i + 1] == "(" else "\\]"
            end = text.find(close, i + 2)
            if 0 < end - i <= _MAX_MATH:
                piece = ("math", text[i + 2 : end], end + 2)
        elif c == "\\":
            end = _command_end(text, i)
            piece = ("tex", None, end) if end > 0 else None
        elif text.find("\\", i, i + _MAX_MATH) > 0:  # a "{" with a command inside
            end = _group_end(text, i)
            if end > 0 and text.find("\\", i, end) > 0:
                piece = ("tex", None, end)
        if piece is None:
            i += 1
            continue
        kind, raw, end = piece
        if plain_from < i:
            yield "plain", text[plain_from:i]
        yield kind, raw if raw is not None else text[i:end]
        plain_from = i = end
    if plain_from < n:
        yield "plain", text[plain_from:]


def _dollar_math(text: str, i: int):
    if _escaped(text, i):
        return None
    token = "$$" if text.startswith("$$", i) else "$"
    start = i + len(token)
    end = _math_close(text, start, token)
    if end <= start:
        return None
    content = text[start:end]
    if "\n\n" in content or (content[0].isdigit() and _PROSE.search(content)):
        return None
    return "math", content, end + len(token)


def _math_close(text: str, start: int, token: str) -> int:
    """Where the math span opened before start closes: the first unescaped token outside
    any braces it opens ("$\\mbox{$Y$}$" is one span), within _MAX_MATH; or -1."""
    depth = 0
    for m in _MATH_SCAN.finditer(text, start, min(len(text), start + _MAX_MATH)):
        c = m.group()
        if c[0] == "\\":
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return _closing(text, start, token) if token == "$" else -1
        elif depth == 0 and text.startswith(token, m.start()):
            return m.start()
    return -1


# -- converting one piece ------------------------------------------------------------------


def _convert(kind: str, raw: str) -> str:
    if kind == "plain":
        return raw
    if kind == "math":
        return _math(raw)
    return _tex(raw)


def _kept_words(raw: str, out: str) -> bool:
    """Every plain word of the piece (not a macro name) is in its conversion."""
    return all(w in out for w in _WORD.findall(_NOT_WORDS.sub(" ", raw)))


@lru_cache(maxsize=8192)
def _math(content: str) -> str:
    """One math span's text; the span as written (with its dollars) if it cannot be read."""
    original = f"${content}$"
    source = _scripts(content).replace("%", "\\%").replace("\\\\%", "\\%")
    try:
        _, math, walker_db = converters()
        out = math.latex_to_text(f"\\({source}\\)", latex_context=walker_db, tolerant_parsing=True)
    except Exception:
        return original
    out = " ".join(out.split())
    if not out or not _kept_words(content, out):
        return original
    return out


@lru_cache(maxsize=8192)
def _tex(raw: str) -> str:
    """One command (or a braced group holding commands) in the prose, as text."""
    try:
        text, _, walker_db = converters()
        out = text.latex_to_text(
            raw.replace("%", "\\%").replace("\\\\%", "\\%"),
            latex_context=walker_db,
            tolerant_parsing=True,
        )
    except Exception:
        return raw
    out = " ".join(out.split()) if raw.strip() else out
    if not _kept_words(raw, out) or _COMBINING_ALONE.search(out):
        return raw
    return out


def _scripts(content: str) -> str:
    """Sub- and superscripts that stay readable once braces are gone: digits become
    Unicode (n^2 -> n², x_{10} -> x₁₀, e^{-1} -> e⁻¹), a longer script keeps its extent
    in parentheses (d^{1+2/K} -> d^(1+2/K)); one letter or symbol stays as it is (ℝ^d)."""
    content = _DEGREES.sub("°", content)
    content = _DIGIT_SCRIPT.sub(
        lambda m: (m.group(2) or m.group(3)).translate(_SUP if m.group(1) == "^" else _SUB),
        content,
    )
    chars = list(content)
    for m in _SCRIPT.finditer(content):
        start = m.end() - 1
        end = _group_end(content, start)
        if end < 0 or _SIMPLE_SCRIPT.fullmatch(content[start + 1 : end - 1]):
            continue
        chars[start], chars[end - 1] = "(", ")"
    return "".join(chars)
