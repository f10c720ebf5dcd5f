"""Signed feedback tokens: what a link proves, and what it refuses (pure; the secret file)."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from models.errors import TokenExpired, TokenInvalid
from paperround.web.tokens import (
    DAY,
    Claim,
    Secrets,
    digest_link,
    feedback_links,
    load_secrets,
    rotate_secret,
    sign,
    verify,
)

NOW = 1_750_000_000
KEY = Secrets(b"k" * 32)


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_round_trip_and_links_keep_the_base_path():
    like, dislike = feedback_links(
        "https://papers.example.org/pr/", KEY, profile="me", paper="arxiv:2401.01234",
        digest=7, now=NOW, ttl_days=2, via="chat",
    )  # fmt: skip
    assert like.startswith("https://papers.example.org/pr/f/")
    assert verify(_token(like), KEY, now=NOW) == Claim(
        "me", "arxiv:2401.01234", "like", 7, NOW + 2 * DAY, "chat"
    )
    assert verify(_token(dislike), KEY, now=NOW).action == "dislike"
    view = digest_link("https://papers.example.org/pr", KEY, profile="me", digest=7, now=NOW)
    assert view.startswith("https://papers.example.org/pr/d/")
    assert verify(_token(view), KEY, now=NOW).paper is None


def test_every_changed_character_is_refused():
    token = sign(Claim("me", "arxiv:1", "like", 1, NOW + 10), KEY)
    for i, char in enumerate(token):
        if char == ".":
            continue
        other = "A" if char != "A" else "B"
        with pytest.raises(TokenInvalid):
            verify(token[:i] + other + token[i + 1 :], KEY, now=NOW)


def test_another_profile_cannot_be_substituted():
    mine = sign(Claim("alice", "arxiv:1", "like", 1, NOW + 10), KEY)
    theirs = sign(Claim("bob", "arxiv:1", "like", 1, NOW + 10), KEY)
    forged = theirs.split(".")[0] + "." + mine.split(".")[1]
    with pytest.raises(TokenInvalid):
        verify(forged, KEY, now=NOW)
    with pytest.raises(TokenInvalid):
        verify(mine, Secrets(b"x" * 32), now=NOW)  # another home's secret


@pytest.mark.parametrize("junk", ["", ".", "abc", "a.b.c", "é.é", "x" * 5000, "W10.AAAA"])
def test_junk_is_invalid_not_a_crash(junk):
    with pytest.raises(TokenInvalid):
        verify(junk, KEY, now=NOW)


def test_expired_is_its_own_error():
    token = sign(Claim("me", "arxiv:1", "like", None, NOW + 10), KEY)
    assert verify(token, KEY, now=NOW + 9).digest is None
    with pytest.raises(TokenExpired):
        verify(token, KEY, now=NOW + 10)


def test_secret_file_is_private_and_shared_by_racing_first_users(tmp_path):
    found: list[Secrets] = []
    threads = [
        threading.Thread(target=lambda: found.append(load_secrets(tmp_path))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({s.current for s in found}) == 1
    assert stat.S_IMODE(os.stat(tmp_path / "web-secret").st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web-secret"]


def test_rotation_keeps_old_links_for_the_grace_period_only(tmp_path):
    old = load_secrets(tmp_path)
    token = sign(Claim("me", "arxiv:1", "like", 1, NOW + 100 * DAY), old)
    new = rotate_secret(tmp_path, grace_days=3, now=NOW)
    assert new.current != old.current and load_secrets(tmp_path) == new
    assert verify(token, new, now=NOW + 3 * DAY - 1).profile == "me"
    with pytest.raises(TokenInvalid):
        verify(token, new, now=NOW + 3 * DAY)
    newer = rotate_secret(tmp_path, grace_days=1, now=NOW + 4 * DAY)
    assert [k for k, _ in newer.previous] == [new.current]  # the stale one is dropped
