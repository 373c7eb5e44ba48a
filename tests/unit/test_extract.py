"""Extraction, phrasing family by phrasing family, on sentences written for the test.

None of these sentences comes from the annotated corpus: they check that the
patterns of ``mappings/patterns.yaml`` cover a family of phrasings, not a text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from consortia.extract import Extraction, Extractor
from tests.conftest import extract_text, fact_triples

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = dt.date(2021, 3, 10)  # a Wednesday


def extract(extractor: Extractor, body: str) -> Extraction:
    return extract_text(extractor, body, PUBLISHED)


facts = fact_triples


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Northwind Bank has joined the Open Ledger Alliance.",
            {("memberOf", "Northwind Bank", "Open Ledger Alliance")},
        ),
        (
            "The Open Ledger Alliance has been joined by Northwind Bank and Contoso Group.",
            {
                ("memberOf", "Northwind Bank", "Open Ledger Alliance"),
                ("memberOf", "Contoso Group", "Open Ledger Alliance"),
            },
        ),
        (
            "Northwind Bank, Contoso Group and Fabrikam Holdings signed up to the "
            "Open Ledger Alliance on Monday.",
            {
                ("memberOf", "Northwind Bank", "Open Ledger Alliance"),
                ("memberOf", "Contoso Group", "Open Ledger Alliance"),
                ("memberOf", "Fabrikam Holdings", "Open Ledger Alliance"),
            },
        ),
        (
            "The Open Ledger Alliance's members include Northwind Bank and Contoso Group.",
            {
                ("memberOf", "Northwind Bank", "Open Ledger Alliance"),
                ("memberOf", "Contoso Group", "Open Ledger Alliance"),
            },
        ),
        (
            "Northwind Bank became a member of the Open Ledger Alliance last week.",
            {("memberOf", "Northwind Bank", "Open Ledger Alliance")},
        ),
        (
            "The Open Ledger Alliance was set up by Northwind Bank and Contoso Group.",
            {
                ("foundedBy", "Open Ledger Alliance", "Northwind Bank"),
                ("foundedBy", "Open Ledger Alliance", "Contoso Group"),
            },
        ),
        (
            "The Open Ledger Alliance is chaired by Contoso Group.",
            {("ledBy", "Open Ledger Alliance", "Contoso Group")},
        ),
        (
            "Fabrikam Labs, a unit of Contoso Group, builds the software.",
            {("subOrganizationOf", "Fabrikam Labs", "Contoso Group")},
        ),
        (
            "Northwind Bank is headquartered in Geneva.",
            {("headquarteredIn", "Northwind Bank", "Geneva")},
        ),
        (
            "The Seoul-based lender Northwind Bank said so.",
            {("headquarteredIn", "Northwind Bank", "Seoul")},
        ),
    ],
)
def test_relation_families(
    extractor: Extractor, body: str, expected: set[tuple[str, str, str]]
) -> None:
    assert expected <= facts(extract(extractor, body))


@pytest.mark.parametrize(
    "body",
    [
        "Northwind Bank has not joined the Open Ledger Alliance.",
        "Northwind Bank may join the Open Ledger Alliance.",
        "Northwind Bank plans to join the Open Ledger Alliance.",
        "Northwind Bank is considering joining the Open Ledger Alliance.",
        "Northwind Bank declined to join the Open Ledger Alliance.",
        "Northwind Bank is rumoured to have joined the Open Ledger Alliance.",
    ],
)
def test_negation_and_hedging_state_nothing(extractor: Extractor, body: str) -> None:
    assert not [f for f in extract(extractor, body).facts if f.relation == "memberOf"]


def test_relative_date_of_joining(extractor: Extractor) -> None:
    found = extract(extractor, "Northwind Bank joined the Open Ledger Alliance on Monday.")
    (fact,) = [f for f in found.facts if f.relation == "memberOf"]
    assert fact.since is not None and fact.since.lexical == "2021-03-08"


def test_leaving_gives_an_end_date(extractor: Extractor) -> None:
    found = extract(extractor, "Northwind Bank left the Open Ledger Alliance in January.")
    (fact,) = [f for f in found.facts if f.relation == "memberOf"]
    assert fact.until is not None and fact.until.lexical == "2021-01"
    assert fact.since is None


def test_posts_and_leaders(extractor: Extractor) -> None:
    found = facts(
        extract(
            extractor,
            "Jane Holloway, chief executive of Contoso Group, spoke first. "
            "Northwind Bank CEO Omar Reyes agreed.",
        )
    )
    assert ("holdsPost", "Jane Holloway", "Contoso Group") in found
    assert ("ledBy", "Contoso Group", "Jane Holloway") in found
    assert ("holdsPost", "Omar Reyes", "Northwind Bank") in found


def test_acronym_in_brackets_and_anaphora(extractor: Extractor) -> None:
    found = facts(
        extract(
            extractor,
            "The Open Ledger Alliance (OLA) met in Geneva. "
            "Contoso Group joined the alliance on Monday. "
            "OLA is led by Northwind Bank.",
        )
    )
    assert ("memberOf", "Contoso Group", "Open Ledger Alliance") in found
    assert ("ledBy", "Open Ledger Alliance", "Northwind Bank") in found


def test_page_furniture_is_skipped(extractor: Extractor) -> None:
    found = extract(
        extractor,
        "Contoso Group joined the Open Ledger Alliance.\n\n"
        "Related: Northwind Bank Joins the Open Ledger Alliance\n\n"
        "Read more: Fabrikam Holdings joined the Open Ledger Alliance\n",
    )
    assert facts(found) == {("memberOf", "Contoso Group", "Open Ledger Alliance")}
    assert "Northwind Bank" not in {m.entity.name for m in found.mentions}


def test_evidence_offsets_index_the_body(extractor: Extractor) -> None:
    body = "Intro line.\n\nContoso Group joined the Open Ledger Alliance on Monday. More text."
    (fact,) = extract(extractor, body).facts
    assert body[fact.evidence.start : fact.evidence.end] == fact.evidence.text
    assert fact.evidence.text.startswith("Contoso Group joined")


def test_places_inside_places(extractor: Extractor) -> None:
    found = facts(extract(extractor, "The meeting took place in Geneva, Switzerland."))
    assert ("locatedIn", "Geneva", "Switzerland") in found
    peers = facts(extract(extractor, "It has members in Japan, Singapore and Sweden."))
    assert not [f for f in peers if f[0] == "locatedIn"]


def test_unnamed_consortium_is_named_after_its_leader(extractor: Extractor) -> None:
    found = facts(
        extract(
            extractor,
            "Northwind Bank has signed up to a consortium led by Contoso Group. "
            "Its other members include Fabrikam Holdings.",
        )
    )
    assert ("ledBy", "Contoso Group consortium", "Contoso Group") in found
    assert ("memberOf", "Northwind Bank", "Contoso Group consortium") in found
    assert ("memberOf", "Fabrikam Holdings", "Contoso Group consortium") in found


def test_member_lists_continue_over_sentences(extractor: Extractor) -> None:
    found = extract(
        extractor,
        "Banks and insurers on Tuesday launched the Open Ledger Alliance. "
        "The founding members are Northwind Bank, Contoso Group and Fabrikam Holdings.",
    )
    members = {
        (f.subject.name, f.role, f.since.lexical if f.since else None)
        for f in found.facts
        if f.relation == "memberOf"
    }
    assert ("Contoso Group", "founding member", "2021-03-09") in members
    assert len(members) == 3


def test_a_membership_beginning_after_the_article_is_a_plan(extractor: Extractor) -> None:
    """ "Joins X from 2026", written in 2019: not yet a fact, so not published."""
    body = (
        "Acme Bank said it will leave the Foo Payments Alliance and join the Bar Payments "
        "Alliance from 2026. Beta Bank joined the Bar Payments Alliance in 2018."
    )
    members = {(f.subject.name, f.object.name) for f in extract(extractor, body).facts}
    assert ("Beta Bank", "Bar Payments Alliance") in members
    assert ("Acme Bank", "Bar Payments Alliance") not in members
