"""Remote triple stores: publishing through the Graph Store Protocol, querying
through the SPARQL 1.1 Protocol.

`publish` sends the last build (``last-build.nq`` in the state folder) to a store
that speaks the `SPARQL 1.1 Graph Store HTTP Protocol
<https://www.w3.org/TR/sparql11-http-rdf-update/>`_: one ``PUT ?graph=IRI`` per
article graph replaces that graph whole, and the default-graph statements about
the graphs (their PROV description, decision 0001) go into one more named graph,
``<base>graph/_meta`` (article ids never start with ``_``), replaced the same
way. The store's own default graph is never touched, so publishing never
clobbers anything else the store holds. Graphs of articles removed since the
last publish are deleted with ``DELETE ?graph=IRI``.

What was sent is remembered per endpoint in ``<state>/published/<key>.json``
(graph IRI -> SHA-256 of the body): a graph whose body has not changed is not
sent again, so publishing twice sends nothing. ``force`` sends every graph.

Credentials come from the environment only: ``CONSORTIA_TOKEN`` (a bearer
token) or ``CONSORTIA_USER`` and ``CONSORTIA_PASSWORD`` (basic auth, or digest
when the store challenges for it). Requests
that fail with a 5xx status, 429 or a connection error are tried again with
exponential backoff (4 tries by default); a 4xx status fails at once with a
message naming the status, the graph and what to do.

>>> meta_graph(["https://example.org/id/graph/a", "https://example.org/id/graph/b"])
'https://example.org/id/graph/_meta'
>>> PublishResult("http://localhost:7878/store", ("g1",), (), ("g2", "g3")).summary()
'1 graph replaced, 0 deleted, 2 unchanged'
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from consortia import __version__
from consortia.errors import ConsortiaError, QueryError
from consortia.export import write_atomically

if TYPE_CHECKING:
    from consortia.project import Project
    from consortia.query import QueryResult

__all__ = [
    "DEFAULT_RETRY",
    "PublishResult",
    "RemoteError",
    "Retry",
    "auth_header",
    "load_graphs",
    "meta_graph",
    "publish",
    "run_remote_query",
]

Progress = Callable[[str], None]

#: The named graph holding the default-graph statements of a build, under the
#: graphs' own namespace.
META_NAME = "_meta"
#: N-Triples is a subset of Turtle; every Graph Store (Virtuoso too) takes Turtle.
_BODY_TYPE = "text/turtle; charset=utf-8"
_RESULTS_TYPES = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_USER_AGENT = f"consortia/{__version__}"
_CREDENTIALS_HINT = "set CONSORTIA_TOKEN, or CONSORTIA_USER and CONSORTIA_PASSWORD"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RemoteError(ConsortiaError):
    """A remote store that cannot be reached or refuses a request.

    ``status`` is the HTTP status of the refusal (None when unreachable) and
    ``detail`` the start of the store's answer, on one line.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to try one request.

    ``tries`` attempts in all; after the n-th failed one, wait
    ``first_delay * 2 ** (n - 1)`` seconds. ``timeout`` bounds each attempt.
    """

    tries: int = 4
    first_delay: float = 0.5
    timeout: float = 30.0

    def delays(self) -> list[float]:
        """The waits between attempts.

        >>> Retry(tries=4, first_delay=0.5).delays()
        [0.5, 1.0, 2.0]
        """
        return [self.first_delay * 2**n for n in range(max(self.tries, 1) - 1)]


DEFAULT_RETRY = Retry()


@dataclass(frozen=True)
class PublishResult:
    """What one publish changed in the remote store (graph IRIs, sorted)."""

    endpoint: str
    replaced: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: tuple[str, ...]
    dry_run: bool = field(default=False)

    def summary(self) -> str:
        """One line: ``3 graphs replaced, 1 deleted, 5 unchanged``."""
        noun = "graph" if len(self.replaced) == 1 else "graphs"
        verb = "to replace" if self.dry_run else "replaced"
        deleted = "to delete" if self.dry_run else "deleted"
        return (
            f"{len(self.replaced)} {noun} {verb}, {len(self.deleted)} {deleted}, "
            f"{len(self.unchanged)} unchanged"
        )


# --- credentials and HTTP ---------------------------------------------------------


def auth_header(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``Authorization`` header the environment asks for, or None.

    >>> auth_header({"CONSORTIA_TOKEN": "abc"})
    'Bearer abc'
    >>> auth_header({"CONSORTIA_USER": "ann", "CONSORTIA_PASSWORD": "pw"})
    'Basic YW5uOnB3'
    >>> auth_header({}) is None
    True
    """
    env = os.environ if environ is None else environ
    token = env.get("CONSORTIA_TOKEN")
    user = env.get("CONSORTIA_USER")
    password = env.get("CONSORTIA_PASSWORD")
    if token:
        if user or password:
            raise RemoteError(
                "both CONSORTIA_TOKEN and CONSORTIA_USER/CONSORTIA_PASSWORD are set",
                hint="unset one: a bearer token or basic auth, not both",
            )
        return f"Bearer {token}"
    if user or password:
        if not (user and password):
            missing = "CONSORTIA_PASSWORD" if user else "CONSORTIA_USER"
            raise RemoteError(
                f"{missing} is not set",
                hint="basic auth needs both CONSORTIA_USER and "
                "CONSORTIA_PASSWORD; or set CONSORTIA_TOKEN for a bearer token",
            )
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return f"Basic {pair}"
    return None


