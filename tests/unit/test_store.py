"""store.py: building, swapping and editing the on-disk store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from consortia.errors import ConsortiaError
from consortia.store import (
    dataset_quads,
    has_store,
    open_store,
    remove_graph,
    replace_graph,
    replace_store,
    union_default_graph,
)

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
    id:org\/huobi-china a org:Organization ; skos:prefLabel "Huobi China"@en ;
        org:memberOf id:org\/bsn .
    id:org\/bsn a org:Organization , cx:Alliance ; skos:prefLabel "BSN Development Alliance"@en .
    id:membership\/m1 a org:Membership ; org:member id:org\/huobi-china ;
        org:organization id:org\/bsn ; org:memberDuring id:interval\/i1 .
    id:interval\/i1 a time:Interval ; time:hasBeginning id:instant\/2019-12-01 .
    id:instant\/2019-12-01 a time:Instant ; time:inXSDDate "2019-12-01"^^xsd:date .
}
id:graph\/a2 {
    id:org\/china-mobile a org:Organization ; skos:prefLabel "China Mobile"@en ;
        org:memberOf id:org\/bsn .
}
"""

B = "https://w3id.org/consortia/id/"
G1, G2 = NamedNode(B + "graph/a1"), NamedNode(B + "graph/a2")
LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


def dataset() -> list[Quad]:
    return list(parse(DATASET.encode(), format=RdfFormat.TRIG))


def contents(path: Path) -> set[Quad]:
    """The dataset in the store (its default graph also holds the union: see
    test_the_default_graph_is_the_union_of_the_graphs)."""
    return set(dataset_quads(path))


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / ".consortia" / "store"
    replace_store(path, dataset())
    return path


def test_missing_store_says_to_build(tmp_path: Path) -> None:
    path = tmp_path / ".consortia" / "store"
    with pytest.raises(ConsortiaError) as caught:
        open_store(path)
    assert str(caught.value) == f"no build found at {path} (run `consortia build` first)"
    path.mkdir(parents=True)  # an empty directory is no build either
    with pytest.raises(ConsortiaError, match="no build found"):
        open_store(path, read_only=False)
    assert not has_store(path)


def test_replace_store_builds_a_store_with_the_quads(built: Path) -> None:
    assert contents(built) == set(dataset())
    assert set(open_store(built).named_graphs()) == {G1, G2}
    assert siblings(built) == []  # no build or old directories left beside it


def test_replace_store_accepts_triples_as_default_graph(tmp_path: Path) -> None:
    triple = Triple(G1, DERIVED, NamedNode(B + "article/a1"))
    replace_store(tmp_path / "store", [triple])
    assert contents(tmp_path / "store") == {Quad(G1, DERIVED, triple.object, DefaultGraph())}


def test_replace_store_swaps_in_the_new_content(built: Path) -> None:
    only = Quad(NamedNode(B + "org/x"), LABEL, Literal("X", language="en"), G1)
    replace_store(built, [only])
    assert contents(built) == {only}
    assert siblings(built) == []


def test_failed_build_leaves_the_previous_store(built: Path) -> None:
    def broken() -> Iterator[Quad]:
        yield from dataset()[:3]
        raise ValueError("mapping failed")

    with pytest.raises(ValueError, match="mapping failed"):
        replace_store(built, broken())
    assert contents(built) == set(dataset())
    assert siblings(built) == []


def test_open_store_read_only_refuses_writes(built: Path) -> None:
    store = open_store(built)
    with pytest.raises(RuntimeError):
        store.update("CLEAR ALL")
    assert contents(built) == set(dataset())


def _default_graph(path: Path) -> set[Triple]:
    return {q.triple for q in open_store(path).quads_for_pattern(None, None, None, DefaultGraph())}


def _union(quads: list[Quad]) -> set[Triple]:
    return {q.triple for q in quads}


def test_the_default_graph_is_the_union_of_the_graphs(built: Path) -> None:
    """SPARQL sees the dataset as one graph, each statement once (an RDF merge)."""
    assert union_default_graph(built)
    assert _default_graph(built) == _union(dataset())


def test_graph_updates_keep_the_union(built: Path) -> None:
    """Replacing and removing graphs keeps the default graph the union of the
    graphs: a statement another graph still makes stays; one nobody makes goes."""
    about_g2 = [q for q in dataset() if q.graph_name == G2 or q.subject == G2]
    named = [q for q in about_g2 if q.graph_name == G2]
    kept = [q for q in about_g2 if q != named[-1]]  # drop one statement of G2
    replace_graph(built, G2, kept)
    remaining = [q for q in dataset() if q not in about_g2] + kept
    assert contents(built) == set(remaining)
    assert _default_graph(built) == _union(remaining)
    remove_graph(built, G1)
    remaining = [q for q in remaining if q.graph_name != G1 and q.subject != G1]
    assert contents(built) == set(remaining)
    assert _default_graph(built) == _union(remaining)


def test_replace_graph_replaces_the_graph_and_its_description(built: Path) -> None:
    huobi = NamedNode(B + "org/huobi-china")
    tricky = Literal('Huobi "China"\n\\ 火币 \u0007', language="en")
    replace_graph(
        built,
        G1.value,
        [
            Triple(huobi, LABEL, tricky),
            Quad(G1, DERIVED, NamedNode(B + "article/a1-v2"), DefaultGraph()),
        ],
    )
    now = contents(built)
    assert {q for q in now if q.graph_name == G1} == {Quad(huobi, LABEL, tricky, G1)}
    assert {q for q in now if q.graph_name == G2} == {q for q in dataset() if q.graph_name == G2}
    described = {q.object for q in now if q.subject == G1 and q.graph_name == DefaultGraph()}
    assert described == {NamedNode(B + "article/a1-v2")}
    assert Quad(G2, DERIVED, NamedNode(B + "article/a2"), DefaultGraph()) in now


def test_replace_graph_adds_a_new_graph(built: Path) -> None:
    g3 = NamedNode(B + "graph/a3")
    quad = Quad(NamedNode(B + "org/z"), LABEL, Literal("Z", language="en"), g3)
    replace_graph(built, g3, [quad])
    assert contents(built) == set(dataset()) | {quad}


def test_replace_graph_refuses_quads_of_another_graph(built: Path) -> None:
    stray = Quad(NamedNode(B + "org/z"), LABEL, Literal("Z"), G2)
    with pytest.raises(ValueError, match="expected"):
        replace_graph(built, G1, [stray])
    assert contents(built) == set(dataset())


def test_remove_graph_removes_the_graph_and_its_description(built: Path) -> None:
    remove_graph(built, G1)
    now = contents(built)
    assert all(q.graph_name != G1 and q.subject != G1 for q in now)
    assert now == {q for q in dataset() if q.graph_name != G1 and q.subject != G1}
    remove_graph(built, G1)  # removing twice is fine
    assert set(open_store(built).named_graphs()) == {G2}


def test_editing_a_missing_store_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(ConsortiaError, match="no build found"):
        replace_graph(tmp_path / "store", G1, [])
