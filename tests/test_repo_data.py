"""The data files in the repository: ontology/, shapes/, mappings/ and the generated vocab."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from consortia.validation import (
    check_shapes,
    load_ontology,
    load_shapes,
    render_text,
    validate,
)

ROOT = Path(__file__).resolve().parents[1]
CX = Namespace("https://w3id.org/consortia/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/consortia/ontology")
DCTERMS = Namespace("http://purl.org/dc/terms/")

# The cx: terms CONTRACT.md and docs/decisions/0001-rdf-model.md rely on.
CONTRACT_TERMS = [
    "Alliance",
    "Evidence",
    "RoleScheme",
    "affiliatedWith",
    "endOffset",
    "hasEvidence",
    "headquarteredIn",
    "ledBy",
    "locatedIn",
    "operatesIn",
    "startOffset",
]
ROLES = [
    "member",
    "founding-member",
    "president",
    "chief-executive",
    "chair",
    "vice-chair",
    "board-member",
    "director",
    "founder",
    "head",
    "secretary-general",
    "chief-operating-officer",
    "chief-technology-officer",
    "managing-director",
    "partner",
    "executive-director",
]


@cache
def _ontology() -> Graph:
    return load_ontology(ROOT / "ontology" / "consortia.ttl")


@cache
def _shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


def _cx_terms(graph: Graph) -> set[URIRef]:
    return {
        subject
        for subject in graph.subjects()
        if isinstance(subject, URIRef) and str(subject).startswith(str(CX))
    }


def _english(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    return [
        value
        for value in graph.objects(subject, predicate)
        if isinstance(value, Literal) and value.language == "en"
    ]


def test_ontology_header() -> None:
    graph = _ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        "https://w3id.org/consortia/ontology/0.1.0"
    )
    for predicate in (OWL.versionInfo, DCTERMS.title, DCTERMS.description):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate
    for predicate in (DCTERMS.license, DCTERMS.creator):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


@pytest.mark.parametrize("name", CONTRACT_TERMS + [f"role-{role}" for role in ROLES])
def test_contract_terms_are_defined(name: str) -> None:
    assert CX[name] in _cx_terms(_ontology())


@pytest.mark.parametrize("term", sorted(_cx_terms(_ontology())), ids=lambda t: t.fragment)
def test_every_term_is_documented(term: URIRef) -> None:
    graph = _ontology()
    assert len(_english(graph, term, RDFS.label)) == 1, "one rdfs:label@en"
    assert len(_english(graph, term, SKOS.definition)) == 1, "one skos:definition@en"
    types = set(graph.objects(term, RDF.type))
    assert types, "declared with rdf:type"
    if types & {OWL.ObjectProperty, OWL.DatatypeProperty}:
        assert graph.value(term, RDFS.domain) is not None, "rdfs:domain"
        assert graph.value(term, RDFS.range) is not None, "rdfs:range"
    if (term, RDF.type, SKOS.Concept) in graph:
        assert (term, SKOS.inScheme, CX.RoleScheme) in graph
        assert len(_english(graph, term, SKOS.prefLabel)) == 1


def test_alignments() -> None:
    graph = _ontology()
    org = Namespace("http://www.w3.org/ns/org#")
    schema = Namespace("https://schema.org/")
    prov = Namespace("http://www.w3.org/ns/prov#")
    assert (CX.Alliance, RDFS.subClassOf, org.OrganizationalCollaboration) in graph
    assert (CX.Alliance, SKOS.exactMatch, schema.Consortium) in graph
    assert (CX.locatedIn, RDFS.subPropertyOf, schema.containedInPlace) in graph
    assert (CX.affiliatedWith, RDFS.subPropertyOf, org.linkedTo) in graph
    assert (CX.Evidence, RDFS.subClassOf, RDF.Statement) in graph
    assert (CX.Evidence, RDFS.subClassOf, prov.Entity) in graph


def test_ontology_is_consistent_under_owl_rl() -> None:
    graph = Graph()
    for triple in _ontology():
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert list(graph.subjects(RDF.type, OWL.Nothing)) == []
    errors = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
    messages = [str(graph.value(m, None)) for m in graph.subjects(RDF.type, errors)]
    assert messages == []


def test_ontology_role_concepts_satisfy_the_shapes() -> None:
    report = validate(_ontology(), _shapes(), _ontology())
    assert report.results == (), render_text(report)


def test_shapes_pass_shacl_shacl() -> None:
    report = check_shapes(_shapes())
    assert report.conforms and report.results == (), render_text(report)


# Predicates of a shape that are not constraints needing a message of their own.
NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.path,
    SH.message,
    SH.severity,
    SH.sparql,  # a SPARQL constraint carries its own message
    SH.property,
    SH.targetClass,
    SH.target,
    SH.ignoredProperties,
}


def test_every_constraint_has_a_message() -> None:
    shapes = _shapes()
    named = {s for s in shapes.subjects(RDF.type, None) if isinstance(s, URIRef)}
    for shape in named & (
        set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.subjects(RDF.type, SH.NodeShape))
    ):
        constraints = set(shapes.predicates(shape, None)) - NOT_CONSTRAINTS
        if constraints:
            assert _english(shapes, shape, SH.message), f"{shape} has no sh:message@en"
    for constraint in shapes.objects(None, SH.sparql):
        assert _english(shapes, constraint, SH.message), f"{constraint} has no sh:message@en"


def test_node_shapes_are_named_after_their_class() -> None:
    for shape in _shapes().subjects(RDF.type, SH.NodeShape):
        assert isinstance(shape, URIRef) and str(shape).endswith("Shape"), shape


def _used_cx_names() -> dict[str, set[str]]:
    """Every cx: name used in shapes/ and mappings/, by file."""
    used: dict[str, set[str]] = {}
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        names = {
            str(term).removeprefix(str(CX))
            for term in graph.all_nodes()
            if str(term).startswith(str(CX))
        }
        # ...and inside SPARQL queries, which are literals.
        for query in graph.objects(None, SH.select):
            names.update(re.findall(r"\bcx:([A-Za-z][\w-]*)", str(query)))
        used[path.name] = {name for name in names if name}
    for path in sorted((ROOT / "mappings").glob("*.y*ml")):
        # CURIEs outside comments, and the role concepts roles.yaml names (concept: role-...).
        text = re.sub(r"(^|\s)#.*", "", path.read_text(encoding="utf-8"))
        names = set(re.findall(r"\bcx:([A-Za-z][\w-]*)", text))
        names.update(re.findall(r"\bconcept:\s*(role-[\w-]+)", text))
        used[path.name] = names
    return used


def test_every_cx_term_used_is_defined() -> None:
    defined = {term.removeprefix(str(CX)) for term in _cx_terms(_ontology())}
    for file, names in _used_cx_names().items():
        assert names <= defined, f"{file} uses undefined cx: terms {sorted(names - defined)}"


def _gen_vocab() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_vocab", ROOT / "scripts" / "gen_vocab.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vocab_module_is_current() -> None:
    expected = _gen_vocab().render_vocab(_ontology())
    actual = (ROOT / "src" / "consortia" / "vocab.py").read_text(encoding="utf-8")
    assert actual == expected, "src/consortia/vocab.py is stale: run python scripts/gen_vocab.py"


def test_vocab_raises_on_a_misspelled_term() -> None:
    from consortia.vocab import CX as VOCAB

    assert VOCAB.ledBy == CX.ledBy
    assert VOCAB["role-chief-executive"] == CX["role-chief-executive"]
    with pytest.raises(AttributeError):
        _ = VOCAB.ledby
