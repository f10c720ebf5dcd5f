"""Paper records for tests that store papers: one builder for the shape an arXiv listing gives."""

from __future__ import annotations

from typing import Any

from models.records import Candidate, PaperRecord


def fake_id(n: int) -> str:
    """A made-up new-style arXiv id: 2611.00001 for 1."""
    return f"2611.{n:05d}"


def arxiv_record(
    arxiv_id: str, *, version: int = 1, source: str = "arxiv-cs.LG", **fields: Any
) -> PaperRecord:
    """A paper as an arXiv RSS listing gives it: the OAI id with its version and the abstract
    page's URL; `fields` (title, abstract, authors...) add to or override those."""
    base: dict[str, Any] = dict(
        source=source,
        external_id=f"oai:arXiv.org:{arxiv_id}v{version}",
        arxiv_id=arxiv_id,
        version=version,
        url=f"https://arxiv.org/abs/{arxiv_id}",
    )
    return PaperRecord(**(base | fields))


def candidate(n: int, title: str, abstract: str = "", **fields: Any) -> Candidate:
    """A stored paper as the ranker sees it, with the key fake_id(n)."""
    return Candidate(paper_id=n, key=fake_id(n), title=title, abstract=abstract, **fields)


BACKGROUND_TOPICS = {
    "kernels": "neural tangent kernel infinite width gradient descent training dynamics",
    "proteins": "protein structure prediction folding amino acid sequence model",
    "graphs": "graph neural network message passing node classification benchmark",
    "vision": "image segmentation convolutional network pixel labels dataset",
}


def background(n_per_topic: int = 10) -> list[Candidate]:
    """A small window: four named topics among thirty others, each with its own words."""
    topics = dict(BACKGROUND_TOPICS)
    for t in range(30):
        topics[f"topic{t}"] = " ".join(f"t{t}w{j}" for j in range(8))
    out = []
    for t, (topic, words) in enumerate(topics.items()):
        w = words.split()
        for i in range(n_per_topic):
            text = " ".join(w[(i + j) % len(w)] for j in range(6))
            out.append(
                candidate(
                    1000 + 100 * t + i,
                    f"{topic} study {i}",
                    f"We propose a method. {text}. Results show improvements.",
                )
            )
    return out
