"""Generate a deterministic corpus of news-style articles with their gold facts.

Each article is ``<id>.md`` in the layout of ``corpus/FORMAT.md`` (YAML front
matter, then the body) and ``<id>.gold.yaml`` with the entities and facts it
states. The same seed always gives the same bytes. Entities come from a fixed
pool (thousands of organizations, hundreds of alliances, real places, people),
drawn with a skew so that the same ones recur across articles, and each article
mixes the phrasings the extractor knows (joined, signed up to, became a member
of, members include, founded by, led by, headquartered in, X-based, CEO Jane
Doe, unit of) with sentences that state nothing.

    python benchmarks/generate_corpus.py 1000 --out /tmp/corpus [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml


def _words(text: str) -> list[str]:
    return text.split()


# Real places the gazetteer knows: (city, country).
PLACES = [
    ("Berlin", "Germany"),
    ("Munich", "Germany"),
    ("Hamburg", "Germany"),
    ("Paris", "France"),
    ("Lyon", "France"),
    ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"),
    ("Madrid", "Spain"),
    ("Barcelona", "Spain"),
    ("Rome", "Italy"),
    ("Milan", "Italy"),
    ("Amsterdam", "Netherlands"),
    ("Brussels", "Belgium"),
    ("Zurich", "Switzerland"),
    ("Geneva", "Switzerland"),
    ("Vienna", "Austria"),
    ("Stockholm", "Sweden"),
    ("Oslo", "Norway"),
    ("Copenhagen", "Denmark"),
    ("Helsinki", "Finland"),
    ("Warsaw", "Poland"),
    ("Prague", "Czech Republic"),
    ("Dublin", "Ireland"),
    ("Lisbon", "Portugal"),
    ("Tokyo", "Japan"),
    ("Osaka", "Japan"),
    ("Seoul", "South Korea"),
    ("Beijing", "China"),
    ("Shanghai", "China"),
    ("Shenzhen", "China"),
    ("Singapore", "Singapore"),
    ("Sydney", "Australia"),
    ("Melbourne", "Australia"),
    ("Toronto", "Canada"),
    ("Montreal", "Canada"),
    ("Chicago", "United States"),
    ("Boston", "United States"),
    ("Seattle", "United States"),
    ("Austin", "United States"),
    ("Mumbai", "India"),
    ("Bangalore", "India"),
    ("Nairobi", "Kenya"),
    ("Lagos", "Nigeria"),
    ("Johannesburg", "South Africa"),
    ("Dubai", "United Arab Emirates"),
    ("Tel Aviv", "Israel"),
    ("Mexico City", "Mexico"),
    ("Buenos Aires", "Argentina"),
    ("Santiago", "Chile"),
]

_STEMS_A = [
    "Nor",
    "Kest",
    "Arb",
    "Vel",
    "Bram",
    "Cal",
    "Dun",
    "Ester",
    "Fal",
    "Gar",
    "Hol",
    "Ivor",
    "Jas",
    "Kel",
    "Lum",
    "Mar",
    "Nev",
    "Or",
    "Pell",
    "Quen",
    "Ros",
    "Sal",
    "Tam",
    "Ul",
    "Vor",
    "Wes",
    "Yar",
    "Zen",
    "Alt",
    "Brin",
    "Cor",
    "Dray",
    "Elm",
    "Fen",
    "Glen",
    "Har",
    "Isl",
    "Jun",
    "Kor",
    "Lan",
]
_STEMS_B = [
    "vale",
    "rel",
    "ora",
    "ton",
    "mere",
    "wick",
    "stead",
    "ford",
    "ley",
    "mont",
    "brook",
    "crest",
    "field",
    "gate",
    "haven",
    "holt",
    "more",
    "port",
    "ridge",
    "wood",
]
_ORG_DESIGNATORS = [
    "Bank",
    "Group",
    "Systems",
    "Technologies",
    "Holdings",
    "Energy",
    "Logistics",
    "Telecom",
    "Insurance",
    "Motors",
    "Pharmaceuticals",
    "Networks",
    "Capital",
    "Labs",
    "Foods",
    "Airlines",
    "Robotics",
    "Semiconductors",
]
_ALLIANCE_WORDS = [
    "Open",
    "Blockchain",
    "Digital",
    "Green",
    "Hydrogen",
    "Battery",
    "Mobility",
    "Payments",
    "Data",
    "Cloud",
    "Quantum",
    "Satellite",
    "Health",
    "Trade",
    "Identity",
    "Maritime",
    "Grid",
    "Chip",
    "Freight",
    "Fintech",
]
_ALLIANCE_DESIGNATORS = ("Alliance", "Consortium", "Association", "Initiative")
_FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Karin",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Pavel",
    "Rosa",
    "Sami",
    "Tara",
    "Ugo",
    "Vera",
    "Wen",
    "Yara",
    "Zoe",
]
_LAST = [
    "Albers",
    "Brandt",
    "Castillo",
    "Dahl",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Hoffmann",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zeller",
]
_ROLES = ("chief executive", "chairman", "president", "chief technology officer")
#: The posts whose holder leads the organization (FORMAT.md: ledBy, and holdsPost).
_HEAD_ROLES = frozenset({"chief executive", "chairman", "president"})
_ROLE_WORDS = {
    "chief executive": "CEO",
    "chairman": "chairman",
    "president": "president",
    "chief technology officer": "chief technology officer",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_FILLER = [
    "Analysts said the move reflected growing pressure to share costs across the industry.",
    "The announcement came as regulators weigh new rules for the sector.",
    "Shares in the region's largest lenders were little changed on the news.",
    "The group did not disclose the financial terms of the arrangement.",
    "Industry observers expect more companies to follow in the coming months.",
    "A spokesperson declined to comment on the timetable.",
    "The initiative is one of several launched this year to set common standards.",
    "Critics have questioned whether such groupings deliver results for customers.",
]


@dataclass
class Pool:
    """The entities articles draw from."""

    orgs: list[str]
    alliances: list[str]
    people: list[str]
    parents: dict[str, str] = field(default_factory=dict)  # unit -> parent


def make_pool(rng: random.Random, orgs: int = 3000, alliances: int = 300) -> Pool:
    """A pool of distinct names: ``orgs`` organizations, ``alliances`` alliances, people."""
    org_names: list[str] = []
    seen: set[str] = set()
    while len(org_names) < orgs:
        name = (
            f"{rng.choice(_STEMS_A)}{rng.choice(_STEMS_B)} {rng.choice(_ORG_DESIGNATORS)}"
        ).strip()
        if name not in seen:
            seen.add(name)
            org_names.append(name)
    alliance_names: list[str] = []
    while len(alliance_names) < alliances:
        words = rng.sample(_ALLIANCE_WORDS, 2)
        name = f"{words[0]} {words[1]} {rng.choice(_ALLIANCE_DESIGNATORS)}"
        if name not in seen:
            seen.add(name)
            alliance_names.append(name)
    people = sorted({f"{a} {b}" for a in _FIRST for b in _LAST})
    rng.shuffle(people)
    return Pool(org_names, alliance_names, people[:500])


def _headquarters(org: str) -> str:
    """The one city an organization is headquartered in, in every article (as
    its chief executive is one person), not a new one each time it is named."""
    return PLACES[zlib.crc32(org.encode()) % len(PLACES)][0]


def _skewed(rng: random.Random, items: list[str]) -> str:
    # A few entities recur often, most rarely: like the news.
    if rng.random() < 0.3:
        return items[rng.randrange(min(50, len(items)))]
    return rng.choice(items)


@dataclass
class _Article:
    entities: dict[str, str] = field(default_factory=dict)  # name -> type
    facts: list[dict[str, str]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    def entity(self, name: str, kind: str) -> str:
        self.entities.setdefault(name, kind)
        return name

    def fact(self, s: str, p: str, o: str, **extra: str) -> None:
        fact = {"s": s, "p": p, "o": o, **extra}
        if fact not in self.facts:
            self.facts.append(fact)


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _compose(
    rng: random.Random, pool: Pool, published: dt.date, joined: set[tuple[str, str]]
) -> tuple[str, _Article]:
    """One article. ``joined`` holds the (member, alliance) pairs earlier articles stated.

    Each membership is reported once in the corpus (from when Consortia minted
    one node per membership; it now mints one per stating article): kept so
    that runs stay comparable (see the benchmarks README).
    """
    art = _Article()
    alliance = art.entity(_skewed(rng, pool.alliances), "Alliance")
    orgs: list[str] = []
    while len(orgs) < 4:
        name = _skewed(rng, pool.orgs)
        if name in orgs or (len(orgs) < 3 and (name, alliance) in joined):
            continue
        orgs.append(name)
    joined.update((org, alliance) for org in orgs[:3])
    lead = art.entity(orgs[0], "Organization")
    _city, country = rng.choice(PLACES)  # drawn as before: the rest of the corpus stays
    month = _MONTHS[published.month - 1]
    kind = rng.randrange(3)
    if kind == 0:
        title = f"{lead} joins the {alliance}"
        art.sentences.append(f"{lead} has joined the {alliance}, the company said on Monday.")
        art.fact(lead, "memberOf", alliance)
    elif kind == 1:
        title = f"{lead} signs up to {alliance}"
        art.sentences.append(
            f"{lead} signed up to the {alliance} in {month} {published.year}, "
            "according to a statement."
        )
        art.fact(lead, "memberOf", alliance, since=f"{published.year}-{published.month:02d}")
    else:
        title = f"{lead} becomes a member of {alliance}"
        art.sentences.append(f"{lead} became a member of the {alliance} last year.")
        art.fact(lead, "memberOf", alliance)
    sentence_kinds = ["members", "founded", "led", "hq", "based", "ceo", "unit", "filler"]
    rng.shuffle(sentence_kinds)
    for sentence in sentence_kinds[: rng.randint(3, 6)]:
        if sentence == "members":
            members = [art.entity(o, "Organization") for o in orgs[1:3]]
            if rng.random() < 0.5:
                art.sentences.append(f"The {alliance}'s members include {_list(members)}.")
            else:
                art.sentences.append(f"Current members of the {alliance} include {_list(members)}.")
            for member in members:
                art.fact(member, "memberOf", alliance)
        elif sentence == "founded":
            founder = art.entity(orgs[3], "Organization")
            art.sentences.append(f"The {alliance} was founded by {founder}.")
            art.fact(alliance, "foundedBy", founder)
        elif sentence == "led":
            leader = art.entity(orgs[1], "Organization")
            art.sentences.append(f"The {alliance} is led by {leader}.")
            art.fact(alliance, "ledBy", leader)
        elif sentence == "hq":
            home = art.entity(_headquarters(lead), "Location")
            art.sentences.append(f"{lead} is headquartered in {home}.")
            art.fact(lead, "headquarteredIn", home)
        elif sentence == "based":
            other = art.entity(orgs[2], "Organization")
            home = art.entity(_headquarters(other), "Location")
            art.sentences.append(
                f"The {home}-based {other} said it would contribute engineers to the effort."
            )
            art.fact(other, "headquarteredIn", home)
        elif sentence == "ceo":
            person = art.entity(pool.people[zlib.crc32(lead.encode()) % len(pool.people)], "Person")
            role = rng.choice(_ROLES)
            art.sentences.append(
                f'"This is a milestone for us," {lead} {_ROLE_WORDS[role]} {person} said.'
            )
            art.fact(person, "holdsPost", lead, role=role)
            if role in _HEAD_ROLES:
                # As the dev corpus annotates it: who heads an organization leads it.
                art.fact(lead, "ledBy", person)
        elif sentence == "unit":
            unit = art.entity(f"{lead.split()[0]} Digital", "Organization")
            art.sentences.append(f"{unit}, a unit of {lead}, will run the pilot in {country}.")
            art.entity(country, "Location")
            art.fact(unit, "subOrganizationOf", lead)
        else:
            art.sentences.append(rng.choice(_FILLER))
    art.sentences.append(rng.choice(_FILLER))
    return title, art


def generate(count: int, out: Path, seed: int = 7) -> list[Path]:
    """Write ``count`` articles and their gold files under ``out``; the article paths."""
    rng = random.Random(seed)
    pool = make_pool(rng)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.date(2015, 1, 1)
    written = []
    joined: set[tuple[str, str]] = set()
    for number in range(count):
        published = start + dt.timedelta(days=(number * 3) % 3600)
        title, art = _compose(rng, pool, published, joined)
        article_id = f"gen-{number:06d}"
        paragraphs = [" ".join(art.sentences[i : i + 2]) for i in range(0, len(art.sentences), 2)]
        front = {
            "id": article_id,
            "title": title,
            "publisher": "Benchmark Wire",
            "url": f"https://news.example.org/{published.isoformat()}/{article_id}",
            "published": published.isoformat(),
            "language": "en",
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
        text += "\n\n".join(paragraphs) + "\n"
        path = out / f"{article_id}.md"
        path.write_text(text, encoding="utf-8")
        gold = {
            "id": article_id,
            "entities": [
                {"name": name, "type": kind, "aliases": [name]}
                for name, kind in art.entities.items()
            ],
            "facts": art.facts,
        }
        (out / f"{article_id}.gold.yaml").write_text(
            yaml.safe_dump(gold, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them to")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    paths = generate(args.count, args.out, args.seed)
    print(f"{len(paths)} articles and gold files in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
