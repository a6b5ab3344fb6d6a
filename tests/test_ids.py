"""Paper identifiers: arXiv's against its documented grammar, DOIs against the DOI
Handbook's, and which source a text is read as."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlcommentary.data.arxiv import OLD_STYLE_ARCHIVES
from mlcommentary.data.arxiv import paper_id as ArxivId  # noqa: N812 (reads as the type it makes)
from mlcommentary.data.ids import InvalidPaperId, PaperId, parse_paper_id
from mlcommentary.sphinx_ext.domain import Formula


@pytest.mark.parametrize(("text", "expected"), [
    ("2110.02095", ArxivId("2110.02095")),
    ("2110.02095v2", ArxivId("2110.02095", 2)),
    ("arXiv:2110.02095", ArxivId("2110.02095")),
    ("ARXIV:2110.02095v1", ArxivId("2110.02095", 1)),
    ("https://arxiv.org/abs/2110.02095", ArxivId("2110.02095")),
    ("http://www.arxiv.org/pdf/2110.02095v3.pdf", ArxivId("2110.02095", 3)),
    (" 0704.0001 ", ArxivId("0704.0001")),
    ("1412.9999", ArxivId("1412.9999")),
    ("hep-th/9901001", ArxivId("hep-th/9901001")),
    ("math.GT/0309136", ArxivId("math/0309136")),
    ("math.GT/0309136v2", ArxivId("math/0309136", 2)),
    ("https://arxiv.org/abs/quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
    ("physics.acc-ph/0101001", ArxivId("physics/0101001")),
    ("doi:10.48550/arXiv.2110.02095", ArxivId("2110.02095")),
    ("10.48550/ARXIV.2110.02095", ArxivId("2110.02095")),
    ("https://doi.org/10.48550/arXiv.hep-th/9901001", ArxivId("hep-th/9901001")),
    ("http://dx.doi.org/10.48550/arxiv.math/0211159", ArxivId("math/0211159")),
])
def test_accepted_forms(text, expected):
    assert parse_paper_id(text) == expected


@pytest.mark.parametrize("text", [
    "", "abc", "2110", "2110.0209", "2110.020951", "1412.00001", "1501.0001", "0703.0001",
    "2113.00001", "2100.00001", "2110.02095v0", "2110.02095v", "2110.02095 v2",
    "hep-th/990100", "hep-th/99010011", "foo-bar/9901001", "hep-th/9107001", "hep-th/0704001",
    "HEP-TH/9901001", "https://example.org/abs/2110.02095", "javascript:alert(1)",
    "2110.02095.pdf", "arXiv:", "https://arxiv.org/abs/",
    # arXiv's DOIs: a paper's, never a version's; not another registrant's.
    "doi:10.48550/arXiv.2110.02095v2", "doi:10.48550/arXiv.",
    "doi:10.48550/arXiv.2110.02095.pdf", "https://doi.org/10.48550/2110.02095",
    # DOIs: 10., the registrant's number, a slash and the rest, no spaces.
    "doi:", "doi:11.1234/x", "doi:10.12/x", "doi:10.1234", "doi:10.1234/", "10.1234/a b",
    "https://doi.org/10.1234", "doi:10.48550/2110.02095",
])
def test_rejected_forms(text):
    with pytest.raises(InvalidPaperId):
        parse_paper_id(text)


def test_urls():
    arxiv_id = parse_paper_id("hep-th/9901001v2")
    assert arxiv_id.url == "https://arxiv.org/abs/hep-th/9901001v2"
    assert arxiv_id.pdf_url == "https://arxiv.org/pdf/hep-th/9901001v2"



@pytest.mark.parametrize("text", [
    "doi:10.18653/v1/N18-2074", "DOI:10.18653/V1/N18-2074", "doi: 10.18653/v1/N18-2074",
    "10.18653/v1/N18-2074", "https://doi.org/10.18653/v1/N18-2074",
    "http://dx.doi.org/10.18653/v1/n18-2074", "https://www.doi.org/10.18653%2Fv1%2FN18-2074",
])
def test_doi_forms(text):
    """Every form an author copies names one paper, in lower case (DOIs ignore case)."""
    paper = parse_paper_id(text)
    assert paper == PaperId("doi", "doi:10.18653/v1/n18-2074")
    assert paper.label == "doi:10.18653/v1/n18-2074"
    assert paper.url == "https://doi.org/10.18653/v1/n18-2074"
    assert paper.pdf_url is None and not paper.versioned


def test_doi_links_escape_what_a_url_cannot_hold():
    paper = parse_paper_id("doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0")
    assert paper.url == ("https://doi.org/10.1002/(sici)1097-4571(199806)49:8"
                         "%3C693::aid-asi4%3E3.0.co;2-0")


def test_arxiv_dois_are_arxiv_ids_and_other_dois_are_dois():
    assert parse_paper_id("doi:10.48550/arXiv.2110.02095") == ArxivId("2110.02095")
    assert parse_paper_id("10.1234/arXiv.2110.02095").source == "doi"


@given(st.from_regex(r"10\.[0-9]{4,9}/[!-~]{1,30}", fullmatch=True))
def test_every_doi_parses_to_itself_in_every_form(doi):
    if doi.lower().startswith("10.48550/"):
        return  # arXiv's registrant: its DOIs are arXiv IDs (above)
    paper = parse_paper_id("doi:" + doi)
    assert paper.base == "doi:" + doi.lower()
    assert parse_paper_id(paper.base) == paper == parse_paper_id(doi.upper())
    assert parse_paper_id(paper.url) == paper


# -- property tests: the grammar, generated ------------------------------------

versions = st.one_of(st.none(), st.integers(1, 9999))


@st.composite
def new_style(draw):
    year = draw(st.integers(7, 99))
    month = draw(st.integers(4 if year == 7 else 1, 12))
    yymm = f"{year:02d}{month:02d}"
    digits = 4 if yymm < "1501" else 5
    number = draw(st.integers(0, 10**digits - 1))
    return ArxivId(f"{yymm}.{number:0{digits}d}", draw(versions))


@st.composite
def old_style(draw):
    yyyymm = draw(st.sampled_from([f"{y}{m:02d}" for y in range(1991, 2008) for m in range(1, 13)
                                   if "199108" <= f"{y}{m:02d}" <= "200703"]))
    archive = draw(st.sampled_from(sorted(OLD_STYLE_ARCHIVES)))
    number = draw(st.integers(0, 999))
    return ArxivId(f"{archive}/{yyyymm[2:]}{number:03d}", draw(versions))


@given(st.one_of(new_style(), old_style()),
       st.sampled_from(["", "arXiv:", "https://arxiv.org/abs/", "https://arxiv.org/pdf/"]))
def test_every_identifier_of_the_grammar_parses_to_itself(arxiv_id, prefix):
    assert parse_paper_id(prefix + str(arxiv_id)) == arxiv_id


@given(st.one_of(new_style(), old_style()),
       st.sampled_from(["10.48550/arXiv.", "doi:10.48550/arXiv.",
                        "https://doi.org/10.48550/arXiv.", "https://dx.doi.org/10.48550/ARXIV."]))
def test_every_papers_arxiv_doi_is_its_identifier(arxiv_id, prefix):
    paper = ArxivId(arxiv_id.base)
    assert parse_paper_id(prefix + str(paper)) == paper
    assert parse_paper_id(prefix + str(paper).upper()) == paper


@given(old_style(), st.sampled_from(["GT", "AG", "LG", "acc-ph"]))
def test_subject_classes_are_not_part_of_old_style_ids(arxiv_id, subject):
    archive, number = arxiv_id.base.split("/")
    versioned = f"{archive}.{subject}/{number}" + (f"v{arxiv_id.version}" if arxiv_id.version else "")
    assert parse_paper_id(versioned) == arxiv_id


CANONICAL = re.compile(r"([0-9]{4}\.[0-9]{4,5}|[a-z]+(-[a-z]+)?/[0-9]{7})(v[1-9][0-9]*)?"
                       r"|doi:10\.[0-9]{4,9}/\S+")


@given(st.text(max_size=40))
def test_any_text_parses_to_a_canonical_id_or_is_refused(text):
    try:
        arxiv_id = parse_paper_id(text)
    except InvalidPaperId as err:
        assert repr(text.strip()) in str(err) or repr(text) in str(err)
        return
    assert CANONICAL.fullmatch(str(arxiv_id))
    assert parse_paper_id(str(arxiv_id)) == arxiv_id


@given(st.from_regex(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]{1,3})?", fullmatch=True))
def test_new_style_shapes_are_accepted_exactly_when_the_grammar_allows(text):
    yymm, number = text.split("v")[0].split(".")
    version = text.partition("v")[2]
    valid = (1 <= int(yymm[2:]) <= 12 and yymm >= "0704"
             and len(number) == (4 if yymm < "1501" else 5)
             and not version.startswith("0"))  # versions count from v1, unpadded
    try:
        parse_paper_id(text)
    except InvalidPaperId:
        assert not valid
    else:
        assert valid


@pytest.mark.parametrize("kept", [
    parse_paper_id("2110.02095v2"),
    parse_paper_id("doi:10.18653/v1/n18-2074"),
], ids=str)
def test_an_identifier_pickles_as_a_tuple_of_its_fields_and_comes_back_equal(kept):
    """The environment pickles tens of thousands of them each build; dataclasses'
    own way for a frozen class with slots lists the fields anew for every object."""
    assert kept.__getstate__() == (kept.source, kept.base, kept.version)
    again = pickle.loads(pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
    assert again == kept and hash(again) == hash(kept)


def test_a_frozen_class_of_one_field_pickles_as_a_tuple_too():
    """A passage's math: ``attrgetter`` of one name gives the value, not a tuple."""
    formula = Formula(r"\alpha")
    assert formula.__getstate__() == (r"\alpha",)
    assert pickle.loads(pickle.dumps(formula, pickle.HIGHEST_PROTOCOL)) == formula
