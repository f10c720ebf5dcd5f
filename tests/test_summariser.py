"""TL;DR lines by a model, through simonw's llm, against an OpenAI-compatible server on
127.0.0.1 configured exactly as a reader configures llm (extra-openai-models.yaml under
LLM_USER_PATH). Failures are injected by the paper's title: a hung answer, HTTP 500, a
10 kB answer, a refusal; an answer full of HTML, Markdown and mentions is escaped."""

from __future__ import annotations

import re
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("llm", reason="the summariser's optional extra: pip install 'paperround[llm]'")
uvicorn = pytest.importorskip("uvicorn")

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from models.records import PaperRecord  # noqa: E402
from models.settings import get_settings  # noqa: E402
from models.store import papers  # noqa: E402
from models.store.profiles import create_profile  # noqa: E402
from models.tables import Profile  # noqa: E402

NOW = datetime(2026, 11, 30, 7, tzinfo=UTC)
EVIL = "<b>Bold</b> **claim** [x](http://evil.example) @everyone <script>alert(1)</script> done"
TOPICS = ["kernels", "grokking", "diffusion", "attention", "optimisers", "pruning", "scaling"]
_TITLE_WORD = re.compile(r"Title: (\w+)")
MODES = ["ok", "ok", "hang", "error", "huge", "refuse", "evil"]


