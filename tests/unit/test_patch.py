"""A rebuild in place (consortia.patch) gives the bytes and the store of a clean build.

When a few articles change and the output is the last build's file, the build
patches the store, ``last-build.nq``, the output and its description instead
of writing them whole. Each test builds, changes the sources, rebuilds into the
same file, and compares everything with a clean build of the changed sources.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from consortia import pipeline
from consortia.patch import DIRTY
from consortia.pipeline import BuildResult, ValidationFailed, build
from consortia.project import Project
from tests.conftest import GOLD_ARTICLES, ID_BASE, copy_articles

B = ID_BASE
GOLD = GOLD_ARTICLES[:8]


@pytest.fixture(autouse=True)
def _setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    # Six articles: let three change and still patch.
    monkeypatch.setattr(pipeline, "INCREMENTAL_STORE_SHARE", 0.5)


def _corpus(folder: Path) -> Path:
    return copy_articles(folder, GOLD[:6])


def _built(
    tmp_path: Path, suffix: str = ".ttl", workers: int | None = None, threshold: int = 50
) -> tuple[Path, Path, Path]:
    """Six articles built once: (sources, state, output)."""
    sources = _corpus(tmp_path / "articles")
    state, output = tmp_path / "state", tmp_path / f"out{suffix}"
    project = Project.load(state=state, base=B)
    build(project, [sources], output, workers=workers, parallel_threshold=threshold)
    return sources, state, output


def _age(folder: Path) -> None:
    """Date the sources back, as files a build did not just see being written."""
    for path in folder.iterdir():
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))


def _change(sources: Path) -> None:
    """One article gains a fact, one is added (under a new id), one is removed."""
    changed = sources / GOLD[0].name
    changed.write_text(
        changed.read_text(encoding="utf-8")
        + "\nAcme Bank has joined the Hyperledger consortium.\n",
        encoding="utf-8",
    )
    text = GOLD[6].read_text(encoding="utf-8")
    (sources / "zz-added.md").write_text(
        re.sub(r"(?m)^id: .*$", "id: zz-added", text), encoding="utf-8"
    )
    (sources / GOLD[1].name).unlink()


def _rebuilt_whole(
    caplog: pytest.LogCaptureFixture, sources: Path, state: Path, output: Path, reason: str
) -> None:
    """Build again, and find that it was built whole, for ``reason``."""
    with caplog.at_level(logging.INFO, logger="consortia.patch"):
        result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is not None
    assert reason in caplog.text


def _quads(state: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(state / "store")))


def _same_as_clean(tmp_path: Path, sources: Path, output: Path, state: Path) -> BuildResult:
    """Compare the state and files with a clean build's; that build's result."""
    clean_state = tmp_path / "clean-state"
    clean_output = tmp_path / f"clean{output.suffix}"
    clean = build(Project.load(state=clean_state, base=B), [sources], clean_output)
    assert output.read_bytes() == clean_output.read_bytes()
    description = Path(f"{output}.void.ttl").read_text(encoding="utf-8")
    clean_description = Path(f"{clean_output}.void.ttl").read_text(encoding="utf-8")
    assert description.replace(output.name, clean_output.name) == clean_description
    assert (state / "last-build.nq").read_bytes() == (clean_state / "last-build.nq").read_bytes()
    assert _quads(state) == _quads(clean_state)
    return clean


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq"])
def test_a_rebuild_in_place_gives_a_clean_builds_bytes(tmp_path: Path, suffix: str) -> None:
    sources, state, output = _built(tmp_path, suffix)
    _age(sources)
    _change(sources)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is None, "the build was not patched"
    assert set(result.reprocessed) == {GOLD[0].stem, "zz-added"}
    assert result.removed == (GOLD[1].stem,)
    assert not (state / DIRTY).exists()
    _same_as_clean(tmp_path, sources, output, state)
    clean = build(Project.load(state=tmp_path / "again", base=B), [sources], tmp_path / "x.nq")
    assert result.nquads == clean.nquads
    assert result.report == clean.report
    assert result.fact_counts == clean.fact_counts

    # And again, from the state the patch left.
    changed = sources / GOLD[2].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nZenith Motors has left the group.\n",
        encoding="utf-8",
    )
    again = build(Project.load(state=state, base=B), [sources], output)
    assert again.nquads_data is None
    shutil.rmtree(tmp_path / "clean-state")
    _same_as_clean(tmp_path, sources, output, state)


def test_nothing_changed_reads_no_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources, state, output = _built(tmp_path)
    _age(sources)
    build(Project.load(state=state, base=B), [sources], output)  # records the old times
    before = output.read_bytes()

    def refuse(path: Path) -> str:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr("consortia.sources.read_text", refuse)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.reprocessed == ()
    assert output.read_bytes() == before


def test_an_output_changed_by_hand_is_written_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources, state, output = _built(tmp_path)
    with output.open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    _change(sources)
    _rebuilt_whole(caplog, sources, state, output, "not as it left them")
    _same_as_clean(tmp_path, sources, output, state)


def test_a_new_spelling_of_a_known_entity_is_built_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another article's name for an entity may change the preferred label
    everywhere: that is the whole build's to decide."""
    sources, state, output = _built(tmp_path)
    labels = ox.Store.read_only(str(state / "store")).query(
        "SELECT ?name WHERE { ?o a <http://www.w3.org/ns/org#Organization> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } ORDER BY ?name LIMIT 1"
    )
    assert isinstance(labels, ox.QuerySolutions)
    name = next(iter(labels))["name"]
    assert isinstance(name, ox.Literal)
    respelt = name.value.upper() if name.value.upper() != name.value else name.value.lower()
    (sources / "zz-respelt.md").write_text(
        f"---\nid: zz-respelt\ntitle: A note\npublished: 2024-01-02\n"
        f"url: https://example.org/n\n---\n\n{respelt} has joined the Hyperledger consortium.\n",
        encoding="utf-8",
    )
    _rebuilt_whole(caplog, sources, state, output, "preferred name may change")
    _same_as_clean(tmp_path, sources, output, state)


