"""The feedback app as deployed: rate limits (429), a base path behind a proxy, X-Forwarded-*
honoured only when told, and `paperround web` as a real process that stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from models.db import get_engine
from paperround.web.ratelimit import Limit
from tests.records import fake_id
from tests.web_site import LINKS, ROOMY, Site, build_store, serve

REPO = Path(__file__).resolve().parents[1]
P1, P2 = fake_id(1), fake_id(2)
ONCE_A_DAY = 1 / (24 * 60)  # per minute: no bucket refills during a test


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    home = tmp_path_factory.mktemp("web-deploy")
    engine = get_engine(f"sqlite:///{home / 'paperround.db'}")
    return engine, home, build_store(engine)


def _site(store, **kw) -> Site:
    engine, home, digest = store
    return Site(engine, home, serve(engine, home, **kw), digest)


def test_too_many_requests_per_token_then_per_address_get_429(store):
    site = _site(store, limits=(Limit(3, ONCE_A_DAY), Limit(5, ONCE_A_DAY)))
    with site.web, httpx.Client() as client:
        token = site.token(P1)
        codes = [client.get(f"{site.url}/f/{token}").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]  # the token's bucket
        other = client.get(f"{site.url}/f/{site.token(P2)}")
        assert other.status_code == 200  # 5th from this address: its own token is fresh
        r = client.get(f"{site.url}/f/{site.token(P2)}")  # 6th from this address
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "Too many requests" in r.text and "Traceback" not in r.text


def test_forwarded_for_is_ignored_unless_told(store):
    """Behind no declared proxy, a client cannot pick its own rate-limit bucket."""
    for proxied, expected in ((False, [200, 200, 429]), (True, [200, 200, 200])):
        extra = {"forwarded_allow_ips": "127.0.0.1"} if proxied else {}
        site = _site(store, limits=(ROOMY[0], Limit(2, ONCE_A_DAY)), **extra)
        with site.web, httpx.Client() as client:
            codes = [
                client.get(
                    f"{site.url}/f/{site.token(P1)}", headers={"X-Forwarded-For": f"10.0.0.{n}"}
                ).status_code
                for n in range(3)
            ]
        assert codes == expected, proxied


def test_a_base_path_from_the_public_url_is_kept_in_every_link(store):
    site = _site(store, public_path="/papers", limits=ROOMY)
    with site.web, httpx.Client() as client:
        root, base = site.url, f"{site.url}/papers"
        token = site.token(P2, "dislike")
        assert client.get(f"{root}/f/{token}").status_code == 404  # only under the base path
        page = client.get(f"{base}/f/{token}")
        assert page.status_code == 200 and f'action="/papers/f/{token}"' in page.text
        done = client.post(f"{base}/f/{token}", headers={"Origin": root})
        assert done.status_code == 200 and 'action="/papers/f/' in done.text
        view = client.get(f"{base}/d/{site.token(None, 'view', digest=site.digest)}")
        assert view.status_code == 200
        assert all(a.startswith(("/papers/f/", "https://")) for a in LINKS.findall(view.text))
    assert [r[:4] for r in site.feedback()] == [("alice", P2, -1, "email")]
    with site.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM feedback")


def test_paperround_web_serves_until_sigterm_and_never_imports_prefect(tmp_path):
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('prefect:', 'prefect' in sys.modules, file=sys.stderr))\n"
        "from paperround.cli import main\nmain()\n"
    )
    env = {**os.environ, "PAPERROUND_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "web", "--port", "0", "--public-url", "https://p.example/x/"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()  # printed once the socket listens
        port = re.search(r"127\.0\.0\.1:(\d+) as https://p\.example/x", line)
        assert port, line
        base = f"http://127.0.0.1:{port[1]}/x"
        assert httpx.get(f"{base}/healthz").text == "ok"
        r = httpx.get(f"{base}/f/forged.token")
        assert r.status_code == 400 and "Traceback" not in r.text
        assert (tmp_path / "home" / "web-secret").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out and "prefect: False" in err
    assert "forged.token" not in out + err  # no access log: URLs carry tokens


def test_paperround_web_refuses_a_bad_public_url_and_a_taken_port(tmp_path, capsys):
    from tests.cli import run_cli
    from tests.servers import free_port

    r = run_cli(capsys, "web", "--public-url", "ftp://x")
    assert r.exit_code == 2 and "http(s) URL" in r.output
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        r = run_cli(capsys, "web", "--port", str(taken.getsockname()[1]))
    assert r.exit_code == 1 and "cannot listen on 127.0.0.1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_listening_socket_says_tcp_so_asyncio_turns_nagle_off():
    """With proto 0, asyncio leaves Nagle on for accepted connections, and each response
    (headers, then body) waited ~40 ms for the client's delayed ACK (bench/web_latency.py)."""
    import socket

    from paperround.web.server import Listen, bind

    sock = bind(Listen(port=0))
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


@pytest.mark.parametrize(
    "bad", ["ftp://papers.example.org", "papers.example.org", "https://x/?a=1"]
)
def test_a_public_url_that_is_not_http_is_a_one_line_config_error(bad, monkeypatch):
    from models.errors import ConfigError
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_PUBLIC_URL", bad)
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="PAPERROUND_PUBLIC_URL"):
        get_settings()
    monkeypatch.setenv("PAPERROUND_PUBLIC_URL", "https://example.org/papers/")
    get_settings.cache_clear()
    assert get_settings().public_url == "https://example.org/papers"
