"""query.py: read-only SPARQL over the union of graphs, parameters, renderings."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from consortia.errors import ConsortiaError, QueryError
from consortia.query import DEFAULT_PREFIXES, QueryResult, parse_term, render, run_query
from consortia.store import dataset_quads, replace_store

DATASET = r"""
@prefix cx: <https://w3id.org/consortia/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/consortia/id/> .

id:graph\/a1 a prov:Entity ; prov:wasDerivedFrom id:article\/a1 .
id:graph\/a2 a prov:Entity ; prov:wasDerivedFrom id:article\/a2 .

id:graph\/a1 {
    id:org\/huobi-china a org:Organization , org:FormalOrganization ;
        skos:prefLabel "Huobi China"@en ; org:memberOf id:org\/bsn .
    id:org\/bsn a org:Organization , cx:Alliance ; skos:prefLabel "BSN Development Alliance"@en .
    id:membership\/m1 a org:Membership ; org:member id:org\/huobi-china ;
        org:organization id:org\/bsn ; org:role id:role\/member ;
        org:memberDuring id:interval\/i1 ; prov:wasDerivedFrom id:article\/a1 .
    id:interval\/i1 a time:Interval ; time:hasBeginning id:instant\/2019-12-01 .
    id:instant\/2019-12-01 a time:Instant ; time:inXSDDate "2019-12-01"^^xsd:date .
}
id:graph\/a2 {
    id:org\/china-mobile a org:Organization , org:FormalOrganization ;
        skos:prefLabel "China Mobile"@en ; org:memberOf id:org\/bsn .
    id:org\/bsn a org:Organization , cx:Alliance .
}
"""

B = "https://w3id.org/consortia/id/"
G1, G2 = NamedNode(B + "graph/a1"), NamedNode(B + "graph/a2")
HUOBI, MOBILE, BSN = (NamedNode(B + f"org/{key}") for key in ("huobi-china", "china-mobile", "bsn"))
PREFIXES = {**DEFAULT_PREFIXES, "id": B}
REFUSED = (
    "SPARQL updates are not allowed: `consortia query` is read-only "
    "(to change the data, edit the articles and run `consortia build` again)"
)


def dataset() -> list[Quad]:
    return list(parse(DATASET.encode(), format=RdfFormat.TRIG))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "store"
    replace_store(path, dataset())
    return path


def column(result: QueryResult, index: int = 0) -> list[object]:
    return sorted((row[index] for row in result.rows), key=str)


# --- graphs --------------------------------------------------------------------


def test_plain_queries_see_every_graph_and_the_default_graph(store: Path) -> None:
    members = run_query(
        store, "SELECT ?x WHERE { ?x org:memberOf id:org\\/bsn }", prefixes=PREFIXES
    )
    assert members.kind == "select" and members.variables == ("x",)
    assert column(members) == [MOBILE, HUOBI]
    described = run_query(store, "SELECT ?g WHERE { ?g prov:wasDerivedFrom ?article }")
    assert column(described) == [G1, G2, NamedNode(B + "membership/m1")]


def test_graph_patterns_address_named_graphs(store: Path) -> None:
    result = run_query(
        store,
        "SELECT ?g ?x WHERE { GRAPH ?g { ?x org:memberOf ?alliance } } ORDER BY ?g",
    )
    assert result.rows == ((G1, HUOBI), (G2, MOBILE))
    outside = run_query(store, "ASK { GRAPH ?g { ?g prov:wasDerivedFrom ?a } }")
    assert outside.boolean is False  # graph descriptions live in the default graph


def test_from_restricts_to_one_graph(store: Path) -> None:
    query = f"SELECT ?x FROM <{G2.value}> WHERE {{ ?x org:memberOf ?a }}"
    assert run_query(store, query).rows == ((MOBILE,),)
    named = f"SELECT ?g ?x FROM NAMED <{G1.value}> WHERE {{ GRAPH ?g {{ ?x org:memberOf ?a }} }}"
    assert run_query(store, named).rows == ((G1, HUOBI),)


def test_the_word_from_elsewhere_keeps_the_union(store: Path) -> None:
    query = (
        "SELECT ?from WHERE { # FROM nowhere\n"
        '  ?from org:memberOf ?a FILTER(?a != <urn:FROM> && "FROM" != "x") }'
    )
    assert column(run_query(store, query)) == [MOBILE, HUOBI]


def test_a_fact_from_two_articles_matches_once(store: Path) -> None:
    """The default graph is the merge of the graphs, a set: a statement two
    articles make is one statement there (COUNT counts it once), two in GRAPH ?g."""
    query = "SELECT ?a WHERE { ?a a cx:Alliance }"
    assert run_query(store, query).rows == ((BSN,),)
    count = run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a a cx:Alliance }")
    assert str(count.rows[0][0]).startswith('"1"')
    per_graph = "SELECT ?g WHERE { GRAPH ?g { ?a a cx:Alliance } }"
    assert len(run_query(store, per_graph).rows) == 2


def test_ask(store: Path) -> None:
    assert run_query(store, "ASK { ?a a cx:Alliance }") == QueryResult(kind="ask", boolean=True)
    assert run_query(store, "ASK { ?a a foaf:Person }").boolean is False


def test_construct(store: Path) -> None:
    result = run_query(store, "CONSTRUCT { ?x cx:affiliatedWith ?a } WHERE { ?x org:memberOf ?a }")
    affiliated = NamedNode(DEFAULT_PREFIXES["cx"] + "affiliatedWith")
    assert result.kind == "graph"
    assert set(result.triples) == {Triple(HUOBI, affiliated, BSN), Triple(MOBILE, affiliated, BSN)}


def test_describe(store: Path) -> None:
    result = run_query(store, f"DESCRIBE <{MOBILE.value}>")
    assert result.kind == "graph"
    assert {t.subject for t in result.triples} == {MOBILE}
    assert len(result.triples) == 4  # two types, a label, a membership


def test_missing_store_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(ConsortiaError) as caught:
        run_query(tmp_path / "store", "ASK {}")
    assert (
        str(caught.value) == f"no build found at {tmp_path / 'store'} (run `consortia build` first)"
    )


# --- updates and syntax errors -------------------------------------------------

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX ex: <urn:ex:>\nINSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "insert data { cx:a cx:b cx:c } ;",  # predeclared prefixes, trailing semicolon
    "# a comment\nDROP SILENT GRAPH <urn:g> ; CLEAR DEFAULT",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(store: Path, update: str) -> None:
    with pytest.raises(QueryError) as caught:
        run_query(store, update)
    assert str(caught.value) == REFUSED
    assert set(dataset_quads(store)) == set(dataset())


def test_load_is_refused_without_fetching(store: Path) -> None:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<urn:a> <urn:b> <urn:c> .\n")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        with pytest.raises(QueryError, match="updates are not allowed"):
            run_query(store, f"LOAD <http://127.0.0.1:{server.server_address[1]}/x.ttl>")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert requests == []


def test_syntax_error_gives_the_position(store: Path) -> None:
    with pytest.raises(QueryError) as caught:
        run_query(store, "SELECT ?x WHERE {\n  ?x org:memberOf \n}")
    message = str(caught.value)
    assert message.startswith("invalid SPARQL query: error at 3:1: expected ")
    assert message.endswith(
        "(fix the query at that line and column; the prefixes cx:, dcterms:, foaf:, org:, "
        "owl:, prov:, rdf:, rdfs:, schema:, skos:, time:, xsd: are predeclared)"
    )


@pytest.mark.parametrize("text", ["", "  \n", "# only a comment", "PREFIX ex: <urn:ex:>"])
def test_empty_query_is_a_syntax_error_not_an_update(store: Path, text: str) -> None:
    with pytest.raises(QueryError, match=r"^invalid SPARQL query: error at "):
        run_query(store, text)


def test_unknown_prefix_is_a_syntax_error(store: Path) -> None:
    with pytest.raises(
        QueryError, match=r"^invalid SPARQL query: error at 1:27: .*Prefix not found"
    ):
        run_query(store, "SELECT * WHERE { ?s nope:p ?o }")


# --- parameters ----------------------------------------------------------------


def test_param_binds_an_iri(store: Path) -> None:
    query = "SELECT ?x ?alliance WHERE { ?x org:memberOf ?alliance } ORDER BY ?x"
    for value in (f"<{BSN.value}>", "id:org/bsn"):
        result = run_query(store, query, params={"alliance": value}, prefixes=PREFIXES)
        assert result.rows == ((MOBILE, BSN), (HUOBI, BSN))
    nothing = run_query(store, query, params={"alliance": "<urn:other>"})
    assert nothing.rows == ()


def test_param_binds_a_literal(store: Path) -> None:
    query = "SELECT ?x ?label WHERE { ?x skos:prefLabel ?label }"
    tagged = run_query(store, query, params={"label": '"China Mobile"@en'})
    assert tagged.rows == ((MOBILE, Literal("China Mobile", language="en")),)
    plain = run_query(store, query, params={"?label": "China Mobile"})
    assert plain.rows == ()  # a plain string is not the @en label


def test_param_binds_a_typed_literal(store: Path) -> None:
    query = "SELECT ?i ?day WHERE { ?i time:inXSDDate ?day }"
    result = run_query(store, query, params={"day": '"2019-12-01"^^xsd:date'})
    assert result.rows == (
        (
            NamedNode(B + "instant/2019-12-01"),
            parse_term('"2019-12-01"^^xsd:date', DEFAULT_PREFIXES),
        ),
    )


def test_malicious_value_is_bound_as_data(store: Path) -> None:
    evil = 'x" } ; DROP ALL #'
    result = run_query(store, "SELECT ?v WHERE {}", params={"v": evil})
    assert result.rows == ((Literal(evil),),)
    quoted = '"x" } ; DROP ALL #"'
    with pytest.raises(QueryError, match="is not a valid literal"):
        run_query(store, "SELECT ?v WHERE {}", params={"v": quoted})
    with pytest.raises(QueryError, match="is not a valid literal"):
        run_query(store, "SELECT ?v WHERE {}", params={"v": '"a" . <urn:x> <urn:y> "b"'})
    assert set(dataset_quads(store)) == set(dataset())


def test_param_binds_a_variable_the_query_does_not_return(store: Path) -> None:
    query = "SELECT ?x WHERE { ?x org:memberOf ?a ; skos:prefLabel ?name }"
    result = run_query(
        store, query, params={"name": '"China Mobile"@en', "a": "id:org/bsn"}, prefixes=PREFIXES
    )
    assert result.variables == ("x",)
    assert result.rows == ((MOBILE,),)


def test_param_binds_in_the_outermost_where_group(store: Path) -> None:
    # FROM, a CONSTRUCT template, EXISTS in a SELECT expression, braces in strings,
    # IRIs and comments all come before or around the WHERE group.
    queries = [
        "SELECT ?x (EXISTS { ?x a org:Organization } AS ?org) FROM <urn:none> "
        "FROM <https://w3id.org/consortia/id/graph/a2> WHERE # a { comment\n"
        '{ ?x org:memberOf ?a FILTER(?a != <urn:x> && STR(?a) != "}") }',
        "CONSTRUCT { ?x org:memberOf ?a } { ?x org:memberOf ?a }",
        "SELECT * { { SELECT ?x ?a WHERE { ?x org:memberOf ?a } } }",
    ]
    for query in queries:
        result = run_query(store, query, params={"x": f"<{MOBILE.value}>"})
        column = result.variables.index("x") if result.rows else 0
        subjects = {t.subject for t in result.triples} | {row[column] for row in result.rows}
        assert subjects == {MOBILE}, query


def test_param_injection_stays_data(store: Path) -> None:
    query = "SELECT ?x WHERE { ?x skos:prefLabel ?name }"
    for evil in (
        'x" } ; DROP ALL #',
        'Huobi China"@en } UNION { ?x ?p ?o } #',
        "} UNION { ?x ?p ?o",
    ):
        assert run_query(store, query, params={"name": evil}).rows == ()
    with pytest.raises(QueryError, match="is not a valid IRI"):
        run_query(store, query, params={"x": "<urn:a> } UNION { ?x ?p ?o } #>"})
    with pytest.raises(QueryError, match="is not a valid literal"):
        run_query(store, query, params={"name": '"a"@en } UNION { ?x ?p ?o } #'})
    assert set(dataset_quads(store)) == set(dataset())


def test_param_must_be_a_variable_of_the_query(store: Path) -> None:
    with pytest.raises(QueryError) as caught:
        run_query(store, 'SELECT ?x WHERE { ?x skos:prefLabel "?a" } # ?a', params={"a": "cx:x"})
    assert str(caught.value) == (
        "parameter 'a' is not a variable of the query "
        "(use ?a in the query's WHERE clause, or leave out --param a)"
    )


def test_param_assigned_by_the_query_is_refused(store: Path) -> None:
    with pytest.raises(QueryError, match=r"cannot bind \?y: .*BIND \.\.\. AS \?x"):
        run_query(store, "SELECT ?y WHERE { ?x a ?c BIND(1 AS ?y) }", params={"y": "1"})


def test_syntax_errors_are_the_querys_own_with_params(store: Path) -> None:
    with pytest.raises(QueryError, match="invalid SPARQL query: error at 1:"):
        run_query(store, "SELECT ?x WHERE { ?x a ", params={"x": "<urn:x>"})


def test_labels_are_looked_up_on_request(store: Path) -> None:
    query = "SELECT ?x ?a WHERE { ?x org:memberOf ?a } ORDER BY ?x"
    assert run_query(store, query).labels == {}
    result = run_query(store, query, labels=True)
    assert result.labels == {
        MOBILE.value: "China Mobile",
        HUOBI.value: "Huobi China",
        BSN.value: "BSN Development Alliance",
    }
    assert render(result, "table", PREFIXES) == (
        "x                                   a\n"
        "----------------------------------  -------------------------------------\n"
        "id:org/china-mobile (China Mobile)  id:org/bsn (BSN Development Alliance)\n"
        "id:org/huobi-china (Huobi China)    id:org/bsn (BSN Development Alliance)\n"
        "2 rows\n"
    )


def test_param_name_must_be_a_variable_name(store: Path) -> None:
    with pytest.raises(QueryError, match="invalid parameter name 'two words'"):
        run_query(store, "SELECT * WHERE {}", params={"two words": "x"})


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("<urn:x>", NamedNode("urn:x")),
        ("skos:prefLabel", NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")),
        ('"Huobi"@en', Literal("Huobi", language="en")),
        ('"say \\"hi\\""', Literal('say "hi"')),
        ("2019", Literal("2019")),
        ("nope:thing", Literal("nope:thing")),
        ("skos:a b", Literal("skos:a b")),
    ],
)
def test_parse_term(value: str, term: NamedNode | Literal) -> None:
    assert parse_term(value, DEFAULT_PREFIXES) == term


def test_bad_iri_param() -> None:
    with pytest.raises(QueryError, match="is not a valid IRI"):
        parse_term("<not an iri>", {})


# --- renderings ----------------------------------------------------------------

TINY = QueryResult(
    kind="select",
    variables=("org", "label", "since"),
    rows=(
        (
            NamedNode(B + "org/huobi-china"),
            Literal("Huobi China", language="en"),
            Literal("2019-12-01", datatype=NamedNode(DEFAULT_PREFIXES["xsd"] + "date")),
        ),
        (NamedNode("urn:x"), Literal('a,b "c"'), None),
    ),
)
TINY_PREFIXES = {"id": B, "xsd": DEFAULT_PREFIXES["xsd"]}


def test_table() -> None:
    assert render(TINY, "table", TINY_PREFIXES) == (
        "org                 label             since\n"
        "------------------  ----------------  ----------------------\n"
        'id:org/huobi-china  "Huobi China"@en  "2019-12-01"^^xsd:date\n'
        '<urn:x>             "a,b \\"c\\""\n'
        "2 rows\n"
    )


def test_table_is_the_default_and_cuts_long_cells() -> None:
    assert render(TINY, max_width=10, prefixes={}) == (
        "org         label       since\n"
        "----------  ----------  ----------\n"
        '<https://…  "Huobi Ch…  "2019-12-…\n'
        '<urn:x>     "a,b \\"c\\…\n'
        "2 rows\n"
    )


def test_table_counts_rows() -> None:
    one = QueryResult(kind="select", variables=("n",), rows=((Literal(3),),))
    assert render(one) == "n\n-\n3\n1 row\n"
    assert render(QueryResult(kind="select", variables=("x",))) == "x\n-\n0 rows\n"


def test_table_cells() -> None:
    cells = QueryResult(
        kind="select",
        variables=("a", "b", "c", "d"),
        rows=((BlankNode("b0"), Literal(True), Literal("line\nbreak"), Literal(1.5)),),
    )
    assert render(cells).splitlines()[2] == '_:b0  true  "line\\nbreak"  1.5'


def test_csv() -> None:
    assert render(TINY, "csv", TINY_PREFIXES) == (
        "org,label,since\r\n"
        "https://w3id.org/consortia/id/org/huobi-china,Huobi China,2019-12-01\r\n"
        'urn:x,"a,b ""c""",\r\n'
    )


