"""Round trips with the real peers: every export format of the seed build loads
unchanged into Oxigraph (``oxigraph load``), Apache Jena (``riot``), raptor
(``rapper``, not for JSON-LD) and rdflib, and so does each VoID/DCAT description.

"Unchanged" means the very same quads (triples for Turtle and N-Triples, which
merge the graphs), compared as sets after each peer writes back what it read as
N-Quads. A peer whose tool is missing is skipped, unless ``CI`` is set: then it
is a failure (``.ci/run`` installs them all). One tool call per file and peer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse

from consortia.export import export_build, read_build
from consortia.project import Project
from tests.conftest import BuiltSeed

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("turtle", "nt", "nq", "trig", "jsonld")
EXTENSIONS = {"turtle": "ttl", "nt": "nt", "nq": "nq", "trig": "trig", "jsonld": "jsonld"}
RAPPER_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig"}
RDFLIB_FORMAT = {
    "turtle": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}
TIMEOUT = 120


def missing(tool: str) -> None:
    """Skip for want of ``tool``; under CI that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is missing, and CI must run every peer: see .ci/run")
    pytest.skip(f"{tool} is not installed")


@dataclass(frozen=True)
class Exports:
    """The seed build exported once in every format, and what each must hold."""

    folder: Path
    quads: frozenset[Quad]

    def file(self, fmt: str) -> Path:
        return self.folder / f"consortia.{EXTENSIONS[fmt]}"

    def description(self, fmt: str) -> Path:
        return self.folder / f"consortia.{EXTENSIONS[fmt]}.void.ttl"

    def expected(self, fmt: str) -> frozenset[Quad]:
        if fmt in ("turtle", "nt"):
            return frozenset(Quad(q.subject, q.predicate, q.object) for q in self.quads)
        return self.quads


@pytest.fixture(scope="session")
def exports(built_seed: BuiltSeed, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    folder = tmp_path_factory.mktemp("peers")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CONSORTIA_BASE", raising=False)
        project = Project.load(state=built_seed.state)
        for fmt in FORMATS:
            export_build(project, folder / f"consortia.{EXTENSIONS[fmt]}")
        quads = frozenset(read_build(built_seed.state))
    return Exports(folder, quads)


def nquads(data: bytes, base_iri: str | None = None) -> frozenset[Quad]:
    return frozenset(
        q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object)
        for q in parse(data, format=RdfFormat.N_QUADS, base_iri=base_iri)
    )


def run(command: list[str]) -> bytes:
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stderr.decode(errors='replace')}"
    return done.stdout


def description_graph(path: Path) -> frozenset[Quad]:
    """The description as pyoxigraph reads it, its relative IRIs resolved against it."""
    return frozenset(
        Quad(t.subject, t.predicate, t.object)
        for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=path.as_uri())
    )


# --- Oxigraph -------------------------------------------------------------------


@pytest.fixture(scope="session")
def oxigraph() -> str:
    found = shutil.which("oxigraph")
    if found is None:
        missing("oxigraph (pip install oxigraph)")
    assert found is not None
    return found


def oxigraph_round_trip(tool: str, file: Path, location: Path, base: str | None = None) -> bytes:
    load = [tool, "load", "--location", str(location), "--file", str(file)]
    run([*load, "--base", base] if base else load)
    return run([tool, "dump", "--location", str(location), "--format", "nq"])


XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph's store (0.5) keeps the integer types derived from xsd:integer as
# xsd:integer: "363"^^xsd:nonNegativeInteger comes back as 363 (Virtuoso does the
# same). Values and everything else are kept; this is the one known change.
_DERIVED_INTEGERS = frozenset(
    XSD + name
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


def as_oxigraph_stores(quads: frozenset[Quad]) -> frozenset[Quad]:
    def term(value: object) -> object:
        if isinstance(value, Literal) and value.datatype.value in _DERIVED_INTEGERS:
            return Literal(str(int(value.value)), datatype=NamedNode(XSD + "integer"))
        return value

    return frozenset(
        Quad(q.subject, q.predicate, term(q.object), q.graph_name)  # type: ignore[arg-type]
        for q in quads
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_oxigraph_loads_every_format_unchanged(
    exports: Exports, oxigraph: str, tmp_path: Path, fmt: str
) -> None:
    dumped = oxigraph_round_trip(oxigraph, exports.file(fmt), tmp_path / "store")
    assert nquads(dumped) == as_oxigraph_stores(exports.expected(fmt))


# --- Apache Jena ----------------------------------------------------------------


@pytest.fixture(scope="session")
def jena() -> list[str]:
    """``java -cp CLASSPATH riotcmd.riot``: $JENA_CLASSPATH (set by .ci/run), else
    tools/jena-classpath when everything it needs is installed (it never installs here)."""
    classpath = os.environ.get("JENA_CLASSPATH")
    java = shutil.which("java")
    if not classpath:
        needed = ("jena-arq", "xercesImpl", "slf4j-nop", "httpclient-cache")
        installed = all(Path(f"/usr/share/java/{jar}.jar").is_file() for jar in needed)
        if java and installed and shutil.which("unzip"):
            classpath = run([str(ROOT / "tools" / "jena-classpath")]).decode().strip()
    if not java or not classpath:
        missing("Apache Jena (java and libapache-jena-java, see tools/jena-classpath)")
    assert java is not None and classpath is not None
    return [java, "-cp", classpath, "riotcmd.riot"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_jena_reads_every_format_unchanged(exports: Exports, jena: list[str], fmt: str) -> None:
    # Debian's Jena lacks a JSON-P implementation for its JSON-LD 1.1 reader; the
    # documents are JSON-LD 1.0 as well, which its jsonld-java reader handles.
    syntax = ["--syntax=jsonld10"] if fmt == "jsonld" else []
    written = run([*jena, *syntax, "--out=nquads", str(exports.file(fmt))])
    assert nquads(written) == exports.expected(fmt)


def test_jena_validates_the_descriptions(exports: Exports, jena: list[str]) -> None:
    run([*jena, "--validate", *(str(exports.description(fmt)) for fmt in FORMATS)])


# --- raptor ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def rapper() -> str:
    found = shutil.which("rapper")
    if found is None:
        missing("rapper (apt-get install raptor2-utils)")
    assert found is not None
    return found


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS if fmt in RAPPER_SYNTAX])
def test_raptor_reads_every_format_unchanged(exports: Exports, rapper: str, fmt: str) -> None:
    file = exports.file(fmt)
    written = run([rapper, "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "nquads", str(file)])
    assert nquads(written) == exports.expected(fmt)


def test_raptor_reads_a_description(exports: Exports, rapper: str) -> None:
    path = exports.description("nq")
    written = run([rapper, "-q", "-i", "turtle", "-o", "ntriples", str(path)])
    assert nquads(written) == description_graph(path)


# --- rdflib ---------------------------------------------------------------------


def from_rdflib(term: rdflib.term.Node) -> NamedNode | Literal:
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    raise AssertionError(f"a blank node or other term where none should be: {term!r}")


def rdflib_quads(dataset: rdflib.Dataset) -> Iterator[Quad]:
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = g.identifier if isinstance(g, rdflib.Graph) else g
        name = (
            DefaultGraph()
            if graph is None or graph == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
            else from_rdflib(graph)
        )
        assert not isinstance(name, Literal)
        subject, predicate = from_rdflib(s), from_rdflib(p)
        assert isinstance(subject, NamedNode) and isinstance(predicate, NamedNode)
        yield Quad(subject, predicate, from_rdflib(o), name)


def rdflib_triples(graph: rdflib.Graph) -> Iterator[Quad]:
    for s, p, o in graph:
        subject, predicate = from_rdflib(s), from_rdflib(p)
        assert isinstance(subject, NamedNode) and isinstance(predicate, NamedNode)
        yield Quad(subject, predicate, from_rdflib(o))


@pytest.fixture
def lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib keeps lexical forms as written (it rewrites "...Z" datetimes otherwise)."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_reads_every_format_unchanged(exports: Exports, lexical: None, fmt: str) -> None:
    if fmt in ("turtle", "nt"):
        graph = rdflib.Graph().parse(exports.file(fmt), format=RDFLIB_FORMAT[fmt])
        assert frozenset(rdflib_triples(graph)) == exports.expected(fmt)
        return
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = rdflib.Dataset()
        dataset.parse(exports.file(fmt), format=RDFLIB_FORMAT[fmt])
    assert frozenset(rdflib_quads(dataset)) == exports.expected(fmt)


# --- the descriptions, in every peer ----------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_and_pyoxigraph_read_the_description_alike(
    exports: Exports, lexical: None, fmt: str
) -> None:
    path = exports.description(fmt)
    graph = rdflib.Graph().parse(path, format="turtle")
    ours = description_graph(path)
    assert frozenset(rdflib_triples(graph)) == ours
    file = NamedNode(exports.file(fmt).as_uri())
    dcat = "http://www.w3.org/ns/dcat#"
    assert Quad(file, NamedNode(dcat + "downloadURL"), file) in ours


def test_oxigraph_loads_a_description(exports: Exports, oxigraph: str, tmp_path: Path) -> None:
    path = exports.description("trig")
    dumped = oxigraph_round_trip(oxigraph, path, tmp_path / "store", base=path.as_uri())
    assert nquads(dumped) == as_oxigraph_stores(description_graph(path))
