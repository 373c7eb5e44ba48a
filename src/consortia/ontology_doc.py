"""Ontology -> HTML: the readable reference that ``consortia ontology`` writes.

Everything on the page comes from ``ontology/consortia.ttl``: the ``cx:``
classes and properties (label, definition, domain, range, examples, notes),
their alignments to W3C ORG, schema.org, PROV-O and Wikidata, the role concept
scheme, and the external terms the data uses. The page is one self-contained
file (no script, no remote style sheet) written with the standard library's
:mod:`html` module, and byte-identical for the same ontology: every list is
sorted and nothing depends on the clock. ``docs/ontology.html`` is this output,
kept current by a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from consortia.errors import MappingError

__all__ = ["CX", "load_ontology_graph", "ontology_html", "render_html"]

CX = "https://w3id.org/consortia/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/consortia/ontology")
VANN = "http://purl.org/vocab/vann/"

#: The relations that align a term with another vocabulary, in display order.
ALIGNMENTS: tuple[tuple[URIRef, str], ...] = (
    (RDFS.subClassOf, "subclass of"),
    (RDFS.subPropertyOf, "subproperty of"),
    (OWL.equivalentClass, "equivalent class"),
    (OWL.equivalentProperty, "equivalent property"),
    (OWL.inverseOf, "inverse of"),
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.narrowMatch, "narrower match"),
    (SKOS.broadMatch, "broader match"),
    (SKOS.relatedMatch, "related match"),
    (RDFS.seeAlso, "see also"),
)

#: The vocabulary an aligned term belongs to, by namespace.
VOCABULARIES: dict[str, str] = {
    "http://www.w3.org/ns/org#": "W3C Organization Ontology (ORG)",
    "https://schema.org/": "schema.org",
    "http://www.w3.org/ns/prov#": "PROV-O",
    "http://www.wikidata.org/prop/direct/": "Wikidata",
    "http://www.wikidata.org/entity/": "Wikidata",
    "http://xmlns.com/foaf/0.1/": "FOAF",
    "http://www.w3.org/2004/02/skos/core#": "SKOS",
    "http://www.w3.org/2006/time#": "OWL-Time",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "RDF",
    "http://www.w3.org/2000/01/rdf-schema#": "RDF Schema",
    "http://www.w3.org/2002/07/owl#": "OWL",
    "http://www.w3.org/2001/XMLSchema#": "XML Schema datatypes",
    "http://purl.org/dc/terms/": "DCMI Metadata Terms",
    CX: "Consortia",
}

#: Names of the Wikidata properties the ontology aligns with (Wikidata's own labels).
WIKIDATA_LABELS: dict[str, str] = {
    "P112": "founded by",
    "P131": "located in the administrative territorial entity",
    "P159": "headquarters location",
    "P169": "chief executive officer",
    "P355": "has subsidiary",
    "P463": "member of",
    "P488": "chairperson",
    "P749": "parent organization",
    "P1037": "director / manager",
    "P1416": "affiliation",
    "P2541": "operating area",
}

_STYLE = """\
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.5rem; }
section.term { border-left: 4px solid #4a6fa5; padding: .1rem 1rem; margin: 1.5rem 0;
               background: #f7f9fc; }
section.term h3 { margin: .6rem 0 .2rem; }
code { font-family: ui-monospace, monospace; font-size: .92em; }
.iri { color: #555; font-size: .9em; margin-top: 0; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .95em; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
.example { font-family: ui-monospace, monospace; font-size: .9em; white-space: pre-wrap; }
.note { color: #444; font-style: italic; }
nav ul { columns: 2; }
"""


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_ontology_graph(path: Path) -> Graph:
    """Parse the ontology keeping only the prefixes its Turtle declares.

    Raises :class:`~consortia.errors.MappingError` naming the file it cannot read.
    """
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as error:
        raise MappingError("file not found", path=path) from error
    except Exception as error:  # rdflib raises many types on bad input
        reason = getattr(error, "_why", None) or str(error) or type(error).__name__
        raise MappingError(
            f"invalid Turtle: {reason}",
            path=path,
            hint="fix the syntax; `rapper -i turtle -c FILE` shows where",
        ) from error
    return graph


def ontology_html(path: Path) -> str:
    """The HTML reference of the ontology in ``path`` (see :func:`render_html`)."""
    return render_html(load_ontology_graph(path))


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


class _Page:
    """What rendering needs of the graph: prefixes, and which terms have an anchor."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.prefixes = sorted(
            ((prefix, str(namespace)) for prefix, namespace in graph.namespaces() if prefix),
            key=lambda item: (-len(item[1]), item[0]),
        )
        self.anchored = {
            subject
            for subject in graph.subjects(RDF.type, None)
            if isinstance(subject, URIRef) and str(subject).startswith(CX)
        }

    def curie(self, iri: URIRef) -> str:
        text = str(iri)
        for prefix, namespace in self.prefixes:
            local = text.removeprefix(namespace)
            if local != text and re.fullmatch(r"[A-Za-z_][\w.-]*", local):
                return f"{prefix}:{local}"
        return text

    def link(self, node: Node) -> str:
        """A term as HTML: our terms link to their entry, others to their IRI."""
        if isinstance(node, URIRef):
            label = f"<code>{_h(self.curie(node))}</code>"
            wikidata = _wikidata_label(node)
            if wikidata:
                label += f" ({_h(wikidata)})"
            if node in self.anchored:
                return f'<a href="#{_attr(_anchor(node))}">{label}</a>'
            return f'<a href="{_attr(str(node))}">{label}</a>'
        if isinstance(node, Literal):
            return _h(str(node))
        return "(an anonymous class or list)"

    def links(self, nodes: Iterable[Node]) -> str:
        return ", ".join(self.link(node) for node in sorted(set(nodes), key=str))

    def text(self, subject: Node, predicate: URIRef) -> str | None:
        """The English (else untagged, else any) value of an annotation, or None."""
        values = sorted(
            (
                value
                for value in self.graph.objects(subject, predicate)
                if isinstance(value, Literal)
            ),
            key=_language_order,
        )
        return str(values[0]) if values else None

    def texts(self, subject: Node, predicate: URIRef) -> list[str]:
        return sorted(
            str(value)
            for value in self.graph.objects(subject, predicate)
            if isinstance(value, Literal)
        )


def _h(text: str) -> str:
    """Text as HTML element content."""
    return escape(text, quote=False)


def _attr(text: str) -> str:
    """Text as an HTML attribute value (in double quotes)."""
    return escape(text, quote=True)


def _language_order(value: Literal) -> tuple[int, str]:
    language = value.language
    return (0 if language == "en" else 1 if language is None else 2, str(value))


def _anchor(iri: URIRef) -> str:
    return str(iri).removeprefix(CX)


def _wikidata_label(iri: URIRef) -> str | None:
    match = re.fullmatch(r"http://www\.wikidata\.org/(?:prop/direct|entity)/(P\d+)", str(iri))
    return WIKIDATA_LABELS.get(match.group(1)) if match else None


def _vocabulary(iri: URIRef) -> str:
    text = str(iri)
    for namespace, name in sorted(VOCABULARIES.items(), key=lambda item: -len(item[0])):
        if text.startswith(namespace):
            return name
    return "other"


def render_html(graph: Graph) -> str:
    """The ontology as one self-contained HTML page (deterministic).

    >>> from rdflib import Graph
    >>> page = render_html(Graph())
    >>> page.startswith("<!DOCTYPE html>") and page.endswith("</html>\\n")
    True
    """
    page = _Page(graph)
    title = page.text(ONTOLOGY_IRI, DCTERMS.title) or "Consortia ontology"
    version = page.text(ONTOLOGY_IRI, OWL.versionInfo)
    heading = f"{title} {version}" if version else title
    classes = _cx_terms(graph, OWL.Class)
    object_properties = _cx_terms(graph, OWL.ObjectProperty)
    datatype_properties = _cx_terms(graph, OWL.DatatypeProperty)
    concepts = _cx_terms(graph, SKOS.Concept)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(heading)}</title>",
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(heading)}</h1>",
        "<p>Generated from <code>ontology/consortia.ttl</code> by "
        "<code>consortia ontology</code>; the Turtle itself is served as is by "
        "<code>consortia ontology --format ttl</code>. Do not edit this page: change "
        "the ontology and regenerate it.</p>",
        _metadata(page),
        _contents(),
        _overview(classes, object_properties, datatype_properties, concepts),
        '<h2 id="classes">Classes</h2>',
        *(_entry(page, term) for term in classes),
        '<h2 id="object-properties">Object properties</h2>',
        *(_entry(page, term) for term in object_properties),
        '<h2 id="datatype-properties">Datatype properties</h2>',
        *(_entry(page, term) for term in datatype_properties),
        _roles(page, concepts),
        _alignment_table(page),
        _external_terms(page),
        _namespaces(page),
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _cx_terms(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(
        (
            subject
            for subject in graph.subjects(RDF.type, kind)
            if isinstance(subject, URIRef) and str(subject).startswith(CX)
        ),
        key=lambda term: str(term).casefold(),
    )


def _metadata(page: _Page) -> str:
    graph = page.graph
    rows: list[tuple[str, str]] = [("Ontology IRI", page.link(ONTOLOGY_IRI))]
    version_iri = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    if version_iri is not None:
        rows.append(("Version IRI", page.link(version_iri)))
    prefix = page.text(ONTOLOGY_IRI, URIRef(VANN + "preferredNamespacePrefix"))
    namespace = page.text(ONTOLOGY_IRI, URIRef(VANN + "preferredNamespaceUri"))
    if prefix and namespace:
        rows.append(("Prefix", f"<code>{_h(prefix)}:</code> <code>{_h(namespace)}</code>"))
    for predicate, name in (
        (DCTERMS.creator, "Creator"),
        (DCTERMS.issued, "Issued"),
    ):
        value = page.text(ONTOLOGY_IRI, predicate)
        if value:
            rows.append((name, _h(value)))
    licenses = list(graph.objects(ONTOLOGY_IRI, DCTERMS.license))
    if licenses:
        rows.append(("License", page.links(licenses)))
    see_also = list(graph.objects(ONTOLOGY_IRI, RDFS.seeAlso))
    if see_also:
        rows.append(("See also", page.links(see_also)))
    description = page.text(ONTOLOGY_IRI, DCTERMS.description)
    lines = [f"<p>{_h(description)}</p>"] if description else []
    lines.append("<dl>")
    lines.extend(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    lines.append("</dl>")
    return "\n".join(lines)


def _contents() -> str:
    sections = (
        ("classes", "Classes"),
        ("object-properties", "Object properties"),
        ("datatype-properties", "Datatype properties"),
        ("roles", "Roles and posts (concept scheme)"),
        ("alignments", "Alignments with other vocabularies"),
        ("external", "External terms the data uses"),
        ("namespaces", "Namespaces"),
    )
    items = "\n".join(f'<li><a href="#{key}">{name}</a></li>' for key, name in sections)
    return f"<nav>\n<h2>Contents</h2>\n<ul>\n{items}\n</ul>\n</nav>"


def _overview(*groups: list[URIRef]) -> str:
    classes, object_properties, datatype_properties, concepts = groups
    return (
        f"<p>{len(classes)} classes, {len(object_properties)} object properties, "
        f"{len(datatype_properties)} datatype properties and {len(concepts)} role "
        "concepts.</p>"
    )


def _entry(page: _Page, term: URIRef) -> str:
    graph = page.graph
    label = page.text(term, RDFS.label) or _anchor(term)
    lines = [
        f'<section class="term" id="{_attr(_anchor(term))}">',
        f"<h3>{_h(label)} <code>{_h(page.curie(term))}</code></h3>",
        f'<p class="iri">{_h(str(term))}</p>',
    ]
    definition = page.text(term, SKOS.definition)
    if definition:
        lines.append(f"<p>{_h(definition)}</p>")
    rows: list[tuple[str, str]] = []
    types = sorted(graph.objects(term, RDF.type), key=str)
    rows.append(("Type", page.links(types)))
    for predicate, name in ((RDFS.domain, "Domain"), (RDFS.range, "Range")):
        values = list(graph.objects(term, predicate))
        if values:
            rows.append((name, page.links(values)))
    for predicate, name in ALIGNMENTS:
        values = list(graph.objects(term, predicate))
        if values:
            rows.append((name.capitalize(), page.links(values)))
    for predicate, name in ((RDFS.domain, "Domain of"), (RDFS.range, "Range of")):
        users = [user for user in graph.subjects(predicate, term) if isinstance(user, URIRef)]
        if users:
            rows.append((name, page.links(users)))
    subclasses = [sub for sub in graph.subjects(RDFS.subClassOf, term) if isinstance(sub, URIRef)]
    if subclasses:
        rows.append(("Subclasses", page.links(subclasses)))
    lines.append("<dl>")
    lines.extend(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    lines.append("</dl>")
    for example in page.texts(term, SKOS.example):
        lines.append(f'<p>Example: <span class="example">{_h(example)}</span></p>')
    for note in page.texts(term, SKOS.editorialNote):
        lines.append(f'<p class="note">Note: {_h(note)}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def _roles(page: _Page, concepts: list[URIRef]) -> str:
    graph = page.graph
    lines = ['<h2 id="roles">Roles and posts (concept scheme)</h2>']
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        if not isinstance(scheme, URIRef):
            continue
        name = page.text(scheme, SKOS.prefLabel) or page.text(scheme, RDFS.label) or ""
        lines.append(
            f'<p id="{_attr(_anchor(scheme))}"><strong>{_h(name)}</strong> '
            f"<code>{_h(page.curie(scheme))}</code>: "
            f"{_h(page.text(scheme, SKOS.definition) or '')}</p>"
        )
    lines.append(
        "<p>The value of <code>org:role</code> on a membership is one of these concepts "
        "(or another concept <code>skos:inScheme cx:RoleScheme</code>).</p>"
    )
    lines.append("<table>")
    lines.append(
        "<tr><th>Concept</th><th>Preferred label</th><th>Other labels</th>"
        "<th>Broader</th><th>Definition</th></tr>"
    )
    for concept in concepts:
        broader = list(graph.objects(concept, SKOS.broader))
        lines.append(
            f'<tr id="{_attr(_anchor(concept))}">'
            f"<td><code>{_h(page.curie(concept))}</code></td>"
            f"<td>{_h(page.text(concept, SKOS.prefLabel) or '')}</td>"
            f"<td>{_h(', '.join(page.texts(concept, SKOS.altLabel)))}</td>"
            f"<td>{page.links(broader)}</td>"
            f"<td>{_h(page.text(concept, SKOS.definition) or '')}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def _alignment_table(page: _Page) -> str:
    graph = page.graph
    rows: list[tuple[str, str, str, str, str]] = []
    for predicate, name in ALIGNMENTS:
        for subject, target in graph.subject_objects(predicate):
            if not (isinstance(subject, URIRef) and isinstance(target, URIRef)):
                continue
            if subject == ONTOLOGY_IRI:
                continue  # the ontology's own rdfs:seeAlso, shown at the top
            vocabulary = _vocabulary(target)
            if vocabulary == _vocabulary(subject) or vocabulary in {"RDF Schema", "OWL"}:
                continue  # a hierarchy inside one vocabulary is not an alignment
            rows.append((vocabulary, str(subject), name, page.link(subject), page.link(target)))
    rows.sort(key=lambda row: (row[0].casefold(), row[1], row[2], row[4]))
    lines = [
        '<h2 id="alignments">Alignments with other vocabularies</h2>',
        "<p>How each term lines up with W3C ORG, schema.org, PROV-O, Wikidata and "
        "the other vocabularies: <code>rdfs:subClassOf</code> and "
        "<code>rdfs:subPropertyOf</code> are logical (a reasoner uses them); "
        "<code>skos:exactMatch</code>, <code>skos:closeMatch</code> and the other "
        "SKOS mapping relations are annotations for people and for mapping tools.</p>",
        "<table>",
        "<tr><th>Vocabulary</th><th>Term</th><th>Relation</th><th>Aligned with</th></tr>",
    ]
    for vocabulary, _key, relation, term_html, target_html in rows:
        lines.append(
            f"<tr><td>{_h(vocabulary)}</td><td>{term_html}</td>"
            f"<td>{_h(relation)}</td><td>{target_html}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (RDF.Property, "RDF properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
)


def _external_terms(page: _Page) -> str:
    graph = page.graph
    lines = [
        '<h2 id="external">External terms the data uses</h2>',
        "<p>The ontology declares the terms of other vocabularies that the published "
        "data uses, with the class hierarchy and the domains and ranges Consortia "
        "relies on, so that a reasoner and a SHACL engine work from this file alone. "
        "Their meaning is the one their own vocabulary gives.</p>",
    ]
    for kind, name in _KINDS:
        terms = sorted(
            (
                term
                for term in graph.subjects(RDF.type, kind)
                if isinstance(term, URIRef) and not str(term).startswith(CX)
            ),
            key=lambda term: page.curie(term).casefold(),
        )
        if not terms:
            continue
        lines.append(f"<h3>{_h(name)}</h3>")
        lines.append("<table>")
        lines.append(
            "<tr><th>Term</th><th>Label</th><th>Subclass or subproperty of</th>"
            "<th>Domain</th><th>Range</th><th>Alignments</th></tr>"
        )
        for term in terms:
            parents = list(graph.objects(term, RDFS.subClassOf)) + list(
                graph.objects(term, RDFS.subPropertyOf)
            )
            aligned = [
                f"{_h(relation)} {page.links(graph.objects(term, predicate))}"
                for predicate, relation in ALIGNMENTS
                if predicate not in (RDFS.subClassOf, RDFS.subPropertyOf)
                and (term, predicate, None) in graph
            ]
            lines.append(
                f"<tr><td>{page.link(term)}</td>"
                f"<td>{_h(page.text(term, RDFS.label) or '')}</td>"
                f"<td>{page.links(parents)}</td>"
                f"<td>{page.links(graph.objects(term, RDFS.domain))}</td>"
                f"<td>{page.links(graph.objects(term, RDFS.range))}</td>"
                f"<td>{'; '.join(aligned)}</td></tr>"
            )
        lines.append("</table>")
    return "\n".join(lines)


def _namespaces(page: _Page) -> str:
    lines = [
        '<h2 id="namespaces">Namespaces</h2>',
        "<table>",
        "<tr><th>Prefix</th><th>Namespace</th><th>Vocabulary</th></tr>",
    ]
    for prefix, namespace in sorted(page.prefixes):
        lines.append(
            f"<tr><td><code>{_h(prefix)}:</code></td><td><code>{_h(namespace)}"
            f"</code></td><td>{_h(VOCABULARIES.get(namespace, ''))}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)