def test_tsv() -> None:
    assert render(TINY, "tsv") == (
        "?org\t?label\t?since\n"
        '<https://w3id.org/consortia/id/org/huobi-china>\t"Huobi China"@en\t'
        '"2019-12-01"^^<http://www.w3.org/2001/XMLSchema#date>\n'
        '<urn:x>\t"a,b \\"c\\""\t\n'
    )


def test_json() -> None:
    assert render(TINY, "json") == (
        '{"head":{"vars":["org","label","since"]},"results":{"bindings":['
        '{"org":{"type":"uri","value":"https://w3id.org/consortia/id/org/huobi-china"},'
        '"label":{"type":"literal","value":"Huobi China","xml:lang":"en"},'
        '"since":{"type":"literal","value":"2019-12-01",'
        '"datatype":"http://www.w3.org/2001/XMLSchema#date"}},'
        '{"org":{"type":"uri","value":"urn:x"},'
        '"label":{"type":"literal","value":"a,b \\"c\\""}}]}}\n'
    )


def test_xml() -> None:
    assert render(TINY, "xml") == (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        '<head><variable name="org"/><variable name="label"/><variable name="since"/></head>'
        "<results><result>"
        '<binding name="org"><uri>https://w3id.org/consortia/id/org/huobi-china</uri></binding>'
        '<binding name="label"><literal xml:lang="en">Huobi China</literal></binding>'
        '<binding name="since"><literal datatype="http://www.w3.org/2001/XMLSchema#date">'
        "2019-12-01</literal></binding></result>"
        '<result><binding name="org"><uri>urn:x</uri></binding>'
        '<binding name="label"><literal>a,b &quot;c&quot;</literal></binding></result>'
        "</results></sparql>\n"
    )


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("table", "true\n"),
        ("csv", "true\n"),
        ("tsv", "true\n"),
        ("json", '{"head":{},"boolean":true}\n'),
        (
            "xml",
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            "<head></head><boolean>true</boolean></sparql>\n",
        ),
    ],
)
def test_ask_renderings(fmt: str, text: str) -> None:
    assert render(QueryResult(kind="ask", boolean=True), fmt) == text


