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
from tests.conftest import extract_text, fact_triples

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = dt.date(2022, 5, 18)  # a Wednesday


def extract(extractor: Extractor, body: str) -> Extraction:
    return extract_text(extractor, body, PUBLISHED)


facts = fact_triples


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


# -- second round: families from articles of other outlets ---------------------


def posts(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {
        (f.subject.name, f.object.name, f.role or "")
        for f in extraction.facts
        if f.relation == "holdsPost"
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # an alliance that adds members
            "The Tidewater Robotics Consortium has added Korvel Group and Anselm Bank as "
            "associate members.",
            {
                ("memberOf", "Korvel Group", "Tidewater Robotics Consortium"),
                ("memberOf", "Anselm Bank", "Tidewater Robotics Consortium"),
            },
        ),
        (  # "a roster that already counts ... among its members": the alliance of the text
            "Mirell Group joined the Lakeside Data Alliance on Monday. It joins a roster that "
            "already counts Pondero Bank and Haskel Group among its core members.",
            {
                ("memberOf", "Mirell Group", "Lakeside Data Alliance"),
                ("memberOf", "Pondero Bank", "Lakeside Data Alliance"),
                ("memberOf", "Haskel Group", "Lakeside Data Alliance"),
            },
        ),
        (  # a counted description stands for the list before it
            "Orvent Bank, Halden Bank and Sutter Bank signed the charter in Oslo. "
            "The three banks are the founding members of the Fjord Settlement Network.",
            {
                ("memberOf", "Orvent Bank", "Fjord Settlement Network"),
                ("memberOf", "Halden Bank", "Fjord Settlement Network"),
                ("memberOf", "Sutter Bank", "Fjord Settlement Network"),
            },
        ),
        (  # a founding member named in an apposition, then leaving
            "The Polar Link Coalition lobbies regulators. Vantor Systems, one of its four "
            "founding members, has pulled out of the coalition.",
            {
                ("memberOf", "Vantor Systems", "Polar Link Coalition"),
                ("foundedBy", "Polar Link Coalition", "Vantor Systems"),
            },
        ),
        (  # a parent described before its name, and "majority-owned by"
            "Qerra Cloud, the cloud computing arm of internet group Qerra, signed up. Drell Bank, "
            "which is majority-owned by the Drell Holding Company, did not.",
            {
                ("subOrganizationOf", "Qerra Cloud", "Qerra"),
                ("subOrganizationOf", "Drell Bank", "Drell Holding Company"),
            },
        ),
        (  # "its" is the subject's of its own clause
            "Nantel Custody is backed by Carrow Bank, which holds its stake through its venture "
            "arm Carrow Ventures.",
            {("subOrganizationOf", "Carrow Ventures", "Carrow Bank")},
        ),
    ],
)
def test_second_round_relations(
    extractor: Extractor, body: str, expected: set[tuple[str, str, str]]
) -> None:
    assert expected <= facts(extract(extractor, body))


def test_led_by_who_was_named(extractor: Extractor) -> None:
    body = (
        "The Harbour Payments Council will be led by Julia Brandt, a former director at the "
        "Central Clearing Authority, who was named chief executive."
    )
    found = extract(extractor, body)
    assert ("ledBy", "Harbour Payments Council", "Julia Brandt") in facts(found)
    assert ("Julia Brandt", "Harbour Payments Council", "chief executive") in posts(found)


def test_in_charge_of_and_leading(extractor: Extractor) -> None:
    body = (
        "Marta Olsen was appointed managing director of the Brightwater Alliance, with "
        "Omar Khalil in charge of research and standards and Helen Price leading "
        "business development."
    )
    found = posts(extract(extractor, body))
    assert ("Omar Khalil", "Brightwater Alliance", "head of research and standards") in found
    assert ("Helen Price", "Brightwater Alliance", "head of business development") in found


