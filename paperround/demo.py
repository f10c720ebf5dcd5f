"""The embedded default: bundled sample feeds and a demo profile on deep-learning theory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from models.db import get_engine
from models.ids import title_key
from models.profile_config import ProfileConfig, SeedConfig
from models.store.digest_archive import get_digest, latest_digest_id
from models.store.profiles import save_profile
from models.store.sources import add_source

# (source name, kind, file under examples/feeds)
DEMO_SOURCES = (
    ("demo-arxiv-rss", "arxiv-rss", "arxiv-rss-cs.LG.xml"),
    ("demo-arxiv-api", "arxiv-api", "arxiv-api-page.xml"),
    ("demo-hf-daily", "hf-daily", "hf-daily-papers.json"),
)

# Seeds: papers a deep-learning theory reader liked (real titles from ../shared/seeds, with a
# one-sentence description written for the demo in place of the full abstract).
DEMO_SEEDS = (
    (
        "Feature Learning and Generalization in Deep Networks with Orthogonal Weights",
        "Deep networks with orthogonal initialization at criticality: the neural tangent kernel "
        "and its descendants at finite width, feature learning and generalization.",
    ),
    (
        "Perturbation Analysis of Neural Collapse",
        "Training deep networks for classification beyond zero training error leads to neural "
        "collapse; gradient flow near collapse and the effect of regularization.",
    ),
    (
        "Neural Network-Based Score Estimation in Diffusion Models: Optimization and "
        "Generalization",
        "Optimization and generalization guarantees for score estimation in diffusion models "
        "with neural networks trained by gradient descent.",
    ),
    (
        "Provable Scaling Laws of Feature Emergence from Learning Dynamics of Grokking",
        "Learning dynamics of grokking in two-layer networks: when features emerge, memorization "
        "versus generalization, and scaling laws.",
    ),
)

DEMO_KEYWORDS = (
    ("generalization", 1.0),
    ("neural tangent kernel", 2.0),
    ("feature learning", 2.0),
    ("gradient descent", 1.0),
    ("optimization", 0.5),
    ("diffusion", 1.0),
    ("implicit bias", 2.0),
    ("scaling law", 1.0),
)


def setup_demo(examples: Path, *, channels: list[str], now: datetime) -> None:
    """Register the bundled feeds as sources and create the demo profile."""
    engine = get_engine()
    feeds = examples / "feeds"
    for name, kind, filename in DEMO_SOURCES:
        add_source(name, kind, str(feeds / filename), engine=engine)
    config = ProfileConfig(
        name="demo",
        description="Deep-learning theory: generalisation, optimisation, feature learning, "
        "diffusion theory",
        keywords=dict(DEMO_KEYWORDS),
        excluded=["medical"],
        categories=["cs.LG", "stat.ML"],
        authors=["Yann LeCun"],
        schedule="0 7 * * *",
        timezone="UTC",
        max_items=10,
        send_empty=True,
        seeds=[SeedConfig(key=title_key(t, None), title=t, abstract=a) for t, a in DEMO_SEEDS],
        channels=channels,
    )
    save_profile(config, engine=engine, now=now, mode="create")


def print_top_picks(console: Console) -> None:
    """Show the demo digest's papers with the reasons they were picked."""
    engine = get_engine()
    digest_id = latest_digest_id(engine=engine)
    digest = None if digest_id is None else get_digest(digest_id, engine=engine)
    if digest is None:
        return
    table = Table("#", "score", "paper", "why", title=digest["subject"])
    for item in digest["items"]:
        # Feed text: Text cells are shown as written, never read as Rich markup.
        table.add_row(
            str(item["rank"]),
            f"{item['score']:.2f}",
            Text(item["title"]),
            Text("; ".join(item["reasons"])),
        )
    console.print(table)


def written_digest(summary: dict | None) -> Path | None:
    """The HTML file the demo profile's digest went to (None: it went to a channel)."""
    for prof in (summary or {}).get("profiles", []):
        if prof["profile"] != "demo":
            continue
        for chan in prof["channels"]:
            if chan["ok"] and chan["channel"].endswith(".html"):
                return Path(chan["channel"])
    return None
