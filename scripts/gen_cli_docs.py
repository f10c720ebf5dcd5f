"""Write docs/cli.md from the CLI's own help, so the reference cannot drift.

    .venv/bin/python scripts/gen_cli_docs.py          # rewrite docs/cli.md
tests/test_cli_help.py fails when docs/cli.md is not what this script would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DOC = REPO / "docs" / "cli.md"

INTRO = """# CLI reference

Generated from `--help` by `scripts/gen_cli_docs.py`; `tests/test_cli_help.py` keeps it in sync.

## Create your first profile

```sh
# Interests: phrases with weights, arXiv categories, an author you follow.
paperround profile add theory \\
    -k "neural tangent kernel:2" -k "feature learning" -k "implicit bias" \\
    -c cs.LG -c stat.ML -a "Cengiz Pehlevan" \\
    --schedule weekdays --tz Europe/Paris --max-items 10
# Seed papers you liked: arXiv ids, or your Zotero library exported as BibTeX or CSL JSON.
paperround profile seeds add theory 2006.14599 --from-file ~/zotero-export.bib
# Deliver by email; the password is read from the environment at send time.
paperround profile channel add theory \\
    'mailtos://me:{env:SMTP_PASSWORD}@smtp.example.org?to=me@example.org'
SMTP_PASSWORD=... paperround profile channel test theory
# Keep it under version control.
paperround profile export theory > theory.yaml && paperround profile apply theory.yaml
```

## Working offline

`paperround demo` runs the whole job on the bundled feeds in `examples/feeds/`, in its own
store. To use them in your own store (no network needed; run from the repository's folder,
a local path is stored absolute):

```sh
export PAPERROUND_ENRICH=false    # no category lookups on the arXiv API
paperround source add local-lg arxiv-rss examples/feeds/arxiv-rss-cs.LG.xml
paperround source add local-hf hf-daily examples/feeds/hf-daily-papers.json
paperround ingest -s local-lg -s local-hf    # reads the files, not the network
paperround profile add offline -k "language model" -c cs.LG
paperround digest preview offline --format text
```

Offline, the default sources (rss.arxiv.org, huggingface.co) fail at once, one line each,
and the next ingest tries them again. A seed given by arXiv id is kept as pending and
looked up at the next ingest or profile command that reaches the arXiv API.

"""


def walk(cmd, path: list[str]):
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name in sorted(cmd.commands, key=lambda n: list(cmd.commands).index(n)):
            yield from walk(cmd.commands[name], [*path, name])


def section(path: list[str], cmd) -> str:
    ctx = cmd.context_class(cmd, info_name=" ".join(path))
    lines = [f"## `{' '.join(path)}`", "", (cmd.help or "").strip(), ""]
    lines += ["```", cmd.get_usage(ctx).replace("Usage: ", "Usage: "), "```", ""]
    params = [p for p in cmd.params if p.name not in ("help",)]
    for p in params:
        if p.param_type_name == "argument":
            lines.append(f"- `{(p.name or '').upper()}`: {getattr(p, 'help', '') or ''}".rstrip())
        else:
            opts = ", ".join(f"`{o}`" for o in (*p.opts, *p.secondary_opts))
            lines.append(f"- {opts}: {p.help or ''}".rstrip())
    return "\n".join(lines).rstrip() + "\n"


def render() -> str:
    from paperround.cli import app

    root = typer.main.get_command(app)
    parts = [INTRO]
    for path, cmd in walk(root, ["paperround"]):
        if len(path) == 1:
            continue
        parts.append(section(path, cmd))
    return "\n".join(parts)


def commands() -> list[tuple[list[str], object]]:
    from paperround.cli import app

    return [(p, c) for p, c in walk(typer.main.get_command(app), ["paperround"]) if len(p) > 1]


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(REPO)}")
