"""Order the triple patterns of a SPARQL query by how many statements they match.

Oxigraph plans a basic graph pattern without statistics: of patterns alike it
takes the first written first. ``?org org:memberOf ?a ; cx:headquarteredIn ?p``
then scans every membership and looks up each member's headquarters (75 ms on
10,000 articles), where starting from the 2,805 headquarters takes 17 ms. A
basic graph pattern is a set: the order of its triple patterns does not change
its answers, only the work. `plan` rewrites each run of triple patterns (and
the filters among them, which apply to their whole group wherever they stand)
so that the patterns go from the fewest expected matches to the most, each one
joined to what is already bound where it can be, using the statement counts a
build keeps beside the store (`write_stats`).

Nothing crosses OPTIONAL, MINUS, BIND, VALUES, UNION, GRAPH, SERVICE or a
nested group; subqueries, blank-node property lists and collections are left
as they are; a query the tokenizer does not follow is returned unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STATS", "Stats", "plan", "read_stats", "write_stats"]

#: The file in the store's folder with the counts `plan` reads.
STATS = "consortia-stats.json"

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Stats:
    """Statement counts of the store's default graph (the union of its graphs)."""

    triples: int
    predicates: Mapping[str, int]
    typed: Mapping[str, int]


def write_stats(
    store: Path, triples: int, predicates: Mapping[str, int], typed: Mapping[str, int]
) -> None:
    """Keep the counts of the union beside the store (for `plan`)."""
    from consortia.export import write_atomically

    data = {
        "triples": triples,
        "predicates": dict(sorted(predicates.items())),
        "typed": dict(sorted(typed.items())),
    }
    write_atomically(store / STATS, (json.dumps(data, indent=1) + "\n").encode("utf-8"))


