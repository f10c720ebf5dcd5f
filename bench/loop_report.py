"""bench/rank_loop.py's figures: the per-day means, the paired comparisons, the costs, the plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rank_stats import paired

LABELS = {
    "ours": "ours (clicks through the store)",
    "seeds_only": "ours, seeds only (no clicks)",
    "asl_svm": "arxiv-sanity-lite SVM (same clicks)",
    "asl_svm_seeds_only": "arxiv-sanity-lite SVM, seeds only",
}


def report(per_task: dict, secs: dict, profile_days: int, **fields) -> dict:
    """The JSON line: {"days", "ours", "seeds_only", "asl_svm", ...}; `per_task[system][day]`
    is one evaluation per task, in the same task order for every system and day."""
    args = fields.pop("args")
    days = len(per_task["ours"])
    out: dict = {"days": days}
    for system, by_day in per_task.items():
        out[system] = [_mean(d, "ndcg10") for d in by_day]
    out["tasks"] = fields["tasks"]
    out["auc"] = {s: [_mean(d, "auc") for d in by_day] for s, by_day in per_task.items()}
    last = days - 1
    out["gain_day5_vs_seeds_only"] = {
        "ours": paired(per_task["ours"][last], per_task["seeds_only"][last])
    }
    out["gain_day5_vs_day1"] = {"ours": paired(per_task["ours"][last], per_task["ours"][0])}
    if "asl_svm" in per_task:
        out["paired_day5_ours_vs_asl_svm"] = paired(
            per_task["ours"][last], per_task["asl_svm"][last]
        )
        out["gain_day5_vs_seeds_only"]["asl_svm"] = paired(
            per_task["asl_svm"][last], per_task["asl_svm_seeds_only"][last]
        )
        out["gain_day5_vs_day1"]["asl_svm"] = paired(
            per_task["asl_svm"][last], per_task["asl_svm"][0]
        )
    per = max(profile_days, 1)
    out["seconds_per_profile_day"] = {s: round(secs[s] / per, 4) for s in per_task if s in secs} | {
        "store_read": round(secs["store"] / per, 4),
        "store_clicks": round(secs["clicks"] / per, 4),
        "asl_database_fit": round(secs["database"] / per, 4),
    }
    out["profile_days"] = profile_days
    out["index_seconds"] = round(secs["index"], 1)
    out["weights"] = fields["weights"]
    out["set"] = dict(args.set)
    out["clicks"] = args.clicks
    out["draw"] = str(args.tasks) if args.tasks else args.draw
    return out


def _mean(evaluations: list[dict] | None, metric: str) -> float | None:
    if evaluations is None:  # a day the system was not run
        return None
    return round(float(np.mean([r[metric] for r in evaluations])), 4)


def _pm(p: dict) -> str:
    return f"{p['wins']} / {p['ties']} / {p['losses']}, {p['mean_delta']:+.3f} +- {p['se']:.3f}"


def table(out: dict) -> str:
    """The per-day table in Markdown, then the paired comparisons and costs."""
    days = out["days"]
    systems = [s for s in LABELS if s in out]
    lines = [
        "| nDCG@10 | " + " | ".join(f"day {d + 1}" for d in range(days)) + " | day 5 - day 1 |",
        "|---" * (days + 2) + "|",
    ]
    for s in systems:
        row = out[s]
        cells = " | ".join("-" if v is None else f"{v:.3f}" for v in row)
        lines.append(f"| {LABELS[s]} | {cells} | {row[-1] - row[0]:+.3f} |")
    lines.append("")
    lines.append(f"{out['tasks']} tasks; per task, W / T / L, mean delta +- SE:")
    for s, p in out["gain_day5_vs_seeds_only"].items():
        lines.append(f"- {s}, day 5 minus its seeds-only run: {_pm(p)}")
    if "paired_day5_ours_vs_asl_svm" in out:
        lines.append(f"- day 5, ours vs asl_svm: {_pm(out['paired_day5_ours_vs_asl_svm'])}")
    cost = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in out["seconds_per_profile_day"].items())
    lines.append(f"- seconds per profile and day: {cost}")
    return "\n".join(lines)


def plot(out: dict, path: Path) -> None:
    """nDCG@10 by day, one line per system, to `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = list(range(1, out["days"] + 1))
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    styles = {
        "ours": ("C0", "-", "o"),
        "seeds_only": ("C0", "--", None),
        "asl_svm": ("C1", "-", "s"),
        "asl_svm_seeds_only": ("C1", "--", "x"),
    }
    for s, (color, line, marker) in styles.items():
        if s in out:
            shown = [(d, v) for d, v in zip(days, out[s], strict=True) if v is not None]
            xs, ys = zip(*shown, strict=True)
            if len(shown) < len(days):
                line = ""  # days not run: markers only, no line drawn across them
            ax.plot(xs, ys, color=color, linestyle=line, marker=marker, label=LABELS[s])
    ax.set_xticks(days)
    ax.set_xlabel("reader's day (clicks on the top 10 of every earlier day)")
    ax.set_ylabel("nDCG@10, mean over tasks")
    ax.set_title(f"Simulated reader, arxiv-category-bench ({out['tasks']} tasks)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
