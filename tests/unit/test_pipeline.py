"""The whole build of the seed: reproducible, parseable, and saying what the article says.

``tests/cases/<case>/`` holds articles and ``expected.ttl``, the Turtle their
build must give (with ``SOURCE_DATE_EPOCH=0``); one parametrized test compares
each. After a deliberate change to extraction, resolution or mapping, refresh
the expected files and read the diff before committing it::

    python tests/cases/regenerate.py
    git diff tests/cases

The SPARQL assertions below do not move with the expected file: they state, one
by one, the facts the seed must publish (with their evidence) and the false ones
it must not.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal

from consortia.pipeline import build
from consortia.project import Project
from consortia.query import run_query
from consortia.sources import load_articles
from tests.conftest import CASES, SEED_ARTICLE, SEED_ID, BuiltSeed, assert_isomorphic

B = "https://w3id.org/consortia/id/"
ARTICLE = f"<{B}article/{SEED_ID}>"


def seed_ask(seed: BuiltSeed, query: str) -> bool:
    result = run_query(seed.state / "store", query)
    assert result.kind == "ask"
    return bool(result.boolean)


def project_at(state: Path) -> Project:
    return Project.load(state=state, base=B)


# --- reproducible --------------------------------------------------------------------


def test_rebuild_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without SOURCE_DATE_EPOCH the time stamp comes from the build state.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = project_at(tmp_path / "state")
    build(project, [SEED_ARTICLE], tmp_path / "first.ttl")
    build(project, [SEED_ARTICLE], tmp_path / "second.ttl")
    first = (tmp_path / "first.ttl").read_bytes()
    assert (tmp_path / "second.ttl").read_bytes() == first
    assert b"1970-01-01T00:00:00Z" not in first


def test_fresh_builds_with_source_date_epoch_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_seed: BuiltSeed
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    build(project_at(tmp_path / "state"), [SEED_ARTICLE], tmp_path / "out.ttl")
    assert (tmp_path / "out.ttl").read_bytes() == built_seed.turtle
    last_build = (tmp_path / "state" / "last-build.nq").read_bytes()
    assert last_build == (built_seed.state / "last-build.nq").read_bytes()
    assert b'"1970-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in last_build


# --- parseable by two parsers -----------------------------------------------------------


def test_turtle_reparses_with_rdflib(built_seed: BuiltSeed) -> None:
    assert len(built_seed.graph()) > 100


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) not installed")
def test_turtle_reparses_with_rapper(built_seed: BuiltSeed) -> None:
    done = subprocess.run(
        ["rapper", "-i", "turtle", "-c", str(built_seed.output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # No warning either: only the two progress lines, and the same count as rdflib.
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    count = re.fullmatch(r"rapper: Parsing returned (\d+) triples", lines[1])
    assert count is not None, done.stderr
    assert int(count.group(1)) == len(built_seed.graph())


# --- the expected graphs ------------------------------------------------------------------

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expected.ttl").is_file())


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_builds_the_expected_graph(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_seed: BuiltSeed
) -> None:
    """Regenerate with ``python tests/cases/regenerate.py`` after a deliberate change."""
    if case.name == SEED_ID:
        output = built_seed.output  # already built from this very article
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
        output = tmp_path / "out.ttl"
        build(project_at(tmp_path / "state"), [case], output)
    expected = rdflib.Graph().parse(case / "expected.ttl", format="turtle")
    actual = rdflib.Graph().parse(output, format="turtle")
    assert_isomorphic(expected, actual)


# --- what the seed must publish -------------------------------------------------------------

PREFIXES = "PREFIX id: <https://w3id.org/consortia/id/>\n"

REQUIRED: dict[str, str] = {
    "Huobi China is a member of the BSN Development Alliance since 2019-12-01": """
        ASK {
          id:org\\/huobi-china org:memberOf id:org\\/bsn-development-alliance .
          ?m a org:Membership ;
             org:member id:org\\/huobi-china ;
             org:organization id:org\\/bsn-development-alliance ;
             org:role ?role ;
             org:memberDuring/time:hasBeginning/time:inXSDDate "2019-12-01"^^xsd:date ;
             prov:wasDerivedFrom id:article\\/bsn-huobi-china-2019 .
          ?role skos:prefLabel ?roleName .
          FILTER (?roleName IN ("member"@en, "founding member"@en))
        }""",
    "the alliance is an alliance": "ASK { id:org\\/bsn-development-alliance a cx:Alliance }",
    "founded by the State Information Center": (
        "ASK { id:org\\/bsn-development-alliance schema:founder id:org\\/state-information-center }"
    ),
    "founded by China Mobile": (
        "ASK { id:org\\/bsn-development-alliance schema:founder id:org\\/china-mobile }"
    ),
    "founded by China UnionPay": (
        "ASK { id:org\\/bsn-development-alliance schema:founder id:org\\/china-unionpay }"
    ),
    "led by the State Information Center": (
        "ASK { id:org\\/bsn-development-alliance cx:ledBy id:org\\/state-information-center }"
    ),
    "Huobi China is part of Huobi Group": (
        "ASK { id:org\\/huobi-china org:subOrganizationOf id:org\\/huobi-group }"
    ),
    "Huobi China is headquartered in Hainan": (
        "ASK { id:org\\/huobi-china cx:headquarteredIn id:place\\/hainan }"
    ),
    "Beijing Lianhuo Information Services LLC is a subsidiary of Huobi China": (
        "ASK { id:org\\/beijing-lianhuo-information-services-llc "
        "org:subOrganizationOf id:org\\/huobi-china }"
    ),
    "the SIC is affiliated with the NDRC, under the registry's spelling": """
        ASK {
          id:org\\/state-information-center cx:affiliatedWith
              id:org\\/national-development-and-reform-commission .
          id:org\\/national-development-and-reform-commission
              skos:prefLabel "National Development and Reform Commission"@en .
        }""",
    "Wenchao Shi is president of China UnionPay": """
        ASK {
          id:person\\/wenchao-shi a foaf:Person ; org:hasMembership ?m .
          ?m org:member id:person\\/wenchao-shi ;
             org:organization id:org\\/china-unionpay ;
             org:role/skos:prefLabel "president"@en .
        }""",
    "Hainan is in China": "ASK { id:place\\/hainan cx:locatedIn id:place\\/china }",
    "Hangzhou is in China": """
        ASK {
          id:place\\/hangzhou cx:locatedIn ?where .
          ?where (cx:locatedIn|schema:containedInPlace)* id:place\\/china .
        }""",
    "the article is described": f"""
        ASK {{
          {ARTICLE} a schema:NewsArticle ;
              schema:datePublished "2019-12-02"^^xsd:date ;
              schema:publisher id:org\\/coindesk ;
              schema:mentions id:org\\/huobi-china .
          GRAPH id:graph\\/bsn-huobi-china-2019 {{ {ARTICLE} a schema:NewsArticle }}
        }}""",
}

#: Every published fact with the evidence (an article sentence) it must carry.
EVIDENCED: list[tuple[str, str, str]] = [
    ("org/huobi-china", "org:memberOf", "org/bsn-development-alliance"),
    ("org/bsn-development-alliance", "schema:founder", "org/state-information-center"),
    ("org/bsn-development-alliance", "schema:founder", "org/china-mobile"),
    ("org/bsn-development-alliance", "schema:founder", "org/china-unionpay"),
    ("org/bsn-development-alliance", "cx:ledBy", "org/state-information-center"),
    ("org/huobi-china", "org:subOrganizationOf", "org/huobi-group"),
    ("org/huobi-china", "cx:headquarteredIn", "place/hainan"),
    ("org/beijing-lianhuo-information-services-llc", "org:subOrganizationOf", "org/huobi-china"),
    (
        "org/state-information-center",
        "cx:affiliatedWith",
        "org/national-development-and-reform-commission",
    ),
    ("place/hainan", "cx:locatedIn", "place/china"),
]

FORBIDDEN: dict[str, str] = {
    "Visa is not a member of anything": (
        "ASK { { id:org\\/visa org:memberOf ?a } UNION { ?m org:member id:org\\/visa } }"
    ),
    "Mastercard is not a member of anything": (
        "ASK { { id:org\\/mastercard org:memberOf ?a } "
        "UNION { ?m org:member id:org\\/mastercard } }"
    ),
    "CoinDesk is not a member of anything": (
        "ASK { { id:org\\/coindesk org:memberOf ?a } UNION { ?m org:member id:org\\/coindesk } }"
    ),
    "no one else is a member of the alliance": """
        ASK {
          ?x org:memberOf id:org\\/bsn-development-alliance .
          FILTER (?x NOT IN (id:org\\/huobi-china, id:org\\/state-information-center,
                             id:org\\/china-mobile, id:org\\/china-unionpay))
        }""",
    "Visa and Mastercard founded nothing": (
        "ASK { ?a schema:founder ?f FILTER (?f IN (id:org\\/visa, id:org\\/mastercard)) }"
    ),
    "Android and iOS are not organizations (nor anything else)": """
        ASK {
          ?x skos:prefLabel|skos:altLabel ?name .
          FILTER (REGEX(STR(?name), "^(android|ios)( systems?)?$", "i"))
        }""",
    "no IRI for Android or iOS": """
        ASK { ?x ?p ?o FILTER (REGEX(STR(?x), "/(android|ios)$", "i")) }""",
    "the 'Related: ...' lines are not content": """
        ASK {
          { ?e prov:value ?v FILTER (CONTAINS(?v, "Related")) }
          UNION
          { ?x skos:prefLabel|skos:altLabel ?name .
            FILTER (REGEX(?name, "Russia|Shanghai|Related|Little-Known", "i")) }
        }""",
}


@pytest.mark.parametrize("fact", list(REQUIRED))
def test_seed_publishes(built_seed: BuiltSeed, fact: str) -> None:
    assert seed_ask(built_seed, PREFIXES + REQUIRED[fact]), fact


@pytest.mark.parametrize(("subject", "predicate", "obj"), EVIDENCED)
def test_seed_fact_has_evidence(
    built_seed: BuiltSeed, subject: str, predicate: str, obj: str
) -> None:
    query = f"""
        ASK {{
          <{B}{subject}> {predicate} <{B}{obj}> .
          ?e a cx:Evidence ;
             rdf:subject <{B}{subject}> ; rdf:predicate {predicate} ; rdf:object <{B}{obj}> ;
             prov:wasDerivedFrom {ARTICLE} ;
             prov:value ?sentence ; cx:startOffset ?start ; cx:endOffset ?end .
        }}"""
    assert seed_ask(built_seed, query)


def test_memberships_link_their_evidence(built_seed: BuiltSeed) -> None:
    query = f"""
        ASK {{
          ?m a org:Membership ; org:member ?member .
          FILTER NOT EXISTS {{
            ?m cx:hasEvidence ?e .
            ?e rdf:subject ?member ; prov:wasDerivedFrom {ARTICLE} .
          }}
        }}"""
    assert not seed_ask(built_seed, query)
    # Both memberships of the seed are there: Huobi China's and Wenchao Shi's post.
    president = PREFIXES + (
        "ASK { id:person\\/wenchao-shi org:hasMembership ?m . ?m cx:hasEvidence ?e . "
        "?e rdf:subject id:person\\/wenchao-shi ; rdf:predicate org:hasMembership ; "
        "rdf:object ?m }"
    )
    assert seed_ask(built_seed, president)


@pytest.mark.parametrize("claim", list(FORBIDDEN))
def test_seed_does_not_publish(built_seed: BuiltSeed, claim: str) -> None:
    assert not seed_ask(built_seed, PREFIXES + FORBIDDEN[claim]), claim


# --- evidence offsets -------------------------------------------------------------------------


def test_evidence_offsets_index_the_body(built_seed: BuiltSeed) -> None:
    [article] = load_articles([SEED_ARTICLE])
    result = run_query(
        built_seed.state / "store",
        "SELECT DISTINCT ?e ?start ?end ?sentence ?article WHERE { ?e a cx:Evidence ; "
        "cx:startOffset ?start ; cx:endOffset ?end ; prov:value ?sentence ; "
        "prov:wasDerivedFrom ?article }",
    )
    assert len(result.rows) >= len(EVIDENCED)
    for evidence, start, end, sentence, source in result.rows:
        assert isinstance(start, Literal) and isinstance(end, Literal)
        assert isinstance(sentence, Literal)
        assert str(source) == ARTICLE
        span = article.body[int(start.value) : int(end.value)]
        assert span == sentence.value, evidence


def test_two_articles_may_date_one_membership_differently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same membership with a day in one article and a year in another builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    sources = tmp_path / "articles"
    sources.mkdir()
    for name, published, sentence in (
        ("one", "2021-03-10", "Northwind Bank joined the Open Ledger Alliance on Monday."),
        ("two", "2022-01-05", "Northwind Bank joined the Open Ledger Alliance in 2021."),
    ):
        (sources / f"{name}.md").write_text(
            f"---\nid: {name}\ntitle: News {name}\npublished: {published}\n---\n{sentence}\n",
            encoding="utf-8",
        )
    result = build(project_at(tmp_path / "state"), [sources], tmp_path / "out.nq")
    assert result.report.conforms
    rows = run_query(
        tmp_path / "state" / "store",
        """SELECT DISTINCT ?m ?begin WHERE {
             ?m org:member ?x ; org:memberDuring/time:hasBeginning ?i .
             ?i time:inXSDDate|time:inXSDgYear ?begin }""",
    ).rows
    assert sorted(str(r[1].value) for r in rows if r[1] is not None) == ["2021", "2021-03-08"]
