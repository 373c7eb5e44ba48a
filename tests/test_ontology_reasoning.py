"""The ontology is consistent with what we publish: OWL RL (owlrl) over ontology + built data.

owlrl reports a contradiction it finds in two ways, both checked here: a node
typed ``owl:Nothing``, and an ``err:ErrorMessage`` node (namespace
``http://www.daml.org/2002/03/agents/agent-ont#``) whose ``err:error`` is the
text, added to the graph at the end of the closure.

The ontology declares no disjoint classes, so on top of it the tests state
what the contract takes for granted: an agent, a place, a membership, an
interval, an instant, an article, a piece of evidence and a role concept are
different kinds of things. If a domain or range axiom (say ``cx:ledBy``'s range)
made a place an agent, OWL RL would then report it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import FOAF, OWL, RDF, SKOS, TIME

from consortia.pipeline import build_quads, to_rdflib
from consortia.project import Project
from consortia.sources import load_articles
from tests.conftest import SEED_ARTICLE

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
CX = Namespace("https://w3id.org/consortia/ontology#")

#: Kinds of things no node may be two of at once.
DISJOINT = (
    FOAF.Agent,
    SCHEMA.Place,
    ORG.Membership,
    TIME.Interval,
    TIME.Instant,
    SCHEMA.NewsArticle,
    CX.Evidence,
    SKOS.Concept,
)


@cache
def _ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "consortia.ttl", format="turtle")


def _disjointness() -> Graph:
    graph = Graph()
    axiom = BNode()
    members = BNode()
    graph.add((axiom, RDF.type, OWL.AllDisjointClasses))
    graph.add((axiom, OWL.members, members))
    Collection(graph, members, list(DISJOINT))
    return graph


def _built(paths: Sequence[Path], state: Path) -> Graph:
    """The union of the built dataset's graphs (what a reasoner over a store sees)."""
    project = Project.load(state=state)
    articles = load_articles(paths)
    times = {article.id: "2000-01-01T00:00:00Z" for article in articles}
    _extractions, quads, _prefixes = build_quads(project, articles, times=times)
    union = Graph()
    for subject, predicate, obj, _graph in to_rdflib(quads).quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    assert len(union) > 0
    return union


def _contradictions(data: Graph) -> list[str]:
    """What OWL RL finds wrong in ``data`` + the ontology + the disjointness axioms."""
    graph = Graph()
    for part in (data, _ontology(), _disjointness()):
        for triple in part:
            graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    found = [f"{node.n3()} is owl:Nothing" for node in graph.subjects(RDF.type, OWL.Nothing)]
    for message in graph.subjects(RDF.type, ERR.ErrorMessage):
        found.extend(str(text) for text in graph.objects(message, ERR.error))
    return sorted(found)


def test_seed_build_is_consistent_with_the_ontology(tmp_path: Path) -> None:
    data = _built([SEED_ARTICLE], tmp_path / "state")
    assert _contradictions(data) == []


def test_gold_corpus_build_is_consistent_with_the_ontology(tmp_path: Path) -> None:
    articles = sorted(GOLD.glob("*.md"))
    assert articles, "tests/gold/ holds no article"
    data = _built(articles, tmp_path / "state")
    assert _contradictions(data) == []


@pytest.mark.parametrize(
    ("turtle", "expected"),
    [
        pytest.param(
            # cx:ledBy's range makes the place an agent: disjoint with schema:Place.
            """
            <https://example.com/o> a <http://www.w3.org/ns/org#Organization> ;
                <https://w3id.org/consortia/ontology#ledBy> <https://example.com/p> .
            <https://example.com/p> a <https://schema.org/Place> .
            """,
            "disjoint",
            id="place-as-leader",
        ),
        pytest.param(
            """
            <https://example.com/a> <http://www.w3.org/2002/07/owl#sameAs> <https://example.com/b> ;
                <http://www.w3.org/2002/07/owl#differentFrom> <https://example.com/b> .
            """,
            "sameAs",
            id="same-and-different",
        ),
    ],
)
def test_contradictions_are_detected(turtle: str, expected: str) -> None:
    # The check above would pass vacuously if owlrl reported contradictions some
    # other way: these data are inconsistent and must be reported.
    found = _contradictions(Graph().parse(data=turtle, format="turtle"))
    assert found, "owlrl reported nothing"
    assert any(expected.casefold() in text.casefold() for text in found), found
