"""consortia.validation: the pyshacl wrapper, the report and its renderings."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from consortia.errors import MappingError
from consortia.validation import (
    Report,
    Severity,
    ValidationResult,
    check_shapes,
    find_evidence,
    load_ontology,
    load_shapes,
    render_json,
    render_text,
    render_turtle,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/consortia/id/"

PREFIXES = """\
@prefix cx:     <https://w3id.org/consortia/ontology#> .
@prefix e:      <https://w3id.org/consortia/id/evidence/> .
@prefix o:      <https://w3id.org/consortia/id/org/> .
@prefix pl:     <https://w3id.org/consortia/id/place/> .
@prefix a:      <https://w3id.org/consortia/id/article/> .
@prefix g:      <https://w3id.org/consortia/id/graph/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <https://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
"""

SENTENCE = "Acme, based in Hangzhou, opened today."

# One article about an organization with a German altLabel (violation) and no
# specific class (warning), headquartered in a place with an untagged label
# (violation); the evidence of the headquarters is the sentence of all three.
SMALL = (
    PREFIXES
    + f"""
a:a1 a schema:NewsArticle ;
    schema:identifier "a1" ;
    schema:headline "Acme opens in Hangzhou"@en ;
    schema:url <https://example.com/a1> ;
    schema:datePublished "2019-12-02"^^xsd:date ;
    schema:publisher o:acme ;
    schema:mentions o:acme , pl:hangzhou .

o:acme a org:Organization ;
    skos:prefLabel "Acme"@en ;
    skos:altLabel "ACME"@de ;
    cx:headquarteredIn pl:hangzhou .

pl:hangzhou a schema:Place ;
    skos:prefLabel "Hangzhou" .

e:e1 a cx:Evidence ;
    rdf:subject o:acme ;
    rdf:predicate cx:headquarteredIn ;
    rdf:object pl:hangzhou ;
    prov:wasDerivedFrom a:a1 ;
    prov:value "{SENTENCE}"@en ;
    cx:startOffset "0"^^xsd:integer ;
    cx:endOffset "{len(SENTENCE)}"^^xsd:integer .
"""
)

SMALL_TEXT = """\
article "Acme opens in Hangzhou" <https://w3id.org/consortia/id/article/a1>:
  violation: Acme <https://w3id.org/consortia/id/org/acme> skos:altLabel: Tag every \
skos:altLabel of an organization with @en (e.g. "BSN"@en). (value: "ACME"@de)
    evidence: "Acme, based in Hangzhou, opened today."
  warning: Acme <https://w3id.org/consortia/id/org/acme> rdf:type: Say what kind of \
organization this is: add rdf:type org:FormalOrganization (company, agency, bank), \
org:OrganizationalUnit (unit, branch) or cx:Alliance.
    evidence: "Acme, based in Hangzhou, opened today."
  violation: Hangzhou <https://w3id.org/consortia/id/place/hangzhou> skos:prefLabel: \
A place needs exactly one skos:prefLabel, tagged @en (e.g. "Hainan"@en). (value: "Hangzhou")
    evidence: "Acme, based in Hangzhou, opened today."

2 violations, 1 warning
"""


@cache
def _shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


@cache
def _ontology() -> Graph:
    return load_ontology(ROOT / "ontology" / "consortia.ttl")


@cache
def _small_report() -> Report:
    return validate(Graph().parse(data=SMALL, format="turtle"), _shapes(), _ontology())


def _result(**changes: object) -> ValidationResult:
    fields: dict[str, object] = {
        "focus_node": ID + "org/acme",
        "label": "Acme",
        "article": None,
        "path": "http://www.w3.org/2004/02/skos/core#prefLabel",
        "value": None,
        "message": "Fix it.",
        "severity": Severity.WARNING,
        "source_shape": "https://w3id.org/consortia/shapes#Organization-prefLabel",
        "component": "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
    }
    fields.update(changes)
    return ValidationResult(**fields)  # type: ignore[arg-type]


def test_render_text_groups_by_article_then_entity() -> None:
    assert render_text(_small_report()) == SMALL_TEXT


def test_report_fields() -> None:
    report = _small_report()
    assert not report.conforms
    assert (report.violations, report.warnings, report.infos) == (2, 1, 0)
    first = report.results[0]
    assert first == ValidationResult(
        focus_node=ID + "org/acme",
        label="Acme",
        article=ID + "article/a1",
        path="http://www.w3.org/2004/02/skos/core#altLabel",
        value='"ACME"@de',
        message='Tag every skos:altLabel of an organization with @en (e.g. "BSN"@en).',
        severity=Severity.VIOLATION,
        source_shape="https://w3id.org/consortia/shapes#Organization-altLabel",
        component="http://www.w3.org/ns/shacl#LanguageInConstraintComponent",
        article_title="Acme opens in Hangzhou",
        value_label=None,
        evidence=SENTENCE,
    )


def test_warnings_alone_conform() -> None:
    data = Graph().parse(
        data=PREFIXES + 'o:acme a org:Organization ; skos:prefLabel "Acme"@en .', format="turtle"
    )
    report = validate(data, _shapes(), _ontology())
    assert report.conforms
    assert [result.severity for result in report.results] == [Severity.WARNING]
    assert render_text(report).endswith("0 violations, 1 warning\n")


def test_empty_graph_conforms_without_results() -> None:
    report = validate(Graph(), _shapes(), _ontology())
    assert report == Report(conforms=True, results=())
    assert render_text(report) == "0 violations, 0 warnings\n"


def test_ontology_gives_the_class_hierarchy() -> None:
    # A cx:Alliance not typed org:Organization is still an organization for
    # sh:class (through the ontology) but AllianceShape asks for the type.
    data = Graph().parse(
        data=PREFIXES
        + """