def test_chaired_by_after_another_clause(extractor: Extractor) -> None:
    body = (
        "The Coral Chip Alliance was set up by the Ministry of Industry and will be chaired "
        "by Kim Dae-sung."
    )
    found = extract(extractor, body)
    assert ("Kim Dae-sung", "Coral Chip Alliance", "chairman") in posts(found)
    assert ("ledBy", "Coral Chip Alliance", "Kim Dae-sung") in facts(found)


def test_a_post_of_a_field_before_the_name(extractor: Extractor) -> None:
    body = "Valmet Autoparts' head of software, Priya Raman, was named treasurer."
    assert ("Priya Raman", "Valmet Autoparts", "head of software") in posts(
        extract(extractor, body)
    )


def test_the_subject_of_a_relative_clause_is_not_hedged_by_the_main_clause(
    extractor: Extractor,
) -> None:
    body = "The secretariat will sit inside Norvik Institute, which is headquartered in Bergen."
    assert ("headquarteredIn", "Norvik Institute", "Bergen") in facts(extract(extractor, body))


def test_a_dateline_in_capitals_is_a_place(extractor: Extractor) -> None:
    found = kinds(extract(extractor, "LONDON, May 3 — Fenwick Group joined the Orbit Alliance."))
    assert found.get("LONDON") == "Location"


def test_a_gerund_does_not_open_a_name(extractor: Extractor) -> None:
    found = kinds(extract(extractor, '"Joining Orbit Alliance was easy," said Anna Berg.'))
    assert "Joining Orbit Alliance" not in found
    assert found.get("Orbit Alliance") == "Alliance"


def test_a_foundation_without_members_is_an_organization(extractor: Extractor) -> None:
    body = (
        "The Kestrel project is hosted by the Arden Foundation. The Lumen Foundation's members "
        "include Corvo Group and Pellam Bank."
    )
    found = kinds(extract(extractor, body))
    assert found.get("Arden Foundation") == "Organization"
    assert found.get("Lumen Foundation") == "Alliance"


def test_a_short_country_name_listed_with_airlines_is_an_airline(extractor: Extractor) -> None:
    body = "Emirates and Etihad Airways remain outside all of the alliances."
    assert kinds(extract(extractor, body)).get("Emirates") == "Organization"


def test_a_place_the_gazetteer_does_not_know_described_as_a_district(
    extractor: Extractor,
) -> None:
    body = (
        "Lee told reporters at the launch in Hwaseong-dong, a technology district south of "
        "the capital."
    )
    assert kinds(extract(extractor, body)).get("Hwaseong-dong") == "Location"


# -- round 3: press releases, bullets, boards, cataphora, switches ---------------


def dated(extraction: Extraction) -> set[tuple[str, str, str, str, str]]:
    return {
        (f.relation, f.subject.name, f.object.name, str(f.since or ""), str(f.until or ""))
        for f in extraction.facts
        if f.relation == "memberOf"
    }


def test_bulleted_founding_members(extractor: Extractor) -> None:
    body = (
        "The Tidewater Grid Consortium was launched on Monday.\n\n"
        "The founding members are:\n\n"
        "- Orvane Energy (Norway)\n- Halden Rail (Sweden)\n- Kestrel Power AG (Germany)\n"
    )
    found = dated(extract(extractor, body))
    for member in ("Orvane Energy", "Halden Rail", "Kestrel Power AG"):
        assert ("memberOf", member, "Tidewater Grid Consortium", "2022-05-16", "") in found
    assert not any(f[1] in ("Norway", "Sweden", "Germany") for f in found)