def test_data_that_fails_leaves_the_store_and_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consortia import crosscheck
    from consortia.validation import Severity, ValidationResult

    sources, state, output = _built(tmp_path)
    _age(sources)
    quads, written = _quads(state), output.read_bytes()
    last = (state / "last-build.nq").read_bytes()
    _change(sources)
    original = crosscheck.check_union

    def failing(*args: object, **kwargs: object) -> list[ValidationResult]:
        found = original(*args, **kwargs)  # type: ignore[arg-type]
        found.append(
            ValidationResult(
                focus_node=f"{B}org/x",
                label=None,
                article=None,
                path=None,
                value=None,
                message="made to fail",
                severity=Severity.VIOLATION,
                source_shape="urn:x",
                component="urn:y",
            )
        )
        return found

    monkeypatch.setattr(crosscheck, "check_union", failing)
    with pytest.raises(ValidationFailed):
        build(Project.load(state=state, base=B), [sources], output)
    assert _quads(state) == quads
    assert output.read_bytes() == written
    assert (state / "last-build.nq").read_bytes() == last
    assert not (state / DIRTY).exists()
    monkeypatch.setattr(crosscheck, "check_union", original)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is None
    _same_as_clean(tmp_path, sources, output, state)


def test_a_store_left_half_changed_is_made_whole(tmp_path: Path) -> None:
    sources, state, output = _built(tmp_path)
    store = ox.Store(str(state / "store"))
    store.remove_graph(ox.NamedNode(f"{B}graph/{GOLD[3].stem}"))
    store.flush()
    del store
    (state / DIRTY).write_text("a rebuild was stopped\n", encoding="utf-8")
    _change(sources)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is not None
    assert not (state / DIRTY).exists()
    _same_as_clean(tmp_path, sources, output, state)