@prefix cx: <https://w3id.org/consortia/ontology#> .
o:acme a org:Organization , org:FormalOrganization ; skos:prefLabel "Acme"@en ;
    org:memberOf o:bsn .
o:bsn a cx:Alliance ; skos:prefLabel "BSN"@en .
""",
        format="turtle",
    )
    with_ontology = validate(data, _shapes(), _ontology())
    assert [result.source_shape.rsplit("#")[1] for result in with_ontology.results] == [
        "Alliance-organizationType"
    ]
    without = validate(data, _shapes())
    assert "Organization-memberOf" in {r.source_shape.rsplit("#")[1] for r in without.results}


def test_dataset_is_validated_as_the_union_and_results_name_the_graph_article() -> None:
    dataset = Dataset()
    # Dataset.parse warns (deprecated default_context) in rdflib 7: fill it by hand.
    named = dataset.graph(URIRef(ID + "graph/a1"))
    named.parse(
        data=PREFIXES
        + """
o:acme a org:Organization , org:FormalOrganization ;
    skos:prefLabel "Acme"@en , "Acme Corp"@en .
""",
        format="turtle",
    )
    dataset.default_graph.add(
        (
            URIRef(ID + "graph/a1"),
            URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
            URIRef(ID + "article/a1"),
        )
    )
    report = validate(dataset, _shapes(), _ontology())
    assert [(r.focus_node, r.article, r.component.rsplit("#")[1]) for r in report.results] == [
        (ID + "org/acme", ID + "article/a1", "MaxCountConstraintComponent")
    ]


def test_article_label_is_its_headline() -> None:
    data = Graph().parse(
        data=PREFIXES + 'a:a1 a schema:NewsArticle ; schema:headline "Big news"@en .',
        format="turtle",
    )
    report = validate(data, _shapes(), _ontology())
    assert {(r.label, r.article) for r in report.results} == {("Big news", ID + "article/a1")}


def test_render_json_is_sorted_and_complete() -> None:
    text = render_json(_small_report())
    document = json.loads(text)
    assert list(document) == ["conforms", "results", "summary"]
    assert document["summary"] == {"infos": 0, "violations": 2, "warnings": 1}
    assert document["results"][0]["value"] == '"ACME"@de'
    assert document["results"][1]["value"] is None
    assert text == render_json(_small_report())


def test_render_turtle_is_the_report_graph_and_deterministic() -> None:
    text = render_turtle(_small_report())
    assert text == render_turtle(validate(Graph().parse(data=SMALL), _shapes(), _ontology()))
    graph = Graph().parse(data=text, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    results = list(graph.objects(None, URIRef(sh + "result")))
    assert len(results) == 3
    expected = Graph().parse(
        data=f"""
@prefix sh: <{sh}> .
[] a sh:ValidationReport ; sh:conforms true .
""",
        format="turtle",
    )
    assert isomorphic(
        Graph().parse(data=render_turtle(Report(True, ())), format="turtle"), expected
    )


def test_text_shows_severity_and_omits_missing_parts() -> None:
    report = Report(conforms=True, results=(_result(label=None, path=None),))
    assert render_text(report) == (
        "not tied to one article:\n"
        "  warning: <https://w3id.org/consortia/id/org/acme>: Fix it.\n"
        "\n"
        "0 violations, 1 warning\n"
    )


def test_text_shortens_literal_datatypes() -> None:
    value = '"2019"^^<http://www.w3.org/2001/XMLSchema#integer>'
    report = Report(conforms=True, results=(_result(value=value),))
    assert '(value: "2019"^^xsd:integer)' in render_text(report)


def test_load_shapes_names_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    (tmp_path / "b.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\nsh:x sh:y .\nnot turtle\n"
    )
    with pytest.raises(MappingError) as raised:
        load_shapes(tmp_path)
    assert raised.value.path == tmp_path / "b.ttl"
    assert str(raised.value).startswith(f"{tmp_path / 'b.ttl'}")
    assert "invalid Turtle" in str(raised.value)


def test_load_shapes_needs_a_folder_with_shapes(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="no shapes in folder"):
        load_shapes(tmp_path)
    with pytest.raises(MappingError, match="shapes folder not found"):
        load_shapes(tmp_path / "missing")


def test_check_shapes_reports_broken_shapes() -> None:
    broken = Graph().parse(
        data="""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.com/> .
ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount "one" ] .
""",
        format="turtle",
    )
    report = check_shapes(broken)
    assert not report.conforms
    assert report.results


# --- evidence and labels ----------------------------------------------------------

EVIDENCE = (
    PREFIXES
    + """
