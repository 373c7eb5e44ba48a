"""SPARQL over the built store, as typed results, and their renderings.

Queries see the union of all graphs (every article's named graph and the default
graph), so plain queries see everything, while ``GRAPH ?g { ... }`` and ``FROM``
still address single graphs. Oxigraph's union keeps one copy of a statement per
graph holding it: a fact stated by two articles matches twice, so use DISTINCT
(or count articles on purpose). The store is opened read-only and updates are
refused: ``consortia query`` never changes the data.

>>> bind_params({"org": "cx:Alliance", "name": "Huobi"}, DEFAULT_PREFIXES)[Variable("org")]
<NamedNode value=https://w3id.org/consortia/ontology#Alliance>
"""

from __future__ import annotations

import io
import json
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from consortia.errors import QueryError
from consortia.export import serialize_rdf
from consortia.store import open_store, union_default_graph

__all__ = [
    "DEFAULT_PREFIXES",
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "QueryResult",
    "bind_params",
    "bind_values",
    "has_dataset_clause",
    "lookup_labels",
    "parse_term",
    "render",
    "run_query",
]

#: The prefixes of the published model (docs/decisions/0001), known to every query.
DEFAULT_PREFIXES: dict[str, str] = {
    "cx": "https://w3id.org/consortia/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

#: Renderings of SELECT and ASK results; the first is the default.
SELECT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")
#: Renderings of CONSTRUCT and DESCRIBE results; the first is the default.
GRAPH_FORMATS: tuple[str, ...] = ("turtle", "nt", "jsonld")

Term: TypeAlias = NamedNode | BlankNode | Literal | Triple
QueryKind: TypeAlias = typing.Literal["select", "ask", "graph"]

_UPDATE_REFUSED = "SPARQL updates are not allowed: `consortia query` is read-only"
_UPDATE_HINT = "to change the data, edit the articles and run `consortia build` again"
_SYNTAX_HINT = "fix the query at that line and column; the prefixes {names} are predeclared"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_BARE_DATATYPES = frozenset(_XSD + name for name in ("integer", "decimal", "double", "boolean"))
_XSD_STRING = _XSD + "string"
_PREFIXED_NAME = re.compile(r"(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[^\s<>\"{}|^`\\]*)")
_PROBE = NamedNode("urn:consortia:parameter")
# Table cells escape like Turtle strings, so that one row stays one line.
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


@dataclass(frozen=True)
class QueryResult:
    """The outcome of one query.

    ``kind`` is ``select`` (``variables`` and ``rows``, one term or None per
    variable), ``ask`` (``boolean``) or ``graph`` for CONSTRUCT and DESCRIBE
    (``triples``).
    """

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[Triple, ...] = ()
    #: IRI -> label, for the IRIs in ``rows`` that have one (``run_query(labels=True)``).
    labels: Mapping[str, str] = field(default_factory=dict)


# --- running -------------------------------------------------------------------


def run_query(
    store_path: Path,
    query: str,
    *,
    params: Mapping[str, str] | None = None,
    prefixes: Mapping[str, str] | None = None,
    labels: bool = False,
) -> QueryResult:
    """Run a read-only SPARQL query over the store at ``store_path``.

    ``params`` binds variables anywhere in the query's WHERE clause to values
    (see `parse_term` and `bind_values`). ``prefixes`` are predeclared for the
    query and the parameters (default: `DEFAULT_PREFIXES`). With ``labels``, the
    labels of the IRIs in SELECT rows are looked up too (see `lookup_labels`).
    """
    known = dict(DEFAULT_PREFIXES if prefixes is None else prefixes)
    text = bind_values(query, params, known) if params else query
    store = open_store(store_path)
    # The store's default graph is the union of its graphs (store.prepare_store);
    # an older store gets pyoxigraph's union flag, which would override the
    # query's own FROM clauses.
    union = not union_default_graph(store_path)
    try:
        outcome = _planned(store, store_path, text, known, union and not has_dataset_clause(query))
        result = _collect(outcome)
        if labels and result.rows:
            result = replace(result, labels=lookup_labels(store, _iris(result), union=union))
        return result
    except SyntaxError as error:
        if text != query:
            raise _binding_failure(query, known, params or {}, error) from error
        raise _parse_failure(store, query, known, error) from error
    except RuntimeError as error:
        raise QueryError(f"the query failed: {error}") from error
    except OSError as error:
        raise QueryError(
            f"the query failed: {error}", path=store_path, hint="run `consortia build` again"
        ) from error


def _planned(
    store: Store, store_path: Path, text: str, prefixes: dict[str, str], union: bool
) -> QuerySolutions | QueryBoolean | Iterable[Triple]:
    """Run ``text`` with its triple patterns ordered by the store's counts
    (`planner.plan`); as written when there are none, or if the planned text
    does not parse (then the original's error is the one to show)."""
    from consortia.planner import plan, read_stats

    stats = read_stats(store_path)
    planned = plan(text, stats, prefixes) if stats is not None else text
    if planned != text:
        try:
            return store.query(planned, prefixes=prefixes, use_default_graph_as_union=union)
        except SyntaxError:
            pass
    return store.query(text, prefixes=prefixes, use_default_graph_as_union=union)


def _binding_failure(
    query: str, prefixes: dict[str, str], params: Mapping[str, str], error: SyntaxError
) -> QueryError:
    # The query with the VALUES blocks failed to parse: if the query itself
    # does not parse either, report that; otherwise the query assigns a bound
    # variable itself (BIND ... AS ?x), which SPARQL forbids.
    scratch = Store()
    try:
        scratch.query(query, prefixes=prefixes)
    except SyntaxError as original:
        return _parse_failure(scratch, query, prefixes, original)
    names = ", ".join(f"?{name.lstrip('?$')}" for name in params)
    return QueryError(
        f"cannot bind {names}: {error}",
        hint="a variable the query assigns itself (BIND ... AS ?x) cannot be a --param",
    )


# --- labels --------------------------------------------------------------------

_LABEL_QUERY = """SELECT ?s ?label WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label BIND(0 AS ?rank) }}
  UNION {{ ?s <https://schema.org/headline> ?label BIND(1 AS ?rank) }}
}}"""
_LABEL_BATCH = 500


def _iris(result: QueryResult) -> list[NamedNode]:
    found = {term for row in result.rows for term in row if isinstance(term, NamedNode)}
    return sorted(found, key=lambda node: node.value)


def lookup_labels(store: Store, iris: Sequence[NamedNode], *, union: bool = True) -> dict[str, str]:
    """The label of each IRI that has one: its ``skos:prefLabel``, else its
    ``schema:headline`` (articles); English first, then untagged, then any
    other language, and the smallest of equals, so that the choice is stable.
    """
    best: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(iris), _LABEL_BATCH):
        # Terms written by pyoxigraph (<iri>, escaped), never raw strings.
        values = " ".join(str(iri) for iri in iris[start : start + _LABEL_BATCH])
        outcome = store.query(_LABEL_QUERY.format(values=values), use_default_graph_as_union=union)
        if not isinstance(outcome, QuerySolutions):  # pragma: no cover - a SELECT
            continue
        for solution in outcome:
            subject, label, rank = solution["s"], solution["label"], solution["rank"]
            if not isinstance(subject, NamedNode) or not isinstance(label, Literal):
                continue
            language = {"en": 0, None: 1}.get(label.language, 2)
            key = (int(rank.value) if isinstance(rank, Literal) else 0, language, label.value)
            if subject.value not in best or key < best[subject.value]:
                best[subject.value] = key
    return {iri: key[2] for iri, key in best.items()}