def test_a_first_build_leaves_a_warm_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extraction context and the union checks are kept in the state
    folder, so that the next process need not load the mappings and shapes."""
    from consortia.extract import Extractor

    sources, state, output = _built(tmp_path, workers=2, threshold=2)
    assert len(list(state.glob("warm-context-*.pickle"))) == 1
    assert len(list(state.glob("warm-checks-*.pickle"))) == 1

    # A new process (its in-memory copies dropped) starts from them.
    from consortia import batches

    monkeypatch.setattr(batches, "_CONTEXT", [])
    monkeypatch.setattr(batches, "_CHECKS", {})

    def refuse(*_args: object) -> None:
        raise AssertionError("the mappings were loaded again")

    monkeypatch.setattr(Extractor, "from_directory", refuse)
    monkeypatch.setattr(batches, "validation_data", refuse)
    _age(sources)
    _change(sources)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is None
    _same_as_clean_after(tmp_path, sources, output, state, monkeypatch)


def _same_as_clean_after(
    tmp_path: Path, sources: Path, output: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    _same_as_clean(tmp_path, sources, output, state)


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq"])
def test_rounds_of_random_changes_stay_a_clean_builds_bytes(tmp_path: Path, suffix: str) -> None:
    """Several rebuilds in a row, each changing, adding and removing articles
    drawn at random (seeded), each compared with a clean build."""
    import random

    # Articles without a url are warned about: reports have results to compare.
    pool_folder = tmp_path / "pool"
    pool_folder.mkdir()
    for number, file in enumerate(GOLD_ARTICLES[:14]):
        text = file.read_text(encoding="utf-8")
        if number % 4 == 1:
            text = "\n".join(x for x in text.splitlines() if not x.startswith("url:")) + "\n"
        (pool_folder / file.name).write_text(text, encoding="utf-8")
    pool = sorted(pool_folder.glob("*.md"))
    rng = random.Random(11)
    sources = copy_articles(tmp_path / "articles", pool[:8])
    state, output = tmp_path / "state", tmp_path / f"out{suffix}"
    build(Project.load(state=state, base=B), [sources], output)
    sentences = [
        "Acme Bank has joined the Hyperledger consortium.",
        "Zenith Motors, a unit of Acme Bank, is headquartered in Lyon.",
        "The alliance was founded by Norvale Systems and Acme Bank.",
        "Quenmere Insurance said it had left the group in 2020.",
    ]
    patched = warned = 0
    for round_number in range(4):
        _age(sources)
        present = sorted(sources.glob("*.md"))
        for path in rng.sample(present, 2):
            path.write_text(
                path.read_text(encoding="utf-8") + "\n" + rng.choice(sentences) + "\n",
                encoding="utf-8",
            )
        absent = [p for p in pool if not (sources / p.name).exists()]
        if absent and rng.random() < 0.7:
            shutil.copy(rng.choice(absent), sources)
        if rng.random() < 0.5:
            rng.choice(sorted(sources.glob("*.md"))).unlink()
        result = build(Project.load(state=state, base=B), [sources], output)
        patched += result.nquads_data is None
        shutil.rmtree(tmp_path / "clean-state", ignore_errors=True)
        clean = _same_as_clean(tmp_path, sources, output, state)
        assert result.report == clean.report, round_number
        warned += bool(clean.report.results)
        assert not (state / DIRTY).exists(), round_number
    assert patched >= 2, "too few rounds were patched to test anything"
    assert warned >= 2, "too few rounds had results to compare"


def test_a_store_that_cannot_be_changed_is_an_error_and_then_made_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consortia import patch
    from consortia.errors import ConsortiaError

    sources, state, output = _built(tmp_path)
    _age(sources)
    _change(sources)
    written = output.read_bytes()
    opened = patch._Patcher._store

    class Full:
        """The store, with a disk that fills up when statements are added."""

        def __init__(self, store: ox.Store) -> None:
            self.store = store

        def __getattr__(self, name: str) -> object:
            return getattr(self.store, name)

        def extend(self, _quads: object) -> None:
            raise OSError("No space left on device")

    monkeypatch.setattr(
        patch._Patcher,
        "_store",
        lambda self: Full(opened(self)),  # type: ignore[arg-type]
    )
    with pytest.raises(ConsortiaError, match="cannot update the store: No space left"):
        build(Project.load(state=state, base=B), [sources], output)
    assert output.read_bytes() == written
    assert (state / DIRTY).exists()
    monkeypatch.setattr(patch._Patcher, "_store", opened)
    result = build(Project.load(state=state, base=B), [sources], output)
    assert result.nquads_data is not None  # built whole
    assert not (state / DIRTY).exists()
    _same_as_clean(tmp_path, sources, output, state)
