"""SQLModel tables. Created and changed only by Alembic migrations (models/migrations).

Unique constraints back every dedup key, so re-running any stage is harmless:
papers.key, (occurrence paper, source), (sent item profile, channel, paper),
(delivery digest, channel), (claim profile, slot), (quiet window profile, channel).
"""

from models.tables._base import _Table
from models.tables.ledger import (
    Delivery,
    DigestItem,
    DigestRecord,
    QuietWindow,
    RunClaim,
    SentItem,
)
from models.tables.papers import (
    IngestRun,
    Paper,
    PaperOccurrence,
    PaperSummary,
    Source,
    StoreCounter,
)
from models.tables.profiles import Channel, Feedback, Profile, Seed
from models.utctime import utcnow

__all__ = [
    "Channel",
    "Delivery",
    "DigestItem",
    "DigestRecord",
    "Feedback",
    "IngestRun",
    "Paper",
    "PaperOccurrence",
    "PaperSummary",
    "Profile",
    "QuietWindow",
    "RunClaim",
    "Seed",
    "SentItem",
    "Source",
    "StoreCounter",
    "_Table",
    "utcnow",
]
