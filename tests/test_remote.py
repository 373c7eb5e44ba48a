"""Remote stores: `consortia publish` and `consortia query --endpoint`.

The round trips run against a real Oxigraph server (``oxigraph serve`` from the
``oxigraph`` package of the test extras), started once on 127.0.0.1 at a free
port and stopped by its PID. Credentials, retries and error statuses are tested
against a small in-process HTTP server on 127.0.0.1 that records what it is
sent and answers as scripted. Nothing here contacts any other address.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from consortia import remote
from consortia.cli import main
from consortia.project import Project
from consortia.query import run_query
from consortia.remote import RemoteError, Retry, load_graphs, publish, run_remote_query
from tests.conftest import SEED_ID, Workdir

ID = "https://w3id.org/consortia/id/"
SEED_GRAPH = f"{ID}graph/{SEED_ID}"
META_GRAPH = f"{ID}graph/_meta"
SECOND = Path(__file__).parent / "gold" / "microsoft-oin-2018.md"
FAST = Retry(tries=3, first_delay=0.01, timeout=5.0)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials from the developer's environment; no proxy for loopback."""
    for name in ("CONSORTIA_TOKEN", "CONSORTIA_USER", "CONSORTIA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- a real Oxigraph server ---------------------------------------------------------


@dataclass(frozen=True)
class Oxigraph:
    base: str

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    @property
    def update(self) -> str:
        return f"{self.base}/update"

    @property
    def store(self) -> str:
        return f"{self.base}/store"

    def post(self, path: str, content_type: str, text: str, accept: str = "*/*") -> bytes:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=text.encode("utf-8"),
            headers={"Content-Type": content_type, "Accept": accept},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body: bytes = answer.read()
            return body

    def select(self, query: str) -> list[dict[str, str]]:
        """Rows of a SELECT as variable -> lexical value (read without Consortia)."""
        document = json.loads(
            self.post(
                "/query", "application/sparql-query", query, "application/sparql-results+json"
            )
        )
        return [
            {name: cell["value"] for name, cell in row.items()}
            for row in document["results"]["bindings"]
        ]

    def count_quads(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"])

    def graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        return [row["g"] for row in rows]

    def graph_lines(self, graph: str) -> list[str]:
        url = f"{self.store}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            text: str = answer.read().decode("utf-8")
        return sorted(line for line in text.splitlines() if line.strip())


def _oxigraph_executable() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        pytest.fail("no `oxigraph` executable: pip install -e '.[test]' installs it")
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    """`oxigraph serve` on 127.0.0.1 at a free port, with the union default graph
    that `consortia query` uses locally; stopped by its PID at the end."""
    folder = tmp_path_factory.mktemp("oxigraph")
    port = _free_port()
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [
                _oxigraph_executable(),
                "serve",
                "--location",
                str(folder / "data"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 15
            while True:
                if process.poll() is not None:
                    pytest.fail(f"oxigraph serve exited: {(folder / 'server.log').read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("oxigraph serve did not listen within 15 s")
                    time.sleep(0.05)
            yield Oxigraph(f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def server(oxigraph_server: Oxigraph) -> Oxigraph:
    """The Oxigraph server, emptied."""
    oxigraph_server.post("/update", "application/sparql-update", "DROP ALL")
    return oxigraph_server


def _invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _local_graph_lines(workdir: Workdir, graph: str) -> list[str]:
    store = Store.read_only(str(workdir.state / "store"))
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(graph))]
    text = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    return sorted(line for line in text.decode("utf-8").splitlines() if line.strip())


def _quad_lines(workdir: Workdir) -> int:
    text = (workdir.state / "last-build.nq").read_text(encoding="utf-8")
    return sum(1 for line in text.splitlines() if line.strip())


# --- round trips through Oxigraph -----------------------------------------------------


def test_publish_then_remote_queries_answer_as_local(
    server: Oxigraph, built: Workdir, runner: CliRunner
) -> None:
    assert _invoke(runner, "publish", "--endpoint", server.store) == (
        0,
        "2 graphs replaced, 0 deleted, 0 unchanged\n",
        "",
    )
    assert server.graphs() == [META_GRAPH, SEED_GRAPH]
    # Every quad of the build is there: the default graph's in the _meta graph.
    assert server.count_quads() == _quad_lines(built)
    # The graph reads back as the local store holds it (Oxigraph stores both
    # keep xsd:integer for the build's xsd:nonNegativeInteger offsets).
    sent = load_graphs(built.state / "last-build.nq")[SEED_GRAPH].decode("utf-8").splitlines()
    assert server.graph_lines(SEED_GRAPH) == _local_graph_lines(built, SEED_GRAPH)
    assert len(sent) == len(_local_graph_lines(built, SEED_GRAPH))

    everything = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    members = (
        "SELECT DISTINCT ?member ?alliance ?since WHERE { ?m org:member ?member ; "
        "org:organization ?alliance . OPTIONAL { ?m org:memberDuring/time:hasBeginning/"
        "time:inXSDDate ?since } } ORDER BY ?member"
    )
    construct = "CONSTRUCT WHERE { ?a a cx:Alliance ; skos:prefLabel ?name }"
    for text, fmt in (
        (everything, "csv"),
        (members, "table"),
        (members, "json"),
        ("ASK { ?a a cx:Alliance }", "table"),
        (construct, "nt"),
        (construct, "turtle"),
    ):
        local = _invoke(runner, "query", text, "--format", fmt)
        remote_answer = _invoke(runner, "query", "--endpoint", server.query, text, "--format", fmt)
        assert local[0] == 0, local
        assert remote_answer == local, text
    bound = ("SELECT DISTINCT ?alliance WHERE { ?org org:memberOf ?alliance }", "--param")
    huobi = f"org=<{ID}org/huobi-china>"
    local = _invoke(runner, "query", *bound, huobi)
    assert "bsn-development-alliance" in local[1]
    assert _invoke(runner, "query", "--endpoint", server.query, *bound, huobi) == local
    local_rows = run_query(built.state / "store", everything)
    assert len(local_rows.rows) > 100
    assert run_remote_query(server.query, everything) == local_rows


def test_publishing_twice_changes_nothing(
    server: Oxigraph, built: Workdir, runner: CliRunner
) -> None:
    assert _invoke(runner, "publish", "--endpoint", server.store)[0] == 0
    quads = server.count_quads()
    assert _invoke(runner, "publish", "--endpoint", server.store) == (
        0,
        "0 graphs replaced, 0 deleted, 2 unchanged\n",
        "",
    )
    assert server.count_quads() == quads
    # --force sends everything again: still the same data.
    assert _invoke(runner, "publish", "--endpoint", server.store, "--force") == (
        0,
        "2 graphs replaced, 0 deleted, 0 unchanged\n",
        "",
    )
    assert server.count_quads() == quads == _quad_lines(built)


def test_removed_article_is_deleted(server: Oxigraph, workdir: Workdir, runner: CliRunner) -> None:
    shutil.copy(SECOND, workdir.seeds)
    second = f"{ID}graph/microsoft-oin-2018"
    assert _invoke(runner, "build", "seeds", "-o", "build/out.nq")[0] == 0
    assert _invoke(runner, "publish", "--endpoint", server.store)[1] == (
        "3 graphs replaced, 0 deleted, 0 unchanged\n"
    )
    assert server.graphs() == [META_GRAPH, SEED_GRAPH, second]

    (workdir.seeds / SECOND.name).unlink()
    assert _invoke(runner, "build", "seeds", "-o", "build/out.nq")[0] == 0
    assert _invoke(runner, "publish", "--endpoint", server.store, "--dry-run") == (
        0,
        "1 graph to replace, 1 to delete, 1 unchanged\n",
        "",
    )
    assert _invoke(runner, "publish", "--endpoint", server.store) == (
        0,
        "1 graph replaced, 1 deleted, 1 unchanged\n",
        "",
    )
    assert server.graphs() == [META_GRAPH, SEED_GRAPH]
    assert server.count_quads() == _quad_lines(workdir)
    # The description of the graphs no longer names the deleted one.
    described = server.select("SELECT ?g WHERE { ?g a <http://www.w3.org/ns/prov#Entity> }")
    assert [row["g"] for row in described] == [SEED_GRAPH]


def test_remote_syntax_error_reads_like_a_local_one(server: Oxigraph, runner: CliRunner) -> None:
    code, out, err = _invoke(runner, "query", "--endpoint", server.query, "SELECT ?x WHERE {")
    assert (code, out) == (2, "")
    assert err.startswith("Error: invalid SPARQL query: error at 1:18: ")


def test_publish_to_the_query_endpoint_says_which_url_to_use(
    server: Oxigraph, built: Workdir, runner: CliRunner
) -> None:
    code, _, err = _invoke(runner, "publish", "--endpoint", server.query)
    assert code == 2
    assert f"answered 404 Not Found to PUT of graph <{SEED_GRAPH}>" in err
    assert err.rstrip().endswith(
        "(check that the URL is the store's Graph Store endpoint (Oxigraph /store, "
        "Fuseki /DATASET/data))"
    )


# --- credentials, retries and errors against a scripted fake -------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeStore:
    """Records requests; answers with the scripted statuses first, then success."""

    url: str
    requests: list[Request] = field(default_factory=list)
    script: list[int] = field(default_factory=list)

    @property
    def store(self) -> str:
        return f"{self.url}/store"


_RESULTS = json.dumps(
    {
        "head": {"vars": ["a"]},
        "results": {"bindings": [{"a": {"type": "uri", "value": f"{ID}org/lot-network"}}]},
    }
).encode()


@pytest.fixture
def fake() -> Iterator[FakeStore]:
    port_holder: list[FakeStore] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            store = port_holder[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            store.requests.append(Request(self.command, self.path, dict(self.headers), body))
            status = store.script.pop(0) if store.script else 0
            if status >= 400:
                payload = b"forbidden by policy" if status == 403 else b"try later"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Digest realm="r", nonce="n", qop="auth"')
            elif self.command == "POST":
                payload = _RESULTS
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
            else:
                payload = b""
                self.send_response(201 if self.command == "PUT" else 204)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_PUT = do_DELETE = do_POST = do_GET = _answer

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_holder.append(FakeStore(f"http://127.0.0.1:{httpd.server_address[1]}"))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield port_holder[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("environment", "header"),
    [
        ({"CONSORTIA_TOKEN": "s3cret"}, "Bearer s3cret"),
        ({"CONSORTIA_USER": "ann", "CONSORTIA_PASSWORD": "pw"}, "Basic YW5uOnB3"),
        ({}, None),
    ],
)
def test_credentials_come_from_the_environment(
    fake: FakeStore,
    built: Workdir,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    header: str | None,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert _invoke(runner, "publish", "--endpoint", fake.store)[0] == 0
    assert [(r.method, r.headers.get("Authorization")) for r in fake.requests] == [
        ("PUT", header),
        ("PUT", header),
    ]
    first = fake.requests[0]
    assert first.path == "/store?" + urllib.parse.urlencode({"graph": SEED_GRAPH})
    assert first.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert fake.requests[1].path.endswith(urllib.parse.quote("graph/_meta", safe=""))


def test_digest_challenge_is_answered(
    fake: FakeStore, built: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSORTIA_USER", "ann")
    monkeypatch.setenv("CONSORTIA_PASSWORD", "pw")
    fake.script = [401]
    assert publish(Project.load(), fake.store, retry=FAST).summary() == (
        "2 graphs replaced, 0 deleted, 0 unchanged"
    )
    first, answered = (r.headers["Authorization"] for r in fake.requests[:2])
    assert first == "Basic YW5uOnB3"
    assert answered.startswith('Digest username="ann", realm="r", nonce="n"')
    assert fake.requests[0].body == fake.requests[1].body != b""


def test_query_sends_the_protocol_request(
    fake: FakeStore, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, workdir: Workdir
) -> None:
    monkeypatch.setenv("CONSORTIA_TOKEN", "s3cret")
    code, out, _ = _invoke(
        runner, "query", "--endpoint", f"{fake.url}/sparql", "SELECT ?a WHERE { ?a a cx:Alliance }"
    )
    assert (code, out) == (0, "a\n------------------\nid:org/lot-network\n1 row\n")
    # The query, then the labels of the IRIs it returned (for the table).
    request, labels = fake.requests
    assert (
        "VALUES ?s { <https://w3id.org/consortia/id/org/lot-network> }"
        in (urllib.parse.parse_qs(labels.body.decode("ascii"))["query"][0])
    )
    assert (request.method, request.path) == ("POST", "/sparql")
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"].startswith("application/sparql-results+json")
    [sent] = urllib.parse.parse_qs(request.body.decode("ascii"))["query"]
    assert sent.startswith("PREFIX cx: <https://w3id.org/consortia/ontology#> ")
    assert sent.endswith(" SELECT ?a WHERE { ?a a cx:Alliance }")


def test_query_refuses_updates_without_sending_them(
    fake: FakeStore, runner: CliRunner, workdir: Workdir
) -> None:
    code, out, err = _invoke(
        runner, "query", "--endpoint", fake.url, "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    )
    assert (code, out) == (2, "")
    assert err == (
        "Error: SPARQL updates are not allowed: `consortia query` is read-only "
        "(publish changed data with `consortia build` and `consortia publish`)\n"
    )
    assert fake.requests == []


def test_retries_5xx_with_backoff_then_succeeds(fake: FakeStore, built: Workdir) -> None:
    fake.script = [503, 503]
    result = publish(Project.load(), fake.store, retry=FAST)
    assert result.summary() == "2 graphs replaced, 0 deleted, 0 unchanged"
    assert [r.method for r in fake.requests] == ["PUT"] * 4
    assert len({r.path for r in fake.requests[:3]}) == 1  # the first graph, three times


def test_gives_up_after_the_last_try(fake: FakeStore, built: Workdir) -> None:
    fake.script = [500, 502, 503]
    with pytest.raises(RemoteError) as caught:
        publish(Project.load(), fake.store, retry=FAST)
    assert caught.value.message == (
        f"{fake.store} answered 503 Service Unavailable to PUT of graph <{SEED_GRAPH}> "
        "(tried 3 times): try later"
    )
    assert len(fake.requests) == 3


def test_4xx_fails_at_once_with_status_graph_and_advice(
    fake: FakeStore, built: Workdir, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSORTIA_TOKEN", "expired")
    fake.script = [403]
    assert _invoke(runner, "publish", "--endpoint", fake.store) == (
        2,
        "",
        f"Error: {fake.store} answered 403 Forbidden to PUT of graph <{SEED_GRAPH}>: "
        "forbidden by policy (the store refused these credentials, or they may not do this: "
        "check CONSORTIA_TOKEN or CONSORTIA_USER/CONSORTIA_PASSWORD and the store's "
        "permissions)\n",
    )
    assert len(fake.requests) == 1  # no retry on 4xx
    # Nothing was recorded as published: the next run sends both graphs.
    assert _invoke(runner, "publish", "--endpoint", fake.store)[1] == (
        "2 graphs replaced, 0 deleted, 0 unchanged\n"
    )


def test_a_graph_already_gone_counts_as_deleted(fake: FakeStore, built: Workdir) -> None:
    project = Project.load()
    publish(project, fake.store, retry=FAST)
    record = remote.manifest_path(project, fake.store)
    data = json.loads(record.read_text(encoding="utf-8"))
    data["graphs"][f"{ID}graph/gone"] = "0" * 64
    record.write_text(json.dumps(data), encoding="utf-8")
    fake.requests.clear()
    fake.script = [404]
    result = publish(project, fake.store, retry=FAST)
    assert result.summary() == "0 graphs replaced, 1 deleted, 2 unchanged"
    assert [r.method for r in fake.requests] == ["DELETE"]
    assert f"{ID}graph/gone" not in json.loads(record.read_text(encoding="utf-8"))["graphs"]


def test_connection_refused_is_retried_then_reported(
    built: Workdir, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = f"http://127.0.0.1:{_free_port()}/store"
    monkeypatch.setattr(remote, "DEFAULT_RETRY", FAST)
    started = time.monotonic()
    code, out, err = _invoke(runner, "publish", "--endpoint", endpoint)
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: cannot reach {endpoint} for PUT of graph <{SEED_GRAPH}>: ")
    assert "Connection refused" in err
    assert err.rstrip().endswith(
        "(tried 3 times) (check the URL and that the store is running, then try again)"
    )
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("endpoint", "environment", "message"),
    [
        (
            "http://ann:pw@127.0.0.1:9/store",
            {},
            "Error: credentials in the endpoint URL are not accepted (remove them from the URL "
            "and set CONSORTIA_TOKEN, or CONSORTIA_USER and CONSORTIA_PASSWORD)\n",
        ),
        (
            "ftp://127.0.0.1/store",
            {},
            "Error: invalid endpoint 'ftp://127.0.0.1/store' "
            "(give an http(s) URL such as http://localhost:7878/store)\n",
        ),
        (
            "http://127.0.0.1:9/store",
            {"CONSORTIA_USER": "ann"},
            "Error: CONSORTIA_PASSWORD is not set (basic auth needs both CONSORTIA_USER and "
            "CONSORTIA_PASSWORD; or set CONSORTIA_TOKEN for a bearer token)\n",
        ),
    ],
)
def test_bad_settings_are_refused_before_any_request(
    built: Workdir,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
    environment: dict[str, str],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert _invoke(runner, "publish", "--endpoint", endpoint) == (2, "", message)


def test_publish_without_a_build(workdir: Workdir, runner: CliRunner) -> None:
    assert _invoke(runner, "publish", "--endpoint", "http://127.0.0.1:9/store") == (
        2,
        "",
        f"Error: {workdir.state / 'last-build.nq'}: no build found (run `consortia build` first)\n",
    )
