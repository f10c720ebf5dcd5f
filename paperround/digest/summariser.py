"""TL;DR lines written by a model, through simonw's llm library (pip install 'paperround[llm]').

Readers reuse what they configured for `llm`: its models and plugins, its keys, and
OpenAI-compatible servers (Ollama, llama.cpp, vLLM) listed in extra-openai-models.yaml
under LLM_USER_PATH. PAPERROUND_SUMMARISER names the model (an `llm models` id).

One call per paper, never per profile or channel: lines are cached in the store per
(paper, version, model, prompt fingerprint) (models/store/summaries.py). A run spends one
Budget: at most PAPERROUND_SUMMARISER_MAX_PAPERS calls, none started after
PAPERROUND_SUMMARISER_MAX_SECONDS, PAPERROUND_SUMMARISER_CONCURRENCY at a time, each
answer awaited PAPERROUND_SUMMARISER_TIMEOUT seconds. Whatever fails (the model cannot be
loaded, a timeout, an HTTP error, a refusal, an empty, multi-line-rambling or over-long
answer) keeps the paper's extractive line and is counted in the TldrReport; a digest never
breaks on it. An answer is feed-grade text: each format escapes it.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from models.records import ScoredPaper
from models.settings import get_settings
from models.store import summaries as store

log = logging.getLogger(__name__)

PROMPT_TEMPLATE = "tldr_prompt.j2"
MAX_CHARS = 400  # a longer answer is not one line
MAX_WORDS = 60
_SPLIT = "\n=====\n"
_REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|sorry,|i cannot|i can'?t|i am unable|i'm unable|as an ai)",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^(?:tl;?dr|summary|one-line summary)\s*[:\-–—]\s*", re.IGNORECASE)


@dataclass
class TldrReport:
    """What the TL;DR step did, for logs and the run summary."""

    model: str | None = None
    from_model: int = 0  # lines the model wrote in this run
    cached: int = 0  # model lines read from the store
    fallbacks: int = 0  # papers that kept the extractive line because the model failed
    reasons: dict[str, int] = field(default_factory=dict)  # failure kind -> count


@dataclass
class Budget:
    """What one run may spend on the model, shared by every digest it renders."""

    max_papers: int
    max_seconds: float
    started: float = field(default_factory=time.monotonic)
    calls: int = 0

    @classmethod
    def from_settings(cls) -> Budget:
        s = get_settings()
        return cls(s.summariser_max_papers, s.summariser_max_seconds)

    def take(self, wanted: int) -> int:
        """How many of `wanted` calls may still start."""
        if time.monotonic() - self.started >= self.max_seconds:
            return 0
        n = max(0, min(wanted, self.max_papers - self.calls))
        self.calls += n
        return n

    def deadline(self) -> float:
        return self.started + self.max_seconds


def model_lines(
    items: list[ScoredPaper],
    abstracts: list[str],
    fallback: list[str],
    *,
    model: str,
    engine: Engine,
    budget: Budget | None = None,
):
    """The lines for `items`: cached or new model lines where there are, `fallback` (the
    extractive lines) elsewhere; and the TldrReport of what happened."""
    report = TldrReport(model=model)
    settings = get_settings()
    prompt_id = prompt_fingerprint(settings.language)
    keys = [(s.paper.paper_id, s.paper.version) for s in items]
    lines = list(fallback)
    cached = store.cached_lines(keys, model=model, prompt=prompt_id, engine=engine)
    todo: list[int] = []
    for i, key in enumerate(keys):
        if key in cached:
            lines[i] = cached[key]
            report.cached += 1
        elif key not in {keys[j] for j in todo}:
            todo.append(i)
    budget = budget or Budget.from_settings()
    allowed = budget.take(len(todo))
    todo = todo[:allowed]
    if not todo:
        return lines, report
    try:
        llm_model = load_model(model)
    except Exception as exc:  # no llm, unknown model id, plugin error: every call failed
        _failed(report, len(todo), f"model unavailable ({_kind(exc)})")
        log.warning("TL;DR model %s cannot be used: %s", model, str(exc).splitlines()[0:1])
        return lines, report
    prompts = {
        i: render_prompt(items[i].paper.title, abstracts[i], settings.language) for i in todo
    }
    results = _ask_all(
        llm_model,
        prompts,
        workers=settings.summariser_concurrency,
        timeout=settings.summariser_timeout,
        deadline=budget.deadline() + settings.summariser_timeout,
    )
    new: dict[tuple[int, int], str] = {}
    for i in todo:
        text, error = results.get(i, (None, "timeout"))
        line, problem = (None, error) if error else check_answer(text)
        if line is None:
            _failed(report, 1, problem or "failed")
            continue
        lines[i] = new[keys[i]] = line
        report.from_model += 1
    store.store_lines(new, model=model, prompt=prompt_id, engine=engine, now=datetime.now(UTC))
    return lines, report


def _failed(report, n: int, kind: str) -> None:
    report.fallbacks += n
    report.reasons[kind] = report.reasons.get(kind, 0) + n


def check_answer(text: str | None) -> tuple[str | None, str | None]:
    """(the line, None) for a usable answer, else (None, why not)."""
    if text is None or not text.strip():
        return None, "empty answer"
    if len(text) > MAX_CHARS * 4:
        return None, "over-long answer"
    line = _PREFIX.sub("", " ".join(text.split())).strip().strip("\"'“”")
    if not line:
        return None, "empty answer"
    if len(line) > MAX_CHARS or len(line.split()) > MAX_WORDS:
        return None, "over-long answer"
    if _REFUSAL.match(line):
        return None, "refusal"
    return line, None


# -- the model -------------------------------------------------------------------------


def load_model(model_id: str):
    """The llm model, with per-call limits where llm's OpenAI client allows (OpenAI and
    every OpenAI-compatible server): a timeout, and no retries (a failed paper falls back;
    openai's own retries would triple the wait)."""
    import llm

    model = llm.get_model(model_id)
    get_client = getattr(model, "get_client", None)
    if get_client is not None:
        timeout = get_settings().summariser_timeout

        def limited_client(*args, **kwargs):
            return get_client(*args, **kwargs).with_options(timeout=timeout, max_retries=0)

        # get_client exists on the OpenAI-compatible models only (looked up above)
        model.get_client = limited_client  # type: ignore[attr-defined]
    return model


def _ask(model, prompt: str) -> str:
    system, _, user = prompt.partition(_SPLIT)
    kwargs = {"system": system.strip()} if user else {}
    return model.prompt(user.strip() or system.strip(), stream=False, **kwargs).text()


def _ask_all(model, prompts: dict[int, str], *, workers: int, timeout: float, deadline: float):
    """Answers by index: (text, None) or (None, failure kind). Daemon threads, at most
    `workers` at once; a call still running when its time is up is left behind (counted
    as a timeout) and never holds the run or the process."""
    jobs: queue.Queue = queue.Queue()
    for i in prompts:
        jobs.put(i)
    done: queue.Queue = queue.Queue()

    def work() -> None:
        while True:
            try:
                i = jobs.get_nowait()
            except queue.Empty:
                return
            if time.monotonic() >= deadline:
                done.put((i, None, "run out of time"))
                continue
            try:
                done.put((i, _ask(model, prompts[i]), None))
            except Exception as exc:
                done.put((i, None, _kind(exc)))

    n = min(workers, len(prompts))
    for _ in range(n):
        threading.Thread(target=work, daemon=True, name="paperround-tldr").start()
    rounds = -(-len(prompts) // n)
    wait_until = min(deadline, time.monotonic() + rounds * timeout + 1.0)
    results: dict[int, tuple[str | None, str | None]] = {}
    while len(results) < len(prompts):
        left = wait_until - time.monotonic()
        if left <= 0:
            break
        try:
            i, text, error = done.get(timeout=left)
        except queue.Empty:
            break
        results[i] = (text, error)
    return results


def _kind(exc: BaseException) -> str:
    """A failure's kind for the count: "timeout", "HTTP 500", or the exception's name."""
    name = type(exc).__name__
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return "timeout"
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if isinstance(status, int) else name


# -- the prompt ------------------------------------------------------------------------


def _template():
    from paperround.digest.template_files import templates_dir

    return _load_template(templates_dir())


@cache
def _load_template(folder: Path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from paperround.digest.template_files import load_template

    env = Environment(loader=FileSystemLoader(folder), undefined=StrictUndefined, autoescape=False)
    return load_template(env, PROMPT_TEMPLATE)


def render_prompt(title: str, abstract: str, language: str) -> str:
    """The prompt for one paper (feed text goes in as data, never as template source)."""
    return _template().render(title=title, abstract=abstract, language=language)


def prompt_fingerprint(language: str) -> str:
    """Changes when the prompt template or the language does: the cache key's prompt part."""
    source = Path(_template().filename).read_bytes() if _template().filename else b""
    return hashlib.sha256(source + b"\0" + language.encode()).hexdigest()[:16]
