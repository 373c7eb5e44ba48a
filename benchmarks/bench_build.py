"""Time whole builds of generated corpora, queries, and a plain rdflib/pyshacl pipeline.

For each size N (default 100 and 1,000; ``--full`` adds 10,000) a corpus is
generated (``generate_corpus.py``, seeded) and built by ``consortia.pipeline.build``
in a fresh process, which prints its time per stage, articles/s, triples/s, peak
memory (its own and its worker processes'), and the time of a rebuild after one
article changed. Then, on the largest store: the cold start of ``consortia query``
(a new process, median of 5) and the median latency of the competence queries.
Then the plain pipeline on the output of ``--plain-size`` articles: rdflib parses
the Turtle, pyshacl validates the whole graph, rdflib writes Turtle, against
Consortia's build of the same articles. Recall of the generated gold facts is
measured on the built output (a sample of articles) with ``consortia.evaluate``.

    python benchmarks/bench_build.py            # 100 and 1,000 articles, a few minutes
    python benchmarks/bench_build.py --full     # and 10,000
    python benchmarks/bench_build.py --sizes 500 --repeat 3

Results go to stdout and to ``benchmarks/results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
STAGES = (
    "read",
    "cache",
    "extract",
    "map",
    "validate",
    "process",
    "merge",
    "cross-check",
    "export",
    "store",
    "total",
)

# Competence questions, as a user asks them of one named entity (prefixes are
# predeclared by consortia.query). The names are in every generated corpus.
QUERIES = {
    "members of an alliance, since when": """
        SELECT ?member ?since WHERE {
          ?alliance skos:prefLabel "Cloud Fintech Initiative"@en .
          ?m org:organization ?alliance ; org:member ?member .
          OPTIONAL { ?m schema:startDate ?since }
        }""",
    "alliances of an organization": """
        SELECT DISTINCT ?alliance WHERE {
          ?org skos:prefLabel "Islton Telecom"@en ; org:memberOf ?alliance .
          ?alliance a cx:Alliance .
        }""",
    "founders of alliances": """
        SELECT ?alliance ?founder WHERE { ?alliance a cx:Alliance ; schema:founder ?founder }
        LIMIT 100""",
    "where members are headquartered": """
        SELECT ?place (COUNT(DISTINCT ?org) AS ?n) WHERE {
          ?org org:memberOf ?alliance ; cx:headquarteredIn ?place .
        } GROUP BY ?place ORDER BY DESC(?n) LIMIT 10""",
    "which sentence states a fact": """
        SELECT ?sentence ?article WHERE {
          ?e a cx:Evidence ; rdf:predicate org:memberOf ; prov:value ?sentence ;
             prov:wasDerivedFrom ?article .
        } LIMIT 20""",
}
# The first question again, through W3C ORG's interval: the same answer, shown
# beside the others for what a three-step OPTIONAL costs in Oxigraph.
ALSO = {
    "(members since when, by org:memberDuring)": """
        SELECT ?member ?since WHERE {
          ?alliance skos:prefLabel "Cloud Fintech Initiative"@en .
          ?m org:organization ?alliance ; org:member ?member .
          OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDgYearMonth ?since }
        }""",
}


def _max_rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


# --- the child: one build -------------------------------------------------------


def child_build(corpus: Path, state: Path, output: Path, workers: int | None) -> dict[str, Any]:
    """Build ``corpus`` cleanly and report it (peak memory of this build alone)."""
    from consortia.pipeline import build
    from consortia.project import Project

    project = Project.load(state=state)
    started = time.perf_counter()
    result = build(project, [corpus], output, workers=workers)
    wall = time.perf_counter() - started
    own, children = _max_rss_mib()
    triples = sum(1 for _ in _triples(output))
    recall = _recall(corpus, result.quads, sample=100)
    return {
        "articles": len(result.articles),
        "facts": result.facts,
        "quads": result.quad_count,
        "triples": triples,
        "wall": wall,
        "timings": dict(result.timings),
        "rss_self_mib": own,
        "rss_children_mib": children,
        "warnings": len(result.report.results),
        "recall": recall,
    }


#: The changes a rebuild is timed after, each in a new process (as a user
#: would run it): a sentence stating nothing, a sentence stating a membership,
#: and the article put back as it was.
CHANGES = ("sentence", "fact", "restore")


def child_rebuild(
    corpus: Path, state: Path, output: Path, workers: int | None, change: str
) -> dict[str, Any]:
    """Build again after one article changed."""
    from consortia.pipeline import build
    from consortia.project import Project

    first = sorted(corpus.glob("*.md"))[0]
    original = first.with_name(".original")
    if not original.exists():
        original.write_bytes(first.read_bytes())
    text = original.read_text(encoding="utf-8")
    if change == "sentence":
        text += "\nThe group said it would publish a roadmap.\n"
    elif change == "fact":
        text += "\nBrightwater Analytics has joined the Cloud Fintech Initiative.\n"
    first.write_text(text, encoding="utf-8")
    if change == "restore":
        original.unlink()
    started = time.perf_counter()
    rebuilt = build(Project.load(state=state), [corpus], output, workers=workers)
    rebuild = time.perf_counter() - started
    own, _children = _max_rss_mib()
    return {
        "rebuild": rebuild,
        "rebuild_timings": dict(rebuilt.timings),
        "rebuild_reprocessed": len(rebuilt.reprocessed),
        "rebuild_in_place": rebuilt.nquads_data is None,
        "rss_rebuild_mib": own,
    }


def _triples(output: Path) -> Any:
    import pyoxigraph as ox

    return ox.parse(output.read_bytes(), format=ox.RdfFormat.TURTLE)


def _recall(corpus: Path, quads: Any, sample: int) -> dict[str, float]:
    """Precision and recall of the gold facts of the first ``sample`` articles, from the build."""
    import pyoxigraph as ox

    from consortia.evaluate import evaluate, load_gold, read_published
    from consortia.pipeline import to_rdflib

    golds = [load_gold(p) for p in sorted(corpus.glob("*.gold.yaml"))[:sample]]
    by_graph: dict[str, list[Any]] = {}
    for quad in quads:
        name = quad.graph_name
        key = name.value if isinstance(name, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(quad)
    pairs = []
    for gold in golds:
        graph = next(k for k in by_graph if k.endswith(f"/graph/{gold.id}"))
        pairs.append((gold, read_published(to_rdflib(by_graph[graph]))))
    overall = evaluate(pairs).overall
    return {"precision": overall.precision or 0.0, "recall": overall.recall or 0.0}


# --- the parent ----------------------------------------------------------------------


def run_child(args: list[str], rebuild: str | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args]
        + (["--rebuild", rebuild] if rebuild else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"child {args} failed:\n{done.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def query_cold_start(state: Path, runs: int = 5) -> float:
    exe = shutil.which("consortia") or str(Path(sys.executable).parent / "consortia")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [exe, "query", "--state", str(state), "ASK { ?a a cx:Alliance }"],
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def query_latencies(state: Path, runs: int = 15) -> dict[str, tuple[float, float, float]]:
    """Median milliseconds of each query: as written, in pyoxigraph on an open
    store; as ``consortia query`` runs it (its triple patterns ordered by the
    store's counts, ``consortia.planner``), on an open store; and through
    ``run_query`` with labels, as the command's table does (which opens the
    store, about 5 ms, and looks up the labels shown beside IRIs).
    """
    import pyoxigraph as ox
    import yaml

    from consortia.planner import plan, read_stats
    from consortia.project import data_root
    from consortia.query import run_query

    templates = yaml.safe_load((data_root() / "mappings" / "templates.yaml").read_text())
    prefixes = {str(p): str(ns) for p, ns in templates["prefixes"].items()}
    store = ox.Store.read_only(str(state / "store"))
    stats = read_stats(state / "store")
    assert stats is not None, "the build kept no counts beside the store"

    def engine(text: str) -> None:
        # The store's default graph is the union of its graphs (store.prepare_store).
        solutions = store.query(text, prefixes=prefixes)
        assert isinstance(solutions, ox.QuerySolutions)
        list(solutions)

    latencies = {}
    for name, text in {**QUERIES, **ALSO}.items():
        medians = []
        for call in (
            lambda t=text: engine(t),
            lambda t=text: engine(plan(t, stats, prefixes)),
            lambda t=text: run_query(state / "store", t, labels=True),
        ):
            call()  # warm
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            medians.append(statistics.median(times) * 1000)
        latencies[name] = (medians[0], medians[1], medians[2])
    return latencies


def plain_pipeline(output: Path) -> dict[str, float]:
    """rdflib parse, whole-graph pyshacl (all shapes), rdflib Turtle serialisation."""
    script = f"""
