"""The feedback app over real HTTP (uvicorn on 127.0.0.1, started once for the module):
GET never records, POST records once, undo, tokens refused with a page, crawlers harmless."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx
import pytest

from models.db import get_engine
from paperround.web.tokens import DAY, rotate_secret
from tests.cli import run_cli
from tests.records import fake_id
from tests.web_site import LINKS, ROOMY, Site, build_store, serve

P1, P2, P3 = fake_id(1), fake_id(2), fake_id(3)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("web-home")
    engine = get_engine(f"sqlite:///{home / 'paperround.db'}")
    digest = build_store(engine)
    with serve(engine, home, limits=ROOMY) as web:
        yield Site(engine, home, web, digest)


@pytest.fixture(autouse=True)
def clean(site):
    with site.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM feedback")
    yield


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def _no_traceback(r: httpx.Response) -> None:
    assert r.headers["content-type"].startswith("text/html")
    for leak in ("Traceback", 'File "', "Error:", "sqlalchemy", "starlette"):
        assert leak not in r.text


def test_get_shows_a_confirmation_and_records_nothing(site, client):
    token = site.token(P1, "like")
    r = client.get(f"{site.url}/f/{token}")
    assert r.status_code == 200
    assert "More like this?" in r.text and "alice" in r.text
    assert "&lt;script&gt;" in r.text and "<script>" not in r.text  # the title, escaped
    assert "javascript:" not in r.text  # a hostile paper URL is not a link
    assert r.text.count("<form") == 1 and f'action="/f/{token}"' in r.text
    assert (
        "no-store" in r.headers["cache-control"]
        and "script-src" not in r.headers["content-security-policy"]
    )  # no script may run: default-src 'none'
    assert site.feedback() == []


def test_post_records_once_and_a_replay_changes_nothing(site, client):
    token = site.token(P2, "like")
    first = client.post(f"{site.url}/f/{token}")
    assert first.status_code == 200 and "Recorded: more like this" in first.text
    assert f'action="/f/{token}/undo"' in first.text  # the page offers undo
    [row] = site.feedback()
    assert row[:4] == ("alice", P2, 1, "email")
    again = client.post(f"{site.url}/f/{token}")
    assert again.status_code == 200
    assert site.feedback() == [row]  # same value, origin and time: nothing changed


def test_undo_removes_it_and_never_a_later_choice(site, client):
    like, dislike = site.token(P3, "like"), site.token(P3, "dislike")
    client.post(f"{site.url}/f/{like}")
    r = client.post(f"{site.url}/f/{like}/undo")
    assert r.status_code == 200 and "Undone" in r.text and site.feedback() == []
    assert client.post(f"{site.url}/f/{like}/undo").status_code == 200  # replayed: harmless
    client.post(f"{site.url}/f/{dislike}")
    client.post(f"{site.url}/f/{like}/undo")  # an old page's undo
    assert [r[2] for r in site.feedback()] == [-1]  # the later dislike stays


def test_chat_links_record_their_origin(site, client):
    client.post(f"{site.url}/f/{site.token(P1, 'dislike', via='chat')}")
    assert [r[:4] for r in site.feedback()] == [("alice", P1, -1, "chat")]


@pytest.mark.parametrize("change", ["payload", "mac", "truncate", "junk"])
def test_tampered_tokens_get_a_400_page(site, client, change):
    token = site.token(P1, "like")
    payload, mac = token.split(".")
    forged = {
        "payload": payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac,
        "mac": payload + "." + mac[::-1],
        "truncate": token[:-3],
        "junk": "not-a-token",
    }[change]
    for method in ("GET", "POST"):
        r = client.request(method, f"{site.url}/f/{forged}")
        assert r.status_code == 400, (method, r.text)
        assert "This link does not work" in r.text
        _no_traceback(r)
    assert site.feedback() == []


def test_expired_tokens_get_a_410_page(site, client):
    token = site.token(P1, "like", expires_in=-60)
    for method in ("GET", "POST"):
        r = client.request(method, f"{site.url}/f/{token}")
        assert r.status_code == 410 and "expired" in r.text
        _no_traceback(r)
    assert site.feedback() == []


def test_another_profiles_signature_does_not_carry_over(site, client):
    """bob cannot turn his own link into one for alice: the MAC covers the profile."""
    bobs = site.token(P1, "like", profile="bob")
    alices = site.token(P1, "like", profile="alice")
    forged = alices.split(".")[0] + "." + bobs.split(".")[1]
    assert client.post(f"{site.url}/f/{forged}").status_code == 400
    client.post(f"{site.url}/f/{bobs}")
    assert [r[:3] for r in site.feedback()] == [("bob", P1, 1)]


def test_gone_profile_or_paper_is_a_404_page(site, client):
    for token in (site.token(P1, profile="carol"), site.token("2611.99999")):
        r = client.get(f"{site.url}/f/{token}")
        assert r.status_code == 404
        _no_traceback(r)


def test_a_rotated_secret_keeps_old_links_for_the_grace_period_only(site, client):
    now = int(time.time())
    first = site.token(P1, "like")
    rotate_secret(site.home, grace_days=1, now=now)
    assert client.get(f"{site.url}/f/{first}").status_code == 200  # within its grace period
    second = site.token(P2, "like")
    # Rotated again, as if two days ago: the second secret's grace ended yesterday.
    rotate_secret(site.home, grace_days=1, now=now - 2 * DAY)
    assert client.get(f"{site.url}/f/{second}").status_code == 400
    assert client.get(f"{site.url}/f/{first}").status_code == 200  # still until tomorrow
    assert client.get(f"{site.url}/f/{site.token(P3)}").status_code == 200
    assert site.feedback() == []


def test_a_post_from_another_site_is_refused(site, client):
    token = site.token(P1, "like")
    r = client.post(f"{site.url}/f/{token}", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and site.feedback() == []
    r = client.post(f"{site.url}/f/{token}", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and site.feedback() == []
    r = client.post(f"{site.url}/f/{token}", headers={"Origin": site.url})
    assert r.status_code == 200 and len(site.feedback()) == 1


def _crawl(client: httpx.Client, start: list[str], depth: int = 3) -> set[str]:
    """GET every same-site link and form action of every page reached (a link scanner)."""
    seen: set[str] = set()
    frontier = list(start)
    for _ in range(depth):
        found = []
        for url in frontier:
            if url in seen:
                continue
            seen.add(url)
            r = client.get(url, follow_redirects=True)
            found += [urljoin(url, link) for link in LINKS.findall(r.text)]
        frontier = [u for u in found if u.startswith(start[0].split("/f/")[0].split("/d/")[0])]
    return seen


def test_a_crawler_getting_every_link_records_nothing(site, client):
    """Even the undo and the buttons' actions, fetched with GET, change nothing."""
    client.post(f"{site.url}/f/{site.token(P1, 'like')}")
    before = site.feedback()
    view = site.token(None, "view", digest=site.digest)
    start = [f"{site.url}/d/{view}"] + [
        f"{site.url}/f/{site.token(p, a)}" for p in (P1, P2, P3) for a in ("like", "dislike")
    ]
    seen = _crawl(client, start)
    assert sum("/f/" in u for u in seen) >= 6 + 6 and any(u.endswith("/undo") for u in seen)
    assert site.feedback() == before


