"""export.py: every format is deterministic, parses back to the same data in
pyoxigraph, rdflib and (when installed) raptor, and is written atomically."""

from __future__ import annotations

import errno
import gzip
import os
import random
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from consortia.errors import OutputError
from consortia.export import format_for, serialize_rdf, write_rdf

PREFIXES = {
    "cx": "https://w3id.org/consortia/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "id": "https://w3id.org/consortia/id/",
}

# Two articles' graphs and their descriptions in the default graph, after 0001.
# The alliance's type and label are stated by both articles (duplicates once merged).
DATASET = r"""
@prefix cx: <https://w3id.org/consortia/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/consortia/id/> .

id:graph\/bsn-huobi-china-2019 a prov:Entity ;
    prov:wasDerivedFrom id:article\/bsn-huobi-china-2019 ;
    prov:generatedAtTime "2026-11-24T00:00:00Z"^^xsd:dateTime ;
    prov:wasGeneratedBy id:activity\/consortia-0.1.0 .
id:graph\/bsn-china-mobile-2020 a prov:Entity ;
    prov:wasDerivedFrom id:article\/bsn-china-mobile-2020 ;
    prov:wasGeneratedBy id:activity\/consortia-0.1.0 .
id:activity\/consortia-0.1.0 a prov:Activity ; rdfs:label "consortia 0.1.0" .

id:graph\/bsn-huobi-china-2019 {
    id:org\/huobi-china a org:Organization , org:FormalOrganization ;
        skos:prefLabel "Huobi China"@en ; skos:altLabel "Huobi"@en ;
        org:memberOf id:org\/bsn-development-alliance .
    id:org\/bsn-development-alliance a org:Organization , cx:Alliance ;
        skos:prefLabel "BSN Development Alliance"@en .
    id:membership\/0123456789abcdef a org:Membership ;
        org:member id:org\/huobi-china ;
        org:organization id:org\/bsn-development-alliance ;
        org:role id:role\/member ;
        org:memberDuring id:interval\/fedcba9876543210 ;
        prov:wasDerivedFrom id:article\/bsn-huobi-china-2019 .
    id:interval\/fedcba9876543210 a time:Interval ; time:hasBeginning id:instant\/2019-12-01 .
    id:instant\/2019-12-01 a time:Instant ; time:inXSDDate "2019-12-01"^^xsd:date .
    id:article\/bsn-huobi-china-2019 a schema:NewsArticle ;
        schema:headline "It\u2019s Joining \"BSN\"\nChina\u2019s\\network"@en ;
        schema:url <https://www.coindesk.com/huobi-bsn> .
    id:evidence\/89abcdef01234567 a cx:Evidence ; cx:startOffset 0 ; cx:endOffset 151 .
}

id:graph\/bsn-china-mobile-2020 {
    id:org\/china-mobile a org:Organization , org:FormalOrganization ;
        skos:prefLabel "China Mobile"@en ;
        org:memberOf id:org\/bsn-development-alliance .
    id:org\/bsn-development-alliance a org:Organization , cx:Alliance ;
        skos:prefLabel "BSN Development Alliance"@en .
    id:instant\/2020 a time:Instant ; time:inXSDgYear "2020"^^xsd:gYear .
}
"""

FORMATS = ["turtle", "nt", "nq", "trig", "jsonld"]
EXTENSIONS = {"turtle": "ttl", "nt": "nt", "nq": "nq", "trig": "trig", "jsonld": "jsonld"}
MERGED = {"turtle", "nt"}  # formats holding one graph: the union of all
OXIGRAPH_FORMAT = {
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
}


def dataset() -> list[Quad]:
    return list(parse(DATASET.encode(), format=RdfFormat.TRIG))


def expected(fmt: str) -> set[Quad]:
    quads = set(dataset())
    if fmt in MERGED:
        return {Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads}
    return quads


@pytest.fixture
def quads() -> list[Quad]:
    return dataset()


