"""The embedded on-disk store (Oxigraph) that ``consortia build`` fills and
``consortia query`` reads.

A build never edits the live store in place: `replace_store` loads a fresh store
in a sibling directory and swaps it in with renames, so a build that fails
leaves the previous store as it was. `replace_graph` and `remove_graph` change
one article's graph (and the default-graph statements about that graph) in one
transaction, for incremental builds.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)

from consortia.errors import ConsortiaError

__all__ = [
    "chunks",
    "dataset_quads",
    "discard_store",
    "has_store",
    "open_store",
    "prepare_store",
    "remove_graph",
    "replace_graph",
    "replace_store",
    "swap_in",
    "union_default_graph",
]

_HINT_BUILD = "run `consortia build` first"


def _missing(path: Path) -> ConsortiaError:
    return ConsortiaError(f"no build found at {path}", hint=_HINT_BUILD)


def _store_error(path: Path, action: str, error: Exception) -> ConsortiaError:
    detail = str(error).strip() or type(error).__name__
    if "lock" in detail.lower():
        hint = "another consortia process is using the store; wait for it to finish"
    else:
        hint = f"delete {path} and run `consortia build` again"
    return ConsortiaError(f"cannot {action} the store: {detail}", path=path, hint=hint)


def has_store(path: Path) -> bool:
    """Whether ``path`` holds a store (a non-empty directory).

    >>> has_store(Path("/nonexistent/store"))
    False
    """
    return path.is_dir() and any(path.iterdir())


def open_store(path: Path, read_only: bool = True) -> Store:
    """Open the store at ``path``; read-only unless asked otherwise.

    Raises ConsortiaError ``no build found at PATH (run `consortia build` first)``
    when there is none.
    """
    if not has_store(path):
        raise _missing(path)
    try:
        return Store.read_only(str(path)) if read_only else Store(str(path))
    except (OSError, RuntimeError) as error:
        raise _store_error(path, "open", error) from error


def _load(directory: Path, quads: Iterable[Quad | Triple]) -> None:
    # pyoxigraph closes a store when the object is freed: here, on return.
    store = Store(str(directory))
    store.bulk_extend(_as_quads(quads))
    store.optimize()
    store.flush()


def _sibling(path: Path, tag: str) -> Path:
    return path.parent / f".{path.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"


def replace_store(path: Path, quads: Iterable[Quad | Triple]) -> None:
    """Build a fresh store at ``path`` holding exactly ``quads``.

    The store is loaded in a sibling directory and swapped in with two renames;
    if loading fails, the previous store at ``path`` is untouched.
    """
    swap_in(path, prepare_store(path, quads))


def prepare_store(
    path: Path, quads: Iterable[Quad | Triple] | bytes, union: bytes | None = None
) -> Path:
    """A new store beside ``path`` holding exactly ``quads`` (or these N-Quads
    bytes), for `swap_in` to put in place, or to be deleted (`discard_store`).

    Its default graph also holds every statement of every graph once (the
    distinct triples, ``union`` as N-Triples when the caller has them): SPARQL
    sees the dataset as one graph, without the copies that articles restating
    an entity would otherwise put in every answer (see `union_default_graph`).

    Bytes are bulk-loaded by pyoxigraph without Python in the loop, which
    releases the interpreter: a build loads its store in a thread while it
    checks and writes its output.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = _sibling(path, "new")
    try:
        if isinstance(quads, bytes):
            store = Store(str(fresh))
            for chunk in chunks(quads):
                store.bulk_load(chunk, format=RdfFormat.N_QUADS)
            if union is None:
                union = _triples_of(parse(quads, format=RdfFormat.N_QUADS))
            for chunk in chunks(union):
                store.bulk_load(chunk, format=RdfFormat.N_TRIPLES)
            store.flush()
            del store
        else:
            statements = list(quads)
            _load(fresh, [*statements, *_as_default(statements)])
        (fresh / _MARKER).write_text(json.dumps({"union_default_graph": True}) + "\n")
    except BaseException as error:
        shutil.rmtree(fresh, ignore_errors=True)
        if isinstance(error, OSError | RuntimeError | SyntaxError):
            raise _store_error(path, "build", error) from error
        raise
    return fresh


#: A file in the store's folder saying how the store was made.
_MARKER = "consortia-store.json"