def test_ask_false_table() -> None:
    assert render(QueryResult(kind="ask", boolean=False)) == "false\n"


GRAPH = QueryResult(
    kind="graph",
    triples=(
        Triple(MOBILE, NamedNode(DEFAULT_PREFIXES["org"] + "memberOf"), BSN),
        Triple(HUOBI, NamedNode(DEFAULT_PREFIXES["org"] + "memberOf"), BSN),
    ),
)


def test_graph_turtle_is_the_default() -> None:
    assert render(GRAPH, prefixes={"org": DEFAULT_PREFIXES["org"]}) == (
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<https://w3id.org/consortia/id/org/china-mobile> org:memberOf "
        "<https://w3id.org/consortia/id/org/bsn> .\n"
        "<https://w3id.org/consortia/id/org/huobi-china> org:memberOf "
        "<https://w3id.org/consortia/id/org/bsn> .\n"
    )


def test_graph_nt() -> None:
    assert render(GRAPH, "nt") == (
        "<https://w3id.org/consortia/id/org/china-mobile> <http://www.w3.org/ns/org#memberOf> "
        "<https://w3id.org/consortia/id/org/bsn> .\n"
        "<https://w3id.org/consortia/id/org/huobi-china> <http://www.w3.org/ns/org#memberOf> "
        "<https://w3id.org/consortia/id/org/bsn> .\n"
    )