def test_press_release_about_paragraphs(extractor: Extractor) -> None:
    body = (
        "BERGEN, Norway, May 18, 2022 /PRNewswire/ -- Fjordline Tech ASA, a Norwegian maker "
        "of marine batteries, today announced that it has joined the Blue Ports Alliance.\n\n"
        '"We are delighted," said Kari Moen, Chief Executive Officer of Fjordline Tech.\n\n'
        "About Fjordline Tech\n\n"
        "Fjordline Tech ASA is headquartered in Bergen, Norway.\n"
    )
    extraction = extract(extractor, body)
    found = facts(extraction)
    assert ("memberOf", "Fjordline Tech ASA", "Blue Ports Alliance") in found
    assert ("holdsPost", "Kari Moen", "Fjordline Tech ASA") in found
    assert ("headquarteredIn", "Fjordline Tech ASA", "Bergen") in found
    assert not any(m.entity.name.startswith("About") for m in extraction.mentions)


def test_posts_without_an_organization_in_the_clause(extractor: Extractor) -> None:
    body = (
        "The Riverside Business Council met on Tuesday. The council's board elected a new "
        "chair. Pat Okafor, who runs a bakery, replaces Lee Brandt. Mia Torres, president "
        "of Delmar Credit Union, and Sam Ortiz, a partner at Vance Legal LLP, were elected as "
        "vice-chairs. June Halloway, a director at Ardent Group, was named treasurer."
    )
    found = posts(extract(extractor, body))
    assert ("Pat Okafor", "Riverside Business Council", "chairman") in found
    assert ("Mia Torres", "Riverside Business Council", "vice chairman") in found
    assert ("Sam Ortiz", "Riverside Business Council", "vice chairman") in found
    assert ("June Halloway", "Riverside Business Council", "treasurer") in found
    assert ("Mia Torres", "Delmar Credit Union", "president") in found
    assert not any(o == "Ardent Group" and r == "treasurer" for _, o, r in found)


def test_counted_subject_listed_in_the_next_sentence(extractor: Extractor) -> None:
    body = (
        "Four Asian lenders joined the Harbour Payments Network in March. Orient Bank, "
        "Lumen Bank, Sakura Trust Bank and Indus Bank will connect next year."
    )
    found = dated(extract(extractor, body))
    for member in ("Orient Bank", "Lumen Bank", "Sakura Trust Bank", "Indus Bank"):
        assert ("memberOf", member, "Harbour Payments Network", "2022-03", "") in found


def test_switch_with_effective_dates(extractor: Extractor) -> None:
    body = (
        "Norvik Bank said on Tuesday that it will quit the Nordic Wallet Alliance effective "
        "October 1 and join the Euro Wallet Alliance from 2023."
    )
    found = dated(extract(extractor, body))
    assert ("memberOf", "Norvik Bank", "Nordic Wallet Alliance", "", "2022-10-01") in found
    # Joining from next year is a plan, not yet a fact (it begins after the article).
    assert not any(f[2] == "Euro Wallet Alliance" for f in found)


def test_date_of_the_main_verb_not_the_relative_clause(extractor: Extractor) -> None:
    body = "Pellam Bank, which opened an office in Oslo last year, joined the Quay Alliance in May."
    found = dated(extract(extractor, body))
    assert ("memberOf", "Pellam Bank", "Quay Alliance", "2022-05", "") in found


def test_mixed_modifier_lists(extractor: Extractor) -> None:
    body = (
        "The Arcadia Chip Alliance has 40 members, among them US and European suppliers such "
        "as Brontex Semiconductors and Velmar Systems as well as Chinese groups including "
        "Huaxin Microelectronics and Jinlong Technologies."
    )
    found = facts(extract(extractor, body))
    for member in (
        "Brontex Semiconductors",
        "Velmar Systems",
        "Huaxin Microelectronics",
        "Jinlong Technologies",
    ):
        assert ("memberOf", member, "Arcadia Chip Alliance") in found
    assert not any(s == "United States" for _, s, _ in found)


def test_short_form_of_an_earlier_name(extractor: Extractor) -> None:
    body = (
        "Banco Ferreira and Halvard Rail joined the Iberian Freight Alliance. "
        "Ferreira declined to comment, and Halvard said it was pleased."
    )
    extraction = extract(extractor, body)
    names = {m.span.text: m.entity.name for m in extraction.mentions}
    assert names["Ferreira"] == "Banco Ferreira"
    assert names["Halvard"] == "Halvard Rail"


