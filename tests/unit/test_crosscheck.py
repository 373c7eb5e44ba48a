"""Split validation (pyshacl per batch + union checks over pyoxigraph) == whole-graph pyshacl.

Every fixture of ``tests/shapes`` is validated both ways: with all shapes by
pyshacl, and with the SPARQL constraints taken out for pyshacl and run, with
every ``sh:maxCount``, by :func:`consortia.crosscheck.check_union`. The results
must be the same (the article a result is tied to aside: fixtures have no
named graphs).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH, XSD
from rdflib.util import from_n3

from consortia.crosscheck import CrossCheck, check_union, split_shapes, union_store
from consortia.pipeline import class_hierarchy, core_result
from consortia.project import Project
from consortia.validation import ValidationResult, validate
from tests.conftest import shape_fixtures, shapes_graph

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = shape_fixtures()


@cache
def _setup() -> tuple[Graph, Graph, Graph, CrossCheck]:
    project = Project.load(state=Path("/nonexistent"))
    shapes = shapes_graph()
    hierarchy = class_hierarchy(project)
    batch_shapes, cross = split_shapes(shapes, hierarchy)
    return shapes, hierarchy, batch_shapes, cross


def _key(result: ValidationResult) -> ValidationResult:
    """The result without what describes it for a reader (labels, article, sentence).

    pyoxigraph stores xsd:nonNegativeInteger as xsd:integer (the same value):
    values are compared as such.
    """
    core = core_result(result)
    return dataclasses.replace(core, value=_value(core.value))


def _value(value: str | None) -> str | None:
    """A value as compared: pyoxigraph keeps numbers by value ("0.0" is "0")."""
    if value is None:
        return None
    term = from_n3(value)
    if isinstance(term, Literal) and term.datatype in _NUMERIC:
        return f"{float(term.toPython())!r}^^number"
    return value


_NUMERIC = {XSD.integer, XSD.nonNegativeInteger, XSD.decimal}


def _described(result: ValidationResult) -> tuple[object, ...]:
    """What a result says to a reader, its article aside."""
    return (_key(result), result.label, result.value_label, result.evidence)


def test_split_takes_out_every_sparql_constraint() -> None:
    _shapes, _hierarchy, batch_shapes, cross = _setup()
    assert "sh:sparql" not in batch_shapes.serialize(format="turtle")
    sparql = [c for c in cross.checks if c.component.endswith("SPARQLConstraintComponent")]
    assert len(sparql) == len(set(_shapes.subject_objects(SH.sparql)))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{p.parts[-3]}/{p.stem}" for p in FIXTURES])
def test_split_validation_equals_whole_graph(fixture: Path) -> None:
    shapes, hierarchy, batch_shapes, cross = _setup()
    data = Graph().parse(fixture, format="turtle")
    whole = {_key(r) for r in validate(data, shapes, hierarchy).results}
    quads = list(ox.parse(fixture.read_bytes(), format=ox.RdfFormat.TURTLE))
    split = {_key(r) for r in validate(data, batch_shapes, hierarchy).results}
    split.update(_key(r) for r in check_union(union_store(quads), cross, quads))
    assert split == whole


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{p.parts[-3]}/{p.stem}" for p in FIXTURES])
def test_union_results_are_described_as_pyshacl_describes_them(fixture: Path) -> None:
    """Labels, value labels and evidence sentences: the same words for the same problem."""
    shapes, hierarchy, _batch_shapes, cross = _setup()
    whole = {_described(r) for r in validate(Graph().parse(fixture), shapes, hierarchy).results}
    quads = list(ox.parse(fixture.read_bytes(), format=ox.RdfFormat.TURTLE))
    union = {_described(r) for r in check_union(union_store(quads), cross, quads)}
    assert union == whole


def test_every_constraint_of_the_shapes_runs_as_sparql() -> None:
    """The builds need no pyshacl: nothing is left in the batch shapes."""
    _shapes, _hierarchy, _batch_shapes, cross = _setup()
    assert cross.complete


def test_the_reach_of_each_sparql_constraint_is_read_from_its_query() -> None:
    """A rebuild checks again only the nodes a change can reach (consortia.patch):
    how far each SPARQL constraint reads from its focus node decides which."""
    _shapes, _hierarchy, _batch_shapes, cross = _setup()
    reach = {
        c.shape.rsplit("#", 1)[1]: c.reach
        for c in cross.checks
        if c.component.endswith("SPARQLConstraintComponent")
    }
    # Paths of any length (cycles) read the whole dataset.
    assert reach["Organization-subOrganizationOf-acyclic"] is None
    assert reach["Place-locatedIn-acyclic"] is None
    # The node's own statements; its values' (the statement an evidence node
    # names); its values' values' (a membership's interval's beginning).
    assert reach["Evidence-value-length"] == 0
    assert reach["EvidenceShape"] == 1
    assert reach["Membership-memberDuring-notAfterPublished"] == 2
    assert cross.reach == 2


@pytest.mark.parametrize(
    ("query", "reach"),
    [
        ("SELECT ?this WHERE { ?this <p:a> ?v }", 0),
        ("SELECT ?this WHERE { ?this <p:a>/<p:b> ?v }", 1),
        ("SELECT ?this WHERE { ?this <p:a>|<p:b> ?v . ?v <p:c> ?w }", 1),
        ("SELECT ?this WHERE { ?this <p:a> ?v . FILTER NOT EXISTS { ?v <p:b> ?w } }", 1),
        ("SELECT ?this WHERE { ?this <p:a> ?v . MINUS { ?v <p:b> ?w . ?w <p:c> ?x } }", 2),
        # Pointing at the node, from a constant, or along a path of any length:
        ("SELECT ?this WHERE { ?x <p:a> ?this }", None),
        ("SELECT ?this WHERE { ?this <p:a> ?v . <p:k> <p:b> ?v }", None),
        ("SELECT ?this WHERE { ?this <p:a>+ ?v }", None),
        ("SELECT ?this WHERE { ?this ^<p:a> ?v }", None),
    ],
)
def test_reach_of(query: str, reach: int | None) -> None:
    from consortia.crosscheck import reach_of

    assert reach_of(query) == reach
