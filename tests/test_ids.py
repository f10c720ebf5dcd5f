"""Canonical identity: every way a source spells an arXiv id or DOI gives the same key."""

from __future__ import annotations

import pytest

from models.ids import canonical_key, normalize_doi, parse_arxiv_id, title_key


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2501.01234", ("2501.01234", None)),
        ("2501.01234v3", ("2501.01234", 3)),
        ("0704.0001", ("0704.0001", None)),  # 2007-2014: four digits after the dot
        ("arXiv:2501.01234v2", ("2501.01234", 2)),
        ("ARXIV:2501.01234", ("2501.01234", None)),
        ("arXiv: 2501.01234", ("2501.01234", None)),
        ("arXiv:2501.01234v2 [cs.LG]", ("2501.01234", 2)),
        ("oai:arXiv.org:2604.21952v1", ("2604.21952", 1)),
        ("http://arxiv.org/abs/2604.21952v1", ("2604.21952", 1)),
        ("https://arxiv.org/abs/2604.21952", ("2604.21952", None)),
        ("https://www.arxiv.org/abs/2604.21952v12", ("2604.21952", 12)),
        ("https://export.arxiv.org/abs/2604.21952v2", ("2604.21952", 2)),
        ("https://arxiv.org/pdf/2604.21952v2", ("2604.21952", 2)),
        ("https://arxiv.org/pdf/2604.21952v2.pdf", ("2604.21952", 2)),
        ("https://arxiv.org/pdf/2604.21952.pdf", ("2604.21952", None)),
        ("https://arxiv.org/html/2604.21952v1", ("2604.21952", 1)),
        ("https://arxiv.org/html/2604.21952v1#S3", ("2604.21952", 1)),
        ("https://arxiv.org/abs/2604.21952v1?context=cs", ("2604.21952", 1)),
        ("HTTPS://ARXIV.ORG/ABS/2604.21952V1", ("2604.21952", 1)),
        ("https://doi.org/10.48550/arXiv.2501.01234", ("2501.01234", None)),
        # Old style: archive lower case, subject class upper case.
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("HEP-TH/9901001", ("hep-th/9901001", None)),
        ("arXiv:hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("oai:arXiv.org:hep-th/9901001", ("hep-th/9901001", None)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("math.gt/0309136v1", ("math.GT/0309136", 1)),
        ("https://arxiv.org/abs/math.GT/0309136v1", ("math.GT/0309136", 1)),
        ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", ("hep-th/9901001", 2)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("cond-mat/0102536", ("cond-mat/0102536", None)),
        ("  2501.01234v1  ", ("2501.01234", 1)),
    ],
)
def test_arxiv_ids(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "2501.012345",  # six digits is no arXiv id
        "https://example.org/2501.01234",  # a number in someone else's URL
        "https://biorxiv.org/cgi/content/short/2023.12.16.571984v1",
        "10.1101/2023.12.16.571984",
        "Attention is all you need",
        "hep-th/990100",  # six digits
    ],
)
def test_not_arxiv_ids(text):
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("10.1101/2023.12.16.571984", "10.1101/2023.12.16.571984"),
        ("doi:10.1101/2023.12.16.571984", "10.1101/2023.12.16.571984"),
        ("DOI: 10.1101/2023.12.16.571984.", "10.1101/2023.12.16.571984"),
        ("https://doi.org/10.1038/S41586-021-03819-2", "10.1038/s41586-021-03819-2"),
        ("http://dx.doi.org/10.1038/s41586-021-03819-2", "10.1038/s41586-021-03819-2"),
        ("https://doi.org/10.1000%2Fxyz123", "10.1000/xyz123"),
        ("(10.1103/PhysRevLett.116.061102)", "10.1103/physrevlett.116.061102"),
        ("10.1101/2023.12.16.571984v1", "10.1101/2023.12.16.571984"),  # bioRxiv version
        (
            "https://www.biorxiv.org/content/10.1101/2023.12.16.571984v2.full.pdf",
            "10.1101/2023.12.16.571984",
        ),
        ("10.1016/S0370-2693(98)00377-3", "10.1016/s0370-2693(98)00377-3"),
        ("10.48550/arXiv.2501.01234", "10.48550/arxiv.2501.01234"),
    ],
)
def test_dois(text, expected):
    assert normalize_doi(text) == expected


@pytest.mark.parametrize("text", [None, "", "no doi here", "10.12/too-short-prefix", "11.1101/x"])
def test_not_dois(text):
    assert normalize_doi(text) is None


def test_canonical_key_prefers_arxiv_then_doi_then_title():
    title = "Complete genome of the Medicago anthracnose fungus"
    assert canonical_key("2501.01234", "10.1101/x", title, ("A. B",)) == "2501.01234"
    assert canonical_key(None, "10.1101/x", title, ("A. B",)) == "doi:10.1101/x"
    # arXiv's DataCite DOI is the arXiv paper itself.
    assert canonical_key(None, "10.48550/arxiv.2501.01234", title) == "2501.01234"
    key = canonical_key(None, None, title, ("N. Lapalu", "A. Simon"))
    assert key.startswith("title:") and len(key) == len("title:") + 16


def test_title_key_ignores_case_punctuation_accents_and_first_names():
    a = title_key("Complete Genome of the Medicago Anthracnose Fungus!", "Nicolas Lapalu")
    b = title_key("complete genome of the  medicago anthracnose fungus", "N. LAPALU")
    c = title_key("Complete genome of the Médicago anthracnose fungus", "Lapalu")
    assert a == b == c
    assert a != title_key("Complete genome of the Medicago anthracnose fungus", "A. Simon")
    assert a != title_key("Complete genome of another fungus", "Lapalu")