def test_the_companies_that_lead_it(extractor: Extractor) -> None:
    body = (
        "The Solent Hydrogen Consortium was formed by Corrin Power, Maylor Rail and Trask "
        "Industries. Corrin Power and Maylor Rail, the companies that lead it, share the chair."
    )
    found = facts(extract(extractor, body))
    assert ("ledBy", "Solent Hydrogen Consortium", "Corrin Power") in found
    assert ("ledBy", "Solent Hydrogen Consortium", "Maylor Rail") in found


def test_and_between_two_whole_names_separates_them(extractor: Extractor) -> None:
    """A designator before "and" joins subject words ("Science and Technology"),
    not two company names that each end in one."""
    body = (
        "Current members of the Lumen Freight Consortium include Quenmere Insurance and "
        "Calhaven Robotics. The Ministry of Science and Technology backs the consortium."
    )
    found = facts(extract(extractor, body))
    assert ("memberOf", "Quenmere Insurance", "Lumen Freight Consortium") in found
    assert ("memberOf", "Calhaven Robotics", "Lumen Freight Consortium") in found
    names = {m.entity.name for m in extract(extractor, body).mentions}
    assert "Ministry of Science and Technology" in names


# -- fourth round (issue 3): families from articles of other outlets --------------


def roles(extraction: Extraction) -> set[tuple[str, str, str | None]]:
    return {
        (f.subject.name, f.object.name, f.role)
        for f in extraction.facts
        if f.relation == "holdsPost"
    }


@pytest.mark.parametrize(
    ("long", "short"),
    [
        ("Brastel Pagos Ltda", "Brastel Pagos"),
        ("Korimachi Ceramics K.K.", "Korimachi Ceramics"),
        ("Banco del Cóndor S.A.", "Banco del Cóndor"),
        ("Vestrand Kraft AS", "Vestrand Kraft"),
    ],
)
def test_a_name_without_its_legal_form_is_the_same_entity(
    extractor: Extractor, long: str, short: str
) -> None:
    body = (
        f"{long} joined the Meridian Payments Alliance on Monday. "
        f"Maria Lopes, a director of {short}, said the move was overdue."
    )
    extraction = extract(extractor, body)
    names = {m.span.text: m.entity.name for m in extraction.mentions}
    assert names[short] == long


def test_an_acronym_introduced_without_brackets(extractor: Extractor) -> None:
    body = (
        "The Pacific Freight Data Alliance, known by its Spanish initials AFDP, was launched "
        "on Tuesday by Norvik Shipping and Carrow Ports. AFDP is based in Lima."
    )
    found = facts(extract(extractor, body))
    assert ("foundedBy", "Pacific Freight Data Alliance", "Norvik Shipping") in found
    assert ("headquarteredIn", "Pacific Freight Data Alliance", "Lima") in found


def test_a_fronted_founding_does_not_swallow_its_subject(extractor: Extractor) -> None:
    body = (
        "Founded in 2013 by Tarsen Metering and Holbeck Controls, the Open Meter Alliance "
        "grew quickly in Europe."
    )
    found = facts(extract(extractor, body))
    assert ("foundedBy", "Open Meter Alliance", "Tarsen Metering") in found
    assert ("foundedBy", "Open Meter Alliance", "Holbeck Controls") in found


def test_founded_by_people_then_the_company(extractor: Extractor) -> None:
    body = (
        "About Fennick Labs\n\n"
        "Founded in 2012 by Ana Ruiz and Tom Hale, the company builds sensors."
    )
    found = facts(extract(extractor, body))
    assert ("foundedBy", "Fennick Labs", "Ana Ruiz") in found
    assert ("foundedBy", "Fennick Labs", "Tom Hale") in found