# --- format_for ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("build/consortia.ttl", "turtle"),
        ("a.nt", "nt"),
        ("a.nq", "nq"),
        ("a.trig", "trig"),
        ("a.jsonld", "jsonld"),
        ("a.nq.gz", "nq"),
        ("A.TTL.GZ", "turtle"),
    ],
)
def test_format_for_reads_the_extension(name: str, fmt: str) -> None:
    assert format_for(Path(name)) == fmt


def test_format_for_names_the_extension_and_the_allowed_ones() -> None:
    with pytest.raises(OutputError) as caught:
        format_for(Path("out/data.rdf.gz"))
    assert str(caught.value) == (
        "out/data.rdf.gz: unknown output format '.rdf' "
        "(use one of .ttl, .nt, .nq, .trig, .jsonld, optionally followed by .gz)"
    )


def test_format_for_without_extension() -> None:
    with pytest.raises(OutputError, match=r"unknown output format \(none\)"):
        format_for(Path("consortia"))


def test_unknown_fmt_argument_lists_the_names(tmp_path: Path, quads: list[Quad]) -> None:
    with pytest.raises(OutputError) as caught:
        write_rdf(quads, tmp_path / "x.ttl", fmt="rdfxml", prefixes=PREFIXES)
    assert str(caught.value) == (
        "unknown output format 'rdfxml' (use one of turtle, nt, nq, trig, jsonld)"
    )
    assert not (tmp_path / "x.ttl").exists()


# --- determinism and round trips -----------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_byte_identical_whatever_the_input_order(
    tmp_path: Path, quads: list[Quad], fmt: str
) -> None:
    first, second = tmp_path / f"1.{EXTENSIONS[fmt]}", tmp_path / f"2.{EXTENSIONS[fmt]}"
    write_rdf(quads, first, prefixes=PREFIXES)
    shuffled = quads * 2  # duplicates too
    random.Random(7).shuffle(shuffled)
    write_rdf(iter(shuffled), second, prefixes=dict(reversed(PREFIXES.items())))
    assert first.read_bytes() == second.read_bytes()
    write_rdf(quads, first, prefixes=PREFIXES)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_count_is_distinct_statements(tmp_path: Path, quads: list[Quad], fmt: str) -> None:
    count = write_rdf(quads + quads, tmp_path / f"x.{EXTENSIONS[fmt]}", prefixes=PREFIXES)
    assert count == len(expected(fmt))
    assert len(expected("turtle")) < len(expected("nq"))  # the merge removed duplicates


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_pyoxigraph(tmp_path: Path, quads: list[Quad], fmt: str) -> None:
    target = tmp_path / f"x.{EXTENSIONS[fmt]}"
    write_rdf(quads, target, prefixes=PREFIXES)
    assert set(parse(path=str(target), format=OXIGRAPH_FORMAT[fmt])) == expected(fmt)


def _from_rdflib(term: object) -> NamedNode | BlankNode | Literal:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return Literal(str(term), language=term.language)
    datatype = NamedNode(str(term.datatype)) if term.datatype else None
    return Literal(str(term), datatype=datatype)


