"""Place names to places, with containment up to the country."""

from __future__ import annotations

import time

import pytest

from consortia.gazetteer import (
    Gazetteer,
    Place,
    default_gazetteer,
    load_place_rules,
    lookup,
    normalize_name,
)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def test_country(gaz: Gazetteer) -> None:
    assert gaz.lookup("Japan") == Place("Japan", "Country", 1861060, "Japan", ())


def test_admin_area(gaz: Gazetteer) -> None:
    assert gaz.lookup("Hainan") == Place("Hainan", "AdministrativeArea", None, "China", ("China",))


def test_city_with_its_chain(gaz: Gazetteer) -> None:
    assert gaz.lookup("Hangzhou") == Place(
        "Hangzhou", "City", 1808926, "China", ("Zhejiang", "China")
    )


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Geneva", "City", "Switzerland"),
        ("Seoul", "City", "South Korea"),
        ("Shenzhen", "City", "China"),
        ("Hefei", "City", "China"),
        ("Palo Alto", "City", "United States"),
        ("Berkeley", "City", "United States"),
        ("Durham", "City", "United States"),
        ("Toulouse", "City", "France"),
        ("Grenoble", "City", "France"),
        ("Brussels", "City", "Belgium"),
        ("Doha", "City", "Qatar"),
        ("Davos", "City", "Switzerland"),
        ("Armonk", "City", "United States"),
        ("Guangdong", "AdministrativeArea", "China"),
        ("Anhui", "AdministrativeArea", "China"),
        ("California", "AdministrativeArea", "United States"),
        ("North Carolina", "AdministrativeArea", "United States"),
        ("Delaware", "AdministrativeArea", "United States"),
        ("Sweden", "Country", "Sweden"),
        ("South Africa", "Country", "South Africa"),
    ],
)
def test_kinds_and_countries(gaz: Gazetteer, name: str, kind: str, country: str) -> None:
    place = gaz.lookup(name)
    assert place is not None
    assert (place.kind, place.country) == (kind, country)


def test_new_york(gaz: Gazetteer) -> None:
    city = gaz.lookup("New York")
    assert city == Place(
        "New York City", "City", 5128581, "United States", ("New York", "United States")
    )
    assert gaz.lookup("New York City") == city
    state = gaz.lookup("New York State")
    assert state == Place(
        "New York", "AdministrativeArea", 5128638, "United States", ("United States",)
    )


def test_washington_means_the_capital_unless_said_otherwise(gaz: Gazetteer) -> None:
    assert gaz.lookup("Washington") == Place(
        "Washington, D.C.",
        "City",
        4140963,
        "United States",
        ("District of Columbia", "United States"),
    )
    state = gaz.lookup("Washington state")
    assert state is not None
    assert (state.name, state.kind) == ("Washington", "AdministrativeArea")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("the U.S.", "United States"),
        ("US", "United States"),
        ("U.S.", "United States"),
        ("United States of America", "United States"),
        ("UK", "United Kingdom"),
        ("Britain", "United Kingdom"),
        ("Korea, Republic of", "South Korea"),
        ("Republic of Korea", "South Korea"),
        ("The Netherlands", "Netherlands"),
        ("Holland", "Netherlands"),
        ("Kingdom of the Netherlands", "Netherlands"),
        ("Peking", "Beijing"),
        ("Bombay", "Mumbai"),
        ("Frankfurt", "Frankfurt am Main"),
        ("Köln", "Cologne"),
    ],
)
def test_aliases(gaz: Gazetteer, name: str, expected: str) -> None:
    place = gaz.lookup(name)
    assert place is not None
    assert place.name == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zurich", "Zürich"),
        ("zürich", "Zürich"),
        ("ZURICH", "Zürich"),
        ("Sao Paulo", "São Paulo"),
        ("  hangzhou ", "Hangzhou"),
    ],
)
def test_case_and_diacritics_do_not_matter(gaz: Gazetteer, name: str, expected: str) -> None:
    place = gaz.lookup(name)
    assert place is not None
    assert place.name == expected


@pytest.mark.parametrize(
    ("name", "expected", "kind"),
    [
        ("Hainan province", "Hainan", "AdministrativeArea"),
        ("Zhejiang Province", "Zhejiang", "AdministrativeArea"),
        ("the province of Guangdong", "Guangdong", "AdministrativeArea"),
        ("the city of Hangzhou", "Hangzhou", "City"),
        ("Hangzhou city", "Hangzhou", "City"),
        ("Victoria state", "Victoria", "AdministrativeArea"),
        ("the city of Reading", "Reading", "City"),
        ("Palo Alto, California", "Palo Alto", "City"),
        ("the Middle East", "Middle East", "Place"),
    ],
)
def test_patterns(gaz: Gazetteer, name: str, expected: str, kind: str) -> None:
    place = gaz.lookup(name)
    assert place is not None
    assert (place.name, place.kind) == (expected, kind)


