"""consortia.ontology_doc: the HTML reference of the ontology, and docs/ontology.html."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from consortia.errors import MappingError
from consortia.ontology_doc import CX, load_ontology_graph, ontology_html, render_html

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "consortia.ttl"
REFERENCE = ROOT / "docs" / "ontology.html"


class _Anchors(HTMLParser):
    """Collects ids, internal links and anything that would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.internal: set[str] = set()
        self.loads: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        href = values.get("href") or ""
        if href.startswith("#"):
            self.internal.add(href[1:])
        if tag in {"script", "link", "img", "iframe"} or values.get("src"):
            self.loads.append(tag)
        if tag not in {"meta", "br", "hr", "img", "link"}:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def _parsed(page: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(page)
    parser.close()
    return parser


def test_committed_reference_is_current() -> None:
    expected = ontology_html(ONTOLOGY)
    actual = REFERENCE.read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/ontology.html is stale: run consortia ontology -o docs/ontology.html"
    )


def test_page_is_well_formed_self_contained_and_its_links_resolve() -> None:
    page = ontology_html(ONTOLOGY)
    parsed = _parsed(page)
    assert parsed.open == [], f"unclosed: {parsed.open}"
    assert parsed.loads == [], "the page must not load anything from elsewhere"
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    assert parsed.internal <= set(parsed.ids), sorted(parsed.internal - set(parsed.ids))


def test_every_cx_term_has_an_entry() -> None:
    graph = load_ontology_graph(ONTOLOGY)
    ids = set(_parsed(ontology_html(ONTOLOGY)).ids)
    terms = {
        str(subject).removeprefix(CX)
        for subject in graph.subjects(RDF.type, None)
        if isinstance(subject, URIRef) and str(subject).startswith(CX)
    }
    assert terms and terms <= ids, sorted(terms - ids)


@pytest.mark.parametrize(
    "expected",
    [
        # A class with its ORG superclass, schema.org match, definition and example.
        '<dt>Subclass of</dt><dd><a href="http://www.w3.org/ns/org#OrganizationalCollaboration">'
        "<code>org:OrganizationalCollaboration</code></a></dd>",
        '<dt>Exact match</dt><dd><a href="https://schema.org/Consortium">'
        "<code>schema:Consortium</code></a></dd>",
        '<p>Example: <span class="example">BSN Development Alliance, Libra Association',
        # A property with domain and range, linking to our own class.
        '<dt>Range</dt><dd><a href="#Evidence"><code>cx:Evidence</code></a></dd>',
        # Wikidata alignments carry Wikidata's name of the property.
        "<code>wdt:P463</code> (member of)",
        "<code>wdt:P131</code> (located in the administrative territorial entity)",
        # PROV and the role scheme.
        '<a href="http://www.w3.org/ns/prov#Entity"><code>prov:Entity</code></a>',
        "<td>founding member</td><td>charter member, co-founder member, founder member, "
        "promoter member</td>",
    ],
)
def test_page_shows(expected: str) -> None:
    assert expected in ontology_html(ONTOLOGY)


def test_rendering_is_deterministic() -> None:
    graph = load_ontology_graph(ONTOLOGY)
    shuffled = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(graph.namespaces(), reverse=True):
        shuffled.bind(prefix, namespace)
    for triple in sorted(graph, key=str, reverse=True):
        shuffled.add(triple)
    assert render_html(shuffled) == render_html(graph)


def test_text_is_escaped() -> None:
    graph = Graph(bind_namespaces="none")
    graph.bind("cx", CX)
    term = URIRef(CX + "Thing")
    graph.add((term, RDF.type, OWL.Class))
    graph.add((term, RDFS.label, Literal("<b>Thing</b> & co", lang="en")))
    graph.add((term, SKOS.definition, Literal('A "quoted" <script>x</script>', lang="en")))
    page = render_html(graph)
    assert "<h3>&lt;b&gt;Thing&lt;/b&gt; &amp; co <code>cx:Thing</code></h3>" in page
    assert '<p>A "quoted" &lt;script&gt;x&lt;/script&gt;</p>' in page
    assert "<script" not in page


def test_english_label_is_preferred() -> None:
    graph = Graph(bind_namespaces="none")
    term = URIRef(CX + "Thing")
    graph.add((term, RDF.type, OWL.Class))
    graph.add((term, RDFS.label, Literal("Ding", lang="de")))
    graph.add((term, RDFS.label, Literal("Thing", lang="en")))
    assert "<h3>Thing <code>" in render_html(graph)


def test_broken_ontology_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix cx: <https://w3id.org/consortia/ontology#> .\ncx:a cx:b\n")
    with pytest.raises(MappingError, match="invalid Turtle") as raised:
        ontology_html(broken)
    assert raised.value.path == broken
    with pytest.raises(MappingError, match="file not found"):
        ontology_html(tmp_path / "missing.ttl")
