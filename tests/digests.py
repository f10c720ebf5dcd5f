"""A fixed, hand-built digest for golden files and delivery tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from models.records import Candidate, Digest, DigestHealth, FeedbackLinks, Reason, ScoredPaper

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

EVIL_TITLE = "<script>alert(1)</script>"
EVIL_ABSTRACT = "We show that {{ 7*7 }} and {% raw %} stay text; *bold* [x](http://evil) & more."


def paper(n: int, **kw) -> Candidate:
    base = dict(
        paper_id=n,
        key=f"2611.{n:05d}",
        title=f"Feature learning in wide networks, part {n}",
        abstract=(
            "Wide two-layer networks are a standard model of deep learning. "
            r"We prove that gradient descent on $\mathbb{R}^d$ learns features in "
            r"$O(n \log n)$ steps, up to an $\varepsilon$-error. "
            "Experiments on image and text benchmarks agree with the theory. "
            "The analysis covers both the lazy regime and the feature-learning regime, "
            "and it explains when the width helps."
        ),
        authors=("Ada Lovelace", "Alan Turing"),
        categories=("cs.LG", "stat.ML"),
        url=f"https://arxiv.org/abs/2611.{n:05d}",
        pdf_url=f"https://arxiv.org/pdf/2611.{n:05d}v1",
    )
    base.update(kw)
    return Candidate(**base)


SEED_REASONS = (
    Reason(
        "very close to your seed “Tensor Programs IV”",
        "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks",
    ),
    Reason("shares: feature learning, infinite width"),
)


def fixed_digest(n_items: int = 3) -> Digest:
    items = [
        ScoredPaper(
            paper(
                1,
                title=EVIL_TITLE,
                abstract=EVIL_ABSTRACT,
                authors=tuple(f"Author {i}" for i in range(12)),
                hf_url="https://huggingface.co/papers/2611.00001",
                github_repo="https://github.com/example/repo",
                upvotes=42,
            ),
            0.91,
            ("keyword 'feature learning' in the title", "trending: 42 upvotes on Hugging Face"),
        ),
        ScoredPaper(
            paper(2, revised=True, version=3),
            0.72,
            tuple(r.text for r in SEED_REASONS),
            why=SEED_REASONS,
        ),
    ]
    items += [
        ScoredPaper(paper(n), 0.5 - n / 1000, ("by Ada Lovelace (followed)",))
        for n in range(3, n_items + 1)
    ]
    return Digest(
        profile="theory",
        generated_at=NOW,
        items=tuple(items[:n_items]),
        period_start=datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
        candidates=289,
        health=DigestHealth(
            sources_ok=("arxiv-cs.LG", "hf-daily"),
            sources_failed=("biorxiv: HTTP 503",),
            notes=("arxiv-cs.AI: arXiv did not announce on Sunday 2026-11-22",),
        ),
        manage_hint="Change it: paperround profile edit theory · pause it: paperround profile "
        "pause theory",
        description="Deep-learning theory",
    )


def longest_digest(n_items: int = 50) -> Digest:
    """Every field at its cap: 300-character titles, 12 authors, three long reasons, four
    links, a 20,000-character abstract full of TeX."""
    d = fixed_digest(n_items)
    longest = [
        replace(
            s,
            paper=replace(
                s.paper,
                title=" ".join(f"Title{i}" for i in range(60))[:300],
                authors=tuple(f"Author Number {i}" for i in range(12)),
                abstract=(r"We show a bound in $\mathbb{R}^d$ of $O(n \log n)$ steps. " * 400)[
                    :20_000
                ],
                hf_url="https://huggingface.co/papers/2611.00001",
                github_repo="https://github.com/example/some-long-repository-name",
            ),
            reasons=(
                "matches 'feature learning'",
                "close to your seed paper Tensor Programs IV: Feature Learning in "
                "Infinite-Width Neural Networks (0.71)",
                "by Ada Lovelace, whom you follow",
            ),
        )
        for s in d.items
    ]
    return replace(d, items=tuple(longest))


def signed_links(digest: Digest) -> FeedbackLinks:
    """Feedback links as long as real ones: tokens signed for a six-digit digest id."""
    from paperround.web.tokens import Secrets, digest_link, feedback_links

    secrets, now, public = Secrets(b"k" * 32), int(NOW.timestamp()), "https://papers.example.org"
    papers = {
        s.paper.paper_id: feedback_links(
            public, secrets, profile=digest.profile, paper=s.paper.key, digest=123456, now=now
        )
        for s in digest.items
    }
    view = digest_link(public, secrets, profile=digest.profile, digest=123456, now=now)
    return FeedbackLinks(view=view, papers=papers)