def test_second_verb_of_a_clause_keeps_its_subject(extractor: Extractor) -> None:
    body = (
        "The Grid Data Forum was set up in 2009 by the Power Research Consortium and is "
        "affiliated with the Municipal Utilities Association."
    )
    found = facts(extract(extractor, body))
    assert ("affiliatedWith", "Grid Data Forum", "Municipal Utilities Association") in found
    assert not any(f[0] == "affiliatedWith" and f[1] == "Power Research Consortium" for f in found)


def test_a_list_with_semicolons_and_appositions(extractor: Extractor) -> None:
    body = (
        "Other members of the Andes Card Alliance include Caja Tumbes, the Peruvian savings "
        "bank; Movira S.A.C., a unit of Telvanda; and Quenti Pay, a Lima-based start-up."
    )
    found = facts(extract(extractor, body))
    for member in ("Caja Tumbes", "Movira S.A.C.", "Quenti Pay"):
        assert ("memberOf", member, "Andes Card Alliance") in found
    assert not any(f[1] == "Peruvian" for f in found)


def test_with_operations_in(extractor: Extractor) -> None:
    body = "Andora Finance PLC, a London-listed lender with operations in Ecuador, raised money."
    assert ("operatesIn", "Andora Finance PLC", "Ecuador") in facts(extract(extractor, body))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Karin Ek, head of alternative drives at Volvo Trucks, said the test went well.",
            ("Karin Ek", "Volvo Trucks", "head of alternative drives"),
        ),
        (
            "Tove Lind, who chairs the Baltic Grid Council and is senior vice president of "
            "grid technology at Ostra Energi AS, spoke first.",
            ("Tove Lind", "Ostra Energi AS", "senior vice president of grid technology"),
        ),
    ],
)
def test_a_post_with_its_field(
    extractor: Extractor, body: str, expected: tuple[str, str, str]
) -> None:
    assert expected in roles(extract(extractor, body))


def test_posts_taken_up_in_the_alliance_of_the_text(extractor: Extractor) -> None:
    body = (
        "The Coastal Payments Alliance was launched on Monday by Banco Marino and Telcosta. "
        "Lucia Prado, the chief executive of Banco Marino, was named the alliance's first "
        "president. Jorge Vidal, a director of Telcosta, will serve as vice president, while "
        "Elena Soto, general counsel at Telcosta, becomes secretary."
    )
    found = roles(extract(extractor, body))
    assert ("Lucia Prado", "Coastal Payments Alliance", "president") in found
    assert ("Jorge Vidal", "Coastal Payments Alliance", "vice president") in found
    assert ("Elena Soto", "Coastal Payments Alliance", "secretary") in found


def test_whose_president_will_chair_the_group(extractor: Extractor) -> None:
    body = (
        "The Kanto Battery Consortium was established on Tuesday. Its founding members are "
        "Hanabe Chemical Co. and Ogura Trading Co., whose president, Kenji Mori, will chair "
        "the group."
    )
    extraction = extract(extractor, body)
    assert ("Kenji Mori", "Kanto Battery Consortium", "chairman") in roles(extraction)
    assert ("ledBy", "Kanto Battery Consortium", "Kenji Mori") in facts(extraction)


def test_whose_members_include_does_not_take_the_founding_date(extractor: Extractor) -> None:
    body = (
        "The Harbor Data Council, founded in 2019, whose members include Ostra Logistics, "
        "Mellor Ports and Dunmore Shipping, met in Oslo on Tuesday."
    )
    members = [f for f in extract(extractor, body).facts if f.relation == "memberOf"]
    assert {f.subject.name for f in members} == {
        "Ostra Logistics",
        "Mellor Ports",
        "Dunmore Shipping",
    }
    assert all(f.since is None for f in members)


def test_a_date_of_another_alliance_is_not_borrowed(extractor: Extractor) -> None:
    body = (
        "Grenholm Energy joined the Arctic Hydrogen Alliance in March. "
        "Triodos Bank has joined the Dutch Payments Association."
    )
    members = {f.subject.name: f.since for f in extract(extractor, body).facts}
    assert members["Triodos Bank"] is None
    assert members["Grenholm Energy"] is not None


