"""Graph + shapes -> :class:`Report`: SHACL validation and its renderings.

The only module that imports pyshacl. One :func:`validate` call is one pyshacl
run, with inference off (the data states every class it relies on) and the
ontology given only for the class hierarchy that ``sh:class`` follows.

A report *conforms* when it holds no ``sh:Violation``: warnings and infos are
reported but do not block publishing (see ``shapes/README.md``).

Each result carries what a person needs to act on it without opening the data:
the label of the entity (and of an offending IRI value), the article it comes
from and its headline, the shape's message and, where the data has one, the
evidence sentence of the offending fact (a ``cx:Evidence`` about the entity).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from consortia.errors import MappingError

__all__ = [
    "Report",
    "Severity",
    "ValidationResult",
    "check_shapes",
    "describe_result",
    "find_evidence",
    "load_ontology",
    "load_shapes",
    "render_json",
    "render_text",
    "render_turtle",
    "validate",
]

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
CX = Namespace("https://w3id.org/consortia/ontology#")

# Prefixes used to shorten property and datatype IRIs in the text report.
PREFIXES: dict[str, str] = {
    "cx": "https://w3id.org/consortia/ontology#",
    "cxsh": "https://w3id.org/consortia/shapes#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class Severity(StrEnum):
    """How much a result matters: only violations block publishing."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> str:
        """The SHACL IRI of this severity.

        >>> Severity.WARNING.iri
        'http://www.w3.org/ns/shacl#Warning'
        """
        return str(SH[self.value])


_SEVERITY_RANK = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ValidationResult:
    """One problem with one node, with what a person needs to find and fix it.

    IRIs are plain strings (a blank node is ``_:`` and its label). ``value`` is
    the offending value in N-Triples syntax (``<iri>`` or ``"text"@en``), so
    that an IRI and a string stay apart. ``path`` is the property IRI, or a
    SPARQL property path for the rare complex path.

    ``article_title`` is the headline of ``article``; ``value_label`` the label
    of an IRI ``value``; ``evidence`` the sentence of the offending fact, from
    the ``cx:Evidence`` nodes of the data (see :func:`find_evidence`).
    """

    focus_node: str
    label: str | None
    article: str | None
    path: str | None
    value: str | None
    message: str
    severity: Severity
    source_shape: str
    component: str
    article_title: str | None = None
    value_label: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: whether to publish, and every result."""

    conforms: bool
    results: tuple[ValidationResult, ...]

    @property
    def violations(self) -> int:
        """How many results are violations."""
        return self._count(Severity.VIOLATION)

    @property
    def warnings(self) -> int:
        """How many results are warnings."""
        return self._count(Severity.WARNING)

    @property
    def infos(self) -> int:
        """How many results are infos."""
        return self._count(Severity.INFO)

    def _count(self, severity: Severity) -> int:
        return sum(1 for result in self.results if result.severity is severity)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_shapes(shapes_dir: Path) -> Graph:
    """Parse every ``*.ttl`` file in ``shapes_dir`` into one shapes graph.

    Raises :class:`~consortia.errors.MappingError` naming the file (and line,
    when the parser knows it) that cannot be parsed, or when there is none.
    """
    if not shapes_dir.is_dir():
        raise MappingError(
            "shapes folder not found", path=shapes_dir, hint="point to the project's shapes/"
        )
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise MappingError(
            "no shapes in folder", path=shapes_dir, hint="add at least one Turtle file (*.ttl)"
        )
    graph = Graph()
    for file in files:
        _parse_turtle(graph, file)
    return graph


def load_ontology(path: Path) -> Graph:
    """Parse the ontology (``ontology/consortia.ttl``) for :func:`validate`.

    Raises :class:`~consortia.errors.MappingError` naming the file on a parse error.
    """
    graph = Graph()
    _parse_turtle(graph, path)
    return graph


def _parse_turtle(graph: Graph, file: Path) -> None:
    try:
        graph.parse(file, format="turtle")
    except FileNotFoundError as error:
        raise MappingError("file not found", path=file) from error
    except Exception as error:  # rdflib raises many types on bad input
        line = getattr(error, "lines", None)
        reason = getattr(error, "_why", None) or str(error) or type(error).__name__
        raise MappingError(
            f"invalid Turtle: {reason}",
            path=file,
            line=line + 1 if isinstance(line, int) else None,
            hint="fix the syntax; `rapper -i turtle -c FILE` shows where",
        ) from error


# ---------------------------------------------------------------------------
# Validating
# ---------------------------------------------------------------------------


def validate(data: Graph | Dataset, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; for a Dataset, the union of its graphs.

    The ontology, when given, supplies the class hierarchy (``sh:class`` of
    ``org:Organization`` accepts a ``cx:Alliance``); no inference is run.
    """
    from pyshacl import validate as pyshacl_validate

    union = _union(data) if isinstance(data, Dataset) else data
    _conforms, report_graph, _text = pyshacl_validate(
        union,
        shacl_graph=shapes,
        ont_graph=_class_hierarchy(ontology) if ontology is not None else None,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    dataset = data if isinstance(data, Dataset) else None
    return _build_report(report_graph, union, dataset, ontology)


def _class_hierarchy(ontology: Graph) -> Graph:
    # Only the hierarchy: pyshacl copies an ontology into the data graph, and
    # its named individuals (the role concepts) would become data to validate
    # (and are copied with a deep, slow clone).
    hierarchy = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


def check_shapes(shapes: Graph) -> Report:
    """Validate a shapes graph against SHACL's own shapes (SHACL-SHACL)."""
    from pyshacl.entrypoints import meta_validate

    _conforms, report_graph, _text = meta_validate(shapes, inference="none")
    return _build_report(report_graph, shapes, None)


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    for subject, predicate, obj, _graph in dataset.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=False)
    return union


