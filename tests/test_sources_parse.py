"""Every parser over every fixture in tests/fixtures: real field values, or a clear FeedError."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.errors import FeedError
from paperround.ingest.sources import arxiv_api, feed, hf_daily, parse
from tests.fixtures import FIXTURES, api_body

# ---- arXiv API --------------------------------------------------------------------------


def test_api_search_page_fields() -> None:
    result = arxiv_api.parse(api_body("arxivpy_q-testing_start0_max10.json"), source="api")
    assert result.total_results == 214881 and len(result.records) == 10
    first = result.records[0]
    assert (first.arxiv_id, first.version) == ("2202.12139", 1)
    assert first.external_id == "http://arxiv.org/abs/2202.12139v1"
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/icstw55395.2022.00035"
    assert first.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.pdf_url == "https://arxiv.org/pdf/2202.12139v1"
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert first.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    # The recording double-encoded UTF-8 in names; it is repaired.
    assert result.records[1].authors[:3] == ("Aurora Ramírez", "Mario Berrios", "José Raúl Romero")


def test_api_second_page_has_revised_paper() -> None:
    rec = arxiv_api.parse(api_body("arxivpy_q-testing_start10_max10.json"), source="api").records[0]
    assert (rec.arxiv_id, rec.version) == ("2403.16981", 2)
    assert rec.categories == ("math.ST", "cs.IT", "stat.ML")
    assert rec.published == datetime(2024, 3, 25, 17, 42, 32, tzinfo=UTC)
    assert rec.updated == datetime(2025, 5, 24, 5, 50, 33, tzinfo=UTC)


def test_api_hundred_entries_counts() -> None:
    # The recording's body (../shared keeps it also as a DERIVED_...body.xml of these bytes).
    records = arxiv_api.parse(
        api_body("arxivpy_q-testing_start0_max100.json"), source="api"
    ).records
    assert len(records) == 100
    assert sum(r.version >= 2 for r in records) == 36
    assert sum(r.doi is not None for r in records) == 32
    assert sum(r.journal_ref is not None for r in records) == 18
    assert sum(r.comment is not None for r in records) == 97


@pytest.mark.parametrize(
    ("name", "arxiv_id", "categories", "journal_ref"),
    [
        (
            "arxivpy_id_astro-ph_0601001_oldstyle.json",
            "astro-ph/0601001",
            ("astro-ph",),
            "ActaAstron.56:1-50,2006",
        ),
        (
            "arxivpy_id_quant-ph_0201082v1_versioned.json",
            "quant-ph/0201082",
            ("quant-ph", "cs.PL"),
            None,
        ),
        ("arxivpy_id_2104.12255v1_versioned.json", "2104.12255", ("cs.CR",), None),
        ("arxivpy_id_1605.08386.json", "1605.08386", ("math.CO", "math.ST"), None),
        ("arxivpy_id_1707.08567.json", "1707.08567", ("cs.IT",), None),
        ("arxivpy_id_list_two_ids_one_missing.json", "1707.08567", ("cs.IT",), None),
    ],
)
def test_api_id_lookups(
    name: str, arxiv_id: str, categories: tuple, journal_ref: str | None
) -> None:
    result = arxiv_api.parse(api_body(name), source="api")
    assert len(result.records) == 1 and result.total_results == 1
    rec = result.records[0]
    assert (rec.arxiv_id, rec.version, rec.categories, rec.journal_ref) == (
        arxiv_id,
        1,
        categories,
        journal_ref,
    )


def test_api_old_style_record_details() -> None:
    rec = arxiv_api.parse(
        api_body("arxivpy_id_astro-ph_0601001_oldstyle.json"), source="api"
    ).records[0]
    assert rec.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert rec.comment.startswith("62 pages including 16 figures and 9 tables.")
    assert rec.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert rec.url == "https://arxiv.org/abs/astro-ph/0601001"


def test_api_current_format_primary_first() -> None:
    result = arxiv_api.parse(
        api_body("sotawhat_api_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"), source="api"
    )
    assert result.total_results == 28946 and len(result.records) == 5
    assert result.records[0].arxiv_id == "2606.13677"
    assert result.records[0].categories == ("cs.RO", "cs.AI", "cs.CV", "cs.LG")
    assert result.records[0].comment == "Project Page: https://zhaohengyin.github.io/mana"


def test_api_empty_result() -> None:
    result = arxiv_api.parse(api_body("arxivpy_id_0000.0000_empty.json"), source="api")
    assert (result.records, result.total_results) == ((), 0)


def test_api_error_entry_is_feed_error() -> None:
    with pytest.raises(FeedError, match=r"^api: arXiv API error: incorrect id format for abc$"):
        parse("arxiv-api", api_body("arxivpy_id_abc_http400_error_entry.json"), source="api")


# ---- Hugging Face Daily Papers ----------------------------------------------------------

HF = FIXTURES / "hf-daily" / "sotawhat_hf_api_daily_papers_2026-06-12.json"


def test_hf_daily_fields() -> None:
    result = hf_daily.parse(HF.read_bytes(), source="hf")
    assert len(result.records) == 30 and result.announced_on == date(2026, 6, 12)
    first, second = result.records[0], result.records[1]
    assert (first.arxiv_id, first.upvotes, first.github_repo) == ("2606.00467", 0, None)
    assert first.title.startswith("On the Limits of LLM Adaptability")
    assert first.authors == ("Etienne Casanova", "Rafal Kocielnik", "R. Michael Alvarez")
    assert first.published == datetime(2026, 5, 30, tzinfo=UTC)
    assert first.updated == datetime(2026, 6, 12, tzinfo=UTC)
    assert first.url == "https://arxiv.org/abs/2606.00467"
    assert second.upvotes == 5
    assert (
        second.github_repo
        == "https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs"
    )
    assert "Theory of Planned Behavior" in second.keywords
    assert sum(r.github_repo is not None for r in result.records) == 16
    assert all(r.keywords for r in result.records)


def test_hf_daily_url() -> None:
    assert (
        hf_daily.daily_url(date(2026, 6, 12))
        == "https://huggingface.co/api/daily_papers?date=2026-06-12"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!doctype html><html><title>502</title></html>", r"got an HTML page"),
        (b'{"error": "Invalid date"}', "Hugging Face API error: Invalid date"),
        (b'{"papers": []}', "expected a JSON array"),
        (b'[{"title": "no paper"}]', "item 0 has no paper.id"),
    ],
)
def test_hf_daily_wrong_shape(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        hf_daily.parse(body, source="hf")


def test_hf_daily_empty_day() -> None:
    result = hf_daily.parse(b"[]", source="hf")
    assert (
        result.records == () and result.empty_reason == "no papers on the Hugging Face daily list"
    )


# ---- Generic feeds ----------------------------------------------------------------------


def test_biorxiv_rss1() -> None:
    body = (FIXTURES / "biorxiv" / "feedrs_biorxiv_genomics_rss1.0_2023-12-16.xml").read_bytes()
    result = feed.parse(body, source="biorxiv")
    assert result.feed_title == "bioRxiv Subject Collection: Genomics"
    (rec,) = result.records
    assert rec.doi == "10.1101/2023.12.16.571984"
    assert rec.url == "http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1"
    assert rec.title.startswith("Complete genome of the Medicago anthracnose fungus")
    assert rec.authors[:3] == ("N. LAPALU", "A. SIMON", "A. Lu")
    assert rec.authors[-1] == "R. J. O'Connell" and len(rec.authors) == 10
    assert rec.abstract.startswith("Colletotrichum destructivum (Cd) is a phytopathogenic fungus")
    assert rec.published == datetime(2023, 12, 16, tzinfo=UTC)
    assert rec.arxiv_id is None


def test_bair_blog_feed() -> None:
    body = (FIXTURES / "journals" / "distill_bair_blog_feed.xml").read_bytes()
    result = feed.parse(body, source="bair")
    assert len(result.records) == 3
    rec = result.records[0]
    assert rec.title == "Gradient-based Planning for World Models at Longer Horizons"
    assert rec.url == "http://bair.berkeley.edu/blog/2026/04/20/grasp/"
    assert rec.abstract.startswith("GRASP is a new gradient-based planner")
    assert "<" not in rec.abstract and len(rec.abstract) <= feed.MAX_ABSTRACT + 2
    assert rec.published.isoformat() == "2026-04-20T02:00:00-07:00"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sotawhat_pubmed_efetch.xml", "not an RSS or Atom feed"),
        ("sotawhat_semantic_scholar_search_transformer.json", "got JSON, not an RSS or Atom feed"),
    ],
)
def test_non_feed_scholarly_responses(name: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        feed.parse((FIXTURES / "journals" / name).read_bytes(), source="j")


# ---- broken/: each file is either correct records or one clear error --------------------

NO_ITEMS = r"broken feed with no items \(XML error: "
BROKEN_ERRORS = {
    "distill_html_page_not_a_feed_hf_blog_smollm.html": (
        r'HTML page, not a feed \(page title "SmolLM'
    ),
    "feedparser_empty_document.xml": r"not an RSS or Atom feed \(XML error: line 6:0: no element",
    "feedparser_illformed_unclosed_rss_tag.xml": NO_ITEMS + "line 7:0: unclosed token",
    "feedparser_undeclared_namespace_prefix.xml": NO_ITEMS + "line 9:0: unbound prefix",
    "feedparser_utf8_bom_with_invalid_bytes.xml": NO_ITEMS + "line 11:0: unclosed token",
    "feedrs_reuters_truncated_server_exception.xml": NO_ITEMS + "line 19:84: no element found",
    # One item whose only content is a broken CDATA / undecodable bytes: nothing to keep.
    "feedparser_truncated_incomplete_cdata.xml": r"1 item\(s\) but none has a title or link",
    "feedparser_invalid_byte_no_declaration.xml": r"1 item\(s\) but none has a title or link",
    "feedparser_mojibake_linenoise.xml": r"1 item\(s\) but none has a title or link",
}
BROKEN_EMPTY = {  # well-formed enough, and truly without items: an empty success is right
    "feedparser_bogus_encoding_declaration.xml": "",
    "feedparser_bogus_xhtml_doctype_before_rss.xml": "found",
    "feedparser_http_charset_overrides_xml_decl.xml": "",
    "feedparser_iso-8859-7_nonascii_pubdate.xml": "",
    "feedparser_served_as_text_plain.xml": "",
    "feedparser_utf-16le_with_bom.xml": "",
    "feedparser_utf-8_bom.xml": "",
}
BROKEN_RECORDS = {  # file -> (title, url) of the one item
    "feedparser_koi8r_no_encoding_info.xml": ("Как пережить новогоднюю ночь", ""),
    "feedparser_truncated_with_escaped_ampersand_link.xml": (
        "http://link/get?a=1&b=2",
        "http://link/get?a=1&b=2",
    ),
    "feedrs_golem_rss1.0_iso-8859-1.xml": (
        "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse",
        "https://www.golem.de/news/"
        "digitalministerium-neue-glasfaserfoerderung-mit-schnellkasse-2301-171451.html",
    ),
    "feedrs_tjrs_rss0.91_iso-8859-1_latin1_comment.xml": (
        "13/08/2020 21:27 - Comitê completa 150 dias de atuação na prevenção "
        "contra o novo Coronavírus",
        "http://www.tjrs.jus.br/site_php/noticias/mostranoticia.php?assunto=1&categoria=1&item=506095",
    ),
}


def test_every_broken_file_is_classified() -> None:
    names = {p.name for p in (FIXTURES / "broken").iterdir()}
    assert names == set(BROKEN_ERRORS) | set(BROKEN_EMPTY) | set(BROKEN_RECORDS)


@pytest.mark.parametrize("name", sorted(BROKEN_ERRORS))
def test_broken_gives_clear_error(name: str) -> None:
    with pytest.raises(FeedError, match=BROKEN_ERRORS[name]) as info:
        feed.parse((FIXTURES / "broken" / name).read_bytes(), source="s")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(BROKEN_EMPTY))
def test_broken_but_empty_feed(name: str) -> None:
    result = feed.parse((FIXTURES / "broken" / name).read_bytes(), source="s")
    assert result.records == () and result.empty_reason == "feed has no items"
    assert result.feed_title == BROKEN_EMPTY[name]


@pytest.mark.parametrize("name", sorted(BROKEN_RECORDS))
def test_broken_but_readable(name: str) -> None:
    (rec,) = feed.parse((FIXTURES / "broken" / name).read_bytes(), source="s").records
    assert (rec.title, rec.url) == BROKEN_RECORDS[name]


def test_every_parser_refuses_the_html_page() -> None:
    page = (FIXTURES / "broken" / "distill_html_page_not_a_feed_hf_blog_smollm.html").read_bytes()
    for kind in ("arxiv-rss", "arxiv-api", "hf-daily", "feed"):
        with pytest.raises(FeedError, match="HTML page"):
            parse(kind, page, source=kind)
