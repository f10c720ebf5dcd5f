"""The extractive TL;DR: golden lines on 50 real abstracts, and the rule piece by piece."""

from __future__ import annotations

import json
import os
from pathlib import Path

from paperround.digest.mathtext import tex_to_text
from paperround.digest.tldr import cut_words, extractive_tldr, extractive_tldrs, split_sentences

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "tex_abstracts.jsonl"
GOLDEN = HERE / "golden" / "tldr.jsonl"

CENTRAL = (
    "Graph neural networks are widely used. "
    "Oversmoothing makes deep graph neural networks lose node features with depth. "
    "Depth helps graph neural networks only when oversmoothing of node features is controlled. "
    "The weather was fine."
)


def test_golden_lines_of_50_real_abstracts():
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    lines = extractive_tldrs([tex_to_text(r["abstract"]) for r in rows])
    text = "".join(
        json.dumps({"id": r["id"], "tldr": line}, ensure_ascii=False) + "\n"
        for r, line in zip(rows, lines, strict=True)
    )
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert all(0 < len(line.split()) <= 34 for line in lines)
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        f"{GOLDEN.name} changed; rerun with UPDATE_GOLDEN=1 if intended"
    )


def test_the_first_sentence_that_states_the_contribution_wins():
    abstract = (
        "Large models are costly to train. Prior work prunes them after training. "
        "In this paper, we propose a pruning rule applied at initialisation. "
        "We also show that it transfers across tasks."
    )
    assert extractive_tldr(abstract) == "We propose a pruning rule applied at initialisation."


def test_this_paper_verbs_count_too():
    abstract = "Robots fall. This paper presents a controller that keeps them upright on ice."
    assert extractive_tldr(abstract).startswith("This paper presents a controller")


def test_without_a_cue_the_sentence_nearest_the_centroid():
    assert extractive_tldr(CENTRAL) == (
        "Depth helps graph neural networks only when oversmoothing of node features is controlled."
    )


def test_a_line_depends_on_its_abstract_only():
    others = ["We propose X for Y in every setting we tried.", "Short.", ""]
    assert extractive_tldrs([*others, CENTRAL])[-1] == extractive_tldr(CENTRAL)
    assert extractive_tldrs(["", "   "]) == ["", ""]


def test_cut_at_a_word_boundary_near_30_words():
    sentence = " ".join(f"word{i}" for i in range(60)) + "."
    line = cut_words(sentence)
    assert line.endswith(" …") and len(line.split()) == 31
    assert cut_words("one two three.") == "one two three."
    assert len(cut_words(" ".join(["w"] * 33)).split()) == 33  # three over: left whole
    clause = " ".join(["a"] * 25) + ", " + " ".join(["b"] * 30)
    assert cut_words(clause) == " ".join(["a"] * 25) + " …"


def test_sentences_do_not_split_after_abbreviations_or_initials():
    text = (
        "We use e.g. cats and dogs. J. Smith et al. found (see Fig. 3) that x. "
        '"Quoted." A new paragraph\n  starts here. v1.2 is out.'
    )
    assert split_sentences(text) == [
        "We use e.g. cats and dogs.",
        "J. Smith et al. found (see Fig. 3) that x.",
        '"Quoted."',
        "A new paragraph",
        "starts here. v1.2 is out.",
    ]
