"""Why a paper was picked, in words a reader can trust. Pure.

A signal earns a reason only when it set this paper apart from the day's other candidates:
"in your category cs.LG" on every card of a day where every paper is in cs.LG, or "close to
your seed" at a cosine of 0.01, told the reader nothing. So each reason has a test against
the day:
- seeds: the paper's seed similarity is in the day's top tenth (for this profile), and one
  seed is close to it: the paper is among the day's top SEED_CLOSE of papers nearest that
  seed (top SEED_VERY_CLOSE: "very close"). bench/reason_precision.py measures that those
  papers are more often relevant than the top ten without the reason;
- shares: with that top-tenth seed similarity, the terms that made the cosine (terms.py);
- keywords: a keyword is in the title or the abstract (which is said); authors: a followed
  author wrote it (both are rare in a day, and a reader wants to know);
- likes: the likes model scores it in the day's top tenth and liked papers are close to it
  (each among its own day's top LIKED_CLOSE);
- categories: the profile's category it is in is not shared by most of the day's papers;
- popularity: its upvotes are well above the day's typical.
At most three, strongest (largest weighted signal) first. A paper none of them explains
gets one generic reason naming what ranked it.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from functools import lru_cache

import numpy as np

from models.records import ProfileSpec, Reason
from paperround.rank.day import Day, day_for, top_cut
from paperround.rank.shares import shared_terms
from paperround.rank.signals import PaperSignals

MAX_REASONS = 3
TOP_SHARE = 0.1  # "separated": in the day's top tenth of candidates for this profile
# A seed is close to a paper when the paper is among the day's top SEED_CLOSE nearest that
# seed and their cosine is at least the floor (latent space; tf-idf without one): on 47 dev
# tasks (8 days), the top-10 papers shown the reason were relevant 0.40 of the time against
# 0.28 for the others; the share alone at 0.5% gave 0.38 / 0.31, the floor alone 0.40 / 0.28
# (docs/ranking.md has the frozen tasks' figure).
SEED_CLOSE, SEED_VERY_CLOSE = 0.02, 0.005
CLOSE_FLOOR = {"latent": (0.4, 0.5), "tfidf": (0.05, 0.1)}  # (close, very close); the
# tf-idf floors are not measured: every benchmark window has a latent space
LIKED_CLOSE = 0.05
CUT_SHARES = (SEED_CLOSE, SEED_VERY_CLOSE, LIKED_CLOSE)
MOST = 0.5  # a category on more than half the day's papers separates nothing
TRENDING_MIN = 10  # upvotes, and TRENDING_TIMES the day's median, to be "trending"
TRENDING_TIMES = 3
SHORT_TITLE_WORDS = 6


Picks = Sequence[tuple[int, dict[str, float]]]  # (candidate row, weighted signal values)
Found = list[list[tuple[float, Reason]]]


@lru_cache(maxsize=1 << 14)  # a seed's title is shortened for every pick close to it
def short_title(title: str) -> str:
    """Before the first colon or dash when that names the paper ("Tensor Programs IV"),
    else the first SHORT_TITLE_WORDS words."""
    title = " ".join(title.split())
    head = re.split(r":\s|\s[—–-]+\s|—", title, maxsplit=1)[0].strip()
    if len(head.split()) >= 2 or (head != title and len(head) >= 4):
        title = head
    words = title.split()
    return title if len(words) <= SHORT_TITLE_WORDS else " ".join(words[:SHORT_TITLE_WORDS]) + "…"


def trending_at(day: Day) -> float:
    return max(TRENDING_MIN, TRENDING_TIMES * float(np.median(day.upvotes)))


def explain_many(
    profiles: Sequence[ProfileSpec],
    signals: PaperSignals,
    picks: Sequence[Picks],
    *,
    seed_sims: Sequence[np.ndarray],
    feedbacks: Sequence[np.ndarray | None],
    cache: MutableMapping[str, object],
) -> list[list[tuple[Reason, ...]]]:
    """`explain` for each profile; the day's closeness cuts of all their seeds and likes
    are taken at once (taken per profile, they were about a fifth of the reasons' time),
    and so are the shared terms of all their picks (shares.py)."""
    wanted = [
        p
        for prof, got in zip(profiles, picks, strict=True)
        if got
        for p in (*prof.seeds, *prof.liked)
    ]
    day = day_for(signals, cache, CUT_SHARES)
    day.prepare(wanted)
    tops = [_seed_top(*args) for args in zip(profiles, picks, seed_sims, strict=True)]
    rows = [[got[n][0] for n in top] for got, top in zip(picks, tops, strict=True)]
    terms = shared_terms(profiles, signals, rows, day, cache)
    return [
        explain(prof, signals, day, got, feedback=fb, seed_top=top, seed_terms=t)
        for prof, got, fb, top, t in zip(profiles, picks, feedbacks, tops, terms, strict=True)
    ]


def _seed_top(profile: ProfileSpec, picks: Picks, seed_sim: np.ndarray) -> list[int]:
    """The picks (by place) whose seed similarity is in the day's top tenth: those a seed
    reason and shared terms may explain."""
    if not picks or not (profile.seeds or profile.liked):
        return []
    cut = top_cut(seed_sim, TOP_SHARE)
    return [n for n, (i, _) in enumerate(picks) if seed_sim[i] >= cut and seed_sim[i] > 0]


def explain(
    profile: ProfileSpec,
    signals: PaperSignals,
    day: Day,
    picks: Picks,
    *,
    feedback: np.ndarray | None,
    seed_top: Sequence[int],
    seed_terms: Sequence[tuple[str, ...]],
) -> list[tuple[Reason, ...]]:
    """Each pick's reasons (pick = candidate row and its weighted signal values), given
    the picks in the day's top tenth of seed similarity and their shared terms."""
    if not picks:
        return []
    found: list[list[tuple[float, Reason]]] = [[] for _ in picks]
    if seed_top:
        _seed_reasons(profile, day, picks, seed_top, seed_terms, found)
    if feedback is not None and profile.liked:
        _liked_reasons(profile, day, picks, feedback, found)
    for n, (i, values) in enumerate(picks):
        got = found[n]
        if values.get("keywords", 0) > 0 and (kw := _keyword(profile, signals, i)):
            got.append((values["keywords"], kw))
        if values.get("authors", 0) > 0:
            name = signals.followed(profile.authors)[1][i]
            got.append((values["authors"], Reason(f"by {name} (followed)")))
        if values.get("categories", 0) > 0 and (cat := _category(profile, signals, day, i)):
            got.append((values["categories"], cat))
        up = day.upvotes[i]
        if values.get("popularity", 0) > 0 and up >= trending_at(day):
            got.append(
                (values["popularity"], Reason(f"trending: {up:.0f} upvotes on Hugging Face"))
            )
    out = []
    for (i, values), got in zip(picks, found, strict=True):
        got.sort(key=lambda f: -f[0])  # stable: a seed's reason stays before its terms
        out.append(
            tuple(r for _, r in got[:MAX_REASONS]) or (_generic(profile, signals, i, values),)
        )
    return out


def _seed_reasons(
    profile: ProfileSpec,
    day: Day,
    picks: Picks,
    top: Sequence[int],
    terms: Sequence[tuple[str, ...]],
    found: Found,
) -> None:
    rows = [picks[n][0] for n in top]
    if profile.seeds:
        refs, cuts = day.refs(profile.seeds)
        close, very = cuts[0], cuts[1]
        floor, very_floor = CLOSE_FLOOR[day.space]
        close, very = np.maximum(close, floor), np.maximum(very, very_floor)
        sims = day.cosines(rows, refs)  # picks x seeds
        margin = np.where(sims >= close, sims - close, -np.inf)
        nearest = margin.argmax(axis=1)  # per pick: the seed it is closest to past the cut
        at = np.arange(len(top))
        shown = np.isfinite(margin[at, nearest]).tolist()
        very_close = (sims[at, nearest] >= very[nearest]).tolist()
        for n, k, ok, v in zip(top, nearest.tolist(), shown, very_close, strict=True):
            if ok:
                seed = profile.seeds[k]
                word = "very close" if v else "close"
                text = f"{word} to your seed “{short_title(seed.title)}”"
                strength = picks[n][1].get("seeds", 0.0)
                found[n].append((strength, Reason(text, " ".join(seed.title.split()))))
    for n, named in zip(top, terms, strict=True):
        if named:
            found[n].append((picks[n][1].get("seeds", 0.0), Reason("shares: " + ", ".join(named))))


def _liked_reasons(
    profile: ProfileSpec, day: Day, picks: Picks, feedback: np.ndarray, found: Found
) -> None:
    cut = top_cut(feedback, TOP_SHARE)
    top = [n for n, (i, v) in enumerate(picks) if feedback[i] >= cut and v.get("feedback", 0) > 0]
    if not top:
        return
    refs, cuts = day.refs(profile.liked)
    close = cuts[2]
    sims = day.cosines([picks[n][0] for n in top], refs)
    for n, row in zip(top, sims, strict=True):
        near = np.flatnonzero(row >= close)
        if not len(near):
            continue
        near = near[np.argsort(-row[near])]
        text = (
            "you liked a similar paper"
            if len(near) == 1
            else f"you liked {len(near)} similar papers"
        )
        detail = "; ".join(short_title(profile.liked[k].title) for k in near[:3])
        found[n].append((picks[n][1]["feedback"], Reason(text, detail)))


def _keyword(profile: ProfileSpec, signals: PaperSignals, i: int) -> Reason | None:
    best = None
    for order, (term, weight) in enumerate(profile.keywords):
        text, title = signals.hits(term)
        if not text[i]:
            continue
        rank = (weight * (2 if title[i] else 1), -order)
        if best is None or rank > best[0]:
            best = (rank, term, bool(title[i]))
    if best is None:
        return None
    where = "title" if best[2] else "abstract"
    return Reason(f"keyword '{best[1]}' in the {where}")


def _category(profile: ProfileSpec, signals: PaperSignals, day: Day, i: int) -> Reason | None:
    cats = signals.candidates[i].categories
    rare = [c for c in cats if c in profile.categories and day.category_share[c] <= MOST]
    if not rare:
        return None
    if rare[0] == cats[0]:
        return Reason(f"in your category {rare[0]}")
    return Reason(f"cross-listed in your category {rare[0]}")


def _generic(
    profile: ProfileSpec, signals: PaperSignals, i: int, values: dict[str, float]
) -> Reason:
    """What ranked a paper when no signal set it apart today."""
    strongest = max(values, key=lambda k: values[k], default="")
    if strongest in ("seeds", "feedback"):
        return Reason("ranked by overall similarity to your profile")
    if strongest == "categories":
        cat = next(c for c in signals.candidates[i].categories if c in profile.categories)
        return Reason(f"in your category {cat}, like most of today's papers")
    return Reason("ranked by your profile overall")
