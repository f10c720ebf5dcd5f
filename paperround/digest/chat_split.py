"""Chat digests split into messages under each service's limit, whole papers only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import apprise


def pack_blocks(
    blocks: Sequence[str], limit: int, measure: Callable[[str], int] = len
) -> list[str]:
    """Pack Markdown blocks into messages of at most `limit` (as `measure` counts what the
    service receives), never splitting a block unless it alone is too long (then it is cut
    at a line end and marked)."""
    return [message for message, _ in _pack(blocks, limit, measure)]


def _pack(
    blocks: Sequence[str], limit: int, measure: Callable[[str], int]
) -> list[tuple[str, range]]:
    """(message, indices of the blocks it holds), in order."""
    messages: list[tuple[str, range]] = []
    current, start = "", 0
    for i, block in enumerate(blocks):
        if measure(block) > limit:
            block = _cut(block, limit, measure)
        candidate = f"{current}\n\n{block}" if current else block
        if measure(candidate) <= limit:
            current = candidate
        else:
            messages.append((current, range(start, i)))
            current, start = block, i
    if current:
        messages.append((current, range(start, len(blocks))))
    return messages


def _cut(block: str, limit: int, measure: Callable[[str], int]) -> str:
    """A block too long for one message, cut at a line end and marked with "…". A paper's
    block ends with its links as a paragraph of their own (templates/digest.md.j2): that
    paragraph is kept whole after the mark, so the links (source, more/less like this)
    always go, when it takes at most half a message."""
    head, _, tail = block.rpartition("\n\n")
    keep = f"\n…\n\n{tail}" if head and 2 * measure(tail) <= limit else "\n…"
    body = head if keep != "\n…" else block
    end = min(len(body), limit - 2)
    while end > 1:
        cut = body[:end].rsplit("\n", 1)[0] or body[:end]
        over = measure(cut + keep) - limit
        if over <= 0:
            return cut + keep
        end = min(end, len(cut)) - max(1, over)
    return "…"


def chat_measure(service, title: str) -> Callable[[str], int]:
    """Length of a Markdown body as the service will send it: Apprise converts it to the
    service's own format (Telegram: HTML, whose tags count) and, where the service has no
    title field (title_maxlen 0), puts the title into the body."""
    from apprise.conversion import convert_between

    target = getattr(service, "notify_format", apprise.NotifyFormat.MARKDOWN)
    extra = len(title) + 16 if getattr(service, "title_maxlen", 1) == 0 else 0
    if target == apprise.NotifyFormat.MARKDOWN:
        return lambda body: len(body) + extra
    return lambda body: len(convert_between(apprise.NotifyFormat.MARKDOWN, target, body)) + extra