def test_the_digest_view_shows_the_papers_with_buttons_that_record_web(site, client):
    view = site.token(None, "view", digest=site.digest)
    r = client.get(f"{site.url}/d/{view}")
    assert r.status_code == 200
    assert "3 papers for alice" in r.text and "Tensor Programs IV" in r.text
    assert "because &lt;b&gt;1&lt;/b&gt;" in r.text  # reasons escaped
    assert 'name="viewport"' in r.text and "prefers-color-scheme: dark" in r.text
    actions = [a for a in LINKS.findall(r.text) if a.startswith("/f/")]
    assert len(actions) == 6  # more/less for each of the three papers
    posted = client.post(urljoin(site.url, actions[2]))  # paper 2, "more like this"
    assert posted.status_code == 303 and "/d/" in posted.headers["location"]
    assert [r[:4] for r in site.feedback()] == [("alice", P2, 1, "web")]
    again = client.get(urljoin(site.url, posted.headers["location"]))
    assert "you want more like this" in again.text and "Undo" in again.text


def test_a_view_token_is_not_a_vote_and_a_vote_token_is_not_a_view(site, client):
    view = site.token(None, "view", digest=site.digest)
    assert client.post(f"{site.url}/f/{view}").status_code == 400
    assert client.get(f"{site.url}/d/{site.token(P1)}").status_code == 400
    bobs_view = site.token(None, "view", digest=site.digest, profile="bob")
    assert client.get(f"{site.url}/d/{bobs_view}").status_code == 404  # not bob's digest
    assert site.feedback() == []


