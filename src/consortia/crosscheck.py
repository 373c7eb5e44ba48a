"""Constraints that cross articles, checked once over the whole dataset.

Articles are validated with pyshacl in small batches (fast: small graphs), but
some constraints of ``shapes/`` can only fail on the union of all articles:

- every SPARQL-based constraint (``sh:sparql``): cycles in ``cx:locatedIn`` and
  ``org:subOrganizationOf`` run through entities stated by different articles,
  a membership stated by two articles joins the dates of one with the
  publication date of the other. pyshacl also re-parses such a query for every
  focus node, which made them 95% of the validation time;
- ``sh:maxCount``: two articles may each give a shared node one value.

:func:`split_shapes` takes the SPARQL constraints out of the shapes graph
(pyshacl validates the batches with the rest) and :func:`check_union` runs them,
and every ``sh:maxCount``, as SPARQL over a pyoxigraph store of the whole
dataset, once. Results are the :class:`~consortia.validation.ValidationResult`
values pyshacl would give. A SPARQL constraint this module cannot run (a
``$PATH``, an ASK, a target other than ``sh:targetClass`` or a SPARQL target)
stays in the shapes graph for pyshacl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from consortia.validation import Severity, ValidationResult

__all__ = ["CrossCheck", "check_union", "split_shapes", "union_store"]

_SCHEMA = "https://schema.org/"
_THIS = re.compile(r"\$this\b")


@dataclass(frozen=True)
class _Target:
    classes: tuple[str, ...] = ()  # sh:targetClass, with their subclasses
    selects: tuple[str, ...] = ()  # SPARQL targets (full query text)


@dataclass(frozen=True)
class _Check:
    shape: str  # the sh:sourceShape
    path: str | None
    query: str  # SELECT ?this [?value]
    message: str
    severity: Severity
    component: str
    target: _Target


@dataclass(frozen=True)
class CrossCheck:
    """The checks to run over the whole dataset (see :func:`split_shapes`)."""

    checks: tuple[_Check, ...]


def split_shapes(shapes: Graph, hierarchy: Graph) -> tuple[Graph, CrossCheck]:
    """The shapes for per-batch pyshacl (SPARQL constraints removed) and the union checks.

    ``hierarchy`` holds the ``rdfs:subClassOf`` axioms that ``sh:targetClass`` follows.
    """
    subclasses = _subclasses(hierarchy)
    parents = _parent_shapes(shapes)
    prefixes = _prefix_text(shapes)
    checks: list[_Check] = []
    handled: list[tuple[Node, Node]] = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        select = shapes.value(constraint, SH.select)
        target = _target(shapes, shape, parents, subclasses, prefixes)
        path = shapes.value(shape, SH.path)
        if select is None or target is None or "$PATH" in str(select):
            continue
        if path is not None and not isinstance(path, URIRef):
            continue
        query = _with_target(prefixes + _anti_join(_THIS.sub("?this", str(select))), target)
        if query is None:
            continue
        # pyshacl prefers the shape's message to the constraint's.
        message = _message(shapes, shape) or _message(shapes, constraint)
        checks.append(
            _Check(
                shape=str(shape),
                path=str(path) if path is not None else None,
                query=query,
                message=message,
                severity=_severity(shapes, shape),
                component=str(SH.SPARQLConstraintComponent),
                target=target,
            )
        )
        handled.append((shape, constraint))
    for shape, count in sorted(shapes.subject_objects(SH.maxCount)):
        path = shapes.value(shape, SH.path)
        target = _target(shapes, shape, parents, subclasses, prefixes)
        if not isinstance(path, URIRef) or target is None or not isinstance(count, Literal):
            continue
        checks.append(
            _Check(
                shape=str(shape),
                path=str(path),
                query=prefixes
                + f"SELECT ?this WHERE {{ {_target_pattern(target)} ?this <{path}> ?value }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(count.toPython())})",
                message=_message(shapes, shape),
                severity=_severity(shapes, shape),
                component=str(SH.MaxCountConstraintComponent),
                target=target,
            )
        )
    batch_shapes = Graph()
    for triple in shapes:
        batch_shapes.add(triple)
    for prefix, namespace in shapes.namespaces():
        batch_shapes.bind(prefix, namespace, override=False)
    for shape, constraint in handled:
        batch_shapes.remove((shape, SH.sparql, constraint))
    return batch_shapes, CrossCheck(tuple(checks))


def union_store(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory store of the distinct triples of ``quads``, in its default graph.

    Articles restate the entities they mention in their own graphs; queried as
    one graph with ``use_default_graph_as_union``, pyoxigraph deduplicates them
    again in every query, which made the checks six times slower.
    """
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in {q.triple for q in quads})
    return store


