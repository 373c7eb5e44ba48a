"""The query planner orders triple patterns by the store's counts, and changes
nothing else: the answers of a planned query are those of the query as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from consortia.pipeline import build
from consortia.planner import Stats, plan, read_stats
from consortia.project import Project
from consortia.query import DEFAULT_PREFIXES, run_query
from tests.conftest import GOLD_ARTICLES, copy_articles

ORG = "http://www.w3.org/ns/org#"
CX = "https://w3id.org/consortia/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
STATS = Stats(
    1_000_000,
    {ORG + "memberOf": 21_000, CX + "headquarteredIn": 2_800, SKOS + "prefLabel": 60_000},
    {CX + "Alliance": 300},
)
PREFIXES = {"org": ORG, "cx": CX, "skos": SKOS}


def test_the_pattern_with_fewer_statements_goes_first() -> None:
    query = "SELECT * WHERE { ?org org:memberOf ?a ; cx:headquarteredIn ?p . }"
    planned = plan(query, STATS, PREFIXES)
    assert planned.index("cx:headquarteredIn") < planned.index("org:memberOf")
    assert planned.startswith("SELECT * WHERE {") and planned.rstrip().endswith("}")


def test_a_query_already_in_order_is_left_as_written() -> None:
    query = (
        'SELECT ?a WHERE { ?o skos:prefLabel "Acme"@en ; org:memberOf ?a .\n  ?a a cx:Alliance . }'
    )
    assert plan(query, STATS, PREFIXES) == query


def test_joined_patterns_come_before_cross_products() -> None:
    query = "SELECT * WHERE { ?a org:memberOf ?b . ?x cx:headquarteredIn ?y . ?b a cx:Alliance }"
    planned = plan(query, STATS, PREFIXES)
    # The Alliance type (300) starts; memberOf joins it; the unrelated pattern comes last.
    order = [planned.index(t) for t in ("a cx:Alliance", "org:memberOf", "cx:headquarteredIn")]
    assert order == sorted(order)


@pytest.mark.parametrize(
    "query",
    [
        # OPTIONAL, BIND, MINUS and nested groups are fences: here each run is one pattern.
        "SELECT * WHERE { ?o org:memberOf ?a OPTIONAL { ?o cx:headquarteredIn ?p } "
        "?a a cx:Alliance }",
        "SELECT * WHERE { ?o org:memberOf ?a . BIND(1 AS ?x) ?o cx:headquarteredIn ?p }",
        "SELECT * WHERE { ?o org:memberOf ?a MINUS { ?o a cx:Alliance } ?o cx:headquarteredIn ?p }",
        "SELECT * WHERE { { ?o org:memberOf ?a } ?o cx:headquarteredIn ?p }",
        # Blank node property lists and collections stay as written.
        "SELECT * WHERE { ?o org:memberOf ?a . [] cx:headquarteredIn ?p }",
        # A subquery is left alone.
        "SELECT * WHERE { { SELECT ?o WHERE { ?o org:memberOf ?a ; cx:headquarteredIn ?p } } }",
        # A CONSTRUCT template is not a pattern.
        "CONSTRUCT { ?o org:memberOf ?a ; cx:headquarteredIn ?p } WHERE { ?o org:memberOf ?a }",
        # Something the tokenizer does not know.
        "SELECT * WHERE { ?o org:memberOf ?a ; cx:headquarteredIn ?p ` }",
        # BASE: relative IRIs are not followed.
        "BASE <http://x/> SELECT * WHERE { ?o <memberOf> ?a ; cx:headquarteredIn ?p }",
    ],
)
def test_what_is_not_a_run_of_patterns_stays_as_written(query: str) -> None:
    assert plan(query, STATS, PREFIXES) == query


def test_lists_literals_paths_and_comments_survive() -> None:
    query = (
        "PREFIX ex: <http://example.org/>\n"
        'SELECT * WHERE { # a comment with { braces } and a "quote\n'
        '  ?o skos:prefLabel "A . B { } # not a comment"@en , "x"^^ex:t ;\n'
        "     org:memberOf/org:memberOf ?a .\n"
        "  FILTER (?a != ex:z)\n"
        "  ?o cx:headquarteredIn ?p }"
    )
    planned = plan(query, STATS, PREFIXES)
    assert '"A . B { } # not a comment"@en' in planned
    assert '"x"^^ex:t' in planned and "FILTER (?a != ex:z)" in planned
    # The two literal patterns (1 match each) lead; the path (unknown) comes last.
    assert planned.index("cx:headquarteredIn") < planned.index("org:memberOf/org:memberOf")


def test_values_bind_what_follows_them() -> None:
    query = "SELECT * WHERE { VALUES ?a { cx:x } ?o cx:headquarteredIn ?p . ?o org:memberOf ?a }"
    planned = plan(query, STATS, PREFIXES)
    assert planned.index("org:memberOf") < planned.index("cx:headquarteredIn")


GOLD = GOLD_ARTICLES[:8]
QUERIES = [
    "SELECT ?o ?a ?p WHERE { ?o org:memberOf ?a ; cx:headquarteredIn ?p . }",
    "SELECT ?place (COUNT(DISTINCT ?org) AS ?n) WHERE { ?org org:memberOf ?alliance ; "
    "cx:headquarteredIn ?place . } GROUP BY ?place ORDER BY DESC(?n) ?place",
    "SELECT ?m ?member ?since WHERE { ?alliance a cx:Alliance . ?m org:organization ?alliance ; "
    "org:member ?member . OPTIONAL { ?m schema:startDate ?since } }",
    "SELECT ?e ?s WHERE { ?e a cx:Evidence ; rdf:predicate org:memberOf ; prov:value ?s ; "
    "rdf:subject ?x . ?x skos:prefLabel ?n . FILTER (STRLEN(?n) > 3) }",
    "SELECT ?a ?f WHERE { ?f ^schema:founder ?a . ?a a cx:Alliance ; skos:prefLabel ?l }",
    "ASK { ?o org:memberOf ?a . ?a a cx:Alliance . ?o a org:FormalOrganization }",
]


def test_planned_queries_answer_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    sources = copy_articles(tmp_path / "articles", GOLD)
    state = tmp_path / "state"
    build(Project.load(state=state), [sources], tmp_path / "out.ttl")
    stats = read_stats(state / "store")
    assert stats is not None and stats.triples > 0
    answers = {}
    for query in QUERIES:
        answers[query] = run_query(state / "store", query)
    changed = [q for q in QUERIES if plan(q, stats, DEFAULT_PREFIXES) != q]
    assert changed, "no query was planned differently: the test compares nothing"
    monkeypatch.setattr("consortia.planner.read_stats", lambda _store: None)
    for query in QUERIES:
        written = run_query(state / "store", query)
        assert sorted(map(repr, written.rows)) == sorted(map(repr, answers[query].rows)), query
        assert (written.kind, written.variables, written.boolean) == (
            answers[query].kind,
            answers[query].variables,
            answers[query].boolean,
        )