def _login(environ: Mapping[str, str] | None) -> tuple[str, str] | None:
    # Stores that want HTTP Digest (Virtuoso's /sparql-graph-crud-auth) answer
    # the Basic header with a Digest challenge, which these answer.
    env = os.environ if environ is None else environ
    user, password = env.get("CONSORTIA_USER"), env.get("CONSORTIA_PASSWORD")
    return (user, password) if user and password else None


def _check_endpoint(endpoint: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(
            f"invalid endpoint {endpoint!r}",
            hint="give an http(s) URL such as http://localhost:7878/store",
        )
    if parts.username is not None or parts.password is not None:
        raise RemoteError(
            "credentials in the endpoint URL are not accepted",
            hint=f"remove them from the URL and {_CREDENTIALS_HINT}",
        )
    return parts


def _with_params(endpoint: str, params: Mapping[str, str]) -> str:
    parts = urllib.parse.urlsplit(endpoint)
    query = "&".join(q for q in (parts.query, urllib.parse.urlencode(params)) if q)
    return urllib.parse.urlunsplit(parts._replace(query=query))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected PUT or POST would be replayed as a GET, and the credentials
    # sent to another host: a redirect is reported instead.
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


@dataclass(frozen=True)
class _Response:
    status: int
    reason: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class _Client:
    """One endpoint's HTTP client: credentials, retries, one-line errors."""

    auth: str | None
    retry: Retry
    kind: str
    login: tuple[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep

    def send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: Iterable[int] = (),
    ) -> _Response:
        """Send one request, trying again on 5xx, 429 and connection errors.

        ``what`` names the request in errors (``PUT of graph <...>``). A status in
        ``accept_statuses`` is returned rather than raised.
        """
        sent = {"User-Agent": _USER_AGENT, **(headers or {})}
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if self.login is not None:
            logins = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            logins.add_password(None, url, *self.login)
            handlers.append(urllib.request.HTTPDigestAuthHandler(logins))
        opener = urllib.request.build_opener(*handlers)
        accepted = frozenset(accept_statuses)
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            request = urllib.request.Request(url, data=body, headers=sent, method=method)
            if self.auth:
                # Unredirected: a Digest answer to a challenge may replace it.
                request.add_unredirected_header("Authorization", self.auth)
            try:
                with opener.open(request, timeout=self.retry.timeout) as answer:
                    return _Response(
                        answer.status,
                        answer.reason,
                        answer.headers.get("Content-Type", ""),
                        answer.read(),
                    )
            except urllib.error.HTTPError as error:
                detail = _read_detail(error)
                if error.code in accepted:
                    return _Response(error.code, str(error.reason), "", b"")
                if error.code not in _RETRY_STATUSES or attempt == len(delays):
                    raise _status_error(
                        error.code, str(error.reason), detail, url, what, attempt + 1, self.kind
                    ) from None
            except (urllib.error.URLError, HTTPException, OSError) as error:
                if attempt == len(delays):
                    reason = getattr(error, "reason", None) or error
                    raise RemoteError(
                        f"cannot reach {_shown_url(url)} for {what}: {reason} "
                        f"(tried {attempt + 1} times)",
                        hint="check the URL and that the store is running, then try again",
                    ) from None
            self.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover


def _read_detail(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(2000).decode("utf-8", "replace")
    except (OSError, HTTPException):
        text = ""
    finally:
        error.close()
    return " ".join(text.split())[:200]


def _shown_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(query="", fragment=""))


#: What each kind of endpoint is, for hints on a wrong URL.
GRAPH_STORE = "Graph Store endpoint (Oxigraph /store, Fuseki /DATASET/data)"
SPARQL_QUERY = "SPARQL query endpoint (Oxigraph /query, Fuseki /DATASET/sparql)"

_STATUS_HINTS = {
    400: "the store could not read the request; see its answer",
    401: f"the store wants credentials: {_CREDENTIALS_HINT}",
    403: "the store refused these credentials, or they may not do this: check "
    "CONSORTIA_TOKEN or CONSORTIA_USER/CONSORTIA_PASSWORD and the store's permissions",
    404: "check that the URL is the store's {kind}",
    405: "check that the URL is the store's {kind}",
    413: "the request is larger than the store accepts: raise its request size limit",
    415: "check that the URL is the store's {kind}",
}


def _status_error(
    status: int, reason: str, detail: str, url: str, what: str, tries: int, kind: str
) -> RemoteError:
    said = f": {detail}" if detail else ""
    if status >= 500 or status == 429:
        return RemoteError(
            f"{_shown_url(url)} answered {status} {reason} to {what} (tried {tries} times){said}",
            hint="the store is failing or overloaded: check it and try again; "
            "graphs already sent are not sent again",
            status=status,
            detail=detail,
        )
    if 300 <= status < 400:
        hint = "give the URL the store redirects to"
    else:
        hint = _STATUS_HINTS.get(status, "check that the URL is the store's {kind}")
        hint = hint.format(kind=kind)
    return RemoteError(
        f"{_shown_url(url)} answered {status} {reason} to {what}{said}",
        hint=hint,
        status=status,
        detail=detail,
    )


# --- publishing -------------------------------------------------------------------


def meta_graph(graphs: Iterable[str]) -> str | None:
    """The IRI of the graph holding the default-graph statements: ``_meta`` beside
    the article graphs (``B graph/{id}`` -> ``B graph/_meta``), or None without any."""
    names = sorted(graphs)
    if not names:
        return None
    return names[0].rsplit("/", 1)[0] + "/" + META_NAME


def load_graphs(path: Path, base: str | None = None) -> dict[str, bytes]:
    """The N-Quads file at ``path`` as graph IRI -> sorted N-Triples body.

    The default graph's statements become the graph `meta_graph` names (under
    ``base`` + ``graph/`` when there is no named graph to take it from).
    """
    if not path.is_file():
        raise ConsortiaError("no build found", path=path, hint="run `consortia build` first")
    named: dict[str, list[Triple]] = {}
    default: list[Triple] = []
    try:
        for quad in parse(path=str(path), format=RdfFormat.N_QUADS):
            name = quad.graph_name
            if isinstance(name, DefaultGraph):
                default.append(quad.triple)
            elif isinstance(name, NamedNode):
                named.setdefault(name.value, []).append(quad.triple)
            else:
                raise ConsortiaError(
                    "a blank node names a graph; a remote store cannot address it",
                    path=path,
                    hint="run `consortia build` again",
                )
    except (SyntaxError, OSError) as error:
        raise ConsortiaError(
            f"cannot read the last build: {error}", path=path, hint="run `consortia build` again"
        ) from None
    bodies = {name: _ntriples(graph) for name, graph in named.items()}
    if default:
        meta = meta_graph(bodies) or f"{base or ''}graph/{META_NAME}"
        bodies[meta] = _ntriples(default)
    return dict(sorted(bodies.items()))


def _ntriples(triples: Iterable[Triple]) -> bytes:
    # Sorted lines: the same graph always hashes the same.
    text = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def manifest_path(project: Project, endpoint: str) -> Path:
    """Where what was published to ``endpoint`` is remembered."""
    key = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16]
    return project.state / "published" / f"{key}.json"