def check_union(
    store: ox.Store, cross: CrossCheck, quads: Sequence[ox.Quad] = ()
) -> list[ValidationResult]:
    """Run the union checks over ``store`` (see :func:`union_store`).

    ``quads``, the dataset with its graphs, tells which article a result is tied to.
    """
    results: list[ValidationResult] = []
    graphs: dict[ox.NamedNode | ox.BlankNode, set[ox.NamedNode]] | None = None
    for check in cross.checks:
        seen: set[tuple[str, str | None]] = set()
        for row in _select(store, check.query):
            this = row["this"]
            if not isinstance(this, ox.NamedNode | ox.BlankNode):
                continue
            value = _get(row, "value")
            if value is None and check.component.endswith("SPARQLConstraintComponent"):
                value = this if check.path is None else None
            shown = _n3(value) if value is not None else None
            if (str(this), shown) in seen:
                continue
            seen.add((str(this), shown))
            if graphs is None:
                graphs = _graphs_of(quads)
            article = _article(store, this, graphs.get(this, set()))
            results.append(
                ValidationResult(
                    focus_node=_plain(this),
                    label=_label(store, this),
                    article=article,
                    path=check.path,
                    value=shown,
                    message=check.message,
                    severity=check.severity,
                    source_shape=check.shape,
                    component=check.component,
                    article_title=_label(store, ox.NamedNode(article))
                    if article and not article.startswith("_:")
                    else None,
                    value_label=_label(store, value)
                    if isinstance(value, ox.NamedNode | ox.BlankNode)
                    else None,
                )
            )
    return results


# --- shapes ----------------------------------------------------------------------


def _subclasses(hierarchy: Graph) -> dict[str, set[str]]:
    below: dict[str, set[str]] = {}
    for sub, sup in hierarchy.subject_objects(RDFS.subClassOf):
        below.setdefault(str(sup), set()).add(str(sub))
    closed: dict[str, set[str]] = {}
    for cls in below:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for name in below.get(todo.pop(), ()):
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
        closed[cls] = seen
    return closed


def _parent_shapes(shapes: Graph) -> dict[Node, list[Node]]:
    parents: dict[Node, list[Node]] = {}
    for node_shape, property_shape in shapes.subject_objects(SH.property):
        parents.setdefault(property_shape, []).append(node_shape)
    return parents


def _target(
    shapes: Graph,
    shape: Node,
    parents: dict[Node, list[Node]],
    subclasses: dict[str, set[str]],
    prefixes: str,
) -> _Target | None:
    """The focus nodes of ``shape`` (of its node shapes, for a property shape)."""
    holders = parents.get(shape, []) if (shape, SH.path, None) in shapes else [shape]
    classes: set[str] = set()
    selects: list[str] = []
    for holder in holders:
        for predicate in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            if (holder, predicate, None) in shapes:
                return None
        if (holder, RDF.type, RDFS.Class) in shapes:
            return None  # an implicit class target
        for cls in shapes.objects(holder, SH.targetClass):
            classes.add(str(cls))
            classes.update(subclasses.get(str(cls), ()))
        for target in shapes.objects(holder, SH.target):
            query = shapes.value(target, SH.select)
            if query is None:
                return None
            selects.append(str(query))
    if not classes and not selects:
        return None
    return _Target(tuple(sorted(classes)), tuple(sorted(selects)))


def _prefix_text(shapes: Graph) -> str:
    declared = sorted(
        (str(shapes.value(d, SH.prefix)), str(shapes.value(d, SH.namespace)))
        for d in shapes.objects(None, SH.declare)
    )
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in dict(declared).items())


def _message(shapes: Graph, node: Node) -> str:
    messages = list(shapes.objects(node, SH.message))
    if not messages:
        return ""
    messages.sort(key=_message_order)
    return str(messages[0])


def _message_order(message: Node) -> tuple[int, str]:
    language = message.language if isinstance(message, Literal) else None
    return (0 if language == "en" else 1 if language is None else 2, str(message))


