"""Every fixture format, and every broken feed: correct records or a clear error, never garbage."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from paperround.errors import FeedError
from paperround.sources import parse
from paperround.sources.arxiv_rss import split_authors
from paperround.sources.feed import split_creators
from tests.conftest import shared_path


def api(name: str) -> bytes:
    return json.loads(shared_path("fixtures", "arxiv-api", name).read_text())["body"].encode()


@pytest.mark.parametrize(
    "name,first_id,first_author",
    [
        ("distill_rss_cs.AI_2026-04-27_trimmed3.xml", None, None),
        ("distill_rss_cs.CL_2026-04-27_trimmed3.xml", None, None),
        ("distill_rss_cs.LG_2026-04-27_trimmed3.xml", "2604.21952", "Muhammad Shafique"),
    ],
)
def test_every_arxiv_rss_capture(name, first_id, first_author):
    result = parse("arxiv-rss", shared_path("fixtures", "arxiv-rss", name).read_bytes(), source="s")
    assert len(result.records) == 3 and result.announced_on == date(2026, 4, 27)
    for rec in result.records:
        assert rec.announce_type == "new" and rec.version == 1
        assert rec.arxiv_id and rec.title and rec.abstract and rec.authors and rec.categories
        assert rec.license and rec.license.startswith("http")
        assert rec.url == f"https://arxiv.org/abs/{rec.arxiv_id}"
    if first_id:
        assert result.records[0].arxiv_id == first_id
        assert result.records[0].authors[0] == first_author


def test_arxiv_api_page_of_100():
    result = parse("arxiv-api", api("arxivpy_q-testing_start0_max100.json"), source="api")
    recs = result.records
    assert len(recs) == 100 and result.total_results == 214881
    assert sum(r.version >= 2 for r in recs) == 36
    assert sum(r.doi is not None for r in recs) == 32
    assert sum(r.journal_ref is not None for r in recs) == 18
    assert sum(r.comment is not None for r in recs) == 97
    assert all(r.categories and r.pdf_url for r in recs)


def test_arxiv_api_pages_do_not_overlap():
    one = parse("arxiv-api", api("arxivpy_q-testing_start0_max10.json"), source="api")
    two = parse("arxiv-api", api("arxivpy_q-testing_start10_max10.json"), source="api")
    assert len(one.records) == len(two.records) == 10
    assert not {r.arxiv_id for r in one.records} & {r.arxiv_id for r in two.records}


def test_arxiv_api_lookups():
    (rec,) = parse("arxiv-api", api("arxivpy_id_1707.08567.json"), source="api").records
    assert rec.arxiv_id == "1707.08567" and rec.comment and len(rec.authors) > 5
    (rec,) = parse(
        "arxiv-api", api("arxivpy_id_quant-ph_0201082v1_versioned.json"), source="api"
    ).records
    assert rec.arxiv_id == "quant-ph/0201082" and rec.version == 1
    missing = parse("arxiv-api", api("arxivpy_id_list_two_ids_one_missing.json"), source="api")
    assert [r.arxiv_id for r in missing.records] == ["1707.08567"]
    empty = parse("arxiv-api", api("arxivpy_id_0000.0000_empty.json"), source="api")
    assert empty.records == () and empty.total_results == 0


def test_arxiv_api_raw_atom_with_primary_category():
    body = shared_path(
        "fixtures", "arxiv-api", "sotawhat_api_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
    )
    result = parse("arxiv-api", body.read_bytes(), source="api")
    assert len(result.records) == 5 and result.total_results == 28946
    assert all("cs.LG" in r.categories for r in result.records)


def test_biorxiv_rss1():
    body = shared_path("fixtures", "biorxiv", "feedrs_biorxiv_genomics_rss1.0_2023-12-16.xml")
    (rec,) = parse("feed", body.read_bytes(), source="biorxiv").records
    assert rec.doi == "10.1101/2023.12.16.571984"
    assert rec.title.startswith("Complete genome of the Medicago anthracnose fungus")
    assert rec.authors[:3] == ("N. LAPALU", "A. SIMON", "A. Lu")
    assert rec.authors[-1] == "R. J. O'Connell" and len(rec.authors) == 10
    assert rec.url.startswith("http://biorxiv.org/cgi/content/short/2023.12.16.571984v1")
    assert rec.arxiv_id is None


def test_journal_blog_feed():
    body = shared_path("fixtures", "journals", "distill_bair_blog_feed.xml")
    result = parse("feed", body.read_bytes(), source="bair")
    assert len(result.records) == 3
    assert result.records[0].title == "Gradient-based Planning for World Models at Longer Horizons"
    assert "<" not in result.records[0].abstract  # HTML stripped to text


@pytest.mark.parametrize(
    "name", ["sotawhat_pubmed_efetch.xml", "sotawhat_semantic_scholar_search_transformer.json"]
)
def test_non_feeds_are_clear_errors(name):
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse("feed", shared_path("fixtures", "journals", name).read_bytes(), source="j")


# Each broken file: ("records", n, first title) or ("error", message fragment).
BROKEN = {
    "distill_html_page_not_a_feed_hf_blog_smollm.html": ("error", "HTML page"),
    "feedparser_bogus_encoding_declaration.xml": ("records", 0, None),
    "feedparser_bogus_xhtml_doctype_before_rss.xml": ("records", 0, None),
    "feedparser_empty_document.xml": ("error", "not an RSS or Atom feed"),
    "feedparser_http_charset_overrides_xml_decl.xml": ("records", 0, None),
    "feedparser_illformed_unclosed_rss_tag.xml": ("records", 0, None),
    "feedparser_invalid_byte_no_declaration.xml": ("error", "none has a title"),
    "feedparser_iso-8859-7_nonascii_pubdate.xml": ("records", 0, None),
    "feedparser_koi8r_no_encoding_info.xml": ("records", 1, "Как пережить новогоднюю ночь"),
    "feedparser_mojibake_linenoise.xml": ("error", "none has a title"),
    "feedparser_served_as_text_plain.xml": ("records", 0, None),
    "feedparser_truncated_incomplete_cdata.xml": ("error", "none has a title"),
    "feedparser_truncated_with_escaped_ampersand_link.xml": ("error", "none has a title"),
    "feedparser_undeclared_namespace_prefix.xml": ("records", 0, None),
    "feedparser_utf-16le_with_bom.xml": ("records", 0, None),
    "feedparser_utf-8_bom.xml": ("records", 0, None),
    "feedparser_utf8_bom_with_invalid_bytes.xml": ("records", 0, None),
    "feedrs_golem_rss1.0_iso-8859-1.xml": (
        "records",
        1,
        "Digitalministerium: Neue Glasfaserförderung",
    ),
    "feedrs_reuters_truncated_server_exception.xml": ("records", 0, None),
    "feedrs_tjrs_rss0.91_iso-8859-1_latin1_comment.xml": (
        "records",
        1,
        "13/08/2020 21:27 - Comitê",
    ),
}


def test_every_broken_file_is_covered():
    folder = shared_path("fixtures", "broken")
    assert sorted(p.name for p in folder.iterdir()) == sorted(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_feed(name):
    body = shared_path("fixtures", "broken", name).read_bytes()
    expected = BROKEN[name]
    if expected[0] == "error":
        with pytest.raises(FeedError, match=expected[1]):
            parse("feed", body, source="broken")
        return
    result = parse("feed", body, source="broken")
    assert len(result.records) == expected[1]
    if expected[2]:
        assert result.records[0].title.startswith(expected[2])
        assert "\ufffd" not in result.records[0].title  # decoded, not mojibake
    else:
        assert result.empty_reason == "the feed has no items"


def test_author_splitting():
    assert split_authors("Martin Luther King, Jr., Ada Lovelace") == (
        "Martin Luther King, Jr.",
        "Ada Lovelace",
    )
    assert split_authors("Zoë Kravitz, José Núñez and Łukasz Kaiser") == (
        "Zoë Kravitz",
        "José Núñez",
        "Łukasz Kaiser",
    )
    assert split_creators("Smith, J.; Doe, A. B.") == ("Smith, J.", "Doe, A. B.")


def test_generated_day_has_every_announce_type():
    from tests.feedgen import make_arxiv_rss_day

    shared_path("data", "arxiv-category-bench", "papers")
    body = make_arxiv_rss_day(3000, seed=1)
    result = parse("arxiv-rss", body, source="gen")
    assert len(result.records) == 3000
    types = Counter(r.announce_type for r in result.records)
    assert set(types) == {"new", "cross", "replace", "replace-cross"}
    assert all((r.version > 1) == r.announce_type.startswith("replace") for r in result.records)
    old = [r for r in result.records if "/" in r.arxiv_id]
    assert len(old) == 30 and old[0].external_id.startswith("oai:arXiv.org:")
    assert all(r.abstract and r.authors and r.categories for r in result.records)
