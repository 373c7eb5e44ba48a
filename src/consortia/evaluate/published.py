"""Published RDF (decision record 0001) read back through the contract's terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import FOAF, ORG, PROV, RDFS, SKOS, TIME
from rdflib.term import Node

CX = Namespace("https://w3id.org/consortia/ontology#")
SCHEMA = Namespace("https://schema.org/")

# The predicate of each directly published relation (holdsPost has none, see 0001).
_PREDICATES: dict[str, URIRef] = {
    "memberOf": ORG.memberOf,
    "foundedBy": SCHEMA.founder,
    "ledBy": CX.ledBy,
    "subOrganizationOf": ORG.subOrganizationOf,
    "affiliatedWith": CX.affiliatedWith,
    "headquarteredIn": CX.headquarteredIn,
    "operatesIn": CX.operatesIn,
    "locatedIn": CX.locatedIn,
}
# Most specific first: an alliance is also an org:Organization.
_CLASSES: tuple[tuple[str, tuple[URIRef, ...]], ...] = (
    ("Alliance", (CX.Alliance, ORG.OrganizationalCollaboration, SCHEMA.Consortium)),
    ("Person", (FOAF.Person, SCHEMA.Person)),
    ("Location", (SCHEMA.Place, SCHEMA.City, SCHEMA.Country, SCHEMA.AdministrativeArea)),
    ("Organization", (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit)),
)
_DATE_PROPERTIES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear, TIME.inXSDDateTimeStamp)


@dataclass(frozen=True)
class PublishedEntity:
    """An organization, alliance, person or place node (type None when untyped)."""

    iri: str
    type: str | None
    labels: tuple[str, ...]  # the prefLabel(s) first, then the altLabels


@dataclass(frozen=True)
class PublishedFact:
    """One published fact; several membership nodes for it pool their roles and dates."""

    relation: str
    s: str
    o: str
    roles: tuple[str, ...] = ()
    since: tuple[str, ...] = ()
    until: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Published:
    """What one build publishes, read back through the contract's terms."""

    entities: tuple[PublishedEntity, ...]
    facts: tuple[PublishedFact, ...]
    publishers: tuple[str, ...] = ()

    def entity(self, iri: str) -> PublishedEntity | None:
        """The entity with this IRI, if published."""
        return next((e for e in self.entities if e.iri == iri), None)


def flatten(graph: Graph) -> Graph:
    """One plain graph holding every triple of every named graph."""
    if not isinstance(graph, ConjunctiveGraph):
        return graph
    flat = Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat


def _strings(graph: Graph, subject: Node, *predicates: URIRef) -> list[str]:
    return sorted({str(o) for p in predicates for o in graph.objects(subject, p)})


def _role_label(graph: Graph, role: Node) -> str:
    labels = _strings(graph, role, SKOS.prefLabel, RDFS.label)
    if labels:
        return labels[0]
    return str(role).rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


def _instants(graph: Graph, interval: Node, end: URIRef) -> list[str]:
    found: set[str] = set()
    for instant in graph.objects(interval, end):
        if isinstance(instant, Literal):
            found.add(str(instant))
        found.update(str(v) for p in _DATE_PROPERTIES for v in graph.objects(instant, p))
    return sorted(found)


def read_published(graph: Graph) -> Published:
    """Read entities and facts from the RDF of a build (a Graph or a Dataset)."""
    g = flatten(graph)
    types: dict[str, str] = {}
    # An article's entities are those it mentions or states facts about; places
    # that only contain them (the gazetteer's schema:containedInPlace) are context.
    named = {str(o) for o in g.objects(None, SCHEMA.mentions)}
    if named:
        named.update(str(o) for o in g.objects(None, SCHEMA.publisher))
        for relation_predicate in _PREDICATES.values():
            for subj, obj in g.subject_objects(relation_predicate):
                named.update((str(subj), str(obj)))
    for kind, classes in reversed(_CLASSES):  # the most specific class is written last
        for cls in classes:
            for node in g.subjects(RDF.type, cls):
                if isinstance(node, URIRef) and (not named or str(node) in named):
                    types[str(node)] = kind

    evidence: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for statement, subject in g.subject_objects(RDF.subject):
        for predicate in g.objects(statement, RDF.predicate):
            for obj in g.objects(statement, RDF.object):
                key = (str(subject), str(predicate), str(obj))
                evidence[key].update(str(v) for v in g.objects(statement, PROV.value))

    facts: list[PublishedFact] = []
    for relation, predicate in _PREDICATES.items():
        for s, o in sorted(g.subject_objects(predicate)):
            roles: set[str] = set()
            since: set[str] = set()
            until: set[str] = set()
            sentences = set(evidence.get((str(s), str(predicate), str(o)), ()))
            if relation == "memberOf":
                for m in set(g.subjects(ORG.member, s)) & set(g.subjects(ORG.organization, o)):
                    roles.update(_role_label(g, r) for r in g.objects(m, ORG.role))
                    for interval in g.objects(m, ORG.memberDuring):
                        since.update(_instants(g, interval, TIME.hasBeginning))
                        until.update(_instants(g, interval, TIME.hasEnd))
                    for e in g.objects(m, CX.hasEvidence):
                        sentences.update(str(v) for v in g.objects(e, PROV.value))
            facts.append(_fact(relation, s, o, roles, since, until, sentences))

    posts: dict[tuple[str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for m, person in g.subject_objects(ORG.member):
        if types.get(str(person)) != "Person":
            continue
        for org in g.objects(m, ORG.organization):
            roles, sentences = posts[(str(person), str(org))]
            roles.update(_role_label(g, r) for r in g.objects(m, ORG.role))
            sentences.update(evidence.get((str(person), str(ORG.hasMembership), str(m)), ()))
            for e in g.objects(m, CX.hasEvidence):
                sentences.update(str(v) for v in g.objects(e, PROV.value))
    for (person_iri, org_iri), (roles, sentences) in sorted(posts.items()):
        facts.append(_fact("holdsPost", person_iri, org_iri, roles, set(), set(), sentences))

    nodes = set(types) | {f.s for f in facts} | {f.o for f in facts}
    entities = tuple(
        PublishedEntity(
            iri,
            types.get(iri),
            tuple(
                _strings(g, URIRef(iri), SKOS.prefLabel)
                + [
                    a
                    for a in _strings(g, URIRef(iri), SKOS.altLabel)
                    if a not in _strings(g, URIRef(iri), SKOS.prefLabel)
                ]
            ),
        )
        for iri in sorted(nodes)
    )
    publishers = tuple(sorted({str(p) for p in g.objects(None, SCHEMA.publisher)}))
    return Published(entities, tuple(facts), publishers)


def _fact(
    relation: str,
    s: Node | str,
    o: Node | str,
    roles: set[str],
    since: set[str],
    until: set[str],
    evidence: set[str],
) -> PublishedFact:
    return PublishedFact(
        relation,
        str(s),
        str(o),
        tuple(sorted(roles)),
        tuple(sorted(since)),
        tuple(sorted(until)),
        tuple(sorted(evidence)),
    )