RDFLIB_FORMAT = {
    "turtle": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_rdflib(
    tmp_path: Path, quads: list[Quad], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)  # keep lexical forms as written

    target = tmp_path / f"x.{EXTENSIONS[fmt]}"
    write_rdf(quads, target, prefixes=PREFIXES)
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        data = rdflib.Dataset()
        data.parse(data=target.read_text(encoding="utf-8"), format=RDFLIB_FORMAT[fmt])
    found: set[Quad] = set()
    for s, p, o, g in data.quads((None, None, None, None)):
        graph = DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID else NamedNode(str(g))
        subject, predicate, obj = _from_rdflib(s), _from_rdflib(p), _from_rdflib(o)
        assert isinstance(predicate, NamedNode) and not isinstance(subject, Literal)
        found.add(Quad(subject, predicate, obj, graph))
    assert found == expected(fmt)


RAPPER_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig"}


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) not installed")
@pytest.mark.parametrize("fmt", sorted(RAPPER_SYNTAX))
def test_raptor_parses_the_output(tmp_path: Path, quads: list[Quad], fmt: str) -> None:
    target = tmp_path / f"x.{EXTENSIONS[fmt]}"
    write_rdf(quads, target, prefixes=PREFIXES)
    done = subprocess.run(
        ["rapper", "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "ntriples", str(target)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    triples = set(parse(done.stdout, format=RdfFormat.N_TRIPLES))
    # rapper prints the triples of every graph, without the graph names.
    assert {q.triple for q in triples} == {q.triple for q in expected(fmt)}


# --- exact shapes of the output -------------------------------------------------

TINY = [
    Quad(
        NamedNode("https://w3id.org/consortia/id/org/b"),
        NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
        Literal("B", language="en"),
        NamedNode("https://w3id.org/consortia/id/graph/a"),
    ),
    Quad(
        NamedNode("https://w3id.org/consortia/id/org/b"),
        NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        NamedNode("http://www.w3.org/ns/org#Organization"),
        NamedNode("https://w3id.org/consortia/id/graph/a"),
    ),
    Quad(
        NamedNode("https://w3id.org/consortia/id/graph/a"),
        NamedNode("http://www.w3.org/ns/prov#generatedAtTime"),
        Literal(
            "2026-11-24T00:00:00Z",
            datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"),
        ),
    ),
]
TINY_PREFIXES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def test_turtle_groups_subjects_with_their_types_first() -> None:
    assert serialize_rdf(TINY, "turtle", TINY_PREFIXES).decode() == (
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/consortia/id/graph/a> prov:generatedAtTime "2026-11-24T00:00:00Z"'
        "^^xsd:dateTime .\n"
        "<https://w3id.org/consortia/id/org/b> a org:Organization ;\n"
        '\tskos:prefLabel "B"@en .\n'
    )


def test_trig_puts_the_default_graph_first() -> None:
    text = serialize_rdf(TINY, "trig", TINY_PREFIXES).decode()
    assert text.endswith(
        '<https://w3id.org/consortia/id/graph/a> prov:generatedAtTime "2026-11-24T00:00:00Z"'
        "^^xsd:dateTime .\n"
        "<https://w3id.org/consortia/id/graph/a> {\n"
        "\t<https://w3id.org/consortia/id/org/b> a org:Organization ;\n"
        '\t\tskos:prefLabel "B"@en .\n'
        "}\n"
    )


def test_nquads_are_sorted_lines() -> None:
    lines = serialize_rdf(TINY, "nq", {}).decode().splitlines()
    assert lines == sorted(lines)
    assert len(lines) == 3


def test_jsonld_has_a_context_and_the_graph_inside_its_description() -> None:
    assert serialize_rdf(TINY, "jsonld", TINY_PREFIXES).decode() == (
        """{
  "@context": {
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#"
  },
  "@graph": [
    {
      "@id": "https://w3id.org/consortia/id/graph/a",
      "prov:generatedAtTime": {
        "@value": "2026-11-24T00:00:00Z",
        "@type": "xsd:dateTime"
      },
      "@graph": [
        {
          "@id": "https://w3id.org/consortia/id/org/b",
          "@type": "org:Organization",
          "skos:prefLabel": {
            "@value": "B",
            "@language": "en"
          }
        }
      ]
    }
  ]
}
"""
    )


def test_triples_are_accepted_as_default_graph_statements() -> None:
    triple = Triple(TINY[2].subject, TINY[2].predicate, TINY[2].object)
    assert serialize_rdf([triple], "nq", {}) == serialize_rdf([TINY[2]], "nq", {})


def test_stdout_gets_turtle(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    count = write_rdf(TINY, None, prefixes=TINY_PREFIXES)
    assert count == 3
    assert capsysbinary.readouterr().out == serialize_rdf(TINY, "turtle", TINY_PREFIXES)


# --- gzip ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_gz_is_reproducible_and_holds_the_plain_output(
    tmp_path: Path, quads: list[Quad], fmt: str
) -> None:
    plain, packed = tmp_path / f"x.{EXTENSIONS[fmt]}", tmp_path / f"x.{EXTENSIONS[fmt]}.gz"
    write_rdf(quads, plain, prefixes=PREFIXES)
    write_rdf(quads, packed, prefixes=PREFIXES)
    first = packed.read_bytes()
    assert first[4:8] == b"\0\0\0\0"  # mtime 0
    assert gzip.decompress(first) == plain.read_bytes()
    write_rdf(list(reversed(quads)), tmp_path / "other" / packed.name, prefixes=PREFIXES)
    assert (tmp_path / "other" / packed.name).read_bytes() == first


# --- atomic writes and errors --------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_failed_write_leaves_the_previous_file(
    tmp_path: Path, quads: list[Quad], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "consortia.nq"
    target.write_text("previous\n")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError) as caught:
        write_rdf(quads, target, prefixes=PREFIXES)
    assert str(caught.value) == (
        f"{target}: cannot write the output: No space left on device "
        "(free some disk space and try again)"
    )
    assert target.read_text() == "previous\n"
    assert _leftovers(tmp_path) == []


def test_failing_input_leaves_the_previous_file(tmp_path: Path, quads: list[Quad]) -> None:
    target = tmp_path / "consortia.ttl"
    target.write_text("previous\n")

    def broken() -> Iterator[Quad]:
        yield quads[0]
        raise RuntimeError("extraction failed")

    with pytest.raises(RuntimeError, match="extraction failed"):
        write_rdf(broken(), target, prefixes=PREFIXES)
    assert target.read_text() == "previous\n"
    assert _leftovers(tmp_path) == []


def test_interrupted_replace_leaves_no_temporary_file(
    tmp_path: Path, quads: list[Quad], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "consortia.ttl"
    target.write_text("previous\n")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_rdf(quads, target, prefixes=PREFIXES)
    assert target.read_text() == "previous\n"
    assert _leftovers(tmp_path) == []


def test_unwritable_directory_names_the_path_and_what_to_do(
    tmp_path: Path, quads: list[Quad], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "open", refused)
    target = tmp_path / "out" / "consortia.ttl"
    with pytest.raises(OutputError) as caught:
        write_rdf(quads, target, prefixes=PREFIXES)
    assert str(caught.value) == (
        f"{target}: cannot write the output: Permission denied "
        "(check that you may write to that directory, or choose another output path)"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only directories")
def test_read_only_directory(tmp_path: Path, quads: list[Quad]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "consortia.ttl").write_text("previous\n")
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            write_rdf(quads, locked / "consortia.ttl", prefixes=PREFIXES)
        assert (locked / "consortia.ttl").read_text() == "previous\n"
    finally:
        locked.chmod(0o700)


def test_parent_that_is_a_file(tmp_path: Path, quads: list[Quad]) -> None:
    (tmp_path / "build").write_text("not a directory")
    target = tmp_path / "build" / "consortia.ttl"
    with pytest.raises(OutputError) as caught:
        write_rdf(quads, target, prefixes=PREFIXES)
    assert str(caught.value) == (
        f"{target}: cannot write the output: {tmp_path / 'build'} is a file, not a directory "
        "(choose another output path)"
    )


def test_destination_that_is_a_directory(tmp_path: Path, quads: list[Quad]) -> None:
    (tmp_path / "x.ttl").mkdir()
    with pytest.raises(OutputError, match="it is a directory"):
        write_rdf(quads, tmp_path / "x.ttl", prefixes=PREFIXES)


def test_missing_directories_are_created(tmp_path: Path, quads: list[Quad]) -> None:
    target = tmp_path / "build" / "rdf" / "consortia.nt"
    write_rdf(quads, target, prefixes=PREFIXES)
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
