"""Incremental and parallel builds give the bytes of a clean, serial build.

An incremental build re-processes only new and changed articles, reuses the
cached quads of the others and updates the store graph by graph; the worker
pool (forced here with a threshold of 2) splits the articles into batches.
Neither may change a byte of the output, nor what the store holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from consortia.export import canonical_nquads
from consortia.pipeline import build
from consortia.project import Project
from consortia.query import run_query
from tests.conftest import GOLD_ARTICLES, ID_BASE, copy_articles

ROOT = Path(__file__).resolve().parents[2]
B = ID_BASE
GOLD = GOLD_ARTICLES[:6]


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


def _graphs(state: Path) -> set[str]:
    result = run_query(state / "store", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {str(row[0]) for row in result.rows}


def _store_quads(state: Path) -> int:
    result = run_query(state / "store", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(str(result.rows[0][0]).split('"')[1])


def test_incremental_build_equals_clean_build(tmp_path: Path) -> None:
    sources = copy_articles(tmp_path / "articles", GOLD[:5])
    project = Project.load(state=tmp_path / "state", base=B)
    first = build(project, [sources], tmp_path / "first.ttl")
    assert set(first.reprocessed) == {p.stem for p in GOLD[:5]}

    # Nothing changed: nothing is re-processed, same bytes.
    again = build(project, [sources], tmp_path / "again.ttl")
    assert again.reprocessed == ()
    assert (tmp_path / "again.ttl").read_bytes() == (tmp_path / "first.ttl").read_bytes()

    # One changed, one added, one removed.
    changed = sources / GOLD[0].name
    changed.write_text(
        changed.read_text(encoding="utf-8")
        + "\nAcme Bank has joined the Hyperledger consortium.\n",
        encoding="utf-8",
    )
    shutil.copy(GOLD[5], sources / GOLD[5].name)
    (sources / GOLD[1].name).unlink()
    result = build(project, [sources], tmp_path / "incremental.ttl")
    assert set(result.reprocessed) == {GOLD[0].stem, GOLD[5].stem}
    assert result.removed == (GOLD[1].stem,)

    clean_project = Project.load(state=tmp_path / "clean-state", base=B)
    clean = build(clean_project, [sources], tmp_path / "clean.ttl")
    assert (tmp_path / "incremental.ttl").read_bytes() == (tmp_path / "clean.ttl").read_bytes()
    last = (tmp_path / "state" / "last-build.nq").read_bytes()
    assert last == (tmp_path / "clean-state" / "last-build.nq").read_bytes()
    assert result.quads == clean.quads
    assert result.facts == clean.facts
    assert [r.message for r in result.report.results] == [r.message for r in clean.report.results]
    # The store was updated graph by graph to what a clean build loads.
    assert _graphs(tmp_path / "state") == _graphs(tmp_path / "clean-state")
    assert f"{B}graph/{GOLD[1].stem}" not in _graphs(tmp_path / "state")
    assert _store_quads(tmp_path / "state") == _store_quads(tmp_path / "clean-state")


def test_changed_mappings_rebuild_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_articles(tmp_path / "articles", GOLD[:2])
    data = tmp_path / "data"
    for folder in ("mappings", "shapes", "ontology"):
        shutil.copytree(ROOT / folder, data / folder)
    monkeypatch.setenv("CONSORTIA_DATA", str(data))
    project = Project.load(state=tmp_path / "state", base=B)
    build(project, [sources], tmp_path / "out.ttl")
    assert build(project, [sources], tmp_path / "out.ttl").reprocessed == ()
    with (data / "shapes" / "consortia.ttl").open("a", encoding="utf-8") as shapes:
        shapes.write("\n# a comment changes the fingerprint\n")
    assert len(build(project, [sources], tmp_path / "out.ttl").reprocessed) == 2
    assert len(build(project, [sources], tmp_path / "out.ttl", incremental=False).reprocessed) == 2


def test_parallel_build_equals_serial_build(tmp_path: Path) -> None:
    sources = copy_articles(tmp_path / "articles", GOLD)
    serial = build(
        Project.load(state=tmp_path / "serial", base=B), [sources], tmp_path / "serial.ttl"
    )
    parallel = build(
        Project.load(state=tmp_path / "parallel", base=B),
        [sources],
        tmp_path / "parallel.ttl",
        workers=2,
        parallel_threshold=2,
    )
    assert (tmp_path / "parallel.ttl").read_bytes() == (tmp_path / "serial.ttl").read_bytes()
    assert parallel.quads == serial.quads
    assert parallel.report == serial.report
    assert parallel.fact_counts == serial.fact_counts
    assert parallel.nquads == serial.nquads
    # The merged output is N-Quads as every writer writes them.
    assert parallel.nquads == canonical_nquads(parallel.quads)
    assert sorted(parallel.fact_counts) == list(parallel.articles)
    assert {"read", "extract", "map", "validate", "cross-check", "store", "export"} <= set(
        parallel.timings
    )


def test_a_damaged_cache_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    """A cut-off cache blob (a disk filled up, a copy stopped) means a clean build."""
    sources = copy_articles(tmp_path / "articles", GOLD[:2])
    project = Project.load(state=tmp_path / "state", base=B)
    build(project, [sources], tmp_path / "first.nq")
    blobs = list((tmp_path / "state").glob("cache-*.bin"))
    assert len(blobs) == 1
    blobs[0].write_bytes(blobs[0].read_bytes()[:100])
    again = build(project, [sources], tmp_path / "again.nq")
    assert set(again.reprocessed) == {p.stem for p in GOLD[:2]}
    assert (tmp_path / "again.nq").read_bytes() == (tmp_path / "first.nq").read_bytes()
    # The previous blob is replaced, not left behind.
    assert [p.name for p in (tmp_path / "state").glob("cache-*.bin")] != [blobs[0].name]
    assert len(list((tmp_path / "state").glob("cache-*.bin"))) == 1


def test_incremental_checks_keep_and_drop_results_as_a_clean_build(tmp_path: Path) -> None:
    """A rebuild checks again only the nodes the changed articles touch; the
    results it keeps for the others are the ones a clean build finds."""
    sources = copy_articles(tmp_path / "articles", GOLD[:4])
    # An article without a url is a warning on the article's node.
    text = (sources / GOLD[2].name).read_text(encoding="utf-8")
    (sources / GOLD[2].name).write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("url:")) + "\n",
        encoding="utf-8",
    )
    project = Project.load(state=tmp_path / "state", base=B)
    first = build(project, [sources], tmp_path / "first.nq")
    assert any("url" in r.message for r in first.report.results)

    def clean(name: str) -> list[str]:
        report = build(
            Project.load(state=tmp_path / name, base=B), [sources], tmp_path / f"{name}.nq"
        ).report
        return sorted(repr(r) for r in report.results)

    # Another article changes: the warning is kept, unchecked.
    changed = sources / GOLD[0].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nAcme Bank has joined Hyperledger.\n",
        encoding="utf-8",
    )
    again = build(project, [sources], tmp_path / "again.nq")
    assert again.reprocessed == (GOLD[0].stem,)
    assert sorted(repr(r) for r in again.report.results) == clean("clean-1")

    # The article gets its url back: the warning goes.
    (sources / GOLD[2].name).write_text(text, encoding="utf-8")
    fixed = build(project, [sources], tmp_path / "fixed.nq")
    assert fixed.reprocessed == (GOLD[2].stem,)
    assert not any("url" in r.message for r in fixed.report.results)
    assert sorted(repr(r) for r in fixed.report.results) == clean("clean-2")


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq"])
def test_a_build_writes_what_export_writes(tmp_path: Path, suffix: str) -> None:
    """A build writes its output from N-Triples and N-Quads lines; `write_rdf`
    from the quads: the same bytes, whatever the format."""
    from consortia.export import write_rdf

    sources = copy_articles(tmp_path / "articles", GOLD)
    result = build(
        Project.load(state=tmp_path / "state", base=B), [sources], tmp_path / f"out{suffix}"
    )
    prefixes = result.prefixes
    write_rdf(result.quads, tmp_path / f"again{suffix}", prefixes=prefixes)
    assert (tmp_path / f"out{suffix}").read_bytes() == (tmp_path / f"again{suffix}").read_bytes()


def test_preferred_names_are_read_from_the_predicate_only() -> None:
    """A sentence quoting the skos:prefLabel IRI is not a label to reconcile."""
    from consortia.pipeline import pref_labels

    pref = b"<http://www.w3.org/2004/02/skos/core#prefLabel>"
    data = (
        b"<urn:a> " + pref + b' "Aerom\xc3\xa9xico"@en <urn:g> .\n'
        b'<urn:e> <http://www.w3.org/ns/prov#value> "see ' + pref + b' here"@en <urn:g> .\n'
    )
    assert list(pref_labels(data)) == [(b"<urn:a>", b'"Aerom\xc3\xa9xico"@en')]