# What may hold the word FROM without being a dataset clause: strings, IRIs
# and comments (blanked out first), then names around it (?from, ex:from, @from).
_NOT_CODE = re.compile(
    r'"""[\s\S]*?"""'  # long strings
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # IRIs
    r"|#[^\n]*"  # comments
)
_FROM = re.compile(r"(?<![\w:?$@.-])FROM(?![\w:.-])", re.IGNORECASE)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED.

    >>> has_dataset_clause("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause('SELECT ?from WHERE { ?from ex:from "FROM" } # FROM')
    False
    """
    return _FROM.search(_NOT_CODE.sub(" ", query)) is not None


def _collect(outcome: QuerySolutions | QueryBoolean | Iterable[Triple]) -> QueryResult:
    if isinstance(outcome, QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(outcome))
    if isinstance(outcome, QuerySolutions):
        variables = tuple(variable.value for variable in outcome.variables)
        rows = tuple(tuple(solution[name] for name in variables) for solution in outcome)
        return QueryResult(kind="select", variables=variables, rows=rows)
    return QueryResult(kind="graph", triples=tuple(outcome))


def _parse_failure(
    store: Store, query: str, prefixes: dict[str, str], error: SyntaxError
) -> QueryError:
    if _is_update(store, query, prefixes):
        return QueryError(_UPDATE_REFUSED, hint=_UPDATE_HINT)
    names = ", ".join(f"{name}:" for name in sorted(prefixes))
    return QueryError(f"invalid SPARQL query: {error}", hint=_SYNTAX_HINT.format(names=names))


def _is_update(store: Store, text: str, prefixes: dict[str, str]) -> bool:
    """Whether ``text`` is a SPARQL update holding at least one operation.

    Decided by pyoxigraph's own update parser, run on the *read-only* store: a
    valid update then fails when it asks for a write transaction, before
    anything runs (no LOAD fetches a URL), and an invalid one fails to parse.
    """
    try:
        store.update(text, prefixes=prefixes)
    except SyntaxError:
        return False
    except Exception:  # the read-only store refusing to write: it parsed
        pass
    # An update with no operation (only PREFIX, BASE or comments) parses as
    # well; followed by ASK it is a query, which a real update is not.
    try:
        store.query(text + "\nASK {}", prefixes=prefixes)
    except SyntaxError:
        return True
    return False


# --- parameters ----------------------------------------------------------------


def bind_params(params: Mapping[str, str], prefixes: Mapping[str, str]) -> dict[Variable, Term]:
    """Read ``name=value`` parameters as variables and terms (values are data, never
    query text)."""
    bound: dict[Variable, Term] = {}
    for name, value in params.items():
        bare = name[1:] if name[:1] in "?$" else name
        try:
            variable = Variable(bare)
        except ValueError:
            raise QueryError(
                f"invalid parameter name {name!r}",
                hint="use a SPARQL variable name: letters, digits and _",
            ) from None
        bound[variable] = parse_term(value, prefixes)
    return bound


_FORM = re.compile(r"(?<![\w:?$@.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:.-])", re.IGNORECASE)
# Characters that may continue a variable name (SPARQL's VARNAME, roughly).
_NAME_CONTINUES = r"(?![\w\u00b7\u0300-\u036f\u203f\u2040])"


def _mask(query: str) -> str:
    """The query with strings, IRIs and comments blanked out, offsets kept."""
    return _NOT_CODE.sub(lambda match: " " * len(match.group()), query)


def _where_group(code: str) -> int | None:
    """Offset of the ``{`` opening the query's WHERE group in masked ``code``.

    The first query form keyword starts the query (the prologue holds no braces);
    a CONSTRUCT template is skipped; then the first ``{`` outside parentheses
    (SELECT expressions may hold ``EXISTS { }``) opens the WHERE group, whether
    or not the optional keyword WHERE precedes it.
    """
    form = _FORM.search(code)
    if form is None:
        return None
    position = form.end()
    if form.group(1).upper() == "CONSTRUCT":
        rest = code[position:]
        stripped = rest.lstrip()
        if stripped.startswith("{"):
            depth = 0
            for offset in range(position + len(rest) - len(stripped), len(code)):
                depth += {"{": 1, "}": -1}.get(code[offset], 0)
                if depth == 0:
                    position = offset + 1
                    break
    parentheses = 0
    for offset in range(position, len(code)):
        char = code[offset]
        if char == "(":
            parentheses += 1
        elif char == ")":
            parentheses -= 1
        elif char == "{" and parentheses == 0:
            return offset
    return None


def bind_values(query: str, params: Mapping[str, str], prefixes: Mapping[str, str]) -> str:
    """The query with each parameter bound by a ``VALUES ?name { term }`` block
    opening its outermost WHERE group, so any variable of the WHERE clause can
    be bound, returned or not.

    The value is read as data by `parse_term` and written back by pyoxigraph as
    one escaped term; the place is found in the query with its strings, IRIs
    and comments blanked out. Nothing the user typed is pasted as query text.

    >>> bind_values("SELECT ?n WHERE { ?o skos:prefLabel ?n }", {"o": "id:x"}, {"id": "urn:"})
    'SELECT ?n WHERE { VALUES ?o { <urn:x> } ?o skos:prefLabel ?n }'
    >>> bind_values('ASK { ?s ?p "?o" }', {"o": "x"}, {})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    consortia.errors.QueryError: parameter 'o' is not a variable of the query (...)
    """
    bound = bind_params(params, prefixes)
    code = _mask(query)
    for variable in bound:
        pattern = "[?$]" + re.escape(variable.value) + _NAME_CONTINUES
        if re.search(pattern, code) is None:
            raise QueryError(
                f"parameter {variable.value!r} is not a variable of the query",
                hint=f"use ?{variable.value} in the query's WHERE clause, or leave out "
                f"--param {variable.value}",
            )
    opening = _where_group(code)
    if opening is None:
        raise QueryError(
            "cannot bind parameters: the query has no WHERE clause",
            hint="add WHERE { ... } using the variables, or leave out --param",
        )
    blocks = "".join(f" VALUES {variable} {{ {term} }}" for variable, term in bound.items())
    return query[: opening + 1] + blocks + query[opening + 1 :]


def parse_term(value: str, prefixes: Mapping[str, str]) -> NamedNode | Literal:
    """Read a parameter value: ``<iri>``, a prefixed name with a known prefix, a
    Turtle literal (``"2019"^^xsd:gYear``, ``"Huobi"@en``), or else a plain string.

    >>> parse_term("<https://example.org/a>", {})
    <NamedNode value=https://example.org/a>
    >>> parse_term("org:Membership", DEFAULT_PREFIXES)
    <NamedNode value=http://www.w3.org/ns/org#Membership>
    >>> parse_term('"Huobi China"@en', {}), parse_term("10:30", DEFAULT_PREFIXES)
    (<Literal value=Huobi China language=en>, <Literal value=10:30 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
    """
    if value.startswith("<") and value.endswith(">"):
        try:
            return NamedNode(value[1:-1])
        except ValueError:
            raise QueryError(
                f"parameter value {value} is not a valid IRI", hint="write an absolute IRI"
            ) from None
    if value.startswith('"'):
        return _parse_literal(value, prefixes)
    match = _PREFIXED_NAME.fullmatch(value)
    if match and (match.group("prefix") or "") in prefixes:
        return NamedNode(prefixes[match.group("prefix") or ""] + match.group("local"))
    return Literal(value)


def _parse_literal(value: str, prefixes: Mapping[str, str]) -> Literal:
    # A one-statement Turtle document parsed as data: the value can never become
    # query text, and anything but exactly one literal is refused.
    declarations = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items())
    document = f"{declarations}{_PROBE} {_PROBE} {value} ."
    try:
        quads = list(parse(document.encode("utf-8"), format=RdfFormat.TURTLE))
    except (SyntaxError, ValueError):
        quads = []
    if len(quads) == 1 and quads[0].subject == _PROBE and isinstance(quads[0].object, Literal):
        return quads[0].object
    raise QueryError(
        f"parameter value {value} is not a valid literal",
        hint='write "text", "text"@en or "2019"^^xsd:gYear, or leave out the quotes',
    )


# --- rendering -----------------------------------------------------------------


def render(
    result: QueryResult,
    fmt: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    *,
    max_width: int = 60,
    width: int | None = None,
) -> str:
    """Render a result: `SELECT_FORMATS` for SELECT and ASK (default ``table``),
    `GRAPH_FORMATS` for CONSTRUCT and DESCRIBE (default ``turtle``). The text
    always ends with a newline; table cells longer than ``max_width`` are cut
    with an ellipsis, and the widest columns are cut further until the table
    fits in ``width`` characters (the terminal's, say) when it is given. A
    table shows the label of an IRI beside it when ``result.labels`` has one.

    >>> print(render(QueryResult(kind="select", variables=("n",), rows=((Literal(3),),))), end="")
    n
    -
    3
    1 row
    """
    known = DEFAULT_PREFIXES if prefixes is None else prefixes
    allowed = GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS
    chosen = (fmt or allowed[0]).lower()
    if chosen not in allowed:
        kinds = "CONSTRUCT and DESCRIBE" if result.kind == "graph" else "SELECT and ASK"
        raise QueryError(
            f"unknown format {fmt!r} for {kinds} results", hint=f"use one of {', '.join(allowed)}"
        )
    if result.kind == "graph":
        return serialize_rdf(result.triples, chosen, known).decode("utf-8")
    if chosen == "table":
        if result.kind == "ask":
            return "true\n" if result.boolean else "false\n"
        return _table(result, known, max_width, width)
    return _results_document(result, chosen)


def _results_document(result: QueryResult, fmt: str) -> str:
    """A W3C results document, written by pyoxigraph's own serialisers."""
    formats = {
        "csv": QueryResultsFormat.CSV,
        "tsv": QueryResultsFormat.TSV,
        "json": QueryResultsFormat.JSON,
        "xml": QueryResultsFormat.XML,
    }
    document: dict[str, object]
    if result.kind == "ask":
        document = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {
                name: _json_term(term)
                for name, term in zip(result.variables, row, strict=True)
                if term is not None
            }
            for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    parsed = parse_query_results(json.dumps(document), QueryResultsFormat.JSON)
    buffer = io.BytesIO()
    parsed.serialize(buffer, formats[fmt])
    text = buffer.getvalue().decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        literal: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language is not None:
            literal["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            literal["datatype"] = term.datatype.value
        return literal
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _shorten(iri: str, namespaces: Sequence[tuple[str, str]]) -> str:
    for namespace, name in namespaces:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _escape(text: str) -> str:
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _cell(term: Term | None, namespaces: Sequence[tuple[str, str]]) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return _shorten(term.value, namespaces)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<< " + " ".join(_cell(part, namespaces) for part in parts) + " >>"
    if term.language is not None:
        return f'"{_escape(term.value)}"@{term.language}'
    datatype = term.datatype.value
    if datatype in _BARE_DATATYPES:
        return term.value
    if datatype == _XSD_STRING:
        return f'"{_escape(term.value)}"'
    return f'"{_escape(term.value)}"^^{_shorten(datatype, namespaces)}'


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _labelled(
    term: Term | None, namespaces: Sequence[tuple[str, str]], labels: Mapping[str, str]
) -> str:
    cell = _cell(term, namespaces)
    if isinstance(term, NamedNode) and term.value in labels:
        return f"{cell} ({_escape(labels[term.value])})"
    return cell


#: No column is cut narrower than this to fit the terminal.
MIN_COLUMN = 8


def _fit(widths: list[int], total: int) -> list[int]:
    """Column widths whose table (two spaces between columns) fits in ``total``:
    the widest columns are cut to a common cap, never below `MIN_COLUMN`.

    >>> _fit([30, 10, 50], 60)
    [23, 10, 23]
    """
    room = total - 2 * (len(widths) - 1)
    if sum(widths) <= room:
        return widths
    cap = max(widths)
    while cap > MIN_COLUMN and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    return [min(w, cap) for w in widths]


def _table(
    result: QueryResult, prefixes: Mapping[str, str], max_width: int, width: int | None = None
) -> str:
    width_limit = max(max_width, 2)
    namespaces = sorted(
        ((iri, name) for name, iri in prefixes.items() if iri),
        key=lambda item: (-len(item[0]), item[1]),
    )
    header = [_truncate(name, width_limit) for name in result.variables]
    body = [
        [_truncate(_labelled(term, namespaces, result.labels), width_limit) for term in row]
        for row in result.rows
    ]
    widths = [max([len(cells[i]) for cells in [header, *body]]) for i in range(len(header))]
    if width is not None and widths:
        widths = _fit(widths, width)
        header = [_truncate(cell, w) for cell, w in zip(header, widths, strict=True)]
        body = [[_truncate(cell, w) for cell, w in zip(row, widths, strict=True)] for row in body]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True))

    lines = [line(header), line(["-" * w for w in widths])]
    lines.extend(line(cells) for cells in body)
    count = len(result.rows)
    lines.append(f"{count} row" if count == 1 else f"{count} rows")
    return "".join(text.rstrip() + "\n" for text in lines)