def union_default_graph(path: Path) -> bool:
    """Whether the store at ``path`` holds the union of its graphs in its default
    graph (made by this version; older stores are queried with pyoxigraph's
    union flag, which repeats a statement once per graph that states it)."""
    try:
        data = json.loads((path / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("union_default_graph") is True


def dataset_quads(path: Path) -> list[Quad]:
    """The dataset the store at ``path`` holds: its graphs, and the statements of
    its default graph that are not the union's copies of them."""
    quads = list(open_store(path))
    if not union_default_graph(path):
        return quads
    named = {q.triple for q in quads if not isinstance(q.graph_name, DefaultGraph)}
    return [q for q in quads if not isinstance(q.graph_name, DefaultGraph) or q.triple not in named]


def _as_default(statements: Iterable[Quad | Triple]) -> list[Quad]:
    triples = {s.triple if isinstance(s, Quad) else s for s in statements}
    return [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]


def _triples_of(statements: Iterable[Quad | Triple]) -> bytes:
    import io

    buffer = io.BytesIO()
    triples = {s.triple if isinstance(s, Quad) else s for s in statements}
    serialize(triples, buffer, RdfFormat.N_TRIPLES)
    return buffer.getvalue()


#: N-Quads bulk-loaded at a time: pyoxigraph's loader holds about five times its
#: input in memory (1.2 GiB for 10,000 articles in one go).
_CHUNK = 32 * 1024 * 1024


def chunks(nquads: bytes, size: int = _CHUNK) -> Iterator[bytes]:
    """``nquads`` in pieces of about ``size`` bytes, cut at line ends."""
    start = 0
    while start < len(nquads):
        end = nquads.find(b"\n", start + size)
        end = len(nquads) if end < 0 else end + 1
        yield nquads[start:end]
        start = end


def discard_store(fresh: Path) -> None:
    """Delete a store made by `prepare_store` that is not to be used."""
    shutil.rmtree(fresh, ignore_errors=True)


def swap_in(path: Path, fresh: Path) -> None:
    """Put the store ``fresh`` (from `prepare_store`) at ``path``, with two renames."""
    old = _sibling(path, "old")
    try:
        if path.exists():
            path.rename(old)
        try:
            fresh.rename(path)
        except OSError:
            if old.exists():
                old.rename(path)
            raise
    except OSError as error:
        shutil.rmtree(fresh, ignore_errors=True)
        raise _store_error(path, "replace", error) from error
    shutil.rmtree(old, ignore_errors=True)


def _as_quads(statements: Iterable[Quad | Triple]) -> Iterable[Quad]:
    for statement in statements:
        if isinstance(statement, Quad):
            yield statement
        else:
            yield Quad(statement.subject, statement.predicate, statement.object, DefaultGraph())


def _graph_node(graph_iri: str | NamedNode) -> NamedNode:
    return graph_iri if isinstance(graph_iri, NamedNode) else NamedNode(graph_iri)


def replace_graph(
    store_path: Path, graph_iri: str | NamedNode, quads: Iterable[Quad | Triple]
) -> None:
    """Replace the named graph ``graph_iri`` and the default-graph statements about it.

    Triples and quads of the graph ``graph_iri`` go into that graph; default-graph
    quads (the graph's provenance) into the default graph. Quads of any other
    graph are refused with a ValueError. All of it happens in one transaction.
    """
    graph = _graph_node(graph_iri)
    inserts: list[str] = []
    for statement in quads:
        if isinstance(statement, Triple):
            target: NamedNode | BlankNode | DefaultGraph = graph
            triple = statement
        else:
            triple = statement.triple
            name = statement.graph_name
            if isinstance(name, DefaultGraph) or name == graph:
                target = name
            else:
                raise ValueError(f"quad in graph {name}, expected {graph} or the default graph")
        # Terms written by pyoxigraph (N-Triples syntax, escaped), never raw strings.
        text = f"{triple.subject} {triple.predicate} {triple.object} ."
        inserts.append(text if isinstance(target, DefaultGraph) else f"GRAPH {graph} {{ {text} }}")
    update = f"DROP SILENT GRAPH {graph} ;\nDELETE WHERE {{ {graph} ?p ?o }}"
    if inserts:
        update += " ;\nINSERT DATA {\n" + "\n".join(inserts) + "\n}"
    new = {s.triple if isinstance(s, Quad) else s for s in quads}
    _update(store_path, update, graph, new)


def remove_graph(store_path: Path, graph_iri: str | NamedNode) -> None:
    """Remove the named graph ``graph_iri`` and the default-graph statements about it."""
    graph = _graph_node(graph_iri)
    _update(
        store_path, f"DROP SILENT GRAPH {graph} ;\nDELETE WHERE {{ {graph} ?p ?o }}", graph, set()
    )


def _update(store_path: Path, update: str, graph: NamedNode, new: set[Triple]) -> None:
    """Run ``update``, which makes ``new`` the statements of ``graph``; and keep
    the union in the default graph: statements no graph makes any more leave it."""
    store = open_store(store_path, read_only=False)
    try:
        union = union_default_graph(store_path)
        old = (
            {q.triple for q in store.quads_for_pattern(None, None, None, graph)} if union else set()
        )
        old |= {q.triple for q in store.quads_for_pattern(graph, None, None, DefaultGraph())}
        store.update(update)
        if union:
            for triple in old - new:
                if not any(
                    not isinstance(q.graph_name, DefaultGraph)
                    for q in store.quads_for_pattern(
                        triple.subject, triple.predicate, triple.object
                    )
                ):
                    store.remove(Quad(triple.subject, triple.predicate, triple.object))
            for triple in new - old:
                store.add(Quad(triple.subject, triple.predicate, triple.object))
    except (OSError, RuntimeError) as error:
        raise _store_error(store_path, "update", error) from error
    store.flush()
