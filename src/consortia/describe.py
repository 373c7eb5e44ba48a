"""A VoID and DCAT description of a written dataset: what it holds and where its files are.

`describe_dataset` turns the dataset's quads and the files written from them
(`Distribution`) into triples: a ``void:Dataset`` and ``dcat:Dataset`` with its
statement count, entities per class (``void:classPartition``), articles,
vocabularies, license (CC BY 4.0), publisher, issue and modification times and
the Consortia build that generated it, and one ``dcat:Distribution`` per file.

Nothing here reads a clock: ``dcterms:issued`` and ``dcterms:modified`` are the
earliest and latest ``prov:generatedAtTime`` of the article graphs, which the
build derives from ``SOURCE_DATE_EPOCH`` or keeps in its state, so a rebuild of
unchanged input describes itself byte for byte the same. There are no blank
nodes: class partitions get IRIs under the dataset's.

Files are named by ``file:`` IRIs; `export.write_description` writes them as
IRIs relative to the description, which lives beside them.

>>> from pyoxigraph import NamedNode, Quad
>>> org = NamedNode("https://w3id.org/consortia/id/org/a")
>>> kind = NamedNode("http://www.w3.org/ns/org#Organization")
>>> quads = [Quad(org, NamedNode(RDF_TYPE), kind)]
>>> triples = describe_dataset(quads, [Distribution(Path("/tmp/out/c.nq"), "nq", 120)])
>>> [t.object.value for t in triples if t.predicate.value == VOID + "entities"]
['1', '1']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from consortia import __version__

__all__ = [
    "DESCRIPTION_PREFIXES",
    "LICENSE",
    "MEDIA_TYPES",
    "Distribution",
    "Publisher",
    "UnionCounts",
    "count_union",
    "describe_dataset",
    "describe_union",
    "description_path",
    "known_prefixes",
]

DEFAULT_BASE = "https://w3id.org/consortia/id/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
_NEWS_ARTICLE = "https://schema.org/NewsArticle"
_IANA = "http://www.iana.org/assignments/media-types/"

#: The license of every dataset Consortia describes: Creative Commons Attribution 4.0.
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

#: Format name (as in `consortia.export.FORMATS`) -> IANA media type.
MEDIA_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
}

# Format name -> the W3C's IRI for it (https://www.w3.org/ns/formats/).
_W3C_FORMATS: dict[str, str] = {
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "nt": "http://www.w3.org/ns/formats/N-Triples",
    "nq": "http://www.w3.org/ns/formats/N-Quads",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
}

#: The prefixes a description is written with.
DESCRIPTION_PREFIXES: dict[str, str] = {
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "void": VOID,
    "xsd": XSD,
}

# Namespaces whose terms name class partitions readably (org-Organization).
_KNOWN_NAMESPACES: dict[str, str] = {
    "cx": "https://w3id.org/consortia/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": PROV,
    "time": "http://www.w3.org/2006/time#",
    "foaf": FOAF,
    "dcterms": DCTERMS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
_LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Distribution:
    """One file the dataset was written to: its path, format name and size in bytes."""

    path: Path
    fmt: str
    byte_size: int

    @property
    def compressed(self) -> bool:
        return self.path.name.lower().endswith(".gz")


@dataclass(frozen=True)
class Publisher:
    """Who publishes the dataset (``dcterms:publisher``, a ``foaf:Organization``)."""

    iri: str = "https://w3id.org/consortia/"
    name: str = "The Consortia project"


def description_path(output: Path) -> Path:
    """Where the description of ``output`` goes: beside it, named ``<output>.void.ttl``.

    >>> description_path(Path("build/consortia.nq.gz"))
    PosixPath('build/consortia.nq.gz.void.ttl')
    """
    return output.with_name(output.name + ".void.ttl")


def _iri(value: str) -> NamedNode:
    return NamedNode(value)


def _count(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def _partition_iri(dataset: str, cls: str) -> str:
    for name, namespace in _KNOWN_NAMESPACES.items():
        local = cls[len(namespace) :]
        if cls.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
            return f"{dataset}/class/{name}-{local}"
    return f"{dataset}/class/{hashlib.sha256(cls.encode()).hexdigest()[:16]}"


def _vocabularies(predicates: Iterable[str], classes: Iterable[str]) -> list[str]:
    used = set(predicates) | set(classes)
    return sorted(
        {
            namespace
            for namespace in _KNOWN_NAMESPACES.values()
            if any(term.startswith(namespace) for term in used)
        }
    )


def describe_dataset(
    quads: Iterable[Quad | Triple],
    distributions: Sequence[Distribution],
    *,
    base: str | None = None,
    publisher: Publisher | None = None,
    version: str = __version__,
    distinct: bool = False,
) -> list[Triple]:
    """The VoID and DCAT description of ``quads``, written to ``distributions``.

    ``void:triples`` counts distinct statements (quads: a triple stated in two
    article graphs counts twice); classes count the distinct subjects typed
    with them in any graph; the articles are the ``schema:NewsArticle``
    partition. The build activity comes from the data
    (``prov:wasGeneratedBy``), else from ``version``. ``distinct`` says that
    ``quads`` holds no statement twice (a build's merged output), which spares
    holding them all in memory: they are read once.
    """
    statements: Iterable[Quad | Triple] = (
        quads
        if distinct
        else {
            q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in quads
        }
    )
    base = base or DEFAULT_BASE
    counts, number = _summary(statements, base)
    return _description(counts, number, distributions, base, publisher, version)


@dataclass
class UnionCounts:
    """What a description counts in a dataset's distinct triples (its union),
    kept by a build so that a rebuild can update it from what changed.

    Counters, not sets: a rebuild adds and removes statements one by one.
    """

    #: Predicate IRI -> statements using it.
    predicates: dict[str, int] = field(default_factory=dict)
    #: Class IRI -> subjects typed with it (one ``rdf:type`` statement each).
    typed: dict[str, int] = field(default_factory=dict)
    #: Typed subjects under the IRI base.
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    #: ``prov:generatedAtTime`` literals (N-Triples) -> statements.
    generated: dict[str, int] = field(default_factory=dict)
    #: ``prov:wasGeneratedBy`` IRIs -> statements.
    activities: dict[str, int] = field(default_factory=dict)


def bump(counter: dict[str, int], key: str, by: int = 1) -> None:
    """Add ``by`` to ``counter[key]``; a count that comes to 0 leaves the counter.

    >>> counts = {"a": 1}
    >>> bump(counts, "a", -1), bump(counts, "b"), counts
    (None, None, {'b': 1})
    """
    value = counter.get(key, 0) + by
    if value:
        counter[key] = value
    else:
        counter.pop(key, None)


def _summary(statements: Iterable[Quad | Triple], base: str) -> tuple[UnionCounts, int]:
    """The counts of ``statements`` (which a quad in several graphs repeats:
    only the set of keys of ``predicates``, ``generated`` and ``activities``
    is exact), and how many there are."""
    counts = UnionCounts()
    subjects: set[object] = set()
    objects: set[object] = set()
    typed: set[tuple[str, str]] = set()
    entities: set[str] = set()
    number = 0
    for q in statements:
        number += 1
        subjects.add(q.subject)
        objects.add(q.object)
        predicate = q.predicate.value
        bump(counts.predicates, predicate)
        if predicate == RDF_TYPE and isinstance(q.object, NamedNode):
            typed.add((q.object.value, str(q.subject)))
            if isinstance(q.subject, NamedNode) and q.subject.value.startswith(base):
                entities.add(q.subject.value)
        elif predicate == PROV + "generatedAtTime" and isinstance(q.object, Literal):
            bump(counts.generated, str(q.object))
        elif predicate == PROV + "wasGeneratedBy" and isinstance(q.object, NamedNode):
            bump(counts.activities, q.object.value)
    for cls, _subject in typed:
        bump(counts.typed, cls)
    counts.subjects, counts.objects, counts.entities = len(subjects), len(objects), len(entities)
    return counts, number


def count_union(union: bytes, base: str | None = None) -> UnionCounts:
    """`UnionCounts` of distinct triples given as N-Triples lines (``union``),
    read from bytes without a term object per statement."""
    base = base or DEFAULT_BASE
    counts = UnionCounts()
    subjects: set[bytes] = set()
    objects: set[bytes] = set()
    entities: set[bytes] = set()
    type_term = f"<{RDF_TYPE}>".encode()
    generated = f"<{PROV}generatedAtTime>".encode()
    activity = f"<{PROV}wasGeneratedBy>".encode()
    entity_start = b"<" + base.encode()
    predicates: dict[bytes, int] = {}
    for line in union.splitlines():
        if not line:
            continue
        subject, predicate, rest = line.split(b" ", 2)
        obj = rest[:-2]
        predicates[predicate] = predicates.get(predicate, 0) + 1
        subjects.add(subject)
        objects.add(obj)
        if predicate == type_term and obj.startswith(b"<"):
            bump(counts.typed, obj[1:-1].decode())
            if subject.startswith(entity_start):
                entities.add(subject)
        elif predicate == generated and obj.startswith(b'"'):
            bump(counts.generated, obj.decode())
        elif predicate == activity and obj.startswith(b"<"):
            bump(counts.activities, obj[1:-1].decode())
    counts.predicates = {p[1:-1].decode(): n for p, n in predicates.items()}
    counts.subjects, counts.objects, counts.entities = len(subjects), len(objects), len(entities)
    return counts


def describe_union(
    union: bytes,
    statements: int,
    distributions: Sequence[Distribution],
    *,
    base: str | None = None,
    publisher: Publisher | None = None,
    version: str = __version__,
    counts: UnionCounts | None = None,
) -> list[Triple]:
    """`describe_dataset` from the dataset's distinct triples as N-Triples lines
    (``union``) and its number of distinct quads: the same description, read
    from bytes without a term object per statement (or from ``counts`` of them
    when given)."""
    base = base or DEFAULT_BASE
    counts = counts if counts is not None else count_union(union, base)
    return _description(counts, statements, distributions, base, publisher, version)


def _literal(text: str) -> Literal:
    triple = next(iter(parse(f"<x:s> <x:p> {text} .\n".encode(), format=RdfFormat.N_TRIPLES)))
    assert isinstance(triple.object, Literal)
    return triple.object


def _description(
    counts: UnionCounts,
    statements: int,
    distributions: Sequence[Distribution],
    base: str,
    publisher: Publisher | None,
    version: str,
) -> list[Triple]:
    publisher = publisher or Publisher()
    dataset = base + "dataset"
    node = _iri(dataset)
    out: list[Triple] = []

    def add(subject: NamedNode, predicate: str, obj: NamedNode | Literal) -> None:
        out.append(Triple(subject, _iri(predicate), obj))

    typed = counts.typed
    articles = typed.get(_NEWS_ARTICLE, 0)
    add(node, RDF_TYPE, _iri(VOID + "Dataset"))
    add(node, RDF_TYPE, _iri(DCAT + "Dataset"))
    add(
        node,
        DCTERMS + "title",
        Literal("Consortia: organizations and alliances in the news", language="en"),
    )
    add(
        node,
        DCTERMS + "description",
        Literal(
            f"Organizations, alliances, their members, founders, leaders, people's posts and "
            f"places, as stated by {articles} news article(s), one named graph per article, "
            "with the sentence that states each fact.",
            language="en",
        ),
    )
    add(node, DCTERMS + "license", _iri(LICENSE))
    add(node, DCTERMS + "publisher", _iri(publisher.iri))
    times = sorted((_literal(text) for text in counts.generated), key=lambda t: t.value)
    if times:
        add(node, DCTERMS + "issued", times[0])
        add(node, DCTERMS + "modified", times[-1])
    activities = sorted(counts.activities) or [f"{base}activity/consortia-{version}"]
    for activity in activities:
        add(node, PROV + "wasGeneratedBy", _iri(activity))
    add(node, VOID + "uriSpace", Literal(base))
    add(node, VOID + "triples", _count(statements))
    add(node, VOID + "entities", _count(counts.entities))
    add(node, VOID + "classes", _count(len(typed)))
    add(node, VOID + "properties", _count(len(counts.predicates)))
    add(node, VOID + "distinctSubjects", _count(counts.subjects))
    add(node, VOID + "distinctObjects", _count(counts.objects))
    for vocabulary in _vocabularies(counts.predicates, typed):
        add(node, VOID + "vocabulary", _iri(vocabulary))
    for distribution in distributions:
        out.extend(_distribution(node, distribution))
    for cls in sorted(typed):
        partition = _iri(_partition_iri(dataset, cls))
        add(node, VOID + "classPartition", partition)
        add(partition, VOID + "class", _iri(cls))
        add(partition, VOID + "entities", _count(typed[cls]))
    publisher_node = _iri(publisher.iri)
    add(publisher_node, RDF_TYPE, _iri(FOAF + "Organization"))
    add(publisher_node, FOAF + "name", Literal(publisher.name))
    agent = _iri(base + "agent/consortia")
    for activity in activities:
        label = activity.rsplit("/", 1)[-1].replace("consortia-", "consortia ", 1)
        add(_iri(activity), RDF_TYPE, _iri(PROV + "Activity"))
        add(_iri(activity), RDFS_LABEL, Literal(label))
        add(_iri(activity), PROV + "wasAssociatedWith", agent)
    add(agent, RDF_TYPE, _iri(PROV + "SoftwareAgent"))
    add(agent, RDFS_LABEL, Literal("Consortia"))
    return out


def _distribution(dataset: NamedNode, distribution: Distribution) -> list[Triple]:
    file = _iri(distribution.path.absolute().as_uri())
    pairs: list[tuple[str, NamedNode | Literal]] = [
        (RDF_TYPE, _iri(DCAT + "Distribution")),
        (DCAT + "downloadURL", file),
        (DCAT + "accessURL", file),
        (DCAT + "mediaType", _iri(_IANA + MEDIA_TYPES[distribution.fmt])),
        (DCTERMS + "format", _iri(_W3C_FORMATS[distribution.fmt])),
        (
            DCAT + "byteSize",
            Literal(str(distribution.byte_size), datatype=_iri(XSD + "nonNegativeInteger")),
        ),
        (DCTERMS + "license", _iri(LICENSE)),
    ]
    if distribution.compressed:
        pairs.append((DCAT + "compressFormat", _iri(_IANA + "application/gzip")))
    return [
        Triple(dataset, _iri(DCAT + "distribution"), file),
        Triple(dataset, _iri(VOID + "dataDump"), file),
        *(Triple(file, _iri(predicate), obj) for predicate, obj in pairs),
    ]


def known_prefixes() -> Mapping[str, str]:
    """Every prefix a description may use: its own and the model's."""
    return {**_KNOWN_NAMESPACES, **DESCRIPTION_PREFIXES}