import json, time
import rdflib
from pathlib import Path
from consortia.validation import load_ontology, load_shapes, validate
root = Path({str(ROOT)!r})
t = time.perf_counter(); g = rdflib.Graph().parse({str(output)!r}, format="turtle")
parse = time.perf_counter() - t
shapes = load_shapes(root / "shapes"); onto = load_ontology(root / "ontology" / "consortia.ttl")
t = time.perf_counter(); report = validate(g, shapes, onto); check = time.perf_counter() - t
t = time.perf_counter(); g.serialize(format="turtle"); write = time.perf_counter() - t
print(json.dumps({{"parse": parse, "validate": check, "serialize": write, "triples": len(g)}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"plain pipeline failed:\n{done.stderr[-3000:]}")
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", choices=CHANGES, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--full", action="store_true", help="add 10,000 articles")
    parser.add_argument("--repeat", type=int, default=3, help="builds per size up to 1,000")
    parser.add_argument("--plain-size", type=int, default=100, help="articles for the plain run")
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: CPUs)")
    parser.add_argument("--keep", type=Path, help="keep corpora and stores in this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse the builds measured there"
    )
    args = parser.parse_args(argv)
    if args.child:
        corpus, state, output, workers = args.child
        paths = (Path(corpus), Path(state), Path(output), int(workers) or None)
        data = child_rebuild(*paths, args.rebuild) if args.rebuild else child_build(*paths)
        print(json.dumps(data))
        return 0

    sys.path.insert(0, str(HERE))
    from generate_corpus import generate

    sizes = sorted(set(args.sizes + ([10000] if args.full else [])))
    work = args.keep or Path(tempfile.mkdtemp(prefix="consortia-bench-"))
    rows: dict[int, dict[str, Any]] = {}
    for size in sizes:
        corpus = work / f"corpus-{size}"
        if not corpus.is_dir():
            generate(size, corpus)
        runs = []
        for run in range(args.repeat if size <= 1000 else 1):
            state = work / f"state-{size}-{run}"
            output = work / f"out-{size}.ttl"
            saved = work / f"result-{size}-{run}.json"
            if args.reuse and saved.is_file():
                runs.append(json.loads(saved.read_text(encoding="utf-8")))
                continue
            shutil.rmtree(state, ignore_errors=True)
            print(f"building {size} articles (run {run + 1})...", file=sys.stderr)
            child = [str(corpus), str(state), str(output), str(args.workers)]
            runs.append(_build_and_rebuilds(child))
            saved.write_text(json.dumps(runs[-1]), encoding="utf-8")
        rows[size] = _median_run(runs)
        rows[size]["state"] = str(work / f"state-{size}-0")
        rows[size]["output"] = str(work / f"out-{size}.ttl")
    largest = max(sizes)
    state = Path(rows[largest]["state"])
    cold = query_cold_start(state)
    latencies = query_latencies(state)
    plain_size = args.plain_size
    if plain_size not in rows:
        corpus = work / f"corpus-{plain_size}"
        if not corpus.is_dir():
            generate(plain_size, corpus)
        out = work / f"out-{plain_size}.ttl"
        child = [str(corpus), str(work / f"state-{plain_size}-p"), str(out), str(args.workers)]
        rows[plain_size] = _build_and_rebuilds(child)
        rows[plain_size]["output"] = str(out)
    print(f"plain pipeline on {plain_size} articles...", file=sys.stderr)
    plain = plain_pipeline(Path(rows[plain_size]["output"]))
    text = render(rows, sizes, largest, cold, latencies, plain_size, plain)
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(text, encoding="utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _build_and_rebuilds(child: list[str]) -> dict[str, Any]:
    """A clean build, then a rebuild after each of `CHANGES` (the median kept)."""
    built = run_child(child)
    rebuilds = [run_child(child, rebuild=change) for change in CHANGES]
    chosen = sorted(rebuilds, key=lambda r: r["rebuild"])[len(rebuilds) // 2]
    return {
        **built,
        **chosen,
        "rebuilds": {c: r["rebuild"] for c, r in zip(CHANGES, rebuilds, strict=True)},
        "rebuilds_in_place": all(r["rebuild_in_place"] for r in rebuilds),
        "rss_rebuild_mib": max(r["rss_rebuild_mib"] for r in rebuilds),
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (its own stages, so they add up)."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = len(runs)
    chosen["rebuild"] = statistics.median(r["rebuild"] for r in runs)
    return chosen


def render(
    rows: dict[int, dict[str, Any]],
    sizes: list[int],
    largest: int,
    cold: float,
    latencies: dict[str, tuple[float, float, float]],
    plain_size: int,
    plain: dict[str, float],
) -> str:
    import consortia

    cpus = os.cpu_count()
    lines = [
        "# Build benchmark: latest results",
        "",
        f"{time.strftime('%Y-%m-%d')}, consortia {consortia.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, {cpus} CPUs. "
        "`python benchmarks/bench_build.py`; generated corpus (seed 7).",
        "",
        "| | " + " | ".join(f"{n:,} articles" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def row(name: str, cell: Any) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(rows[n]) for n in sizes) + " |")

    row("runs (median shown)", lambda r: str(r.get("runs", 1)))
    row("facts / triples in output", lambda r: f"{r['facts']:,} / {r['triples']:,}")
    row("build wall time", lambda r: f"{r['wall']:.1f} s")
    row("articles/s", lambda r: f"{r['articles'] / r['wall']:.0f}")
    row("triples/s", lambda r: f"{r['triples'] / r['wall']:,.0f}")
    row(
        "peak memory (build / largest worker)",
        lambda r: f"{r['rss_self_mib']:.0f} / {r['rss_children_mib']:.0f} MiB",
    )
    row(
        "peak memory (rebuild process)",
        lambda r: f"{r['rss_rebuild_mib']:.0f} MiB",
    )
    for stage in STAGES:
        row(f"stage: {stage}", lambda r, s=stage: f"{r['timings'].get(s, 0.0):.2f} s")
    row("rebuild after one article changed (median)", lambda r: f"{r['rebuild']:.2f} s")
    row(
        "rebuild: sentence / new fact / put back",
        lambda r: " / ".join(f"{r['rebuilds'][c]:.2f}" for c in CHANGES) + " s",
    )
    row("rebuilds patched in place", lambda r: "yes" if r["rebuilds_in_place"] else "no")
    row(
        "gold recall / precision (100-article sample)",
        lambda r: f"{r['recall']['recall']:.3f} / {r['recall']['precision']:.3f}",
    )
    lines += [
        "",
        "Stages extract, map and validate are summed over worker processes (CPU time);",
        "`process` is their wall time. Memory is the maximum resident set size.",
        "",
        f"On the {largest:,}-article store:",
        "",
        "| query | as written (pyoxigraph, open store) | as `consortia query` runs it "
        "(planned, open store) | `run_query` with labels (opens the store) |",
        "|---|---|---|---|",
        f"| `consortia query` cold start (new process, median of 5) | | | {cold * 1000:.0f} ms |",
    ]
    lines += [
        f"| {name} (median of 15) | {written:.1f} ms | {planned:.1f} ms | {api:.1f} ms |"
        for name, (written, planned, api) in latencies.items()
    ]
    ours = rows[plain_size]["wall"]
    total = plain["parse"] + plain["validate"] + plain["serialize"]
    lines += [
        "",
        f"Plain pipeline on the same {plain_size:,}-article output "
        f"({int(plain['triples']):,} triples):",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| rdflib parse Turtle | {plain['parse']:.2f} |",
        f"| pyshacl, whole graph, all shapes | {plain['validate']:.2f} |",
        f"| rdflib serialise Turtle | {plain['serialize']:.2f} |",
        f"| **plain total** | **{total:.2f}** |",
        f"| Consortia's whole build (extraction included) | {ours:.2f} |",
        f"| **ratio** | **{total / ours:.1f}x** |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
