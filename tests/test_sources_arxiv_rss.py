"""arXiv RSS parser over the real rss.arxiv.org captures, edited variants and generated days."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from models.errors import FeedError
from paperround.ingest.sources import arxiv_rss, parse
from paperround.ingest.sources.arxiv_rss import split_authors
from tests import feedgen
from tests.fixtures import FIXTURES

RSS = FIXTURES / "arxiv-rss"


def _body(name: str) -> bytes:
    return (RSS / name).read_bytes()


def test_real_cs_lg_listing_fields() -> None:
    result = parse("arxiv-rss", _body("distill_rss_cs.LG_2026-04-27_trimmed3.xml"), source="lg")
    assert result.feed_title == "cs.LG updates on arXiv.org"
    assert result.announced_on == date(2026, 4, 27)
    assert result.empty_reason is None
    assert [r.arxiv_id for r in result.records] == ["2604.21952", "2604.21953", "2604.21956"]
    first = result.records[0]
    assert first.source == "lg"
    assert first.external_id == "oai:arXiv.org:2604.21952v1"
    assert first.version == 1
    assert first.announce_type == "new"
    assert first.categories == ("cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO")
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert first.authors == (
        "Muhammad Shafique",
        "Abdul Basit",
        "Muhammad Abdullah Hanif",
        "Alberto Marchisio",
        "Rachmad Vidya Wicaksana Putra",
        "Minghao Shao",
    )
    assert first.title.startswith("Focus Session: Hardware and Software Techniques")
    assert first.abstract.startswith("This work presents a multi-layered methodology")
    assert "visual resolution & stride" in first.abstract
    assert "Announce Type" not in first.abstract
    assert first.url == "https://arxiv.org/abs/2604.21952"
    assert first.pdf_url == "https://arxiv.org/pdf/2604.21952v1"
    assert first.published == datetime(2026, 4, 27, 0, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert result.records[2].license == "http://creativecommons.org/licenses/by/4.0/"


def test_real_cs_cl_and_cs_ai_listings() -> None:
    cl = arxiv_rss.parse(_body("distill_rss_cs.CL_2026-04-27_trimmed3.xml"), source="cl")
    assert cl.records[0].license == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert cl.records[0].authors[2] == "Deepti"
    assert cl.records[1].categories == ("cs.CL", "cs.AI", "cs.LG")
    ai = arxiv_rss.parse(_body("distill_rss_cs.AI_2026-04-27_trimmed3.xml"), source="ai")
    assert ai.records[0].authors == ("Michael Cooper", "Samuel Cooper")
    assert len(ai.records[1].authors) == 18
    assert ai.records[1].authors[-1] == "Bennett A. Landman"


def _variant(kind: str, version: int, *, drop_element: bool = False) -> bytes:
    """The real cs.LG capture, its first item turned into another announce type."""
    body = _body("distill_rss_cs.LG_2026-04-27_trimmed3.xml").decode()
    body = body.replace(
        "2604.21952v1 Announce Type: new", f"2604.21952v{version} Announce Type: {kind}"
    )
    body = body.replace("oai:arXiv.org:2604.21952v1", f"oai:arXiv.org:2604.21952v{version}")
    element = "<arxiv:announce_type>new</arxiv:announce_type>"
    body = body.replace(
        element, "" if drop_element else f"<arxiv:announce_type>{kind}</arxiv:announce_type>", 1
    )
    return body.encode()


@pytest.mark.parametrize("kind", ["new", "cross", "replace", "replace-cross"])
def test_announce_types_and_versions(kind: str) -> None:
    version = 3 if kind.startswith("replace") else 1
    rec = arxiv_rss.parse(_variant(kind, version), source="lg").records[0]
    assert (rec.announce_type, rec.version, rec.arxiv_id) == (kind, version, "2604.21952")


def test_announce_type_from_description_prefix_when_element_missing() -> None:
    rec = arxiv_rss.parse(_variant("replace-cross", 2, drop_element=True), source="lg").records[0]
    assert rec.announce_type == "replace-cross"
    assert rec.version == 2
    assert rec.abstract.startswith("This work presents")


def test_empty_weekend_feed_is_not_an_error() -> None:
    body = _body("distill_rss_cs.LG_2026-04-27_trimmed3.xml").decode()
    head = body[: body.index("<item>")].replace("Mon, 27 Apr 2026", "Sat, 25 Apr 2026")
    result = arxiv_rss.parse((head + "</channel>\n</rss>").encode(), source="lg")
    assert result.records == ()
    assert result.announced_on == date(2026, 4, 25)
    assert result.empty_reason == "arXiv did not announce on Saturday 2026-04-25"


@pytest.mark.parametrize(
    ("creator", "names"),
    [
        ("A. Smith, John Doe, Jr., Zoë Ångström", ("A. Smith", "John Doe Jr.", "Zoë Ångström")),
        ("Ann Lee, Bo Ng and Chen Wei", ("Ann Lee", "Bo Ng", "Chen Wei")),
        ("Ann Lee, Bo Ng, and Chen Wei", ("Ann Lee", "Bo Ng", "Chen Wei")),
        ("Jürgen Müller (TU Wien, Austria), 王小明", ("Jürgen Müller", "王小明")),
        ("Sandra Anderson", ("Sandra Anderson",)),
        ("", ()),
    ],
)
def test_split_authors(creator: str, names: tuple[str, ...]) -> None:
    assert split_authors(creator) == names


def test_html_page_is_a_clear_error() -> None:
    page = FIXTURES / "broken" / "distill_html_page_not_a_feed_hf_blog_smollm.html"
    with pytest.raises(FeedError, match="HTML page, not a feed") as info:
        arxiv_rss.parse(page.read_bytes(), source="lg")
    assert str(info.value).startswith("lg: ")
    assert "\n" not in str(info.value)


def test_non_arxiv_feed_is_refused() -> None:
    golem = FIXTURES / "broken" / "feedrs_golem_rss1.0_iso-8859-1.xml"
    with pytest.raises(FeedError, match="no arXiv id"):
        arxiv_rss.parse(golem.read_bytes(), source="lg")


def test_generated_day_of_3000_items() -> None:
    body = feedgen.make_arxiv_rss_day(3000, day=date(2026, 4, 28), seed=7)
    result = arxiv_rss.parse(body, source="lg")
    assert len(result.records) == 3000
    assert result.announced_on == date(2026, 4, 28)
    types = Counter(r.announce_type for r in result.records)
    assert types == {"new": 1500, "cross": 600, "replace": 600, "replace-cross": 300}
    for rec in result.records:
        assert (rec.version == 1) == (rec.announce_type in ("new", "cross"))
        assert rec.external_id == f"oai:arXiv.org:{rec.arxiv_id}v{rec.version}"
        assert rec.categories and rec.authors and rec.title and rec.abstract
    old = [r for r in result.records if "/" in r.arxiv_id]
    assert old and all(r.announce_type.startswith("replace") for r in old)
    # Deterministic: the same arguments give the same bytes.
    assert feedgen.make_arxiv_rss_day(50, day=date(2026, 4, 28), seed=7) == (
        feedgen.make_arxiv_rss_day(50, day=date(2026, 4, 28), seed=7)
    )
