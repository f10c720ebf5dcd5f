"""The store's dedup rules on SQLite and PostgreSQL: one paper is one row, whatever the route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.records import PaperRecord
from models.store import papers
from models.tables import Feedback, Paper, PaperOccurrence, Profile
from tests.records import arxiv_record, fake_id

NOW = datetime(2026, 4, 28, 4, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ARXIV = "2604.21952"
DOI = "10.1101/2026.04.20.649801"
TITLE = "Single-cell atlas of the developing Medicago root nodule"
ABSTRACT = "We map 120,000 nuclei of developing nodules."
LONG_ABSTRACT = ABSTRACT + " Symbiotic cells follow two trajectories; we name their regulators."


def rss(version=1, kind="new", **kw) -> PaperRecord:
    fields = dict(
        title=TITLE,
        abstract=ABSTRACT,
        authors=("Ana Souza", "Li Wei"),
        categories=("q-bio.GN", "q-bio.CB"),
        announce_type=kind,
        published=NOW,
    )
    return arxiv_record(ARXIV, version=version, **({"source": "arxiv-q-bio.GN"} | fields | kw))


def api(**kw) -> PaperRecord:
    base = dict(
        source="arxiv-api",
        external_id=f"http://arxiv.org/abs/{ARXIV}v1",
        title=TITLE,
        abstract=LONG_ABSTRACT,
        authors=("Ana Souza", "Li Wei", "Pierre Martin"),
        url=f"https://arxiv.org/abs/{ARXIV}",
        arxiv_id=ARXIV,
        version=1,
        doi=DOI,
        categories=("q-bio.GN", "q-bio.CB", "cs.LG"),
        published=NOW,
        journal_ref=None,
    )
    return PaperRecord(**(base | kw))


def hf(upvotes=42) -> PaperRecord:
    return PaperRecord(
        source="hf-daily",
        external_id=ARXIV,
        title=TITLE,
        abstract=ABSTRACT,
        authors=("Ana Souza",),
        url=f"https://arxiv.org/abs/{ARXIV}",
        arxiv_id=ARXIV,
        upvotes=upvotes,
        github_repo="https://github.com/souza/nodule-atlas",
        keywords=("single-cell", "symbiosis"),
        published=NOW + DAY,
    )


def biorxiv(**kw) -> PaperRecord:
    base = dict(
        source="biorxiv-genomics",
        external_id="http://biorxiv.org/cgi/content/short/2026.04.20.649801v1?rss=1",
        title=TITLE + ".",
        abstract=ABSTRACT,
        authors=("A. Souza", "L. Wei", "P. Martin"),
        url="http://biorxiv.org/cgi/content/short/2026.04.20.649801v1?rss=1",
        doi=DOI,
        published=NOW - 7 * DAY,
    )
    return PaperRecord(**(base | kw))


def rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(Paper.__table__).order_by(Paper.id)).all()


def occurrences(engine) -> list[tuple[str, str | None]]:
    o = PaperOccurrence.__table__
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(o.c.source, o.c.announce_type).order_by(o.c.source))
        ]


def test_four_sources_are_one_row(any_engine):
    first = papers.upsert_records([rss()], engine=any_engine, now=NOW)
    for later in (api(), hf(), biorxiv()):
        out = papers.upsert_records([later], engine=any_engine, now=NOW + DAY)
        assert out.new == () and out.revised == ()
    (row,) = rows(any_engine)
    assert first.new == (row.id,) and first.keys == {ARXIV: row.id}
    assert row.key == ARXIV and row.doi == DOI
    assert row.abstract == LONG_ABSTRACT
    assert row.authors == ["Ana Souza", "Li Wei", "Pierre Martin"]
    assert row.categories == ["q-bio.GN", "q-bio.CB", "cs.LG"]
    assert row.upvotes == 42 and row.github_repo == "https://github.com/souza/nodule-atlas"
    assert row.url == f"https://arxiv.org/abs/{ARXIV}"
    assert row.announced_at == NOW - 7 * DAY  # bioRxiv had it a week earlier
    assert occurrences(any_engine) == [
        ("arxiv-api", None),
        ("arxiv-q-bio.GN", "new"),
        ("biorxiv-genomics", None),
        ("hf-daily", None),
    ]
    # The same four again, in one batch: nothing new, nothing revised, still one row.
    again = papers.upsert_records([rss(), api(), hf(57), biorxiv()], engine=any_engine, now=NOW)
    assert again.new == () and again.revised == () and again.keys == {ARXIV: row.id}
    assert [r.upvotes for r in rows(any_engine)] == [57]  # upvotes are refreshed


def test_doi_only_biorxiv_then_arxiv_with_that_doi_merges(any_engine):
    before = papers.upsert_records([biorxiv()], engine=any_engine, now=NOW)
    (row,) = rows(any_engine)
    assert row.key == f"doi:{DOI}" and row.arxiv_id is None
    with any_engine.begin() as conn:
        pid = conn.execute(Profile.__table__.insert().values(**_profile())).inserted_primary_key[0]
        conn.execute(Feedback.__table__.insert().values(profile_id=pid, paper_id=row.id, value=1))
    out = papers.upsert_records([api()], engine=any_engine, now=NOW + DAY)
    (merged,) = rows(any_engine)
    assert merged.id == before.new[0] and out.new == () and out.keys == {ARXIV: merged.id}
    assert merged.key == ARXIV and merged.arxiv_id == ARXIV and merged.doi == DOI
    assert merged.url == f"https://arxiv.org/abs/{ARXIV}"  # the arXiv pages replace bioRxiv's
    assert merged.categories == ["q-bio.GN", "q-bio.CB", "cs.LG"]
    assert [s for s, _ in occurrences(any_engine)] == ["arxiv-api", "biorxiv-genomics"]
    with any_engine.connect() as conn:
        assert conn.execute(select(Feedback.paper_id)).scalars().all() == [merged.id]


def test_arxiv_row_and_doi_row_stored_apart_are_folded_by_a_record_with_both(any_engine):
    """RSS gives no DOI, so bioRxiv and RSS make two rows until the API links them."""
    papers.upsert_records([biorxiv()], engine=any_engine, now=NOW)
    papers.upsert_records([rss()], engine=any_engine, now=NOW)
    doi_row, arxiv_row = rows(any_engine)
    with any_engine.begin() as conn:
        pid = conn.execute(Profile.__table__.insert().values(**_profile())).inserted_primary_key[0]
        conn.execute(
            Feedback.__table__.insert(),
            [
                {"profile_id": pid, "paper_id": doi_row.id, "value": -1},
                {"profile_id": pid, "paper_id": arxiv_row.id, "value": 1},
            ],
        )
    out = papers.upsert_records([api()], engine=any_engine, now=NOW + DAY)
    (row,) = rows(any_engine)
    assert out.merged == 1 and out.new == () and row.id == arxiv_row.id and row.key == ARXIV
    assert row.doi == DOI and row.announced_at == NOW - 7 * DAY
    assert [s for s, _ in occurrences(any_engine)] == [
        "arxiv-api",
        "arxiv-q-bio.GN",
        "biorxiv-genomics",
    ]
    with any_engine.connect() as conn:  # the arXiv row's own feedback is kept
        assert conn.execute(select(Feedback.paper_id, Feedback.value)).all() == [(row.id, 1)]


def test_biorxiv_and_arxiv_in_one_batch_are_one_row(any_engine):
    out = papers.upsert_records([biorxiv(), rss(), api()], engine=any_engine, now=NOW)
    (row,) = rows(any_engine)
    assert out.new == (row.id,) and row.key == ARXIV and row.doi == DOI
    assert len(occurrences(any_engine)) == 3


def test_two_arxiv_papers_sharing_a_doi_stay_apart(any_engine):
    other = api(arxiv_id="2604.30000", external_id="http://arxiv.org/abs/2604.30000v1")
    papers.upsert_records([api()], engine=any_engine, now=NOW)
    out = papers.upsert_records([other, biorxiv()], engine=any_engine, now=NOW)
    assert [r.key for r in rows(any_engine)] == [ARXIV, "2604.30000"]
    assert len(out.new) == 1


def test_v1_then_v2_is_one_revised_row(any_engine):
    papers.upsert_records([rss()], engine=any_engine, now=NOW)
    v2 = rss(2, "replace", abstract="Shorter v2.", published=NOW + DAY)
    out = papers.upsert_records([v2], engine=any_engine, now=NOW + DAY)
    (row,) = rows(any_engine)
    assert out.new == () and out.revised == (row.id,)
    assert row.version == 2 and row.abstract == "Shorter v2."  # a new version's own abstract
    assert row.version_dates == {"1": "2026-04-28", "2": "2026-04-29"}
    assert row.revised_at == NOW + DAY
    assert occurrences(any_engine) == [("arxiv-q-bio.GN", "replace")]
    # v2 again, or a late v1 from elsewhere: not revised again, never goes back.
    assert papers.upsert_records([v2], engine=any_engine, now=NOW + 2 * DAY).revised == ()
    late = papers.upsert_records([hf()], engine=any_engine, now=NOW + 2 * DAY)
    assert late.revised == () and rows(any_engine)[0].version == 2


def test_replace_cross_updates_and_marks_revised(any_engine):
    papers.upsert_records(
        [rss(kind="cross", categories=("cs.LG", "q-bio.GN"))], engine=any_engine, now=NOW
    )
    out = papers.upsert_records(
        [rss(3, "replace-cross", categories=("cs.LG", "q-bio.GN"), title="Renamed atlas")],
        engine=any_engine,
        now=NOW + DAY,
    )
    (row,) = rows(any_engine)
    assert out.revised == (row.id,) and row.version == 3 and row.title == "Renamed atlas"


def test_cross_then_new_is_one_row_with_the_new_announcements_primary(any_engine):
    cross = rss(kind="cross", source="arxiv-cs.LG", categories=("cs.LG", "q-bio.GN"))
    first = papers.upsert_records([cross], engine=any_engine, now=NOW)
    out = papers.upsert_records([rss()], engine=any_engine, now=NOW)
    (row,) = rows(any_engine)
    assert first.new == (row.id,) and out.new == () and out.revised == ()
    assert row.categories == ["q-bio.GN", "cs.LG", "q-bio.CB"]
    # A later cross-listing or a non-arXiv source never moves the primary again.
    papers.upsert_records([cross, hf()], engine=any_engine, now=NOW)
    assert rows(any_engine)[0].categories == ["q-bio.GN", "cs.LG", "q-bio.CB"]
    assert occurrences(any_engine) == [
        ("arxiv-cs.LG", "cross"),
        ("arxiv-q-bio.GN", "new"),
        ("hf-daily", None),
    ]


def test_later_sources_fill_in_and_never_empty(any_engine):
    papers.upsert_records([api()], engine=any_engine, now=NOW)
    papers.upsert_records(
        [api(journal_ref="Nature Plants 12, 345 (2026)", abstract="", authors=())],
        engine=any_engine,
        now=NOW + DAY,
    )
    (row,) = rows(any_engine)
    assert row.journal_ref == "Nature Plants 12, 345 (2026)"
    assert row.abstract == LONG_ABSTRACT and len(row.authors) == 3
    assert row.updated_at == NOW + DAY and row.first_seen_at == NOW


def test_papers_without_ids_dedup_on_title_and_first_author(any_engine):
    blog = PaperRecord(source="bair", external_id="https://bair.berkeley.edu/p1", title=TITLE)
    a = papers.upsert_records(
        [blog.__class__(**{**_fields(blog), "authors": ("Ana Souza",)})], engine=any_engine, now=NOW
    )
    b = papers.upsert_records(
        [
            blog.__class__(
                **{**_fields(blog), "title": TITLE.upper() + "!", "authors": ("A. SOUZA",)}
            )
        ],
        engine=any_engine,
        now=NOW,
    )
    assert len(a.new) == 1 and b.new == () and len(rows(any_engine)) == 1
    assert rows(any_engine)[0].key.startswith("title:")


def _fields(rec: PaperRecord) -> dict:
    return {f: getattr(rec, f) for f in rec.__slots__}


def _profile() -> dict:
    now = NOW
    return dict(
        name="p",
        description="",
        keywords=[],
        excluded=[],
        categories=[],
        authors=[],
        sources=[],
        weights={},
        schedule="0 7 * * *",
        timezone="UTC",
        max_items=10,
        min_score=0.0,
        send_empty=False,
        enabled=True,
        created_at=now,
        updated_at=now,
    )


def test_every_key_maps_to_its_own_row_across_batches_and_a_deleted_top_row(any_engine):
    """The ids a batch reports are the rows' ids, also after gaps and the top row's removal."""
    from sqlalchemy import delete

    def batch(lo: int, hi: int) -> list[PaperRecord]:
        return [arxiv_record(fake_id(n), title=f"Paper {n}") for n in range(lo, hi)]

    def check(result) -> None:
        with any_engine.connect() as conn:
            stored = dict(conn.execute(select(Paper.key, Paper.id)).all())
        assert result.keys == {k: stored[k] for k in result.keys}

    first = papers.upsert_records(batch(1, 2500), engine=any_engine, now=NOW)
    check(first)
    top = max(first.new)
    with any_engine.begin() as conn:
        conn.execute(delete(PaperOccurrence).where(PaperOccurrence.paper_id == top))
        conn.execute(delete(Paper).where(Paper.id == top))
    mixed = papers.upsert_records(batch(2000, 4600), engine=any_engine, now=NOW + DAY)
    check(mixed)
    assert len(mixed.new) == 2101  # 2500..4599, and the deleted 2499 again


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        ["Ada Lovelace", 'Jane "JJ" Doe', "Zoë Ångström", "王小明", "tab\there", "back\\slash"],
        ["cs.LG", "stat.ML"],
        {"1": "2026-04-28", "2": "2026-05-02"},
        {"1": "2026-04-28", 2: "int key"},
        [1, 2.5, None, True],
        ["mixed", 3],
        {"nested": ["a", {"b": 1}]},
        {"v": None},
    ],
)
def test_bulk_json_is_json_dumps_byte_for_byte(value):
    """The store's fast JSON writer matches what SQLAlchemy's JSON type would store."""
    import json

    from models.store.bulk import _json

    assert _json(value) == json.dumps(value)
