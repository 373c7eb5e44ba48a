"""Shared fixtures: a CLI runner, a private working directory, a built seed, and
`assert_isomorphic` that shows the difference between two graphs.

The seed article the tests build is the copy in ``tests/cases/bsn-huobi-china-2019/``,
so that the tests run on a fresh clone without anything outside the repository.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import graph_diff, to_isomorphic

from consortia.extract import Extraction, Extractor
from consortia.sources import Article

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"
SEED_CASE = CASES / "bsn-huobi-china-2019"
SEED_ARTICLE = SEED_CASE / "bsn-huobi-china-2019.md"
SEED_ID = "bsn-huobi-china-2019"
#: The annotated articles (tests/gold), in name order: sources for build tests.
GOLD_ARTICLES = sorted((TESTS / "gold").glob("*.md"))
#: The IRI base the tests build with.
ID_BASE = "https://w3id.org/consortia/id/"


def copy_articles(folder: Path, files: list[Path]) -> Path:
    """A folder of sources holding copies of ``files``."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


#: Environment variables that change what a build does; every test starts without them.
_SETTINGS = (
    "CONSORTIA_STATE",
    "CONSORTIA_DATA",
    "CONSORTIA_BASE",
    "SOURCE_DATE_EPOCH",
    "COLUMNS",  # query tables fit $COLUMNS
)


def _sorted_nt(graph: rdflib.Graph) -> str:
    lines = graph.serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip()))


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph) -> None:
    """Fail with the triples only in ``expected`` and only in ``actual`` (sorted N-Triples)."""
    __tracebackhide__ = True
    if to_isomorphic(expected) == to_isomorphic(actual):
        return
    _, only_expected, only_actual = graph_diff(expected, actual)
    pytest.fail(
        "the graphs differ\n"
        f"--- only in expected ({len(only_expected)} triples)\n{_sorted_nt(only_expected)}\n"
        f"+++ only in actual ({len(only_actual)} triples)\n{_sorted_nt(only_actual)}",
        pytrace=False,
    )


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; ``result.stdout`` and ``result.stderr`` are kept apart (click 8.2+)."""
    return CliRunner()


@dataclass(frozen=True)
class Workdir:
    """A private working directory: ``seeds/`` holds the seed, ``state`` the build state."""

    path: Path
    state: Path

    @property
    def seeds(self) -> Path:
        return self.path / "seeds"

    @property
    def output(self) -> Path:
        """Where the tests write the build (``build/consortia.ttl``, the CLI's default)."""
        return self.path / "build" / "consortia.ttl"


def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workdir:
    """Run in ``tmp_path`` with its own state folder and reproducible time stamps."""
    _clean_settings(monkeypatch)
    state = tmp_path / "state"
    monkeypatch.setenv("CONSORTIA_STATE", str(state))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_ARTICLE, tmp_path / "seeds")
    return Workdir(tmp_path, state)


@dataclass(frozen=True)
class BuiltSeed:
    """The seed built once per session with ``SOURCE_DATE_EPOCH=0``."""

    output: Path
    state: Path

    @property
    def turtle(self) -> bytes:
        return self.output.read_bytes()

    def graph(self) -> rdflib.Graph:
        """A fresh rdflib graph of the Turtle output (callers may change it)."""
        return rdflib.Graph().parse(self.output, format="turtle")


@pytest.fixture(scope="session")
def built_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSeed]:
    """The seed, built once through the library: tests copy it rather than rebuild."""
    from consortia.pipeline import build
    from consortia.project import Project

    root = tmp_path_factory.mktemp("built-seed")
    with pytest.MonkeyPatch.context() as patch:
        _clean_settings(patch)
        patch.setenv("SOURCE_DATE_EPOCH", "0")
        project = Project.load(state=root / "state")
        output = root / "build" / "consortia.ttl"
        build(project, [SEED_ARTICLE], output)
        yield BuiltSeed(output, project.state)


@pytest.fixture
def built(workdir: Workdir, built_seed: BuiltSeed) -> Workdir:
    """``workdir`` holding a copy of the built seed: its output and its state (store too)."""
    workdir.output.parent.mkdir(parents=True)
    shutil.copy2(built_seed.output, workdir.output)
    shutil.copytree(built_seed.state, workdir.state)
    return workdir


# --- extraction ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The extractor over the repository's mappings, loaded once for all tests."""
    return Extractor.from_directory(TESTS.parent / "mappings")


def extract_text(extractor: Extractor, body: str, published: dt.date) -> Extraction:
    """What ``extractor`` finds in ``body``, read as an article published then."""
    article = Article(id="t", title="Test", body=body, published=published, path=Path("t.md"))
    return extractor.extract(article)


def fact_triples(extraction: Extraction) -> set[tuple[str, str, str]]:
    """The facts as (relation, subject name, object name)."""
    return {(f.relation, f.subject.name, f.object.name) for f in extraction.facts}


# --- shapes -------------------------------------------------------------------------

#: Valid and invalid data per shape: ``tests/shapes/<Shape>/<valid|invalid>/<name>.ttl``.
SHAPE_FIXTURES = TESTS / "shapes"


def shape_fixtures(kind: str = "*") -> list[Path]:
    """The fixture files, of one kind ("valid", "invalid") or all."""
    return sorted(SHAPE_FIXTURES.glob(f"*/{kind}/*.ttl"))


@functools.cache
def shapes_graph() -> rdflib.Graph:
    """The project's shapes, loaded once."""
    from consortia.validation import load_shapes

    return load_shapes(TESTS.parent / "shapes")


@functools.cache
def ontology_graph() -> rdflib.Graph:
    """The project's ontology, loaded once."""
    from consortia.validation import load_ontology

    return load_ontology(TESTS.parent / "ontology" / "consortia.ttl")
