"""Author names folded to a key, so a followed author is found however a source spells them."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: "Zoë Müller" -> "zoe muller"."""
    if text.isascii():  # most titles and abstracts: nothing to strip, and 100x faster
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def author_key(name: str) -> tuple[str, str]:
    """(surname, first initial): "Smith, John", "J. Smith" and "John Smith" agree."""
    name = fold(name).strip()
    if "," in name:
        last, first = (p.strip() for p in name.split(",", 1))
    else:
        parts = name.replace(".", ". ").split()
        last, first = (parts[-1], " ".join(parts[:-1])) if parts else ("", "")
    last = re.sub(r"[^a-z]", "", last)
    first = re.sub(r"[^a-z]", "", first)
    return last, first[:1]
