"""The anchor recipes of bench/rank_quality.py: what the product's ranker is measured against.

Each takes a task and the day's Database (arxiv-sanity-lite's view: the window's papers and
the day's, one tf-idf fitted over all of them) and returns a score per candidate.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np


def text(p: dict) -> str:
    return f"{p['title']}. {p['abstract']}"


ASL_VECTORISER = dict(
    max_features=20000, ngram_range=(1, 2), sublinear_tf=True, min_df=5, max_df=0.1,
    stop_words="english", dtype=np.float32,
)  # fmt: skip
CENTROID_VECTORISER = dict(
    ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2, dtype=np.float32
)


class Database:
    """One test day as arxiv-sanity-lite would hold it: the window's papers and the day's,
    with its tf-idf fitted once over all of them (not per profile)."""

    def __init__(self, window: list[str], cands: list[str], papers: dict) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids = [*window, *cands]
        texts = [text(papers[i]) for i in ids]
        self.cands, self.papers = cands, papers
        self.row = {pid: n for n, pid in enumerate(ids)}
        self.cand_rows = np.arange(len(window), len(ids))
        self.texts = texts
        self.asl = TfidfVectorizer(**ASL_VECTORISER).fit_transform(texts)

    @cached_property
    def tfidf(self):
        """The centroid anchor's tf-idf, fitted only when it runs (the K-seed runs skip it)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(**CENTROID_VECTORISER).fit_transform(self.texts)

    def rows(self, ids: list[str]) -> list[int]:
        return [self.row[i] for i in ids]


def tfidf_centroid(task: dict, db: Database) -> list[float]:
    q = np.asarray(db.tfidf[db.rows(task["seed_ids"])].mean(axis=0)).ravel()
    return list(map(float, db.tfidf[db.cand_rows] @ q))


def asl_svm(task: dict, db: Database) -> list[float]:
    """arxiv-sanity-lite's recipe: one LinearSVC per profile over the whole database."""
    from sklearn.svm import LinearSVC

    y = np.zeros(db.asl.shape[0])
    y[db.rows(task["seed_ids"])] = 1
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(db.asl, y)
    return list(map(float, clf.decision_function(db.asl[db.cand_rows])))


def lr_fb(task: dict, db: Database) -> list[float]:
    """Logistic regression on the database's tf-idf, seeds vs neg_ids."""
    from sklearn.linear_model import LogisticRegression

    x = db.asl[db.rows(task["seed_ids"] + task["neg_ids"])]
    y = [1] * len(task["seed_ids"]) + [0] * len(task["neg_ids"])
    clf = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    return list(map(float, clf.decision_function(db.asl[db.cand_rows])))


def lr(task: dict, db: Database) -> list[float]:
    """The K-seed anchor: logistic regression on the database's tf-idf, the seeds against
    every other paper of the window (C=1, class-balanced), as issue 17 measured it."""
    from sklearn.linear_model import LogisticRegression

    n = len(db.row) - len(db.cand_rows)  # the window's rows come first
    y = np.zeros(n)
    y[db.rows(task["seed_ids"])] = 1
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    clf.fit(db.asl[:n], y)
    return list(map(float, clf.decision_function(db.asl[db.cand_rows])))


def tfidf_centroid_pool(task: dict, db: Database) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    cands, papers = db.cands, db.papers

    docs = [text(papers[i]) for i in cands] + [text(papers[i]) for i in task["seed_ids"]]
    m = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english").fit_transform(
        docs
    )
    q = np.asarray(m[len(cands) :].mean(axis=0)).ravel()
    return list(map(float, m[: len(cands)] @ q))


def asl_svm_pool(task: dict, db: Database) -> list[float]:
    """The same SVM with the tf-idf fitted per profile on the candidates + seeds only."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    cands, papers, seed_ids = db.cands, db.papers, task["seed_ids"]
    ids = list(cands) + list(seed_ids)
    x = TfidfVectorizer(**ASL_VECTORISER).fit_transform([text(papers[i]) for i in ids])
    y = np.r_[np.zeros(len(cands)), np.ones(len(seed_ids))]
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(x, y)
    return list(map(float, clf.decision_function(x[: len(cands)])))


K_SEED_ANCHORS = {"lr": lr, "asl_svm": asl_svm}
ANCHORS = {
    "tfidf_centroid": tfidf_centroid,
    "asl_svm": asl_svm,
    "lr_fb": lr_fb,
    "tfidf_centroid_pool": tfidf_centroid_pool,
    "asl_svm_pool": asl_svm_pool,
}