def _build_report(
    report_graph: Graph, data: Graph, dataset: Dataset | None, ontology: Graph | None = None
) -> Report:
    results: list[ValidationResult] = []
    for report in report_graph.subjects(RDF.type, SH.ValidationReport):
        for node in report_graph.objects(report, SH.result):
            results.append(_read_result(report_graph, node, data, dataset, ontology))
    results.sort(key=_sort_key)
    conforms = not any(result.severity is Severity.VIOLATION for result in results)
    return Report(conforms=conforms, results=tuple(results))


def _read_result(
    report: Graph, node: Node, data: Graph, dataset: Dataset | None, ontology: Graph | None
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity_iri = report.value(node, SH.resultSeverity)
    severity = Severity(str(severity_iri).removeprefix(str(SH)))
    messages = sorted(report.objects(node, SH.resultMessage), key=_message_order)
    component = report.value(node, SH.sourceConstraintComponent)
    article = _article(data, dataset, focus) if focus is not None else None
    return ValidationResult(
        focus_node=_plain(focus) if focus is not None else "",
        label=_label(data, focus) if focus is not None else None,
        article=article,
        path=_path_text(report, path) if path is not None else None,
        value=value.n3() if value is not None else None,
        message=str(messages[0]) if messages else "",
        severity=severity,
        source_shape=_plain(report.value(node, SH.sourceShape)),
        component=_plain(component),
        article_title=_label(data, URIRef(article)) if article is not None else None,
        value_label=(
            _label(data, value) or (_label(ontology, value) if ontology is not None else None)
            if isinstance(value, URIRef | BNode)
            else None
        ),
        evidence=(
            find_evidence(data, focus, path if isinstance(path, URIRef) else None, value)
            if focus is not None
            else None
        ),
    )


def describe_result(result: ValidationResult, data: Graph) -> ValidationResult:
    """``result`` with the label, value label and evidence sentence that ``data`` gives.

    For results found without pyshacl (SPARQL over a store): ``data`` need only
    hold the neighbourhood of the focus node and the value.
    """
    import dataclasses

    focus = _node(result.focus_node)
    value = _node(result.value[1:-1]) if result.value and result.value.startswith("<") else None
    if result.value and result.value.startswith("_:"):
        value = BNode(result.value[2:])
    path = URIRef(result.path) if result.path and "://" in result.path else None
    label = _label(data, focus)
    value_label = _label(data, value) if value is not None else None
    evidence = find_evidence(data, focus, path, value)
    return dataclasses.replace(
        result,
        label=result.label if label is None else label,
        value_label=result.value_label if value_label is None else value_label,
        evidence=result.evidence if evidence is None else evidence,
    )


def _node(text: str) -> URIRef | BNode:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def find_evidence(
    data: Graph, focus: Node, path: URIRef | None = None, value: Node | None = None
) -> str | None:
    """The evidence sentence (``prov:value``) of the fact a result is about, or None.

    Looks, in this order, for: the focus itself being a ``cx:Evidence``; the
    evidence of exactly the offending statement (focus, path, value); the
    ``cx:hasEvidence`` of the focus (a membership); evidence whose
    ``rdf:subject`` is the focus and ``rdf:predicate`` the path; evidence whose
    ``rdf:subject`` or ``rdf:object`` is the focus; then the same for the
    offending value. Among equals, the shortest sentence (then the first in
    text order) wins, so the choice is stable.

    >>> from rdflib import Graph, Literal, URIRef
    >>> from rdflib.namespace import PROV, RDF
    >>> data, evidence, acme = Graph(), URIRef("urn:e"), URIRef("urn:acme")
    >>> _ = data.add((evidence, RDF.subject, acme))
    >>> _ = data.add((evidence, PROV.value, Literal("Acme joined BSN.", lang="en")))
    >>> find_evidence(data, acme)
    'Acme joined BSN.'
    """
    ranked: list[tuple[int, Node]] = []
    if (focus, PROV.value, None) in data and (
        (focus, RDF.type, CX.Evidence) in data or (focus, RDF.subject, None) in data
    ):
        ranked.append((0, focus))
    for evidence in data.subjects(RDF.subject, focus):
        if path is not None and (evidence, RDF.predicate, path) in data:
            exact = value is not None and (evidence, RDF.object, value) in data
            ranked.append((1 if exact else 3, evidence))
        else:
            ranked.append((4, evidence))
    ranked.extend((2, evidence) for evidence in data.objects(focus, CX.hasEvidence))
    ranked.extend((4, evidence) for evidence in data.subjects(RDF.object, focus))
    if isinstance(value, URIRef | BNode):
        for predicate in (RDF.subject, RDF.object):
            ranked.extend((5, evidence) for evidence in data.subjects(predicate, value))
    sentences = [
        (rank, len(str(sentence)), str(sentence))
        for rank, evidence in ranked
        for sentence in data.objects(evidence, PROV.value)
        if isinstance(sentence, Literal)
    ]
    return min(sentences)[2] if sentences else None


def _message_order(message: Node) -> tuple[int, str]:
    # English first, then untagged, then the rest, so the choice is stable.
    language = message.language if isinstance(message, Literal) else None
    return (0 if language == "en" else 1 if language is None else 2, str(message))


def _plain(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _sort_key(result: ValidationResult) -> tuple[str, ...]:
    # Results tied to no article or without a label sort last in their group.
    return (
        result.article or "\uffff",
        (result.label or "\uffff").casefold(),
        result.focus_node,
        str(_SEVERITY_RANK[result.severity]),
        result.path or "",
        result.message,
        result.value or "",
        result.source_shape,
        result.component,
    )


def _label(data: Graph, focus: Node, depth: int = 0) -> str | None:
    """What to call a node: its label or headline, else a description from its links.

    Memberships, intervals, instants, evidence and article graphs have no label
    of their own; they are described through the entities they link
    ("membership of Huobi China in BSN Development Alliance").
    """
    for predicate in (SKOS.prefLabel, SCHEMA.headline, RDFS.label):
        labels = sorted(data.objects(focus, predicate), key=_message_order)
        if labels:
            return str(labels[0])
    if depth >= 3:
        return None
    return _description(data, focus, depth + 1)


def _description(data: Graph, node: Node, depth: int) -> str | None:
    def name(other: Node | None) -> str:
        if other is None:
            return "?"
        return _label(data, other, depth) or (
            _curie(str(other)) if isinstance(other, URIRef) else "?"
        )

    member = data.value(node, ORG.member)
    organization = data.value(node, ORG.organization)
    if member is not None or organization is not None:
        return f"membership of {name(member)} in {name(organization)}"
    statement = data.value(node, RDF.subject)
    if statement is not None:
        predicate = data.value(node, RDF.predicate)
        verb = _curie(str(predicate)) if predicate is not None else "?"
        return f"evidence of {name(statement)} {verb} {name(data.value(node, RDF.object))}"
    membership = data.value(None, ORG.memberDuring, node)
    if membership is not None:
        return f"period of the {name(membership)}"
    for predicate, word in ((TIME.hasBeginning, "beginning"), (TIME.hasEnd, "end")):
        interval = data.value(None, predicate, node)
        if interval is not None:
            return f"{word} of the {name(interval)}"
    article = data.value(node, PROV.wasDerivedFrom)
    if (node, RDF.type, PROV.Entity) in data and article is not None:
        return f"statements from {name(article)}"
    return None


def _article(data: Graph, dataset: Dataset | None, focus: Node) -> str | None:
    """The one article the focus node comes from, or None when unknown or several.

    An article is its own source. Otherwise, with a Dataset, the article of the
    named graph(s) stating the node; else the nearest prov:wasDerivedFrom,
    looking at the node and then at the nodes pointing at it (a membership for
    its interval, the article for the entities it mentions).
    """
    if (focus, RDF.type, SCHEMA.NewsArticle) in data:
        return str(focus)
    if dataset is not None:
        names = {
            name
            for _s, _p, _o, name in dataset.quads((focus, None, None, None))
            if name is not None and name != DATASET_DEFAULT_GRAPH_ID
        }
        if names:
            found: set[Node] = set()
            for name in names:
                derived = set(data.objects(name, PROV.wasDerivedFrom))
                found.update(derived or {name})
            return _only(found)
    frontier: set[Node] = {focus}
    seen = set(frontier)
    for _depth in range(3):
        found = {
            article
            for node in frontier
            for article in data.objects(node, PROV.wasDerivedFrom)
            if (article, RDF.type, SCHEMA.NewsArticle) in data
        }
        found.update(node for node in frontier if (node, RDF.type, SCHEMA.NewsArticle) in data)
        if found:
            return _only(found)
        frontier = {subject for node in frontier for subject in data.subjects(None, node)} - seen
        seen.update(frontier)
    return None


def _only(nodes: set[Node]) -> str | None:
    return str(next(iter(nodes))) if len(nodes) == 1 else None


def _path_text(report: Graph, path: Node) -> str:
    """A SHACL path as text: the IRI of a predicate, else a SPARQL property path."""
    if isinstance(path, URIRef):
        return str(path)
    if isinstance(path, BNode):
        if (path, RDF.first, None) in report:
            return "/".join(_path_part(report, step) for step in Collection(report, path))
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = report.value(path, predicate)
            if inner is not None:
                return template.format(_path_part(report, inner))
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(_path_part(report, step) for step in Collection(report, alternatives))
    return path.n3()


def _path_part(report: Graph, path: Node) -> str:
    text = _path_text(report, path)
    return f"<{text}>" if isinstance(path, URIRef) else f"({text})"


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def render_text(report: Report) -> str:
    """The report for a person: grouped by article, then by entity; one line each.

    >>> print(render_text(Report(conforms=True, results=())), end="")
    0 violations, 0 warnings
    """
    lines: list[str] = []
    current: tuple[bool, str | None] | None = None
    for result in report.results:
        group = (result.article is None, result.article)
        if group != current:
            current = group
            if lines:
                lines.append("")
            lines.append(_article_heading(result))
        lines.append("  " + _text_line(result))
        if result.evidence:
            lines.append(f"    evidence: {_quoted(result.evidence)}")
    if lines:
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _article_heading(result: ValidationResult) -> str:
    if result.article is None:
        return "not tied to one article:"
    if result.article_title:
        return f"article {_quoted(result.article_title)} <{result.article}>:"
    return f"article <{result.article}>:"


def _quoted(text: str) -> str:
    """Text on one line between double quotes (a sentence may span lines)."""
    return '"' + " ".join(text.split()) + '"'


def _text_line(result: ValidationResult) -> str:
    entity = f"<{result.focus_node}>"
    if result.label:
        entity = f"{result.label} {entity}"
    parts = [f"{result.severity.value.lower()}: {entity}"]
    if result.path:
        parts.append(_curie(result.path))
    text = " ".join(parts) + f": {result.message}"
    if result.value is not None:
        value = _compact_term(result.value)
        if result.value_label:
            value = f"{result.value_label} {value}"
        text += f" (value: {value})"
    return text


def _summary(report: Report) -> str:
    def count(number: int, noun: str) -> str:
        return f"{number} {noun}" if number == 1 else f"{number} {noun}s"

    parts = [count(report.violations, "violation"), count(report.warnings, "warning")]
    if report.infos:
        parts.append(count(report.infos, "info"))
    return ", ".join(parts)


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and re.fullmatch(r"[A-Za-z_][\w.-]*", local):
            return f"{prefix}:{local}"
    return iri if iri.startswith(("^", "(", "<")) else f"<{iri}>"


def _compact_term(term: str) -> str:
    """Shorten the datatype of an N-Triples literal (``^^<...#date>`` -> ``^^xsd:date``)."""
    match = re.fullmatch(r'(".*")\^\^<([^>]*)>', term, flags=re.DOTALL)
    if match:
        return f"{match.group(1)}^^{_curie(match.group(2))}"
    return term


def render_json(report: Report) -> str:
    """The report as JSON with sorted keys, in the report's (stable) result order."""
    document = {
        "conforms": report.conforms,
        "summary": {
            "violations": report.violations,
            "warnings": report.warnings,
            "infos": report.infos,
        },
        "results": [asdict(result) for result in report.results],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_turtle(report: Report) -> str:
    """The SHACL validation report graph as Turtle, byte-identical for equal reports.

    ``sh:conforms`` follows :attr:`Report.conforms` (warnings alone conform).
    A complex result path, which our shapes do not use, is left out.
    """
    lines = [
        f"@prefix sh: <{SH}> .",
        f"@prefix xsd: <{PREFIXES['xsd']}> .",
        "",
        "[] a sh:ValidationReport ;",
    ]
    conforms = "true" if report.conforms else "false"
    if not report.results:
        lines.append(f"    sh:conforms {conforms} .")
        return "\n".join(lines) + "\n"
    lines.append(f"    sh:conforms {conforms} ;")
    lines.append("    sh:result")
    blocks = [_turtle_result(result) for result in report.results]
    lines.append(",\n".join(blocks) + " .")
    return "\n".join(lines) + "\n"


def _turtle_result(result: ValidationResult) -> str:
    properties: list[tuple[str, str]] = [("a", "sh:ValidationResult")]
    properties.append(("sh:focusNode", _turtle_node(result.focus_node)))
    if result.path and not result.path.startswith(("^", "(", "<")):
        properties.append(("sh:resultPath", _turtle_node(result.path)))
    if result.value is not None:
        properties.append(("sh:value", result.value))
    properties.append(("sh:resultMessage", Literal(result.message).n3()))
    properties.append(("sh:resultSeverity", f"sh:{result.severity.value}"))
    properties.append(("sh:sourceShape", _turtle_node(result.source_shape)))
    properties.append(("sh:sourceConstraintComponent", _turtle_node(result.component)))
    body = " ;\n".join(f"        {name} {value}" for name, value in properties)
    return f"    [\n{body}\n    ]"


def _turtle_node(text: str) -> str:
    return text if text.startswith("_:") else URIRef(text).n3()
