"""Write the dataset to files: Turtle, N-Triples, N-Quads, TriG and JSON-LD.

Every writer sorts what it writes, so the same dataset always gives the same
bytes, and every file is written atomically: the bytes go to a temporary file
beside the destination, which then replaces it, so a failed write leaves any
previous file as it was.

>>> from pyoxigraph import Literal, NamedNode, Quad
>>> org = NamedNode("https://w3id.org/consortia/id/org/a")
>>> label = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
>>> quad = Quad(org, label, Literal("A", language="en"))
>>> print(serialize_rdf([quad], "turtle", {"skos": label.value[:-9]}).decode(), end="")
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/consortia/id/org/a> skos:prefLabel "A"@en .
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import secrets
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
    serialize,
)

from consortia import describe
from consortia.errors import OutputError

if TYPE_CHECKING:
    from consortia.project import Project

__all__ = [
    "CONTEXT_URL",
    "FORMATS",
    "Written",
    "canonical_nquads",
    "export_build",
    "format_for",
    "load_context",
    "model_prefixes",
    "read_build",
    "serialize_rdf",
    "write_dataset",
    "write_description",
    "write_merged",
    "write_rdf",
]

#: Where the JSON-LD context (``ontology/context.jsonld``) is published.
CONTEXT_URL = "https://w3id.org/consortia/context.jsonld"

#: File extension -> format name, as `format_for` and `write_rdf` know them.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
}

_EXTENSIONS: dict[str, str] = {name: extension for extension, name in FORMATS.items()}

# Other spellings accepted for ``fmt`` (the names pyoxigraph and rdflib use).
_ALIASES: dict[str, str] = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "n-quads": "nq",
    "json-ld": "jsonld",
}

_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD_STRING = NamedNode("http://www.w3.org/2001/XMLSchema#string")
_RDF_LANG_STRING = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
_RDF_DIR_LANG_STRING = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString")
# JSON-LD only expands "p:local" with prefixes whose IRI ends with one of these.
_GEN_DELIMS = frozenset(":/?#[]@")

Statement: TypeAlias = Quad | Triple
_Subject: TypeAlias = NamedNode | BlankNode | Triple
_Object: TypeAlias = NamedNode | BlankNode | Literal | Triple


def _allowed() -> str:
    return ", ".join(FORMATS)


def format_for(path: Path | str) -> str:
    """Name the format a file name asks for; a final ``.gz`` is looked through.

    >>> format_for("build/consortia.ttl"), format_for("out/data.nq.gz")
    ('turtle', 'nq')
    >>> format_for("data.xml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    consortia.errors.OutputError: data.xml: unknown output format '.xml' (use one of .ttl, ...)
    """
    path = Path(path)
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    extension = Path(name).suffix.lower()
    if extension in FORMATS:
        return FORMATS[extension]
    shown = f"'{extension}'" if extension else "(none)"
    raise OutputError(
        f"unknown output format {shown}",
        path=path,
        hint=f"use one of {_allowed()}, optionally followed by .gz",
    )


def _normalise_format(fmt: str) -> str:
    key = fmt.lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key in FORMATS.values():
        return key
    names = ", ".join(FORMATS.values())
    raise OutputError(f"unknown output format '{fmt}'", hint=f"use one of {names}")


def serialize_rdf(statements: Iterable[Statement], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """Serialise quads or triples in a format named as in `FORMATS` (sorted, deterministic)."""
    payload, _ = _render(statements, _normalise_format(fmt), prefixes)
    return payload


def write_rdf(
    quads: Iterable[Statement],
    destination: Path | None,
    fmt: str | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> int:
    """Write the dataset to ``destination`` (stdout when None) and return how many
    statements were written: distinct triples for Turtle and N-Triples (the graphs
    are merged), distinct quads otherwise.

    The format comes from ``fmt`` or else the file name (see `format_for`); stdout
    gets Turtle unless ``fmt`` says otherwise. A name ending in ``.gz`` is gzipped
    reproducibly (no time stamp, no file name in the header).
    """
    name = _chosen_format(destination, fmt)
    count, _ = _write(quads, destination, name, prefixes or {})
    return count


def _chosen_format(destination: Path | None, fmt: str | None) -> str:
    if fmt is not None:
        return _normalise_format(fmt)
    if destination is None:
        return "turtle"
    return format_for(destination)


def _write(
    quads: Iterable[Statement], destination: Path | None, name: str, prefixes: Mapping[str, str]
) -> tuple[int, int]:
    """Write and return (statements, bytes written)."""
    payload, count = _render(quads, name, prefixes)
    return count, _emit(payload, destination)


def _emit(payload: bytes, destination: Path | None) -> int:
    """Write ``payload`` to ``destination`` (gzipped for ``.gz``, atomically) or
    to stdout; return the bytes written."""
    if destination is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return len(payload)
    if destination.name.lower().endswith(".gz"):
        payload = _gzip(payload)
    write_atomically(destination, payload)
    return len(payload)


# --- datasets: the file, its description, the published context ----------------


@dataclass(frozen=True)
class Written:
    """What `write_dataset` wrote: the file (None for stdout), its format name,
    the statements in it, its size in bytes, and its VoID/DCAT description."""

    path: Path | None
    fmt: str
    statements: int
    byte_size: int
    description: Path | None


def load_context(root: Path | None = None) -> dict[str, str]:
    """The published JSON-LD ``@context`` (``ontology/context.jsonld``, published as
    `CONTEXT_URL`): every JSON-LD file Consortia writes embeds it verbatim.

    >>> load_context()["org"]
    'http://www.w3.org/ns/org#'
    """
    from consortia.data import find_data_root

    path = (root or find_data_root()) / "ontology" / "context.jsonld"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        context = document["@context"]
        if not isinstance(context, dict) or not all(
            isinstance(value, str) for value in context.values()
        ):
            raise ValueError("@context must map prefixes to IRIs")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OutputError(
            f"cannot read the JSON-LD context: {error}",
            path=path,
            hint="restore ontology/context.jsonld from the repository",
        ) from None
    return dict(context)


def write_dataset(
    quads: Iterable[Statement],
    destination: Path | None,
    fmt: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    *,
    base: str | None = None,
) -> Written:
    """Write the dataset like `write_rdf`, and beside a file its VoID/DCAT description
    (``<destination>.void.ttl``, see `consortia.describe`).

    JSON-LD carries the published context (`load_context`) instead of ``prefixes``.
    Nothing is described for stdout.
    """
    statements = [_as_quad(statement) for statement in quads]
    name = _chosen_format(destination, fmt)
    used = load_context() if name == "jsonld" else (prefixes or {})
    count, size = _write(statements, destination, name, used)
    if destination is None:
        return Written(None, name, count, size, None)
    description = describe.description_path(destination)
    triples = describe.describe_dataset(
        statements,
        [describe.Distribution(destination, name, size)],
        base=base,
    )
    write_description(triples, description)
    return Written(destination, name, count, size, description)


def write_merged(
    nquads: bytes,
    destination: Path | None,
    prefixes: Mapping[str, str] | None = None,
    *,
    base: str | None = None,
    union: bytes | None = None,
    counts: describe.UnionCounts | None = None,
) -> Written:
    """`write_dataset` for a build's merged output: N-Quads as `canonical_nquads`
    writes them (as `write_rdf` writes ``.nq``).

    N-Quads go out as they are; other formats are rendered from them. The
    description reads the statements once, without holding them.
    """
    name = _chosen_format(destination, None)
    if name == "nq":
        count, size = nquads.count(b"\n"), _emit(nquads, destination)
    elif name in ("turtle", "nt") and union is not None:
        # The distinct triples are at hand (N-Triples lines): sorted as bytes,
        # they need no set of a million terms.
        payload, count = render_union(union, name, prefixes or {})
        size = _emit(payload, destination)
    else:
        statements = _parse_nquads(nquads)
        used = load_context() if name == "jsonld" else (prefixes or {})
        count, size = _write(statements, destination, name, used)
    if destination is None:
        return Written(None, name, count, size, None)
    description = describe.description_path(destination)
    distributions = [describe.Distribution(destination, name, size)]
    if union is not None:
        triples = describe.describe_union(
            union, nquads.count(b"\n"), distributions, base=base, counts=counts
        )
    else:
        triples = describe.describe_dataset(
            _parse_nquads(nquads), distributions, base=base, distinct=True
        )
    write_description(triples, description)
    return Written(destination, name, count, size, description)


_TYPE_TERM = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def render_union(union: bytes, fmt: str, prefixes: Mapping[str, str]) -> tuple[bytes, int]:
    """N-Triples lines of distinct triples as `_render` writes Turtle or N-Triples.

    Lines sort as `_triple_key` sorts triples: UTF-8 keeps code-point order, and
    a term's N-Triples text is its ``str()``.
    """
    if fmt == "nt":
        lines = sorted(line for line in union.splitlines() if line)
        return b"".join(line + b"\n" for line in lines), len(lines)

    # One bytes key per triple, (subject, rdf:type first, predicate, object)
    # joined by NUL (never in N-Triples text): a tuple per triple costs twice.
    def key(line: bytes) -> bytes:
        subject, predicate, rest = line.split(b" ", 2)
        first = b"0" if predicate == _TYPE_TERM else b"1"
        return b"\0".join((subject, first + predicate[1:-1], rest[:-2]))

    def line(key: bytes) -> bytes:
        subject, predicate, obj = key.split(b"\0", 2)
        return b"%s <%s> %s .\n" % (subject, predicate[1:], obj)

    keys = sorted(key(line) for line in union.splitlines() if line)
    ordered = parse(b"".join(line(k) for k in keys), format=RdfFormat.N_TRIPLES)
    count = len(keys)
    del keys
    ordered_prefixes = {name: prefixes[name] for name in sorted(prefixes)}
    data = _serialize(ordered, RdfFormat.TURTLE, ordered_prefixes)
    return _sorted_prefixes(data), count


def _parse_nquads(nquads: bytes) -> Iterable[Quad]:
    for statement in parse(nquads, format=RdfFormat.N_QUADS):
        if isinstance(statement, Quad):
            yield statement


def write_description(triples: Iterable[Triple], destination: Path) -> None:
    """Write a description as sorted Turtle whose ``file:`` IRIs of files beside
    ``destination`` are relative (so the folder can move, or be published as is)."""
    directory = destination.absolute().parent.as_uri() + "/"
    # Subjects in the order the description first names them (the dataset first),
    # each one's statements sorted.
    first: dict[str, int] = {}
    unique = list(dict.fromkeys(triples))
    for triple in unique:
        first.setdefault(str(triple.subject), len(first))
    ordered = sorted(unique, key=lambda t: (first[str(t.subject)], *_triple_key(t)[1:]))
    prefixes = dict(sorted(describe.known_prefixes().items()))
    data = _serialize(ordered, RdfFormat.TURTLE, prefixes, base_iri=directory)
    # The files are named relative to wherever the description is read from.
    lines = [line for line in data.split(b"\n") if not line.startswith(b"@base ")]
    write_atomically(destination, _sorted_prefixes(b"\n".join(lines)))


def read_build(state: Path) -> list[Quad]:
    """The quads of the last build kept in the build state folder ``state``:
    ``last-build.nq`` when there, else the store.
    """
    from consortia.store import dataset_quads, has_store

    copy = state / "last-build.nq"
    if copy.is_file():
        try:
            return [
                _as_quad(statement)
                for statement in parse(copy.read_bytes(), format=RdfFormat.N_QUADS)
            ]
        except (OSError, SyntaxError, ValueError) as error:
            raise OutputError(
                f"cannot read the last build: {error}",
                path=copy,
                hint="run `consortia build` again",
            ) from None
    store = state / "store"
    if not has_store(store):
        raise OutputError(
            f"no build found in {state}", hint="run `consortia build` first, or give --state"
        )
    return dataset_quads(store)


def model_prefixes(mappings: Path) -> dict[str, str]:
    """The prefixes of the published model (``templates.yaml``), as builds write them."""
    import yaml

    path = mappings / "templates.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {str(name): str(iri) for name, iri in data["prefixes"].items()}
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise OutputError(f"cannot read the prefixes: {error}", path=path) from None


def export_build(project: Project, destination: Path | None, fmt: str | None = None) -> Written:
    """Write the last build of ``project`` in the format ``fmt`` (or the one the file
    name asks for; Turtle for stdout), exactly as `consortia build -o` writes it,
    with its description beside a file.
    """
    if fmt is not None and destination is not None:
        wanted = _normalise_format(fmt)
        named = format_for(destination)
        if wanted != named:
            raise OutputError(
                f"--format {fmt} does not match the file name",
                path=destination,
                hint=f"name the file *{_EXTENSIONS[wanted]} or leave out --format",
            )
    quads = read_build(project.state)
    prefixes = model_prefixes(project.mappings)
    return write_dataset(quads, destination, fmt, prefixes, base=project.base)


# --- rendering -----------------------------------------------------------------


def _as_quad(statement: Statement) -> Quad:
    if isinstance(statement, Quad):
        return statement
    return Quad(statement.subject, statement.predicate, statement.object, DefaultGraph())


def _predicate_key(predicate: NamedNode) -> tuple[bool, str]:
    # rdf:type first, so that every subject block opens with its classes ("a").
    return (predicate != _RDF_TYPE, predicate.value)


def _triple_key(triple: Triple) -> tuple[str, tuple[bool, str], str]:
    return (str(triple.subject), _predicate_key(triple.predicate), str(triple.object))


def _graph_key(graph: NamedNode | BlankNode | DefaultGraph) -> tuple[bool, str]:
    # The default graph first, then the named graphs in order.
    return (not isinstance(graph, DefaultGraph), str(graph))


def _quad_key(quad: Quad) -> tuple[tuple[bool, str], str, tuple[bool, str], str]:
    return (
        _graph_key(quad.graph_name),
        str(quad.subject),
        _predicate_key(quad.predicate),
        str(quad.object),
    )


def _render(
    statements: Iterable[Statement], fmt: str, prefixes: Mapping[str, str]
) -> tuple[bytes, int]:
    quads = {_as_quad(statement) for statement in statements}
    prefixes = {name: prefixes[name] for name in sorted(prefixes)}
    if fmt in ("turtle", "nt"):
        triples = {quad.triple for quad in quads}
        if fmt == "nt":
            return _sorted_lines(_serialize(triples, RdfFormat.N_TRIPLES)), len(triples)
        ordered_triples = sorted(triples, key=_triple_key)
        data = _serialize(ordered_triples, RdfFormat.TURTLE, prefixes)
        return _sorted_prefixes(data), len(triples)
    if fmt == "nq":
        return canonical_nquads(quads), len(quads)
    ordered = sorted(quads, key=_quad_key)
    if fmt == "trig":
        return _sorted_prefixes(_serialize(ordered, RdfFormat.TRIG, prefixes)), len(quads)
    return _jsonld(ordered, prefixes), len(quads)


def _serialize(
    statements: Iterable[Quad] | Iterable[Triple],
    fmt: RdfFormat,
    prefixes: dict[str, str] | None = None,
    base_iri: str | None = None,
) -> bytes:
    buffer = io.BytesIO()
    serialize(statements, buffer, fmt, prefixes=prefixes, base_iri=base_iri)
    return buffer.getvalue()


def _sorted_prefixes(data: bytes) -> bytes:
    # pyoxigraph orders its @prefix lines for its own lookups; ours are by name.
    lines = data.split(b"\n")
    count = 0
    while count < len(lines) and lines[count].startswith(b"@prefix "):
        count += 1
    return b"\n".join(sorted(lines[:count]) + lines[count:])


def canonical_nquads(quads: Iterable[Quad]) -> bytes:
    """Quads as Consortia writes N-Quads: the default graph's statements, then each
    named graph's (graphs in the order of their names), each sorted, none twice.

    Grouped by graph, a build's output is its articles' own sorted statements
    laid end to end (see `consortia.pipeline.merge_nquads`), which costs no sort
    of the whole dataset.
    """
    groups: dict[str, list[Quad]] = {}
    for quad in quads:
        name = quad.graph_name
        key = "" if isinstance(name, DefaultGraph) else str(name)
        groups.setdefault(key, []).append(quad)
    return b"".join(
        _sorted_lines(_serialize(groups[key], RdfFormat.N_QUADS)) for key in sorted(groups)
    )


def _sorted_lines(data: bytes) -> bytes:
    # Canonical N-Triples/N-Quads hold one statement per line (newlines in
    # literals are escaped), so sorting lines sorts statements.
    lines = sorted(set(data.splitlines()))
    return b"".join(line + b"\n" for line in lines)


# --- JSON-LD -------------------------------------------------------------------
# Written here rather than with rdflib: rdflib is slow to import and to write,
# and its output order is not ours to fix. The document is a flattened one: an
# @context holding the prefixes, then one node object per subject (sorted), named
# graphs as {"@id": graph, "@graph": [...]} merged with the graph's own description.


class _Compactor:
    def __init__(self, prefixes: Mapping[str, str]) -> None:
        usable = [
            (namespace, name)
            for name, namespace in prefixes.items()
            if namespace
            and namespace[-1] in _GEN_DELIMS
            and name
            and name != "_"
            and ":" not in name
            and "/" not in name
        ]
        # Longest namespace first; the smaller name wins a tie.
        self._by_length = sorted(usable, key=lambda item: (-len(item[0]), item[1]))

    def iri(self, iri: str) -> str:
        for namespace, name in self._by_length:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and not local.startswith("//"):
                    return f"{name}:{local}"
        return iri


def _node_id(term: NamedNode | BlankNode | DefaultGraph | Triple, compact: _Compactor) -> str:
    if isinstance(term, NamedNode):
        return compact.iri(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    raise OutputError(
        f"JSON-LD output cannot hold the term {term}",
        hint="RDF 1.2 triple terms need Turtle, TriG, N-Triples or N-Quads",
    )


def _value(term: _Object, compact: _Compactor) -> dict[str, str]:
    if not isinstance(term, Literal):
        return {"@id": _node_id(term, compact)}
    value = {"@value": term.value}
    if term.language is not None:
        value["@language"] = term.language
        direction = getattr(term, "direction", None)
        if direction is not None:
            value["@direction"] = str(direction)
    elif term.datatype != _XSD_STRING:
        value["@type"] = compact.iri(term.datatype.value)
    return value


def _single_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _node_objects(quads: list[Quad], compact: _Compactor) -> dict[str, dict[str, Any]]:
    """Node objects keyed by node id, for quads of one graph (already sorted)."""
    nodes: dict[str, dict[str, Any]] = {}
    for quad in quads:
        node_id = _node_id(quad.subject, compact)
        node = nodes.setdefault(node_id, {"@id": node_id})
        obj = quad.object
        if quad.predicate == _RDF_TYPE and isinstance(obj, NamedNode | BlankNode):
            node.setdefault("@type", []).append(_node_id(obj, compact))
        else:
            key = compact.iri(quad.predicate.value)
            node.setdefault(key, []).append(_value(obj, compact))
    return nodes


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    finished: dict[str, Any] = {"@id": node["@id"]}
    if "@type" in node:
        finished["@type"] = _single_or_list(node["@type"])
    for key in sorted(k for k in node if not k.startswith("@")):
        finished[key] = _single_or_list(node[key])
    if "@graph" in node:
        finished["@graph"] = node["@graph"]
    return finished


def _jsonld(ordered: list[Quad], prefixes: Mapping[str, str]) -> bytes:
    compact = _Compactor(prefixes)
    by_graph: dict[tuple[bool, str], list[Quad]] = {}
    names: dict[tuple[bool, str], NamedNode | BlankNode | DefaultGraph] = {}
    for quad in ordered:
        key = _graph_key(quad.graph_name)
        by_graph.setdefault(key, []).append(quad)
        names[key] = quad.graph_name
    top = _node_objects(by_graph.pop((False, str(DefaultGraph())), []), compact)
    for key, graph_quads in by_graph.items():
        graph_id = _node_id(names[key], compact)
        inner = _node_objects(graph_quads, compact)
        holder = top.setdefault(graph_id, {"@id": graph_id})
        holder["@graph"] = [_finish(inner[node_id]) for node_id in sorted(inner)]
    document = {
        "@context": dict(prefixes),
        "@graph": [_finish(top[node_id]) for node_id in sorted(top)],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


# --- writing -------------------------------------------------------------------


def _gzip(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    # mtime=0 and an empty file name keep the bytes identical from build to build.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as compressed:
        compressed.write(payload)
    return buffer.getvalue()


def _write_error(destination: Path, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "check that you may write to that directory, or choose another output path"
    elif error.errno == errno.EISDIR:
        hint = "give a file name, not a directory"
    elif error.errno == errno.ENOSPC:
        hint = "free some disk space and try again"
    else:
        hint = "check that the directory exists and is writable, or choose another output path"
    return OutputError(f"cannot write the output: {reason}", path=destination, hint=hint)


def write_atomically(destination: Path, payload: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    if destination.is_dir():
        raise OutputError(
            "cannot write the output: it is a directory",
            path=destination,
            hint="give a file name, not a directory",
        )
    directory = destination.parent
    temporary = directory / f".{destination.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    blocker = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise OutputError(
            f"cannot write the output: {blocker} is a file, not a directory",
            path=destination,
            hint="choose another output path",
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # os.open rather than tempfile: 0o666 less the umask, like any new file.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _write_error(destination, error) from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _write_error(destination, error) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