class ChatServer:
    """A tiny OpenAI-compatible /v1/chat/completions, behaving as the title's MODE says."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.release = threading.Event()  # set at teardown: a hung answer then returns
        app = Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    async def chat(self, request: Request) -> JSONResponse:
        import anyio

        body = await request.json()
        user = body["messages"][-1]["content"]
        mode = re.search(r"MODE (\w+)", user).group(1)
        self.asked.append(mode)
        if mode == "hang":
            await anyio.to_thread.run_sync(self.release.wait, 60)
        if mode == "error":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        text = {
            "huge": "word " * 2048,  # 10 kB
            "refuse": "I'm sorry, but I can't help with that.",
            "evil": EVIL,
        }.get(mode, f"A model line about {_TITLE_WORD.search(user).group(1)}.")
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def chat(tmp_path, monkeypatch):
    """The server, and llm configured for it as a reader would, named by the setting."""
    with ChatServer() as server:
        llm_home = tmp_path / "llm"
        llm_home.mkdir()
        (llm_home / "extra-openai-models.yaml").write_text(
            f"- model_id: loopback-tiny\n  model_name: tiny\n  api_base: {server.api_base}\n"
        )
        monkeypatch.setenv("LLM_USER_PATH", str(llm_home))
        monkeypatch.setenv("PAPERROUND_SUMMARISER", "loopback-tiny")
        monkeypatch.setenv("PAPERROUND_SUMMARISER_TIMEOUT", "1")
        get_settings.cache_clear()
        yield server


def _store(engine) -> None:
    records = [
        PaperRecord(
            source="arxiv-cs.LG",
            external_id=f"oai:arXiv.org:2611.{n:05d}v1",
            title=f"{topic.capitalize()} and feature learning, MODE {mode}",
            abstract=(
                f"Feature learning matters for {topic}. We show that {topic} obey a simple "
                f"law in every regime we tried, case {n}. Experiments agree."
            ),
            authors=("Ada Lovelace",),
            url=f"https://arxiv.org/abs/2611.{n:05d}",
            arxiv_id=f"2611.{n:05d}",
            version=1,
            published=NOW - timedelta(hours=2),
        )
        for n, (topic, mode) in enumerate(zip(TOPICS, MODES, strict=True), 1)
    ]
    papers.upsert_records(records, engine=engine, now=NOW - timedelta(hours=1))


def scored_papers(engine) -> list:
    from sqlalchemy import select

    from models.records import ScoredPaper
    from models.store.candidates import to_candidate
    from models.tables import Paper

    with engine.connect() as conn:
        rows = conn.execute(select(Paper.__table__).order_by(Paper.__table__.c.id)).all()
    return [ScoredPaper(to_candidate(r), 1.0) for r in rows]


def _tldrs(html: str) -> dict[str, str]:
    cards = re.findall(r"MODE (\w+)</a>.*?<p class=\"tldr\"[^>]*>(.*?)</p>", html, re.DOTALL)
    return dict(cards)


def test_model_lines_with_every_failure_counted_and_escaped(engine, paperround_home, chat):
    from paperround.digest.run import digest_profile

    _store(engine)
    prof = create_profile(
        Profile(name="theory", keywords=[["feature learning", 1.0]], max_items=10),
        engine=engine,
    )
    outcome = digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
    (channel,) = outcome.channels
    assert channel.ok and channel.items == 7
    assert channel.tldr_fallbacks == 4  # hang, 500, 10 kB, refusal
    assert sorted(chat.asked) == sorted(MODES)  # one call per paper

    html = (paperround_home / "digests" / "theory" / "2026-11-30.html").read_text()
    lines = _tldrs(html)
    assert lines["ok"].startswith("A model line about")
    for mode in ("hang", "error", "huge", "refuse"):  # the extractive line instead
        assert lines[mode].startswith("We show that"), (mode, lines[mode])
    assert "<b>Bold</b>" not in html and "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; **claim**" in lines["evil"]
    markdown = (paperround_home / "digests" / "theory" / "2026-11-30.md").read_text()
    assert "@everyone" not in markdown and "\\*\\*claim\\*\\*" in markdown
    assert "](http://evil.example)" not in markdown


def test_lines_are_cached_per_paper_and_model(engine, paperround_home, chat):
    from paperround.digest.summaries import attach_tldrs

    _store(engine)
    items = scored_papers(engine)
    first, report = attach_tldrs(items, engine=engine)
    assert report.from_model == 3 and report.fallbacks == 4 and report.cached == 0
    assert report.reasons == {"timeout": 1, "HTTP 500": 1, "over-long answer": 1, "refusal": 1}
    asked = len(chat.asked)
    again, report = attach_tldrs(items, engine=engine)
    assert report.cached == 3 and report.from_model == 0
    assert [s.tldr for s in again] == [s.tldr for s in first]
    assert len(chat.asked) == asked + 4  # only the failed papers are asked again


def test_the_budget_caps_the_calls(engine, paperround_home, chat, monkeypatch):
    from paperround.digest.summaries import attach_tldrs

    monkeypatch.setenv("PAPERROUND_SUMMARISER_MAX_PAPERS", "2")
    get_settings.cache_clear()
    _store(engine)
    lines, report = attach_tldrs(scored_papers(engine), engine=engine)
    assert len(chat.asked) == 2 and report.from_model == 2 and report.fallbacks == 0
    assert sum(s.tldr.startswith("We show that") for s in lines) == 5


def test_an_unknown_model_falls_back_and_is_counted(engine, paperround_home, chat, monkeypatch):
    from paperround.digest.summaries import attach_tldrs

    monkeypatch.setenv("PAPERROUND_SUMMARISER", "no-such-model")
    get_settings.cache_clear()
    _store(engine)
    lines, report = attach_tldrs(scored_papers(engine), engine=engine)
    assert report.fallbacks == 7 and list(report.reasons) == [
        "model unavailable (UnknownModelError)"
    ]
    assert all(s.tldr.startswith("We show that") for s in lines) and chat.asked == []


def test_a_broken_summariser_never_breaks_the_digest(engine, tmp_path, chat, monkeypatch):
    from models.settings import get_settings
    from paperround.digest.summaries import attach_tldrs

    monkeypatch.setenv("PAPERROUND_TEMPLATES", str(tmp_path))  # no tldr_prompt.j2 there
    get_settings.cache_clear()
    _store(engine)
    lines, report = attach_tldrs(scored_papers(engine), engine=engine)
    [reason] = report.reasons
    assert report.fallbacks == 7 and reason.startswith("summariser error (PAPERROUND_TEMPLATES")
    assert "has no tldr_prompt.j2" in reason and "TemplateNotFound" not in reason
    assert all(s.tldr.startswith("We show that") for s in lines) and chat.asked == []