@prefix m: <https://w3id.org/consortia/id/membership/> .
o:acme a org:Organization , org:FormalOrganization ; skos:prefLabel "Acme"@en ;
    org:memberOf o:bsn , o:other .
o:bsn a org:Organization , cx:Alliance ; skos:prefLabel "BSN"@en .
o:other skos:prefLabel "Other"@en .
pl:x a schema:Place ; skos:prefLabel "X"@en .
m:m1 a org:Membership ; org:member o:acme ; org:organization o:bsn ; cx:hasEvidence e:m .
e:exact rdf:subject o:acme ; rdf:predicate org:memberOf ; rdf:object o:other ;
    prov:value "Acme is a longer sentence naming Other as its alliance."@en .
e:same-predicate rdf:subject o:acme ; rdf:predicate org:memberOf ; rdf:object o:bsn ;
    prov:value "Acme joined BSN."@en .
e:m a cx:Evidence ; prov:value "Acme joined BSN as a member."@en .
e:about-x rdf:subject o:bsn ; rdf:predicate cx:headquarteredIn ; rdf:object pl:x ;
    prov:value "BSN sits in X."@en .
"""
)


@cache
def _evidence_graph() -> Graph:
    return Graph().parse(data=EVIDENCE, format="turtle")


def _iri(local: str) -> URIRef:
    return URIRef(ID + local)


ORG_NS = "http://www.w3.org/ns/org#"


@pytest.mark.parametrize(
    ("focus", "path", "value", "expected"),
    [
        # The evidence of exactly the offending statement wins over a shorter one.
        ("org/acme", ORG_NS + "memberOf", "org/other", "Acme is a longer sentence naming Other"),
        # Same subject and predicate, another object: the shortest such sentence.
        ("org/acme", ORG_NS + "memberOf", None, "Acme joined BSN."),
        # A membership: its cx:hasEvidence.
        ("membership/m1", ORG_NS + "role", None, "Acme joined BSN as a member."),
        # An evidence node is its own evidence.
        ("evidence/m", None, None, "Acme joined BSN as a member."),
        # The entity as the object of a fact.
        ("place/x", None, None, "BSN sits in X."),
        # Nothing about it: through the offending value.
        ("org/nobody", ORG_NS + "memberOf", "place/x", "BSN sits in X."),
        ("org/nobody", None, None, None),
    ],
)
def test_find_evidence(
    focus: str, path: str | None, value: str | None, expected: str | None
) -> None:
    found = find_evidence(
        _evidence_graph(),
        _iri(focus),
        URIRef(path) if path else None,
        _iri(value) if value else None,
    )
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.startswith(expected)


def test_offending_iri_value_is_shown_with_its_label() -> None:
    data = Graph().parse(
        data=PREFIXES
        + """
o:acme a org:Organization , org:FormalOrganization ; skos:prefLabel "Acme"@en ;
    org:memberOf pl:hangzhou .
pl:hangzhou a schema:Place ; skos:prefLabel "Hangzhou"@en .
""",
        format="turtle",
    )
    report = validate(data, _shapes(), _ontology())
    [result] = [r for r in report.results if r.path == ORG_NS + "memberOf"]
    assert result.value_label == "Hangzhou"
    assert "org:memberOf: " in render_text(
        report
    ) and f"(value: Hangzhou <{ID}place/hangzhou>)" in render_text(report)


def test_sentence_is_one_line_in_text() -> None:
    result = _result(evidence="Acme joined\n  BSN.", article=ID + "article/a1")
    assert render_text(Report(conforms=True, results=(result,))).splitlines()[:3] == [
        f"article <{ID}article/a1>:",
        f"  warning: Acme <{ID}org/acme> skos:prefLabel: Fix it.",
        '    evidence: "Acme joined BSN."',
    ]


def test_json_carries_evidence_and_titles() -> None:
    document = json.loads(render_json(_small_report()))
    first = document["results"][0]
    assert first["evidence"] == SENTENCE
    assert first["article_title"] == "Acme opens in Hangzhou"
    assert first["value_label"] is None


def test_nodes_without_a_label_are_described_by_their_links() -> None:
    data = Graph().parse(
        data=PREFIXES
        + """
@prefix m: <https://w3id.org/consortia/id/membership/> .
@prefix time: <http://www.w3.org/2006/time#> .
o:acme a org:Organization , org:FormalOrganization ; skos:prefLabel "Acme"@en ;
    org:memberOf o:bsn .
o:bsn a org:Organization , cx:Alliance ; skos:prefLabel "BSN"@en .
m:m1 a org:Membership ; org:member o:acme ; org:organization o:bsn ;
    org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ] ] .
""",
        format="turtle",
    )
    labels = {result.label for result in validate(data, _shapes(), _ontology()).results}
    assert {
        "membership of Acme in BSN",
        "beginning of the period of the membership of Acme in BSN",
    } <= labels