def _read_manifest(path: Path, endpoint: str) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # unreadable: everything is sent again, which is always safe
    graphs = data.get("graphs") if isinstance(data, dict) else None
    if data.get("endpoint") != endpoint or not isinstance(graphs, dict):
        return {}
    return {str(name): str(digest) for name, digest in graphs.items()}


def _write_manifest(path: Path, endpoint: str, graphs: Mapping[str, str]) -> None:
    data = {"endpoint": endpoint, "graphs": dict(sorted(graphs.items()))}
    write_atomically(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))


def publish(
    project: Project,
    endpoint: str,
    *,
    force: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: Retry | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Make the graphs at the Graph Store ``endpoint`` those of the last build.

    Changed and new graphs are PUT, graphs published before whose article is
    gone are DELETEd, unchanged ones are skipped (``force`` sends them all;
    ``dry_run`` sends nothing and says what would change). What succeeded is
    remembered even when a later request fails, so the next run resumes.
    """
    _check_endpoint(endpoint)
    auth = auth_header(environ)
    graphs = load_graphs(project.last_build, project.base)
    record = manifest_path(project, endpoint)
    known = _read_manifest(record, endpoint)
    digests = {name: _digest(body) for name, body in graphs.items()}
    changed = [n for n in graphs if force or known.get(n) != digests[n]]
    unchanged = [n for n in graphs if n not in changed]
    removed = sorted(n for n in known if n not in graphs)
    if dry_run:
        return PublishResult(endpoint, tuple(changed), tuple(removed), tuple(unchanged), True)
    # Articles first, then deletions, then the description of the graphs.
    meta = meta_graph(n for n in graphs if not n.endswith("/" + META_NAME))
    steps = [("PUT", n) for n in changed if n != meta]
    steps += [("DELETE", n) for n in removed]
    steps += [("PUT", n) for n in changed if n == meta]
    client = _Client(auth, retry or DEFAULT_RETRY, GRAPH_STORE, _login(environ))
    state = dict(known)
    try:
        for number, (method, name) in enumerate(steps, start=1):
            state.pop(name, None)  # unknown until the store says yes
            url = _with_params(endpoint, {"graph": name})
            what = f"{method} of graph <{name}>"
            if method == "PUT":
                headers = {"Content-Type": _BODY_TYPE}
                client.send(method, url, what, body=graphs[name], headers=headers)
                state[name] = digests[name]
            else:  # 404: already gone, which is what was asked
                client.send(method, url, what, accept_statuses=(404,))
            if progress and len(steps) >= 100 and (number % 100 == 0 or number == len(steps)):
                progress(f"{number}/{len(steps)} graphs sent")
    finally:
        if state != known:
            _write_manifest(record, endpoint, state)
    return PublishResult(endpoint, tuple(changed), tuple(removed), tuple(unchanged))


# --- querying ---------------------------------------------------------------------


def run_remote_query(
    endpoint: str,
    query: str,
    *,
    params: Mapping[str, str] | None = None,
    prefixes: Mapping[str, str] | None = None,
    labels: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: Retry | None = None,
) -> QueryResult:
    """Run a read-only SPARQL query at a SPARQL 1.1 Protocol ``endpoint``.

    As `consortia.query.run_query` does over the last build: ``params`` are bound
    with VALUES blocks (`consortia.query.bind_values`), ``prefixes`` (default:
    `consortia.query.DEFAULT_PREFIXES`) are declared in front of the query on its
    first line, so that the store's line numbers are the query's own, and with
    ``labels`` the labels of the IRIs in SELECT rows are fetched too. Updates are
    refused before anything is sent. The query is POSTed form-encoded (what
    every store accepts); SELECT and ASK results are read as SPARQL JSON,
    CONSTRUCT and DESCRIBE as N-Triples or Turtle.
    """
    from consortia.query import DEFAULT_PREFIXES, bind_values

    _check_endpoint(endpoint)
    auth = auth_header(environ)
    known = dict(DEFAULT_PREFIXES if prefixes is None else prefixes)
    if _is_update(query, known):
        raise QueryError(
            "SPARQL updates are not allowed: `consortia query` is read-only",
            hint="publish changed data with `consortia build` and `consortia publish`",
        )
    local_error = _syntax_error(query, known)
    text = bind_values(query, params, known) if params else query
    client = _Client(auth, retry or DEFAULT_RETRY, SPARQL_QUERY, _login(environ))
    try:
        result = _read_answer(_post_query(client, endpoint, text, known))
    except RemoteError as error:
        if error.status == 400 and local_error is not None:
            raise local_error from None
        if error.status == 400:
            raise QueryError(
                f"the endpoint refused the query: {error.detail or 'no reason given'}",
                hint="fix the query at that line; the prefixes "
                f"{', '.join(name + ':' for name in known)} are predeclared",
            ) from None
        raise
    if labels and result.kind == "select" and result.rows:
        result = replace(result, labels=_remote_labels(client, endpoint, result))
    return result


def _post_query(
    client: _Client, endpoint: str, text: str, prefixes: Mapping[str, str]
) -> _Response:
    declared = "".join(f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items())
    return client.send(
        "POST",
        endpoint,
        "the query",
        body=urllib.parse.urlencode({"query": declared + text}).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": _RESULTS_TYPES},
    )


def _read_answer(answer: _Response) -> QueryResult:
    from consortia.query import QueryResult

    media = answer.content_type.split(";")[0].strip().lower()
    try:
        if media in ("application/sparql-results+json", "application/json"):
            outcome = parse_query_results(answer.body, QueryResultsFormat.JSON)
            if isinstance(outcome, QueryBoolean):
                return QueryResult(kind="ask", boolean=bool(outcome))
            variables = tuple(variable.value for variable in outcome.variables)
            rows = tuple(tuple(solution[name] for name in variables) for solution in outcome)
            return QueryResult(kind="select", variables=variables, rows=rows)
        graph_format = RdfFormat.from_media_type(media) if media else None
        if graph_format is None or graph_format.supports_datasets:
            raise QueryError(
                f"the endpoint answered in an unexpected format {media or '(none)'!r}",
                hint=f"check that the URL is the store's {SPARQL_QUERY}",
            )
        triples = tuple(quad.triple for quad in parse(answer.body, format=graph_format))
        return QueryResult(kind="graph", triples=triples)
    except (SyntaxError, ValueError) as error:
        raise QueryError(
            f"cannot read the endpoint's answer: {error}",
            hint=f"check that the URL is the store's {SPARQL_QUERY}",
        ) from None


# The statements `consortia.query.lookup_labels` chooses labels from, fetched
# from the endpoint and chosen from by that same function.
_LABELS = """CONSTRUCT {{ ?s skos:prefLabel ?label . ?s schema:headline ?headline }} WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s skos:prefLabel ?label }} UNION {{ ?s schema:headline ?headline }}
}}"""
_LABEL_BATCH = 500


def _remote_labels(client: _Client, endpoint: str, result: QueryResult) -> dict[str, str]:
    from consortia.query import lookup_labels

    found = {term for row in result.rows for term in row if isinstance(term, NamedNode)}
    iris = sorted(found, key=lambda node: node.value)
    prefixes = {
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "schema": "https://schema.org/",
    }
    scratch = Store()
    for start in range(0, len(iris), _LABEL_BATCH):
        # Terms written by pyoxigraph (<iri>, escaped), never raw strings.
        values = " ".join(str(iri) for iri in iris[start : start + _LABEL_BATCH])
        answer = _read_answer(
            _post_query(client, endpoint, _LABELS.format(values=values), prefixes)
        )
        scratch.extend(Quad(t.subject, t.predicate, t.object) for t in answer.triples)
    return lookup_labels(scratch, iris)


_EMPTY_STORE: Store | None = None


def _read_only_store() -> Store:
    """An empty store opened read-only: it parses updates but never runs one."""
    global _EMPTY_STORE
    if _EMPTY_STORE is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="consortia-parse-")
        atexit.register(shutil.rmtree, folder, True)
        Store(folder).flush()  # freed at once: closed
        _EMPTY_STORE = Store.read_only(folder)
    return _EMPTY_STORE


_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def _syntax_error(text: str, prefixes: Mapping[str, str]) -> QueryError | None:
    """The error a local query would report, with the query's own line and column
    (the endpoint's count the prefixes put in front). Only shown if the endpoint
    refuses the query too: it may accept extensions of its own. Parsing an ASK
    also runs it (on an empty store: at once), so a query naming a SERVICE is
    left to the endpoint, lest the service be called from here."""
    if _SERVICE.search(text):
        return None
    try:
        _read_only_store().query(text, prefixes=dict(prefixes))
    except SyntaxError as error:
        names = ", ".join(f"{name}:" for name in prefixes)
        return QueryError(
            f"invalid SPARQL query: {error}",
            hint=f"fix the query at that line and column; the prefixes {names} are predeclared",
        )
    except (OSError, RuntimeError):
        pass  # the endpoint will say
    return None


def _is_update(text: str, prefixes: Mapping[str, str]) -> bool:
    """Whether ``text`` is a SPARQL update with at least one operation (as locally:
    pyoxigraph's parser, on a read-only store, so nothing runs and nothing is fetched)."""
    store = _read_only_store()
    try:
        store.update(text, prefixes=dict(prefixes))
    except SyntaxError:
        return False
    except Exception:  # the read-only store refusing to write: it parsed
        pass
    try:
        store.query(text + "\nASK {}", prefixes=dict(prefixes))
    except SyntaxError:
        return True
    return False
