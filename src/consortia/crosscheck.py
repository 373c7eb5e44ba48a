"""The shapes as SPARQL, checked once over the whole dataset with pyoxigraph.

pyshacl is the reference validator, but at corpus scale it is the slowest step
of a build (per-batch pyshacl was 60% of the CPU time of 10,000 articles), and
some constraints can only fail on the union of all articles:

- every SPARQL-based constraint (``sh:sparql``): cycles in ``cx:locatedIn`` and
  ``org:subOrganizationOf`` run through entities stated by different articles,
  a membership stated by two articles joins the dates of one with the
  publication date of the other;
- ``sh:maxCount``: two articles may each give a shared node one value.

:func:`split_shapes` compiles the shapes into SELECT queries, one per
constraint: the SPARQL constraints, ``sh:maxCount``, and the SHACL Core
constraints our shapes use (``sh:class``, ``sh:or`` of classes,
``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``, ``sh:languageIn``,
``sh:minInclusive``, ``sh:in``, ``sh:hasValue``, ``sh:minCount``,
``sh:qualifiedValueShape`` with an ``sh:in`` and ``sh:qualifiedMinCount``,
``sh:closed``). :func:`check_union` runs them over a pyoxigraph store of the
distinct triples and gives the :class:`~consortia.validation.ValidationResult`
values pyshacl would give, described the same way (labels, evidence sentence).
``tests/unit/test_crosscheck.py`` holds this to pyshacl on every shape fixture.

A shape this module cannot compile (another constraint component, a complex
path, an ASK, a ``$PATH``) stays in the returned shapes graph for pyshacl, and
:attr:`CrossCheck.complete` is then false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Collection as Sized
from dataclasses import dataclass, replace

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from consortia.validation import Severity, ValidationResult

__all__ = [
    "CrossCheck",
    "check_union",
    "split_shapes",
    "store_of_lines",
    "union_store",
]

_SCHEMA = "https://schema.org/"
_THIS = re.compile(r"\$this\b")


@dataclass(frozen=True)
class _Target:
    classes: tuple[str, ...] = ()  # sh:targetClass, with their subclasses
    selects: tuple[str, ...] = ()  # SPARQL targets (full query text)


@dataclass(frozen=True)
class _Check:
    shape: str  # the sh:sourceShape
    path: str | None  # None: the row's ?path, if any (sh:closed)
    query: str  # SELECT ?this [?value] [?path]
    message: str
    severity: Severity
    component: str
    target: _Target
    #: How far from a focus node the statements a result depends on may be:
    #: 0 for the node's own statements, 1 when its values' statements count
    #: too, and so on; None when unbounded (a path of any length: cycles) or
    #: unknown. A check with a reach can be run again for changed nodes only
    #: (see `reach_of`).
    reach: int | None = 1

    @property
    def local(self) -> bool:
        return self.reach is not None


@dataclass(frozen=True)
class CrossCheck:
    """The checks to run over the whole dataset (see :func:`split_shapes`).

    ``complete`` is true when they are all the shapes ask for: the batch shapes
    hold no constraint left for pyshacl, so batches need not run it.
    """

    checks: tuple[_Check, ...]
    complete: bool = False

    @property
    def reach(self) -> int:
        """The farthest reach of the local checks (see `_Check.reach`)."""
        return max((c.reach for c in self.checks if c.reach is not None), default=0)

    def is_local(self, result: ValidationResult) -> bool:
        """Whether ``result`` comes from a local check (see `_Check.local`)."""
        return (result.source_shape, result.component) in self._local

    @property
    def _local(self) -> frozenset[tuple[str, str]]:
        return frozenset((c.shape, c.component) for c in self.checks if c.local) - frozenset(
            (c.shape, c.component) for c in self.checks if not c.local
        )


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
                reach=reach_of(query),
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
    compiled, links, closed = _core_checks(shapes, parents, subclasses, prefixes, handled)
    checks.extend(compiled)
    batch_shapes = Graph()
    for triple in shapes:
        batch_shapes.add(triple)
    for prefix, namespace in shapes.namespaces():
        batch_shapes.bind(prefix, namespace, override=False)
    for shape, constraint in handled:
        batch_shapes.remove((shape, SH.sparql, constraint))
    for link in links:
        batch_shapes.remove(link)
    for node_shape in closed:
        batch_shapes.remove((node_shape, SH.closed, None))
        batch_shapes.remove((node_shape, SH.ignoredProperties, None))
    complete = not any(
        True for _ in batch_shapes.subject_objects(SH.property)
    ) and not _node_constraints(batch_shapes)
    return batch_shapes, CrossCheck(tuple(checks), complete)


def reach_of(query: str) -> int | None:
    """How many hops from ``?this`` the statements a SELECT query reads may be
    (see `_Check.reach`): 0 when it reads only ``?this``'s own statements.

    Every triple pattern, in EXISTS and MINUS too, must start at ``?this`` or
    at a variable reached from it, over predicates or fixed-length paths;
    anything else (a pattern pointing at ``?this``, ``*`` or ``+`` paths, a
    constant subject) is None: the check reads the whole dataset.

    >>> reach_of("SELECT ?this WHERE { ?this <p:a> ?v . ?v <p:b> ?w }")
    1
    >>> reach_of("SELECT ?this WHERE { ?this <p:a> ?v . ?v <p:a>* ?this }") is None
    True
    """
    from rdflib.plugins.sparql import prepareQuery

    patterns: list[tuple[object, int | None, object]] = []
    _patterns(prepareQuery(query).algebra, patterns)
    this = Variable("this")
    depth: dict[object, int] = {this: 0}
    changed = True
    while changed:
        changed = False
        for subject, hops, obj in patterns:
            if subject not in depth or hops is None or not isinstance(obj, Variable):
                continue
            if obj not in depth or depth[obj] > depth[subject] + hops:
                depth[obj] = depth[subject] + hops
                changed = True
    farthest = 0
    for subject, hops, _obj in patterns:
        if subject not in depth or hops is None:
            return None
        farthest = max(farthest, depth[subject] + hops - 1)
    return farthest


def _patterns(node: object, found: list[tuple[object, int | None, object]]) -> None:
    """The triple patterns anywhere in a query's algebra: (subject, hops, object)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name in ("BGP", "TriplesBlock"):
            for triple in _flat_triples(node.triples):
                found.append((triple[0], _hops(triple[1]), triple[2]))
        for value in node.values():
            _patterns(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _patterns(value, found)


def _flat_triples(triples: Sequence[Sequence[object]]) -> list[Sequence[object]]:
    # Parsed blocks hold lists of 3n terms; translated ones tuples of three.
    flat = []
    for group in triples:
        for start in range(0, len(group) - 2, 3):
            flat.append(group[start : start + 3])
    return flat


def _hops(predicate: object) -> int | None:
    """The length of a predicate or path; None for any other path."""
    from rdflib.paths import AlternativePath, SequencePath

    if isinstance(predicate, URIRef | Variable):
        return 1
    if isinstance(predicate, SequencePath | AlternativePath):
        parts = [_hops(part) for part in predicate.args]
        if any(part is None for part in parts):
            return None
        lengths = [part for part in parts if part is not None]
        return sum(lengths) if isinstance(predicate, SequencePath) else max(lengths)
    return None


def union_store(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory store of the distinct triples of ``quads``, in its default graph.

    Articles restate the entities they mention in their own graphs; queried as
    one graph with ``use_default_graph_as_union``, pyoxigraph matches a
    statement once per graph that makes it, which made the checks six times
    slower (and would count every copy).
    """
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in {q.triple for q in quads})
    return store


def store_of_lines(parts: Iterable[bytes]) -> ox.Store:
    """An in-memory store of N-Triples documents (each whole lines), in its
    default graph; loaded a piece at a time (the loader holds about five times
    what it is given: 1 GiB for the union of 10,000 articles at once)."""
    from consortia.store import chunks

    store = ox.Store()
    for part in parts:
        for piece in chunks(part):
            store.bulk_load(piece, format=ox.RdfFormat.N_TRIPLES)
    return store


def check_union(
    store: ox.Store,
    cross: CrossCheck,
    quads: Iterable[ox.Quad] | Callable[[], Iterable[ox.Quad]] = (),
    focus: Sized[str] | None = None,
    graphs: Callable[[ox.NamedNode | ox.BlankNode], set[ox.NamedNode]] | None = None,
) -> list[ValidationResult]:
    """Run the union checks over ``store`` (see :func:`union_store`).

    ``quads``, the dataset with its graphs (or a function giving them, called
    only if there is a result), tells which article a result is tied to (or
    ``graphs``, the graphs stating a node, when given). With
    ``focus`` (IRIs, ``_:`` blank nodes), the local checks look at those focus
    nodes only; the others look at everything.
    """
    checks = [c for c in cross.checks if focus is None or not c.local or focus]
    # Local checks of a few focus nodes run over a small store of what they
    # read: the nodes' statements and those of their values.
    near = store if focus is None else _near(store, focus, cross.reach)
    results: list[ValidationResult] = []
    stated_in: dict[ox.NamedNode | ox.BlankNode, set[ox.NamedNode]] | None = None
    from concurrent.futures import ThreadPoolExecutor

    # pyoxigraph lets go of the interpreter while it evaluates a query, so two
    # threads use both cores; rows are read in the order of the checks.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        answers = list(
            pool.map(lambda check: _select(near if check.local else store, check.query), checks)
        )
    for check, rows in zip(checks, answers, strict=True):
        seen: set[tuple[str, str | None, str | None]] = set()
        for row in rows:
            this = row["this"]
            if not isinstance(this, ox.NamedNode | ox.BlankNode):
                continue
            if focus is not None and check.local and node_name(this) not in focus:
                continue
            value = _get(row, "value")
            if value is None and check.component.endswith("SPARQLConstraintComponent"):
                value = this if check.path is None else None
            shown = _n3(value) if value is not None else None
            path = check.path
            if path is None and isinstance(found := _get(row, "path"), ox.NamedNode):
                path = found.value
            if (str(this), shown, path) in seen:
                continue
            seen.add((str(this), shown, path))
            if graphs is not None:
                stating = graphs(this)
            else:
                if stated_in is None:
                    stated_in = _graphs_of(quads() if callable(quads) else quads)
                stating = stated_in.get(this, set())
            article = _article(store, this, stating)
            results.append(
                ValidationResult(
                    focus_node=node_name(this),
                    label=_label(store, this),
                    article=article,
                    path=path,
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
    return _described(results, store)


def _near(store: ox.Store, focus: Iterable[str], reach: int = 1) -> ox.Store:
    """A store of the default-graph statements about ``focus`` and about the
    nodes ``reach`` hops or fewer away from them."""
    near = ox.Store()
    nodes = {_term(name) for name in focus}
    seen = set(nodes)
    quads = []
    for hop in range(reach + 1):
        values = set()
        for node in nodes:
            for quad in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                quads.append(quad)
                if hop < reach and isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                    values.add(quad.object)
        nodes = values - seen
        seen |= nodes
    near.bulk_extend(quads)
    return near


#: Queries run at once (a build has two cores to itself when it checks).
_THREADS = 2
#: Results described with their evidence sentence and the labels of the nodes
#: around them; past this many, the rest keep their plain labels.
_DESCRIBED = 1000
#: Nodes pointing at a node that are read to describe it (an alliance's
#: evidence may number thousands).
_INBOUND = 200


def _described(results: list[ValidationResult], store: ox.Store) -> list[ValidationResult]:
    """``results`` with what pyshacl's reports say too: descriptions and evidence."""
    if not results:
        return results
    from consortia.validation import describe_result

    described = []
    for number, result in enumerate(results):
        if number >= _DESCRIBED:
            described.append(result)
            continue
        nodes = [result.focus_node]
        if result.value and result.value.startswith("<"):
            nodes.append(result.value[1:-1])
        described.append(describe_result(result, _neighbourhood(store, nodes)))
    return described


def _neighbourhood(store: ox.Store, names: Sequence[str]) -> Graph:
    """The triples around ``names``: two steps in (evidence, memberships), three out."""
    graph = Graph()
    start = [_term(name) for name in names]
    inbound: list[object] = list(start)
    outbound: list[object] = list(start)
    seen_in: set[object] = set()
    for _step in range(2):
        found: list[object] = []
        for node in inbound:
            if node in seen_in or not isinstance(node, ox.NamedNode | ox.BlankNode):
                continue
            seen_in.add(node)
            pointing = store.quads_for_pattern(None, None, node, ox.DefaultGraph())
            for number, quad in enumerate(pointing):
                if number >= _INBOUND:
                    break
                graph.add(_rdflib_triple(quad))
                found.append(quad.subject)
        outbound.extend(found)
        inbound = found
    seen_out: set[object] = set()
    for _step in range(3):
        found = []
        for node in outbound:
            if node in seen_out or not isinstance(node, ox.NamedNode | ox.BlankNode):
                continue
            seen_out.add(node)
            for quad in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                graph.add(_rdflib_triple(quad))
                found.append(quad.object)
        outbound = found
    return graph


def _term(name: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)


def _rdflib_triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    def convert(term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            if term.datatype.value == _XSD + "string":
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        raise TypeError(f"unsupported term {term!r}")

    return convert(quad.subject), convert(quad.predicate), convert(quad.object)


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


# --- SHACL Core as SPARQL ----------------------------------------------------------

#: What a shape may state besides its constraints: names, messages, its path.
_DESCRIPTIVE = frozenset(
    str(p)
    for p in (
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.name,
        SH.description,
        SH.message,
        SH.severity,
        SH.path,
        SH.order,
        SH.group,
        SH.maxCount,  # compiled in split_shapes
    )
)
#: What a node shape may state besides its constraints (targets, property shapes).
_NODE_PARTS = _DESCRIPTIVE | {
    str(p) for p in (SH.targetClass, SH.target, SH.property, SH.ignoredProperties)
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Lexical forms of the datatypes that sh:datatype asks for: an ill-formed literal
#: ("2019-13-45"^^xsd:date) fails sh:datatype, as in pyshacl.
_LEXICAL = {
    _XSD + "integer": r"^[+-]?[0-9]+$",
    _XSD + "nonNegativeInteger": r"^(\+?[0-9]+|-0+)$",
    _XSD + "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    _XSD + "boolean": r"^(true|false|1|0)$",
    _XSD
    + "date": r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    _XSD + "gYearMonth": r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    _XSD + "gYear": r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    _XSD + "dateTime": r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
_NODE_KINDS = {
    "IRI": "!isIRI(?value)",
    "BlankNode": "!isBlank(?value)",
    "Literal": "!isLiteral(?value)",
    "BlankNodeOrIRI": "isLiteral(?value)",
    "BlankNodeOrLiteral": "isIRI(?value)",
    "IRIOrLiteral": "isBlank(?value)",
}


def _core_checks(
    shapes: Graph,
    parents: dict[Node, list[Node]],
    subclasses: dict[str, set[str]],
    prefixes: str,
    handled: Sequence[tuple[Node, Node]],
) -> tuple[list[_Check], list[tuple[Node, Node, Node]], list[Node]]:
    """The SHACL Core constraints of ``shapes`` as SPARQL checks.

    A property shape is compiled whole or not at all: one with a parameter this
    module does not know (or a path that is not a plain IRI) stays in the shapes
    for pyshacl. Returns the checks, the ``sh:property`` links of the compiled
    property shapes and the node shapes whose ``sh:closed`` was compiled, which
    :func:`split_shapes` takes out of the batch shapes.
    """
    done_sparql = {shape for shape, _ in handled}
    checks: list[_Check] = []
    links: list[tuple[Node, Node, Node]] = []
    for node_shape, property_shape in sorted(shapes.subject_objects(SH.property)):
        target = _target(shapes, property_shape, parents, subclasses, prefixes)
        path = shapes.value(property_shape, SH.path)
        if target is None or not isinstance(path, URIRef):
            continue
        if (property_shape, SH.deactivated, None) in shapes:
            continue
        compiled = _property_checks(shapes, property_shape, path, target, subclasses, done_sparql)
        if compiled is None:
            continue
        for check in compiled:
            check = replace(check, query=prefixes + check.query)
            if check not in checks:
                checks.append(check)
        links.append((node_shape, SH.property, property_shape))
    closed: list[Node] = []
    for node_shape in sorted(set(shapes.subjects(SH.closed, None)), key=str):
        target = _target(shapes, node_shape, parents, subclasses, prefixes)
        closed_check = _closed_check(shapes, node_shape, target)
        if closed_check is not None:
            checks.append(replace(closed_check, query=prefixes + closed_check.query))
            closed.append(node_shape)
    return checks, links, closed


def _property_checks(
    shapes: Graph,
    shape: Node,
    path: URIRef,
    target: _Target,
    subclasses: dict[str, set[str]],
    done_sparql: set[Node],
) -> list[_Check] | None:
    """The checks of one property shape, or None if it has a parameter not compiled here."""
    this = _target_pattern(target)
    values = f"{this} ?this <{path}> ?value ."
    made: list[tuple[str, str]] = []  # (component, query)

    def value_filter(component: str, condition: str) -> None:
        made.append(
            (component, f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER ({condition}) }}")
        )

    for predicate, obj in sorted(shapes.predicate_objects(shape)):
        name = str(predicate)
        if name in _DESCRIPTIVE:
            continue
        if predicate == SH.sparql:
            if shape in done_sparql:
                continue
            return None
        if predicate == SH.minCount and isinstance(obj, Literal):
            count = int(obj.toPython())
            if count <= 0:
                continue
            if count == 1:
                query = f"SELECT ?this WHERE {{ {this} MINUS {{ ?this <{path}> ?any }} }}"
            else:
                query = (
                    f"SELECT ?this WHERE {{ {this} OPTIONAL {{ ?this <{path}> ?any }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?any) < {count})"
                )
            made.append(("MinCountConstraintComponent", query))
        elif predicate == SH["class"] and isinstance(obj, URIRef):
            made.append(("ClassConstraintComponent", _class_query(values, [obj], subclasses)))
        elif predicate == SH["or"]:
            classes = _or_of_classes(shapes, obj)
            if classes is None:
                return None
            made.append(("OrConstraintComponent", _class_query(values, classes, subclasses)))
        elif predicate == SH.datatype and isinstance(obj, URIRef):
            condition = f"!isLiteral(?value) || datatype(?value) != <{obj}>"
            if str(obj) in _LEXICAL:
                condition += f" || !regex(str(?value), {_string(_LEXICAL[str(obj)])})"
            value_filter("DatatypeConstraintComponent", condition)
        elif predicate == SH.nodeKind and isinstance(obj, URIRef):
            kind = str(obj).removeprefix(str(SH))
            if kind not in _NODE_KINDS:
                return None
            value_filter("NodeKindConstraintComponent", _NODE_KINDS[kind])
        elif predicate == SH.pattern and isinstance(obj, Literal):
            flags = shapes.value(shape, SH.flags)
            extra = f", {_string(str(flags))}" if flags is not None else ""
            value_filter(
                "PatternConstraintComponent",
                f"isBlank(?value) || !regex(str(?value), {_string(str(obj))}{extra})",
            )
        elif predicate == SH.flags:
            continue
        elif predicate == SH.languageIn:
            tags = [str(t) for t in Collection(shapes, obj)]
            if not tags:
                return None
            matches = " || ".join(f"langMatches(lang(?value), {_string(t)})" for t in tags)
            value_filter("LanguageInConstraintComponent", f"!isLiteral(?value) || !({matches})")
        elif predicate == SH.minInclusive and isinstance(obj, Literal):
            value_filter(
                "MinInclusiveConstraintComponent",
                f"!COALESCE(?value >= {obj.n3()}, false)",
            )
        elif predicate == SH["in"]:
            members = list(Collection(shapes, obj))
            same = " || ".join(f"sameTerm(?value, {m.n3()})" for m in members) or "false"
            value_filter("InConstraintComponent", f"!({same})")
        elif predicate == SH.hasValue and isinstance(obj, URIRef | Literal):
            made.append(
                (
                    "HasValueConstraintComponent",
                    f"SELECT ?this WHERE {{ {this} MINUS {{ ?this <{path}> {obj.n3()} }} }}",
                )
            )
        elif predicate == SH.qualifiedValueShape:
            qualified = _qualified_query(shapes, shape, obj, this, path)
            if qualified is None:
                return None
            made.append(("QualifiedMinCountConstraintComponent", qualified))
        elif predicate in (SH.qualifiedMinCount, SH.qualifiedValueShapesDisjoint):
            continue
        else:
            return None
    message = _message(shapes, shape)
    severity = _severity(shapes, shape)
    return [
        _Check(str(shape), str(path), query, message, severity, str(SH[component]), target)
        for component, query in made
    ]


def _class_query(values: str, classes: Sequence[Node], subclasses: dict[str, set[str]]) -> str:
    """Values that are an instance of none of ``classes`` (or their subclasses)."""
    names: set[str] = set()
    for cls in classes:
        names.add(str(cls))
        names.update(subclasses.get(str(cls), ()))
    listed = " ".join(f"<{c}>" for c in sorted(names))
    return (
        f"SELECT DISTINCT ?this ?value WHERE {{ {values} "
        f"MINUS {{ VALUES ?valueClass {{ {listed} }} ?value a ?valueClass }} }}"
    )


def _or_of_classes(shapes: Graph, members: Node) -> list[Node] | None:
    """The classes of ``sh:or ( [ sh:class A ] [ sh:class B ] )``; None for any other sh:or."""
    classes: list[Node] = []
    for member in Collection(shapes, members):
        parts = {(p, o) for p, o in shapes.predicate_objects(member) if p != RDF.type}
        if len(parts) != 1:
            return None
        predicate, cls = next(iter(parts))
        if predicate != SH["class"] or not isinstance(cls, URIRef):
            return None
        classes.append(cls)
    return classes or None


def _qualified_query(
    shapes: Graph, shape: Node, qualified: Node, this: str, path: URIRef
) -> str | None:
    """``sh:qualifiedValueShape [ sh:in (...) ]`` with ``sh:qualifiedMinCount``, as SPARQL."""
    if (shape, SH.qualifiedMaxCount, None) in shapes:
        return None
    count = shapes.value(shape, SH.qualifiedMinCount)
    parts = {(p, o) for p, o in shapes.predicate_objects(qualified) if p != RDF.type}
    if not isinstance(count, Literal) or len(parts) != 1:
        return None
    predicate, members = next(iter(parts))
    if predicate != SH["in"]:
        return None
    listed = " ".join(m.n3() for m in Collection(shapes, members))
    minimum = int(count.toPython())
    if minimum == 1:
        return (
            f"SELECT ?this WHERE {{ {this} "
            f"MINUS {{ VALUES ?qualified {{ {listed} }} ?this <{path}> ?qualified }} }}"
        )
    return (
        f"SELECT ?this WHERE {{ {this} OPTIONAL {{ VALUES ?qualified {{ {listed} }} "
        f"?this <{path}> ?qualified }} }} GROUP BY ?this "
        f"HAVING (COUNT(DISTINCT ?qualified) < {minimum})"
    )


def _closed_check(shapes: Graph, node_shape: Node, target: _Target | None) -> _Check | None:
    """``sh:closed true``: every predicate of a focus node is a path of the shape or ignored."""
    closed = shapes.value(node_shape, SH.closed)
    if target is None or not isinstance(closed, Literal) or closed.toPython() is not True:
        return None
    allowed: set[str] = set()
    for property_shape in shapes.objects(node_shape, SH.property):
        path = shapes.value(property_shape, SH.path)
        if isinstance(path, URIRef):
            allowed.add(str(path))
        elif path is not None:
            return None
    ignored = shapes.value(node_shape, SH.ignoredProperties)
    if ignored is not None:
        allowed.update(str(p) for p in Collection(shapes, ignored))
    listed = ", ".join(f"<{p}>" for p in sorted(allowed)) or "<urn:nothing>"
    query = (
        f"SELECT DISTINCT ?this ?path ?value WHERE {{ {_target_pattern(target)} "
        f"?this ?path ?value . FILTER (?path NOT IN ({listed})) }}"
    )
    return _Check(
        str(node_shape),
        None,
        query,
        _message(shapes, node_shape),
        _severity(shapes, node_shape),
        str(SH.ClosedConstraintComponent),
        target,
    )


def _node_constraints(shapes: Graph) -> list[tuple[Node, Node]]:
    """Parameters of node shapes that are constraints on the focus node itself."""
    found = []
    for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        for predicate, obj in shapes.predicate_objects(node_shape):
            if str(predicate) not in _NODE_PARTS and predicate != SH.closed:
                found.append((predicate, obj))
            if predicate == SH.closed and isinstance(obj, Literal) and obj.toPython() is True:
                found.append((predicate, obj))
    return found


def _string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


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
    filter, no group), shares a variable with the rest of the query, and every
    variable it shares is bound in every row there: ``?this``, which the target always binds, and
    variables of the query's own triple patterns when the query has nothing
    but triple patterns and filters (no OPTIONAL, UNION, BIND...).
    """

    def rewrite(match: re.Match[str]) -> str:
        inner = match.group(1)
        outside = query[: match.start()] + query[match.end() :]
        shared = set(_VARIABLE.findall(inner)) & set(_VARIABLE.findall(outside))
        if "FILTER" in inner.upper() or not shared:
            return match.group(0)
        if shared - {"this"} - _always_bound(outside):
            return match.group(0)
        return "MINUS {" + inner + "}"

    return _NOT_EXISTS.sub(rewrite, query)


_NOT_BASIC = re.compile(r"\b(OPTIONAL|UNION|MINUS|BIND|VALUES|SERVICE|GRAPH|SELECT)\b", re.I)


def _always_bound(query: str) -> set[str]:
    """The variables bound in every row of ``query``'s WHERE clause, when it is
    triple patterns and filters only (else none)."""
    where = query.upper().find("WHERE")
    body = query[where + 5 :] if where >= 0 else ""
    if _NOT_BASIC.search(body):
        return set()
    return set(_VARIABLE.findall(_without_filters(body)))


def _without_filters(text: str) -> str:
    """``text`` without its FILTER expressions and FILTER [NOT] EXISTS groups."""
    out = []
    position = 0
    for match in re.finditer(r"\bFILTER\b", text, re.I):
        if match.start() < position:
            continue
        out.append(text[position : match.start()])
        rest = match.end()
        opening = re.compile(r"\s*(NOT\s+)?EXISTS\s*\{|\s*\(", re.I).match(text, rest)
        if opening is None:
            return ""  # not understood: nothing counts as bound
        close = "}" if opening.group(0).rstrip().endswith("{") else ")"
        depth, index = 1, opening.end()
        while index < len(text) and depth:
            if text[index] in "({":
                depth += 1
            elif text[index] in ")}":
                depth -= 1
            index += 1
        if depth or text[index - 1] != close:
            return ""
        position = index
    out.append(text[position:])
    return "".join(out)


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


def node_name(node: ox.NamedNode | ox.BlankNode) -> str:
    """A node as results name it: the IRI, or ``_:`` and a blank node's label."""
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
        if term.datatype.value == _XSD + "string":
            return Literal(term.value).n3()  # a plain literal, as rdflib reads it
        return Literal(term.value, datatype=URIRef(term.datatype.value)).n3()
    return str(term)


def _label(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> str | None:
    for predicate in (SKOS.prefLabel, URIRef(_SCHEMA + "headline")):
        labels = [
            q.object
            for q in store.quads_for_pattern(
                node, ox.NamedNode(str(predicate)), None, ox.DefaultGraph()
            )
            if isinstance(q.object, ox.Literal)
        ]
        if labels:
            order = sorted(
                {(0 if x.language == "en" else 1 if not x.language else 2, x.value) for x in labels}
            )
            return order[0][1]
    return None


def _graphs_of(
    quads: Iterable[ox.Quad],
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
    if any(
        True
        for _ in store.quads_for_pattern(
            node, ox.NamedNode(str(RDF.type)), article_type, ox.DefaultGraph()
        )
    ):
        return node_name(node)
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    found: set[str] = set()
    for graph in graphs:
        if isinstance(graph, ox.NamedNode):
            sources = {
                str(q.object)
                for q in store.quads_for_pattern(graph, derived, None, ox.DefaultGraph())
            }
            found.update(
                s[1:-1] if s.startswith("<") else s for s in (sources or {f"<{graph.value}>"})
            )
    return next(iter(found)) if len(found) == 1 else None
