"""TeX as readable Unicode: golden output on 50 real maths-heavy abstracts, the issue's
examples, and malformed TeX that must never raise and never lose a word."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from paperround.digest.mathtext import display_form, tex_to_text

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "tex_abstracts.jsonl"
GOLDEN = HERE / "golden" / "tex_abstracts.jsonl"


def _rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def _words(tex: str) -> list[str]:
    """Plain words of a TeX string: not command names, not letters drawn in ℝ/𝒪 alphabets."""
    tex = re.sub(r"\\math(?:cal|frak|scr|bb|ds)\s*\{[^{}]*\}", " ", tex)
    return re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}", tex)


def test_golden_display_text_of_50_real_abstracts():
    got = [
        {"id": r["id"], "title": tex_to_text(r["title"]), "abstract": tex_to_text(r["abstract"])}
        for r in _rows()
    ]
    text = "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in got)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert len(got) == 50
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        f"{GOLDEN.name} changed; rerun with UPDATE_GOLDEN=1 if intended"
    )


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["id"])
def test_real_abstracts_keep_every_word(row):
    for field in ("title", "abstract"):
        out = tex_to_text(row[field])
        missing = [w for w in _words(row[field]) if w not in out]
        assert not missing, f"{row['id']} {field} lost {missing}"


@pytest.mark.parametrize(
    "tex,text",
    [
        (r"in $\mathbb{R}^d$ to", "in ℝ^d to"),
        (r"$\varepsilon$-accurate", "ε-accurate"),
        (r"in $O(n \log n)$ time", "in O(n log n) time"),
        (r"order $$ d^{1+2/K} \varepsilon^{-1/K} $$ score", "order d^(1+2/K) ε^(-1/K) score"),
        (r"$x_{t+1} = x_t - \eta \nabla f(x_t)$", "x_(t+1) = x_t - η ∇ f(x_t)"),
        (r"$\frac{q^{(r-1)\ell}-1}{q-1}$", "(q^((r-1)ℓ)-1)/(q-1)"),
        (r"$\tilde{O}(\sqrt{T})$ regret", "Õ(√T) regret"),
        (r"$n^2$, $2^{10}$, $x^{-1}$, $\ell_2$", "n², 2¹⁰, x⁻¹, ℓ₂"),
        (r"$\|x\|_\infty$", "‖x‖_∞"),
        (r"$360^\circ$ views", "360° views"),
        (r"$\texttt{Llama}$ and $\mathbf{x}$", "Llama and x"),
        (r"\emph{bidding} caf\'e na\"ive Sk\l odowska 50\% \& more", None),
        (r"see \href{https://x.org/a}{our code}", "see our code <https://x.org/a>"),
        (r"{\em Foo} \textbf{bar}", "Foo bar"),
        ("``quoted'' words", "“quoted” words"),
        (r"\(a \leq b\) and \[c \geq d\]", "a ≤ b and c ≥ d"),
    ],
)
def test_examples(tex, text):
    if text is None:
        text = "bidding café naïve Skłodowska 50% & more"
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(
    "tex",
    [
        "unbalanced $x^2 and more words here",  # one "$": a dollar sign
        "costs $5 and it costs $10 more than before",  # two dollars around prose
        "$$ never closed",
        r"an $\unknownmacro{x}$ and \ours{} here",  # macros pylatexenc does not know
        r"\begin{foo} x without end",
        r"\end{align} alone",
        r"\frac{a} missing argument",
        r"\href{only-one-argument} after",
        r"\textbf{never closed and more words",
        r"$\mbox{\boldmath $Y$}$ nested dollars",
        r"$\texttt{M$^3FinMeeting, which is broken",
        "50% of runs, ~3 papers, a_b and x^2 outside maths",
        "trailing backslash \\",
        "{" * 5000 + "deep nesting" + "}" * 5000,
        "$" + "{" * 400 + "x" + "}" * 400 + "$ deep maths",
        "\\" * 101 + " backslashes",
        "nul \x00 and $x$ and \u2028 separators",
        r"\b geometric \b score-based",  # an accent over nothing
        "$" + "x+" * 2000 + "$ too long to be one formula",
        r"$a\$b$ escaped dollar",
    ],
)
def test_malformed_tex_never_raises_never_loses_words(tex):
    out = tex_to_text(tex)
    assert isinstance(out, str)
    missing = [w for w in _words(tex) if w not in out]
    assert not missing, f"lost {missing}: {out!r}"


def test_prose_outside_maths_is_left_exactly_as_written():
    assert tex_to_text("50% of runs and ~3 papers, a_b") == "50% of runs and ~3 papers, a_b"
    assert tex_to_text(r"50% of $n$ runs, ~3 left") == "50% of n runs, ~3 left"
    assert tex_to_text(r"only $5 today") == r"only $5 today"


def test_text_without_tex_is_not_touched():
    text = "A plain abstract, with (parentheses) and no maths at all."
    assert tex_to_text(text) is text
    assert display_form(text) is None
    assert display_form(r"$\alpha$ rule") == "α rule"