@pytest.mark.parametrize(
    ("body", "place"),
    [
        ("Grenholm Energy, which is based in Mo i Rana, makes hydrogen.", "Mo i Rana"),
        ("Whitby Hardware, which is based in Muskegon Heights, sells tools.", "Muskegon Heights"),
    ],
)
def test_places_the_gazetteer_lacks_or_spells_with_a_particle(
    extractor: Extractor, body: str, place: str
) -> None:
    extraction = extract(extractor, body)
    assert kinds(extraction)[place] == "Location"
    assert any(f.relation == "headquarteredIn" and f.object.name == place for f in extraction.facts)


def test_a_name_that_starts_with_a_lowercase_article(extractor: Extractor) -> None:
    body = (
        "Lenders such as de Volksbank and Triodos Bank have joined the Dutch Payments Association."
    )
    found = facts(extract(extractor, body))
    assert ("memberOf", "de Volksbank", "Dutch Payments Association") in found


def test_a_place_inside_a_place_in_a_plan(extractor: Extractor) -> None:
    body = "The group will set up a research centre in Sendai, in Miyagi Prefecture, next year."
    assert ("locatedIn", "Sendai", "Miyagi") in facts(extract(extractor, body))


@pytest.mark.parametrize(
    ("body", "name", "kind"),
    [
        (
            "Velora joined the Alliance for Open Packaging on Monday.",
            "Alliance for Open Packaging",
            "Alliance",
        ),
        (
            "The Federation of Korean Machine Industries met in Seoul.",
            "Federation of Korean Machine Industries",
            "Alliance",
        ),
        (
            "The Korlan Special Interest Group met in Oslo.",
            "Korlan Special Interest Group",
            "Alliance",
        ),
        ("The Council of Ministers met in Oslo.", "Council of Ministers", "Organization"),
    ],
)
def test_the_head_of_a_name_types_it(extractor: Extractor, body: str, name: str, kind: str) -> None:
    assert kinds(extract(extractor, body))[name] == kind


def test_a_name_described_as_an_association_is_an_alliance(extractor: Extractor) -> None:
    body = (
        "Forty companies on Tuesday signed the deeds that establish Datavia, the non-profit "
        "association that will run the data project. Among the German founders are Korvex "
        "and Selmar."
    )
    extraction = extract(extractor, body)
    assert kinds(extraction)["Datavia"] == "Alliance"
    assert ("memberOf", "Korvex", "Datavia") in facts(extraction)


def test_and_between_two_plain_names_separates_them(extractor: Extractor) -> None:
    body = "Ostra Logistics and Mellor Ports have joined the Harbor Data Council."
    found = facts(extract(extractor, body))
    assert ("memberOf", "Ostra Logistics", "Harbor Data Council") in found
    assert ("memberOf", "Mellor Ports", "Harbor Data Council") in found


def test_a_possessive_between_two_unknown_names_separates_them(extractor: Extractor) -> None:
    body = "Wen Tao, who heads Norvane Telecom's Network Research Institute, spoke first."
    names = {m.span.text for m in extract(extractor, body).mentions}
    assert "Norvane Telecom" in names
    assert "Norvane Telecom's Network Research Institute" not in names