def test_graph_jsonld() -> None:
    assert render(GRAPH, "jsonld", {"id": B}) == (
        "{\n"
        '  "@context": {\n'
        '    "id": "https://w3id.org/consortia/id/"\n'
        "  },\n"
        '  "@graph": [\n'
        "    {\n"
        '      "@id": "id:org/china-mobile",\n'
        '      "http://www.w3.org/ns/org#memberOf": {\n'
        '        "@id": "id:org/bsn"\n'
        "      }\n"
        "    },\n"
        "    {\n"
        '      "@id": "id:org/huobi-china",\n'
        '      "http://www.w3.org/ns/org#memberOf": {\n'
        '        "@id": "id:org/bsn"\n'
        "      }\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_format_must_suit_the_result() -> None:
    with pytest.raises(QueryError) as caught:
        render(GRAPH, "table")
    assert str(caught.value) == (
        "unknown format 'table' for CONSTRUCT and DESCRIBE results (use one of turtle, nt, jsonld)"
    )
    with pytest.raises(QueryError) as caught:
        render(TINY, "turtle")
    assert str(caught.value) == (
        "unknown format 'turtle' for SELECT and ASK results (use one of table, csv, tsv, json, xml)"
    )


def test_query_to_rendering(store: Path) -> None:
    result = run_query(
        store, "SELECT DISTINCT ?org ?label WHERE { ?org a cx:Alliance ; skos:prefLabel ?label }"
    )
    assert render(result, prefixes=PREFIXES) == (
        "org         label\n"
        "----------  -----------------------------\n"
        'id:org/bsn  "BSN Development Alliance"@en\n'
        "1 row\n"
    )
