"""The figures a ranking benchmark reports: means over tasks, per-task paired comparisons,
and the K-seed acceptance line (bench/rank_quality.py, bench/rank_loop.py)."""

from __future__ import annotations

import numpy as np


def summary(results: list[dict]) -> dict[str, float]:
    out = {k: round(float(np.mean([r[k] for r in results])), 4) for k in results[0]}
    sd = float(np.std([r["ndcg10"] for r in results]))
    out["ndcg10_ci95"] = round(1.96 * sd / np.sqrt(len(results)), 4)
    return out


def paired(a: list[dict], b: list[dict]) -> dict[str, float]:
    """Per-task nDCG@10 of `a` against `b`: wins/ties/losses and the mean difference with
    its standard error (tasks share days and categories, so read it as a rough guide)."""
    diff = np.array([x["ndcg10"] - y["ndcg10"] for x, y in zip(a, b, strict=True)])
    wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    return {
        "wins": wins,
        "ties": len(diff) - wins - losses,
        "losses": losses,
        "mean_delta": round(float(diff.mean()), 4),
        "se": round(se, 4),
    }


def k_seed_pairs(res: dict[str, list[dict]]) -> dict[str, dict]:
    return {f"paired_vs_{n}": paired(res["ours"], res[n]) for n in res if n != "ours"}


def k_seed_line(k: int, res: dict[str, list[dict]]) -> dict:
    """The acceptance line of a K-seed run: ours, lr, asl_svm and ours paired against lr."""
    line: dict = {"seeds": k}
    for name in ("ours", "lr", "asl_svm"):
        if name in res:
            got = summary(res[name])
            line[name] = {"ndcg10": got["ndcg10"], "auc": got["auc"]}
    if "lr" in res:
        pair = paired(res["ours"], res["lr"])
        line["paired_vs_lr"] = {k: pair[k] for k in ("wins", "losses", "mean_delta", "se")}
    return line
