"""queries/: every competence question runs against the seed build with exact rows,
and says in its header what it answers and which --param it takes. Also FROM and
GRAPH over the per-article graphs of a real build."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from consortia.query import QueryResult, run_query
from tests.conftest import SEED_ID, BuiltSeed

QUERIES = Path(__file__).resolve().parents[1] / "queries"
B = "https://w3id.org/consortia/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(path: str) -> NamedNode:
    return NamedNode(B + path)


def en(text: str) -> Literal:
    return Literal(text, language="en")


BSN = iri("org/bsn-development-alliance")
HUOBI = iri("org/huobi-china")
ARTICLE = iri(f"article/{SEED_ID}")
URL = NamedNode(
    "https://www.coindesk.com/huobi-says-its-joining-a-chinese-government-led-blockchain-alliance"
)
MEMBERSHIP_SENTENCE = (
    "The Chinese branch of Huobi Group announced its membership in the Blockchain-Based "
    "Services Network (BSN) Development Alliance at its launch on Sunday in Hangzhou of "
    "Southern China, the company told CoinDesk."
)


# file -> (params, variables, rows)
CASES: dict[str, tuple[dict[str, str], tuple[str, ...], list[tuple[object, ...]]]] = {
    "members.rq": (
        {"alliance": f"<{BSN.value}>"},
        ("alliance", "member", "role", "since"),
        [(BSN, HUOBI, en("member"), Literal("2019-12-01", datatype=NamedNode(XSD + "date")))],
    ),
    "founders.rq": (
        {"alliance": f"<{BSN.value}>"},
        ("alliance", "founder"),
        [
            (BSN, iri("org/china-mobile")),
            (BSN, iri("org/china-unionpay")),
            (BSN, iri("org/state-information-center")),
        ],
    ),
    "alliances-of.rq": (
        {"organization": f"<{HUOBI.value}>"},
        ("organization", "alliance"),
        [(HUOBI, BSN)],
    ),
    "member-headquarters.rq": (
        {"alliance": f"<{BSN.value}>"},
        ("alliance", "member", "headquarters"),
        [(BSN, HUOBI, iri("place/hainan"))],
    ),
    "evidence.rq": (
        {"subject": f"<{HUOBI.value}>", "predicate": "org:memberOf", "object": f"<{BSN.value}>"},
        ("article", "url", "start", "end", "sentence"),
        [(ARTICLE, URL, Literal(155), Literal(363), en(MEMBERSHIP_SENTENCE))],
    ),
    "posts.rq": (
        {"organization": f"<{B}org/china-unionpay>"},
        ("organization", "person", "post", "since"),
        [(iri("org/china-unionpay"), iri("person/wenchao-shi"), en("president"), None)],
    ),
}


def store(built_seed: BuiltSeed) -> Path:
    return built_seed.state / "store"


def test_every_query_is_tested() -> None:
    assert sorted(path.name for path in QUERIES.glob("*.rq")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_answers_exactly(built_seed: BuiltSeed, name: str) -> None:
    params, variables, rows = CASES[name]
    text = (QUERIES / name).read_text(encoding="utf-8")
    result = run_query(store(built_seed), text, params=params)
    assert result.variables == variables
    assert list(result.rows) == rows


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_header_says_what_it_answers_and_its_params(name: str) -> None:
    text = (QUERIES / name).read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header and header[0].startswith("# ") and header[0].endswith(".")
    assert any(line.startswith("# Answers: ") for line in header)
    for param in CASES[name][0]:
        assert any(line.startswith(f"# --param {param}=") for line in header), param
    assert f"consortia query -f queries/{name}" in text


@pytest.mark.parametrize("name", ["members.rq", "founders.rq", "member-headquarters.rq"])
def test_queries_without_params_answer_for_every_alliance(built_seed: BuiltSeed, name: str) -> None:
    _, _, rows = CASES[name]
    text = (QUERIES / name).read_text(encoding="utf-8")
    assert list(run_query(store(built_seed), text).rows) == rows  # the seed has one alliance


def _column(result: QueryResult, name: str) -> set[object]:
    index = result.variables.index(name)
    return {row[index] for row in result.rows}


def test_from_and_graph_over_the_article_graphs(built_seed: BuiltSeed) -> None:
    graph = iri(f"graph/{SEED_ID}")
    in_graph = run_query(
        store(built_seed), "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?m org:memberOf ?a } }"
    )
    assert _column(in_graph, "g") == {graph}
    named = run_query(
        store(built_seed),
        f"SELECT ?m FROM <{graph.value}> WHERE {{ ?m org:memberOf <{BSN.value}> }}",
    )
    assert _column(named, "m") == {HUOBI}
    elsewhere = run_query(
        store(built_seed),
        f"SELECT ?m FROM <{B}graph/other> WHERE {{ ?m org:memberOf <{BSN.value}> }}",
    )
    assert elsewhere.rows == ()
    for source, expected in ((graph.value, {(graph, HUOBI)}), (f"{B}graph/other", set())):
        named = run_query(
            store(built_seed),
            f"SELECT ?g ?m FROM NAMED <{source}> WHERE {{ GRAPH ?g {{ ?m org:memberOf ?a }} }}",
        )
        assert set(named.rows) == expected