def test_unknown_paths_and_methods_get_pages(site, client):
    token = site.token(P1)
    for method, path, status in (
        ("GET", "/", 404), ("GET", "/wp-login.php", 404), ("GET", f"/f/{token}/undo", 405),
        ("PUT", f"/f/{token}", 405),
    ):  # fmt: skip
        r = client.request(method, site.url + path)
        assert r.status_code == status
        _no_traceback(r)


def test_profile_history_shows_ids_and_where_feedback_came_from(site, client, capsys, monkeypatch):
    from models.db import reset_engines
    from models.settings import get_settings

    client.post(f"{site.url}/f/{site.token(P2, 'like')}")
    client.post(f"{site.url}/f/{site.token(P3, 'dislike', via='chat')}")
    monkeypatch.setenv("PAPERROUND_DATABASE_URL", str(site.engine.url))
    get_settings.cache_clear()
    reset_engines()
    assert run_cli(capsys, "like", P1, "-p", "alice").exit_code == 0
    (entry,) = json.loads(run_cli(capsys, "profile", "history", "alice", "--json").stdout)
    got = {p["paper"]: (p["feedback"], p["origin"]) for p in entry["papers"]}
    assert got == {P1: ("like", "cli"), P2: ("like", "email"), P3: ("dislike", "chat")}
    table = run_cli(capsys, "profile", "history", "alice").stdout
    assert "like (email)" in table and "dislike (chat)" in table and P2 in table


@pytest.fixture
def own_site(tmp_path):
    """A site of its own, for a test that renames and creates profiles."""
    engine = get_engine(f"sqlite:///{tmp_path / 'paperround.db'}")
    digest = build_store(engine)
    with serve(engine, tmp_path, limits=ROOMY) as web:
        yield Site(engine, tmp_path, web, digest)


def test_a_renamed_profiles_links_still_work_and_never_act_for_a_new_owner(own_site, client):
    """A digest's links carry its id: `profile rename` keeps them working (they once gave
    404 "no profile named"), and whoever takes the old name later gets nothing from them."""
    from models.store.profiles import create_profile, rename_profile
    from models.tables import Profile

    site = own_site
    vote = site.token(P2, "like", digest=site.digest)
    view = site.token(None, "view", digest=site.digest)
    rename_profile("alice", "alice-renamed", engine=site.engine)
    confirm = client.get(f"{site.url}/f/{vote}")
    assert confirm.status_code == 200 and "alice-renamed" in confirm.text
    assert client.post(f"{site.url}/f/{vote}").status_code == 200
    assert [r[:3] for r in site.feedback()] == [("alice-renamed", P2, 1)]
    create_profile(Profile(name="alice"), engine=site.engine)  # a new reader takes the name
    assert client.post(f"{site.url}/f/{site.token(P3, 'like', digest=site.digest)}").is_success
    page = client.get(f"{site.url}/d/{view}")
    assert page.status_code == 200 and "Tensor Programs IV" in page.text
    assert [r[:3] for r in site.feedback()] == [("alice-renamed", P2, 1), ("alice-renamed", P3, 1)]
    bobs = site.token(P1, "like", digest=site.digest, profile="bob")  # bob never had it
    assert client.post(f"{site.url}/f/{bobs}").status_code == 404


def test_a_removed_profiles_links_never_act_for_a_later_profile(own_site, client):
    """SQLite gave a removed row's id to the next insert: alice's old link, carrying digest
    id N, recorded for bob when his new digest got N, and for a new "alice" when hers did.
    Digest ids are never reused now (migration 0012), and the name must be the digest's."""
    from models.records import RenderedDigest
    from models.store.ledger import record_digest
    from models.store.profiles import create_profile, get_profile, remove_profile
    from models.tables import Profile

    site = own_site
    vote = site.token(P1, "like", digest=site.digest)
    view = site.token(None, "view", digest=site.digest)
    remove_profile("alice", engine=site.engine)
    new_alice = create_profile(Profile(name="alice"), engine=site.engine)
    ids = [
        record_digest(
            engine=site.engine, profile_id=p.id, channel_key="file", items=[],
            rendered=RenderedDigest(subject="0 papers", html="", text="", markdown=""),
            period_start=None, now=datetime.now(UTC),
        )[0]
        for p in (get_profile("bob", engine=site.engine), new_alice)
    ]  # fmt: skip
    assert site.digest not in ids
    for method, url in (("GET", f"/f/{vote}"), ("POST", f"/f/{vote}"), ("GET", f"/d/{view}")):
        r = client.request(method, f"{site.url}{url}")
        assert r.status_code == 404, (method, url)
        _no_traceback(r)
    assert site.feedback() == []