def _severity(shapes: Graph, shape: Node) -> Severity:
    severity = shapes.value(shape, SH.severity)
    return Severity(str(severity).removeprefix(str(SH))) if severity else Severity.VIOLATION


# --- the store -------------------------------------------------------------------


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def _target_pattern(target: _Target) -> str:
    """A group pattern binding ``?this`` to the focus nodes of ``target``."""
    parts = []
    if target.classes:
        values = " ".join(f"<{c}>" for c in target.classes)
        parts.append(f"{{ VALUES ?shapeClass {{ {values} }} ?this a ?shapeClass }}")
    parts.extend(f"{{ {select} }}" for select in target.selects)
    return "{ " + " UNION ".join(parts) + " }"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{([^{}]*)\}", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def _anti_join(query: str) -> str:
    """``FILTER NOT EXISTS { P }`` as ``MINUS { P }`` where both mean the same.

    pyoxigraph evaluates the pattern of a NOT EXISTS once per row, starting from
    its most selective-looking triple rather than from the bound ``?this``: a
    membership check over 10,000 articles took 40 s, against 0.2 s as an
    anti-join. They are equivalent when ``P`` is triple patterns only (no
    filter, no group) sharing with the rest of the query no variable but
    ``?this``, which the target always binds.
    """

    def rewrite(match: re.Match[str]) -> str:
        inner = match.group(1)
        outside = query[: match.start()] + query[match.end() :]
        shared = set(_VARIABLE.findall(inner)) & set(_VARIABLE.findall(outside))
        if "FILTER" in inner.upper() or shared - {"this"} or "this" not in shared:
            return match.group(0)
        return "MINUS {" + inner + "}"

    return _NOT_EXISTS.sub(rewrite, query)


def _with_target(query: str, target: _Target) -> str | None:
    """``query`` with its focus nodes joined first: ``$this`` is bound as in pre-binding.

    Filters apply to their whole group, so ``FILTER NOT EXISTS { $this ... }``
    sees ``?this`` bound. None when the query has no ``WHERE {`` to extend.
    """
    match = _WHERE.search(query)
    if match is None:
        return None
    return query[: match.end()] + " " + _target_pattern(target) + query[match.end() :]


def _get(row: ox.QuerySolution, name: str) -> object:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _plain(node: ox.NamedNode | ox.BlankNode) -> str:
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"


def _n3(term: object) -> str:
    """A term as rdflib's ``n3()`` writes it (as the per-batch results do)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value).n3()
    if isinstance(term, ox.BlankNode):
        return BNode(term.value).n3()
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language).n3()
        return Literal(term.value, datatype=URIRef(term.datatype.value)).n3()
    return str(term)


def _label(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> str | None:
    for predicate in (SKOS.prefLabel, URIRef(_SCHEMA + "headline")):
        labels = [
            q.object
            for q in store.quads_for_pattern(node, ox.NamedNode(str(predicate)), None)
            if isinstance(q.object, ox.Literal)
        ]
        if labels:
            order = sorted(
                {(0 if x.language == "en" else 1 if not x.language else 2, x.value) for x in labels}
            )
            return order[0][1]
    return None


def _graphs_of(
    quads: Sequence[ox.Quad],
) -> dict[ox.NamedNode | ox.BlankNode, set[ox.NamedNode]]:
    found: dict[ox.NamedNode | ox.BlankNode, set[ox.NamedNode]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode) and not isinstance(quad.subject, ox.Triple):
            found.setdefault(quad.subject, set()).add(quad.graph_name)
    return found


def _article(
    store: ox.Store, node: ox.NamedNode | ox.BlankNode, graphs: set[ox.NamedNode]
) -> str | None:
    """The one article a focus node comes from (see ``validation._article``), else None."""
    article_type = ox.NamedNode(_SCHEMA + "NewsArticle")
    if any(True for _ in store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), article_type)):
        return _plain(node)
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    found: set[str] = set()
    for graph in graphs:
        if isinstance(graph, ox.NamedNode):
            sources = {str(q.object) for q in store.quads_for_pattern(graph, derived, None)}
            found.update(
                s[1:-1] if s.startswith("<") else s for s in (sources or {f"<{graph.value}>"})
            )
    return next(iter(found)) if len(found) == 1 else None