def read_stats(store: Path) -> Stats | None:
    """The counts `write_stats` kept, or None (then queries run as written)."""
    try:
        data = json.loads((store / STATS).read_text(encoding="utf-8"))
        return Stats(
            int(data["triples"]),
            {str(k): int(v) for k, v in data["predicates"].items()},
            {str(k): int(v) for k, v in data["typed"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# --- tokens -------------------------------------------------------------------------

_PN_CHARS = r"\w\u00b7\u0300-\u036f\u203f\u2040\-"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{{}}|^`\\\s]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
  | (?P<blank>_:[{_PN_CHARS}.]*[{_PN_CHARS}])
  | (?P<pname>(?:[^\W\d_][{_PN_CHARS}.]*)?:
              (?:[{_PN_CHARS}:%](?:[{_PN_CHARS}.:%]*[{_PN_CHARS}:%])?)?)
  | (?P<number>[+-]?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+))
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{{}}()\[\].;,*+/|^!?=<>-])
    """,
    re.X,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


class _Unknown(Exception):
    """Something the planner does not follow: the query stays as written."""


def _tokens(query: str) -> list[_Token]:
    found = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise _Unknown(position)
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            found.append(_Token(kind, match.group(), match.start(), match.end()))
        position = match.end()
    return found


# --- structure ----------------------------------------------------------------------


@dataclass
class _Triple:
    subject: _Token
    verb: tuple[int, int]  # span in the query
    verb_iri: str | None  # None: a variable or a path
    obj: tuple[int, int]
    obj_token: _Token  # its first token
    obj_iri: str | None  # when it is an IRI
    variables: frozenset[str]


@dataclass
class _Run:
    """Triple patterns and filters between two other elements of a group."""

    start: int
    end: int
    triples: list[_Triple]
    filters: list[tuple[int, int]]
    movable: bool


_KEYWORDS_BEFORE_GROUP = {"OPTIONAL", "MINUS"}


class _Parser:
    def __init__(self, tokens: list[_Token], prefixes: Mapping[str, str]) -> None:
        self.t = tokens
        self.i = 0
        self.prefixes = dict(prefixes)
        self.runs: list[tuple[_Run, frozenset[str]]] = []

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.i + offset
        return self.t[index] if index < len(self.t) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _Unknown("end")
        self.i += 1
        return token

    def word(self, offset: int = 0) -> str:
        token = self.peek(offset)
        return token.text.upper() if token is not None and token.kind == "word" else ""

    def parse(self) -> None:
        # The prologue: PREFIX and BASE declarations.
        while self.word() in ("PREFIX", "BASE"):
            keyword = self.take().text.upper()
            if keyword == "BASE":
                raise _Unknown("BASE")  # relative IRIs: not worth following
            name, iri = self.take(), self.take()
            if name.kind != "pname" or iri.kind != "iri" or not name.text.endswith(":"):
                raise _Unknown("PREFIX")
            self.prefixes[name.text[:-1]] = iri.text[1:-1]
        # Up to the WHERE clause's group (WHERE may be left out before it); a
        # CONSTRUCT template is not a pattern.
        while self.peek() is not None and self.peek().text != "{":  # type: ignore[union-attr]
            if self.word() == "CONSTRUCT" and self.word(1) != "WHERE":
                self.i += 1
                if self.peek() is not None and self.peek().text == "{":  # type: ignore[union-attr]
                    self.balanced("{", "}")
                continue
            self.i += 1
        if self.peek() is None:
            return
        self.group(frozenset())

    def balanced(self, opening: str, closing: str) -> None:
        depth = 0
        while True:
            token = self.take()
            if token.text == opening:
                depth += 1
            elif token.text == closing:
                depth -= 1
                if depth == 0:
                    return

    def group(self, bound: frozenset[str]) -> None:
        """A ``{ ... }`` group, from its ``{`` to its ``}``."""
        if self.take().text != "{":
            raise _Unknown("group")
        if self.word() == "SELECT":
            self.i -= 1
            self.balanced("{", "}")  # a subquery: as written
            return
        run: _Run | None = None
        while True:
            token = self.peek()
            if token is None:
                raise _Unknown("unclosed group")
            word = self.word()
            if token.text == "}":
                self.i += 1
                self.close(run, bound)
                return
            if token.text == ".":
                self.i += 1
                continue
            if word == "FILTER":
                start = token.start
                self.i += 1
                if self.word() == "NOT":
                    self.i += 1
                if self.word() == "EXISTS":
                    self.i += 1
                    self.balanced("{", "}")
                else:
                    if self.peek() is not None and self.peek().kind in ("word", "pname", "iri"):  # type: ignore[union-attr]
                        self.i += 1  # a function's name
                    self.balanced("(", ")")
                end = self.t[self.i - 1].end
                if run is None:
                    run = _Run(start, end, [], [], True)
                run.filters.append((start, end))
                run.end = end
                continue
            if (
                token.text == "{"
                or word in _KEYWORDS_BEFORE_GROUP
                or word
                in (
                    "GRAPH",
                    "SERVICE",
                    "BIND",
                    "VALUES",
                    "UNION",
                )
            ):
                bound = self.close(run, bound)
                run = None
                bound = self.element(word, bound)
                continue
            # Triple patterns up to the next "." (or the group's end).
            start = token.start
            triples, movable = self.triples()
            if run is None:
                run = _Run(start, start, [], [], True)
            run.triples.extend(triples)
            run.movable = run.movable and movable
            run.end = self.t[self.i - 1].end

    def close(self, run: _Run | None, bound: frozenset[str]) -> frozenset[str]:
        if run is None:
            return bound
        self.runs.append((run, bound))
        return bound | frozenset(v for t in run.triples for v in t.variables)

    def element(self, word: str, bound: frozenset[str]) -> frozenset[str]:
        if word in _KEYWORDS_BEFORE_GROUP:
            self.i += 1
            self.group(bound)
            return bound
        if word in ("GRAPH", "SERVICE"):
            self.i += 1
            if self.word() == "SILENT":
                self.i += 1
            self.take()  # the graph or the service
            self.group(bound)
            return bound
        if word == "UNION":
            self.i += 1
            self.group(bound)
            return bound
        if word == "BIND":
            self.i += 1
            first = self.i
            self.balanced("(", ")")
            names = {t.text[1:] for t in self.t[first : self.i] if t.kind == "var"}
            return bound | frozenset(names)
        if word == "VALUES":
            self.i += 1
            names = set()
            if self.peek() is not None and self.peek().text == "(":  # type: ignore[union-attr]
                first = self.i
                self.balanced("(", ")")
                names = {t.text[1:] for t in self.t[first : self.i] if t.kind == "var"}
            else:
                names = {self.take().text[1:]}
            self.balanced("{", "}")
            return bound | frozenset(names)
        self.group(bound)  # a nested group
        return bound

    def triples(self) -> tuple[list[_Triple], bool]:
        """One subject's triple patterns, up to and with their "."."""
        subject = self.take()
        if subject.kind not in ("var", "iri", "pname", "blank"):
            # A blank node property list or a collection: the run stays as written.
            self.skip_statement()
            return [], False
        found: list[_Triple] = []
        while True:
            verb_start = self.peek()
            if verb_start is None or verb_start.text in (".", "}"):
                break
            verb_index = self.i
            verb_iri = self.verb()
            verb = (verb_start.start, self.t[self.i - 1].end)
            while True:
                obj_first = self.peek()
                if obj_first is None or obj_first.text in ("[", "("):
                    self.skip_statement()
                    return found, False
                self.object()
                obj = (obj_first.start, self.t[self.i - 1].end)
                names = {
                    t.text[1:] for t in (subject, *self.t[verb_index : self.i]) if t.kind == "var"
                }
                obj_iri = self.expand(obj_first) if obj_first.kind in ("iri", "pname") else None
                found.append(
                    _Triple(subject, verb, verb_iri, obj, obj_first, obj_iri, frozenset(names))
                )
                if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                    self.i += 1
                    continue
                break
            if self.peek() is not None and self.peek().text == ";":  # type: ignore[union-attr]
                while self.peek() is not None and self.peek().text == ";":  # type: ignore[union-attr]
                    self.i += 1
                continue
            break
        if self.peek() is not None and self.peek().text == ".":  # type: ignore[union-attr]
            self.i += 1
        return found, True

    def skip_statement(self) -> None:
        depth = 0
        while True:
            token = self.peek()
            if token is None:
                raise _Unknown("statement")
            if token.text in ("[", "(", "{"):
                depth += 1
            elif token.text in ("]", ")"):
                depth -= 1
            elif token.text == "}":
                if depth == 0:
                    return
                depth -= 1
            elif token.text == "." and depth == 0:
                self.i += 1
                return
            self.i += 1

    def verb(self) -> str | None:
        """A predicate or a property path; its IRI when it is a plain one."""
        token = self.peek()
        if token is None:
            raise _Unknown("verb")
        if token.kind == "var":
            self.i += 1
            return None
        first = self.i
        self.path()
        if self.i == first + 1:
            return self.expand(self.t[first])
        return None

    def path(self) -> None:
        self.path_sequence()
        while self.peek() is not None and self.peek().text == "|":  # type: ignore[union-attr]
            self.i += 1
            self.path_sequence()

    def path_sequence(self) -> None:
        self.path_element()
        while self.peek() is not None and self.peek().text == "/":  # type: ignore[union-attr]
            self.i += 1
            self.path_element()

    def path_element(self) -> None:
        if self.peek() is not None and self.peek().text == "^":  # type: ignore[union-attr]
            self.i += 1
        token = self.take()
        if token.text == "(":
            self.path()
            if self.take().text != ")":
                raise _Unknown("path")
        elif not (token.kind in ("iri", "pname") or token.text == "a"):
            raise _Unknown("path")  # "!" negated sets and the like
        modifier = self.peek()
        if modifier is not None and modifier.text in ("*", "+", "?"):
            self.i += 1

    def object(self) -> None:
        token = self.take()
        if token.kind == "string":
            following = self.peek()
            if following is not None and following.kind == "lang":
                self.i += 1
            elif following is not None and following.text == "^^":
                self.i += 1
                datatype = self.take()
                if datatype.kind not in ("iri", "pname"):
                    raise _Unknown("datatype")
            return
        if token.kind in ("var", "iri", "pname", "blank", "number"):
            return
        if token.kind == "word" and token.text in ("true", "false"):
            return
        raise _Unknown("object")

    def expand(self, token: _Token) -> str | None:
        if token.text == "a":
            return _RDF_TYPE
        if token.kind == "iri":
            return token.text[1:-1]
        if token.kind == "pname":
            prefix, _colon, local = token.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local.replace("\\", "")
        return None


# --- the plan -----------------------------------------------------------------------


def plan(query: str, stats: Stats, prefixes: Mapping[str, str] | None = None) -> str:
    """``query`` with each run of triple patterns ordered by expected matches.

    ``prefixes`` are those predeclared for the query. A query that is not
    followed is returned as it is.
    """
    try:
        tokens = _tokens(query)
        parser = _Parser(tokens, prefixes or {})
        parser.parse()
    except (_Unknown, IndexError):
        return query
    text = query
    for run, bound in sorted(parser.runs, key=lambda item: item[0].start, reverse=True):
        if not run.movable or len(run.triples) < 2:
            continue
        ordered = _order(query, run.triples, bound, stats)
        if ordered == run.triples:
            continue
        parts = [
            f"{_span(query, (t.subject.start, t.subject.end))} {_span(query, t.verb)} "
            f"{_span(query, t.obj)} ."
            for t in ordered
        ]
        parts += [_span(query, f) for f in run.filters]
        text = text[: run.start] + " ".join(parts) + " " + text[run.end :]
    return text


def _span(query: str, span: tuple[int, int]) -> str:
    return query[span[0] : span[1]]


def _order(
    query: str, triples: Sequence[_Triple], bound: frozenset[str], stats: Stats
) -> list[_Triple]:
    """Greedy: the cheapest pattern joined to what is bound, then the next."""
    remaining = list(triples)
    known = set(bound)
    ordered: list[_Triple] = []
    while remaining:
        _index, best = min(enumerate(remaining), key=lambda item: _rank(query, item, known, stats))
        ordered.append(best)
        remaining.remove(best)
        known |= best.variables
    return ordered


def _rank(
    query: str, item: tuple[int, _Triple], known: set[str], stats: Stats
) -> tuple[int, float, int]:
    """Joined to what is bound first (no cross products), then the cheapest,
    then as written."""
    index, triple = item
    joined = not known or bool(triple.variables & known) or not triple.variables
    return (0 if joined else 1, _cost(query, triple, known, stats), index)


def _is_bound(token: _Token, known: set[str]) -> bool:
    return token.kind != "var" or token.text[1:] in known


def _cost(query: str, triple: _Triple, known: set[str], stats: Stats) -> float:
    """The statements a pattern is expected to match, given the bound variables."""
    if triple.verb_iri is None:
        matches = float(stats.triples)
    else:
        matches = float(stats.predicates.get(triple.verb_iri, 0))
    subject_bound = _is_bound(triple.subject, known)
    obj = triple.obj_token
    object_bound = _is_bound(obj, known)
    if triple.verb_iri == _RDF_TYPE and triple.obj_iri is not None and not subject_bound:
        return float(stats.typed.get(triple.obj_iri, 0))
    # A variable predicate or a path is looked up more than once.
    extra = 5.0 if triple.verb_iri is None else 0.0
    if subject_bound and object_bound:
        return min(matches, 0.5) + extra
    if subject_bound:
        return min(matches, 10.0) + extra
    if object_bound:
        # A literal names few things; an IRI may be the object of many.
        return min(matches, 1.0 if obj.kind in ("string", "number") else 100.0) + extra
    return matches
