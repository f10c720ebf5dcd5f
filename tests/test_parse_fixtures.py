"""Parsing the real fixture files into records: real field values, not just counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from paperround.errors import FeedError
from paperround.sources import parse
from tests.conftest import shared_path


def _api_body(name: str) -> bytes:
    wrapper = json.loads(shared_path("fixtures", "arxiv-api", name).read_text())
    return wrapper["body"].encode()


def test_arxiv_rss_day():
    body = shared_path("fixtures", "arxiv-rss", "distill_rss_cs.LG_2026-04-27_trimmed3.xml")
    result = parse("arxiv-rss", body.read_bytes(), source="arxiv-cs.LG")
    assert result.announced_on == date(2026, 4, 27)
    assert [r.arxiv_id for r in result.records] == ["2604.21952", "2604.21953", "2604.21956"]
    first = result.records[0]
    assert first.version == 1
    assert first.announce_type == "new"
    assert first.external_id == "oai:arXiv.org:2604.21952v1"
    assert first.categories == ("cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO")
    assert first.authors[0] == "Muhammad Shafique"
    assert first.authors[-1] == "Minghao Shao"
    assert len(first.authors) == 6
    assert first.abstract.startswith("This work presents a multi-layered methodology")
    assert "Announce Type" not in first.abstract
    assert "resolution & stride" in first.abstract  # &amp; decoded once
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert first.published == datetime(2026, 4, 27, 4, 0, tzinfo=UTC)
    assert result.records[2].license == "http://creativecommons.org/licenses/by/4.0/"


def test_arxiv_api_old_style_id():
    result = parse(
        "arxiv-api", _api_body("arxivpy_id_astro-ph_0601001_oldstyle.json"), source="api"
    )
    (rec,) = result.records
    assert rec.arxiv_id == "astro-ph/0601001"
    assert rec.version == 1
    assert rec.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert rec.categories[0] == "astro-ph"
    assert rec.journal_ref
    assert rec.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert result.total_results == 1


def test_arxiv_api_error_entry_is_a_clear_error():
    with pytest.raises(FeedError, match="incorrect id format for abc"):
        parse("arxiv-api", _api_body("arxivpy_id_abc_http400_error_entry.json"), source="api")


def test_hf_daily_papers():
    body = shared_path("fixtures", "hf-daily", "sotawhat_hf_api_daily_papers_2026-06-12.json")
    result = parse("hf-daily", body.read_bytes(), source="hf-daily")
    assert len(result.records) == 30
    first = result.records[0]
    assert first.arxiv_id == "2606.00467"
    assert first.authors == ("Etienne Casanova", "Rafal Kocielnik", "R. Michael Alvarez")
    assert first.title.startswith("On the Limits of LLM Adaptability")
    assert first.published == datetime(2026, 5, 30, tzinfo=UTC)
    assert first.url == "https://arxiv.org/abs/2606.00467"
    assert first.upvotes is not None and first.upvotes >= 0


def test_html_page_is_not_a_feed():
    body = shared_path("fixtures", "broken", "distill_html_page_not_a_feed_hf_blog_smollm.html")
    with pytest.raises(FeedError):
        parse("hf-daily", body.read_bytes(), source="hf-daily")
