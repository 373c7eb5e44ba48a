"""describe.py and the description export.py writes: counts, license, dates from the
data, relative file IRIs, byte-identical rewrites, read alike by rdflib and pyoxigraph;
and the published JSON-LD context."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import rdflib
import yaml
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from consortia.describe import LICENSE, description_path
from consortia.export import load_context, write_dataset

B = "https://w3id.org/consortia/id/"
ROOT = Path(__file__).resolve().parents[2]

DATA = r"""
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/consortia/id/> .
id:graph\/a a prov:Entity ; prov:generatedAtTime "2026-11-24T00:00:00Z"^^xsd:dateTime ;
    prov:wasGeneratedBy id:activity\/consortia-9.9.9 .
id:graph\/b a prov:Entity ; prov:generatedAtTime "2025-01-02T03:04:05Z"^^xsd:dateTime .
id:graph\/a { id:org\/x a org:Organization ; skos:prefLabel "X"@en .
              id:article\/a a schema:NewsArticle . }
id:graph\/b { id:org\/x a org:Organization . id:org\/y a org:Organization .
              id:article\/b a schema:NewsArticle . }
"""

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"


def quads() -> list[Quad]:
    return [q for q in parse(DATA.encode(), format=RdfFormat.TRIG) if isinstance(q, Quad)]


def read(path: Path) -> set[tuple[object, object, object]]:
    return {
        (t.subject, t.predicate, t.object)
        for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=path.as_uri())
    }


def value(triples: set[tuple[object, object, object]], subject: str, predicate: str) -> set[str]:
    return {
        str(o.value)  # type: ignore[attr-defined]
        for s, p, o in triples
        if s == NamedNode(subject) and p == NamedNode(predicate)
    }


def test_description_beside_the_output(tmp_path: Path) -> None:
    output = tmp_path / "out" / "data.nq.gz"
    written = write_dataset(quads(), output, base=B)
    assert written.description == description_path(output) == tmp_path / "out/data.nq.gz.void.ttl"
    text = written.description.read_text(encoding="utf-8")
    assert "file:" not in text and "@base" not in text
    assert "<data.nq.gz> a dcat:Distribution" in text
    triples = read(written.description)
    dataset = B + "dataset"
    assert value(triples, dataset, VOID + "triples") == {"11"}
    assert value(triples, dataset, VOID + "entities") == {"6"}  # graphs, orgs, articles
    assert value(triples, dataset, DCTERMS + "license") == {LICENSE}
    assert value(triples, dataset, DCTERMS + "issued") == {"2025-01-02T03:04:05Z"}
    assert value(triples, dataset, DCTERMS + "modified") == {"2026-11-24T00:00:00Z"}
    assert value(triples, dataset, "http://www.w3.org/ns/prov#wasGeneratedBy") == {
        B + "activity/consortia-9.9.9"
    }
    assert value(triples, f"{dataset}/class/org-Organization", VOID + "entities") == {"2"}
    assert value(triples, f"{dataset}/class/schema-NewsArticle", VOID + "entities") == {"2"}
    file = output.as_uri()
    dcat = "http://www.w3.org/ns/dcat#"
    assert value(triples, file, dcat + "mediaType") == {
        "http://www.iana.org/assignments/media-types/application/n-quads"
    }
    assert value(triples, file, dcat + "compressFormat") == {
        "http://www.iana.org/assignments/media-types/application/gzip"
    }
    assert value(triples, file, dcat + "byteSize") == {str(output.stat().st_size)}


def test_description_is_byte_identical_when_rewritten(tmp_path: Path) -> None:
    first = write_dataset(quads(), tmp_path / "a.ttl", base=B).description
    assert first is not None
    before = first.read_bytes()
    write_dataset(list(reversed(quads())), tmp_path / "a.ttl", base=B)
    assert first.read_bytes() == before


def test_description_reads_alike_in_rdflib(tmp_path: Path) -> None:
    path = write_dataset(quads(), tmp_path / "a.trig", base=B).description
    assert path is not None
    graph = rdflib.Graph().parse(path, format="turtle")
    assert len(graph) == len(read(path))
    assert (
        rdflib.URIRef((tmp_path / "a.trig").as_uri()),
        rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"),
        rdflib.URIRef((tmp_path / "a.trig").as_uri()),
    ) in graph


def test_stdout_gets_no_description(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    written = write_dataset(quads(), None, "nq")
    assert capsysbinary.readouterr().out.count(b"\n") == 11
    assert written.description is None and written.path is None


def test_jsonld_embeds_the_published_context(tmp_path: Path) -> None:
    output = tmp_path / "a.jsonld"
    write_dataset(quads(), output, prefixes={"ex": "urn:ex:"}, base=B)
    document = json.loads(output.read_text(encoding="utf-8"))
    shipped = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == shipped["@context"] == load_context()
    ours = set(parse(output.read_bytes(), format=RdfFormat.JSON_LD))
    assert ours == set(quads())
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = rdflib.Dataset()
        dataset.parse(output, format="json-ld")
    assert len(list(dataset.quads((None, None, None, None)))) == len(ours)


def test_published_context_holds_every_model_prefix() -> None:
    templates = yaml.safe_load((ROOT / "mappings" / "templates.yaml").read_text(encoding="utf-8"))
    context = load_context()
    assert {name: context.get(name) for name in templates["prefixes"]} == templates["prefixes"]
    assert context["id"] == B


def test_the_description_from_triple_lines_is_the_same(tmp_path: Path) -> None:
    """A build describes its output from N-Triples lines (no term objects): the
    same description as from the quads, on every gold article at once."""
    import pyoxigraph as ox

    from consortia.describe import Distribution, describe_dataset, describe_union
    from consortia.pipeline import build
    from consortia.project import Project

    gold = Path(__file__).resolve().parents[1] / "gold"
    result = build(Project.load(state=tmp_path / "state"), [gold], tmp_path / "all.nq")
    union = ox.serialize({q.triple for q in result.quads}, format=ox.RdfFormat.N_TRIPLES)
    where = [Distribution(tmp_path / "all.nq", "nq", 1)]
    expected = describe_dataset(result.quads, where)
    assert describe_union(union, result.quad_count, where) == expected