def test_city_beats_same_named_area_it_lies_in(gaz: Gazetteer) -> None:
    for name in ("Beijing", "Vienna", "Shanghai"):
        place = gaz.lookup(name)
        assert place is not None
        assert place.kind == "City", name
    beijing = gaz.lookup("Beijing municipality")
    assert beijing is not None
    assert beijing.kind == "AdministrativeArea"


def test_regions(gaz: Gazetteer) -> None:
    assert gaz.lookup("Southern China") == Place(
        "Southern China", "Place", None, "China", ("China",)
    )
    assert gaz.lookup("Silicon Valley") == Place(
        "Silicon Valley", "Place", None, "United States", ("California", "United States")
    )
    assert gaz.lookup("Europe") == Place("Europe", "Place", 6255148, None, ())
    asia = gaz.lookup("Asia")
    assert asia is not None
    assert (asia.kind, asia.geonames_id) == ("Place", 6255147)
    hong_kong = gaz.lookup("Hong Kong")
    assert hong_kong is not None
    assert hong_kong.parents == ("China",)


@pytest.mark.parametrize(
    "name",
    [
        "Mobile",
        "Union",
        "Bank",
        "Street",
        "Of",
        "March",
        "Chase",
        "Reading",
        "Orange",
        "Nice",
        "Central",
        "Northern",
        "Apple",
        "Amazon",
        "Nokia",
        "Toyota",
        "Google",
        "SAP",
        "Kiva",
        "Visa",
        "",
        "   ",
        "Nonhyeon-dong",
        "Acme Widgets",
    ],
)
def test_words_and_org_names_are_no_place(gaz: Gazetteer, name: str) -> None:
    assert gaz.lookup(name) is None


def test_countries_are_places_even_when_words(gaz: Gazetteer) -> None:
    for name in ("Chad", "Jordan", "Turkey", "Georgia"):
        place = gaz.lookup(name)
        assert place is not None
        assert place.kind == "Country", name


def test_contains_and_parents(gaz: Gazetteer) -> None:
    assert gaz.parents("Hangzhou") == ("Zhejiang", "China")
    assert gaz.parents("Shenzhen") == ("Guangdong", "China")
    assert gaz.parents("Davos") == ("Grisons", "Switzerland")
    assert gaz.parents("Japan") == ()
    assert gaz.parents("Mobile") == ()
    assert gaz.contains("China", "Hangzhou")
    assert gaz.contains("Zhejiang", "Hangzhou")
    assert gaz.contains("Zhejiang province", "the city of Hangzhou")
    assert gaz.contains("Switzerland", "Geneva")
    assert gaz.contains("South Korea", "Seoul")
    assert gaz.contains("California", "Palo Alto")
    assert gaz.contains("China", "Hainan")
    assert gaz.contains("California", "Silicon Valley")
    assert gaz.contains("China", "Southern China")
    assert not gaz.contains("Hangzhou", "China")
    assert not gaz.contains("Guangdong", "Hangzhou")
    assert not gaz.contains("China", "China")
    assert not gaz.contains("China", "Mobile")


def test_normalize_name() -> None:
    assert normalize_name("Zürich") == "zurich"
    assert normalize_name("São  Paulo") == "sao paulo"
    assert normalize_name("U.S.") == "us"
    assert normalize_name("Côte d\u2019Ivoire") == "cote d'ivoire"


def test_module_lookup_uses_the_shared_gazetteer() -> None:
    assert default_gazetteer() is default_gazetteer()
    assert lookup("Seoul") == default_gazetteer().lookup("Seoul")


def test_lookups_are_fast(gaz: Gazetteer) -> None:
    start = time.perf_counter()
    for _ in range(1000):
        gaz.lookup("Zhejiang province")
        gaz.lookup("Hangzhou")
    assert time.perf_counter() - start < 0.1


def test_unknown_alias_target_is_reported() -> None:
    rules = load_place_rules()
    rules["aliases"] = [{"names": ["Atlantis City"], "target": "Nowhere Land Zz"}]
    with pytest.raises(ValueError, match="alias target Nowhere Land Zz is not a known place"):
        Gazetteer(rules)


def test_deterministic() -> None:
    rules = load_place_rules()
    first, second = Gazetteer(rules), Gazetteer(rules)
    for name in ("Washington", "Santa Clara", "Victoria state", "Hong Kong", "Durham"):
        assert first.lookup(name) == second.lookup(name)