# -- round 5: welcomes in quotes, two alliances at once, joint ventures, stakes --


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '"We are pleased to welcome Darnell Foods, Ostrava Logistics and Quimby Retail," '
            "said Ruth Kemper, managing director of the Cold Chain Data Alliance.",
            {
                ("memberOf", "Darnell Foods", "Cold Chain Data Alliance"),
                ("memberOf", "Ostrava Logistics", "Cold Chain Data Alliance"),
                ("memberOf", "Quimby Retail", "Cold Chain Data Alliance"),
            },
        ),
        (
            "The Coastal Grid Consortium welcomed Harlow Power and Venn Utilities as new members.",
            {
                ("memberOf", "Harlow Power", "Coastal Grid Consortium"),
                ("memberOf", "Venn Utilities", "Coastal Grid Consortium"),
            },
        ),
        (
            "Members that belong to both the Open Rail Forum Alliance and the Freight Data "
            "Network, such as Torvik Cargo and Lindell Rail, will pay one fee.",
            {
                ("memberOf", "Torvik Cargo", "Open Rail Forum Alliance"),
                ("memberOf", "Lindell Rail", "Open Rail Forum Alliance"),
                ("memberOf", "Torvik Cargo", "Freight Data Network"),
                ("memberOf", "Lindell Rail", "Freight Data Network"),
            },
        ),
        (
            "Berrin Motors and Kallix Power on Monday unveiled Cellway Partners, a 50-50 joint "
            "venture that will make batteries.",
            {
                ("foundedBy", "Cellway Partners", "Berrin Motors"),
                ("foundedBy", "Cellway Partners", "Kallix Power"),
            },
        ),
        (
            "Fennick Steel holds 60% of Ardwell Mining, which runs two mines.",
            {("subOrganizationOf", "Ardwell Mining", "Fennick Steel")},
        ),
        (
            "Holvik Chemicals owns a majority stake in Parrin Coatings.",
            {("subOrganizationOf", "Parrin Coatings", "Holvik Chemicals")},
        ),
        (
            "Tessaly Energy is a unit of the Oslo-based Norrvik Group and operates plants in "
            "Spain and Portugal.",
            {
                ("subOrganizationOf", "Tessaly Energy", "Norrvik Group"),
                ("operatesIn", "Tessaly Energy", "Spain"),
                ("operatesIn", "Tessaly Energy", "Portugal"),
            },
        ),
        (
            "Banks including Ostmark, Verrel and Quandry have also signed up to the Nordic "
            "Payments Council.",
            {
                ("memberOf", "Ostmark", "Nordic Payments Council"),
                ("memberOf", "Verrel", "Nordic Payments Council"),
                ("memberOf", "Quandry", "Nordic Payments Council"),
            },
        ),
    ],
)
def test_round_five_families(
    extractor: Extractor, body: str, expected: set[tuple[str, str, str]]
) -> None:
    assert expected <= facts(extract(extractor, body))


def test_the_venture_refers_to_the_joint_venture_named_before(extractor: Extractor) -> None:
    body = (
        "Berrin Motors and Kallix Power announced Cellway Partners, a joint venture between "
        "the two companies. The venture will keep its headquarters in Columbus."
    )
    assert ("headquarteredIn", "Cellway Partners", "Columbus") in facts(extract(extractor, body))


def test_a_board_chair_of_a_venture_holds_the_post(extractor: Extractor) -> None:
    body = (
        "Cellway Partners will be run by Marta Olsen. Its board will be chaired by Kallix "
        "executive Tomas Brandt."
    )
    extraction = extract(extractor, body)
    assert any(
        f.relation == "holdsPost"
        and f.subject.name == "Tomas Brandt"
        and f.object.name == "Cellway Partners"
        and f.role == "chairman"
        for f in extraction.facts
    )


def test_a_two_word_demonym_is_not_a_name(extractor: Extractor) -> None:
    body = "Cellway Partners buys cells from the South Korean battery supplier Dongmun Cell."
    assert "South" not in {m.span.text for m in extract(extractor, body).mentions}


def test_a_wire_dateline_does_not_date_the_event(extractor: Extractor) -> None:
    body = (
        "OSLO, May 18 (Wire) - The Nordic Payments Council said on Monday it had added "
        "two banks. Ostmark and Verrel joined the Nordic Payments Council."
    )
    joined = [f for f in extract(extractor, body).facts if f.relation == "memberOf"]
    assert joined
    assert all(str(f.since) == "2022-05-16" for f in joined)
