"""More phrasing families (issue 3): operations, future head offices, posts
stated for a group, founders listed with "alongside", organizations the
registry does not know, people without a person cue, and metonymy.

Every sentence is written for the test, with made-up names where the family
does not need real ones: the patterns must cover a family, not a text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from consortia.extract import Extraction, Extractor
from consortia.sources import Article

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = dt.date(2022, 5, 18)  # a Wednesday


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor.from_directory(ROOT / "mappings")


def extract(extractor: Extractor, body: str) -> Extraction:
    article = Article(id="t", title="Test", body=body, published=PUBLISHED, path=Path("t.md"))
    return extractor.extract(article)


def facts(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {(f.relation, f.subject.name, f.object.name) for f in extraction.facts}


def kinds(extraction: Extraction) -> dict[str, str]:
    return {m.span.text: m.entity.kind for m in extraction.mentions}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Veltro Systems runs design centres in Finland, Poland and the United States.",
            {
                ("operatesIn", "Veltro Systems", "Finland"),
                ("operatesIn", "Veltro Systems", "Poland"),
                ("operatesIn", "Veltro Systems", "United States"),
            },
        ),
        (
            "Corvana Bank keeps an office in Nairobi, where most of its staff work.",
            {("operatesIn", "Corvana Bank", "Nairobi")},
        ),
        (
            "Quellis Group, a Lyon-based start-up that runs its own low-power network "
            "across France, raised money.",
            {("operatesIn", "Quellis Group", "France")},
        ),
        (
            "Quellis Group is active in Brazil and Mexico.",
            {("operatesIn", "Quellis Group", "Brazil"), ("operatesIn", "Quellis Group", "Mexico")},
        ),
    ],
)
def test_operations(extractor: Extractor, body: str, expected: set[tuple[str, str, str]]) -> None:
    assert expected <= facts(extract(extractor, body))


def test_future_head_office_is_stated(extractor: Extractor) -> None:
    body = (
        "The Open Rail Foundation, which was registered in 2019, is now a Belgian "
        "association and will have its head office in Brussels."
    )
    assert ("headquarteredIn", "Open Rail Foundation", "Brussels") in facts(
        extract(extractor, body)
    )


def test_a_plan_still_states_no_membership(extractor: Extractor) -> None:
    body = "Corvana Bank will join the Open Ledger Alliance next year."
    assert not any(f.relation == "memberOf" for f in extract(extractor, body).facts)


def test_based_in_a_place_the_gazetteer_does_not_know(extractor: Extractor) -> None:
    body = "Veltro Systems, which is based in Oberwinkel near Munich, makes sensors."
    extraction = extract(extractor, body)
    assert ("headquarteredIn", "Veltro Systems", "Oberwinkel") in facts(extraction)
    assert kinds(extraction)["Oberwinkel"] == "Location"


def test_posts_stated_for_a_group(extractor: Extractor) -> None:
    body = (
        "The chief executives of the five founders, among them Jane Doe of Veltro "
        "Systems and Rahul Mehta of Corvana Bank, will sit on its board."
    )
    posts = {
        (f.subject.name, f.object.name, f.role)
        for f in extract(extractor, body).facts
        if f.relation == "holdsPost"
    }
    assert ("Jane Doe", "Veltro Systems", "chief executive") in posts
    assert ("Rahul Mehta", "Corvana Bank", "chief executive") in posts


def test_led_as(extractor: Extractor) -> None:
    body = (
        "Maria Lindgren, who has led the Open Rail Foundation as executive director "
        "since 2015, said the move was overdue."
    )
    found = facts(extract(extractor, body))
    assert ("holdsPost", "Maria Lindgren", "Open Rail Foundation") in found
    assert ("ledBy", "Open Rail Foundation", "Maria Lindgren") in found


def test_founders_listed_with_alongside(extractor: Extractor) -> None:
    body = (
        "Corvana Bank was one of the four lenders that founded the Open Ledger "
        "Alliance in 2016, alongside Quellis Group, Veltro Systems and Ardent Bank."
    )
    found = facts(extract(extractor, body))
    for founder in ("Corvana Bank", "Quellis Group", "Veltro Systems", "Ardent Bank"):
        assert ("memberOf", founder, "Open Ledger Alliance") in found
        assert ("foundedBy", "Open Ledger Alliance", founder) in found


def test_counts_among_its_members_among_them(extractor: Extractor) -> None:
    body = (
        "Corvana Bank joined the Open Ledger Alliance last year. The Pacific Rail "
        "Alliance, which is based in Perth, now counts 12 operators among its members, "
        "among them Veltro Systems and Quellis Group."
    )
    found = facts(extract(extractor, body))
    assert ("memberOf", "Veltro Systems", "Pacific Rail Alliance") in found
    assert ("memberOf", "Veltro Systems", "Open Ledger Alliance") not in found


def test_its_post_refers_to_the_sentence_before(extractor: Extractor) -> None:
    body = (
        "The Pacific Rail Alliance is based in Perth. Its chief executive, Jane Doe, "
        "said Corvana Bank would strengthen the alliance."
    )
    found = facts(extract(extractor, body))
    assert ("holdsPost", "Jane Doe", "Pacific Rail Alliance") in found
    assert ("holdsPost", "Jane Doe", "Corvana Bank") not in found


@pytest.mark.parametrize(
    ("body", "name", "kind"),
    [
        # designators before a connector, and leading designators
        (
            "The Reserve Bank of Fiji said on Monday that rates would hold.",
            "Reserve Bank of Fiji",
            "Organization",
        ),
        ("Bank Negara Malaysia signed the agreement.", "Bank Negara Malaysia", "Organization"),
        ("Project Helix joined the effort last year.", "Project Helix", "Alliance"),
        # a noun before the name, and a demonym in an apposition
        ("Shares of the investment firm Brackenfold rose.", "Brackenfold", "Organization"),
        (
            "Lindqvist Invest, a Danish investment company, bought the stake.",
            "Lindqvist Invest",
            "Organization",
        ),
        ("Analysts at Fjordbank said fares would rise.", "Fjordbank", "Organization"),
        # a name listed with an organization
        ("Corvana Bank and Zentrix have backed the plan.", "Zentrix", "Organization"),
        # an apposition that names a joint venture
        (
            "Five companies launched Norvexa, a joint venture that will design chips.",
            "Norvexa",
            "Alliance",
        ),
        # a common given name makes a person without any other cue
        ("Kurt Brenner spoke at the launch.", "Kurt Brenner", "Person"),
        ("The award went to Anko van der Berg.", "Anko van der Berg", "Person"),
    ],
)
def test_names_the_registry_does_not_know(
    extractor: Extractor, body: str, name: str, kind: str
) -> None:
    assert kinds(extract(extractor, body)).get(name) == kind


def test_products_after_a_possessive_are_not_organizations(extractor: Extractor) -> None:
    body = "It draws on Veltro Systems' Zentra Hub, Corvana Bank's PayLink and Quellis Group."
    assert "PayLink" not in kinds(extract(extractor, body))


def test_a_country_used_for_its_airline(extractor: Extractor) -> None:
    body = (
        "Fiji Airways joined the Pacific Wings Alliance on Monday. Fiji is the first "
        "carrier from the islands to sign up."
    )
    extraction = extract(extractor, body)
    assert {m.entity.name for m in extraction.mentions if m.span.text == "Fiji"} == {"Fiji Airways"}


def test_a_country_as_a_country_stays_a_place(extractor: Extractor) -> None:
    body = "Fiji Airways flies to Fiji and Samoa. Fiji is a country in the Pacific."
    extraction = extract(extractor, body)
    assert {m.entity.kind for m in extraction.mentions if m.span.text == "Fiji"} == {"Location"}
