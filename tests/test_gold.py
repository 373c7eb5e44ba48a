"""Extraction quality on the annotated dev corpus (tests/gold, copied from the shared corpus).

The floors are the targets of the extraction issue: fact F1 >= 0.90 with
precision >= 0.93, entity F1 >= 0.90, membership dates >= 90% right, no false
merge and no split (one gold entity, one IRI across all articles).
`consortia evaluate tests/gold` prints the full table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from consortia.evaluate import Evaluation, evaluate_dir
from consortia.pipeline import build_graph
from consortia.project import Project

GOLD = Path(__file__).resolve().parent / "gold"


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    project = Project.load(state=tmp_path_factory.mktemp("state"))
    return evaluate_dir(GOLD, lambda path: build_graph(project, path))


def test_fact_precision_floor(evaluation: Evaluation) -> None:
    assert (evaluation.overall.precision or 0) >= 0.93


def test_fact_f1_floor(evaluation: Evaluation) -> None:
    assert (evaluation.overall.f1 or 0) >= 0.90


def test_entity_f1_floor(evaluation: Evaluation) -> None:
    assert (evaluation.entities.f1 or 0) >= 0.90


def test_membership_dates_floor(evaluation: Evaluation) -> None:
    assert evaluation.dates.value is not None and evaluation.dates.value >= 0.90


def test_identity_across_articles(evaluation: Evaluation) -> None:
    assert evaluation.merge is not None
    assert len(evaluation.merge.splits) == 0
    assert len(evaluation.merge.merges) == 0


def test_the_whole_corpus_builds_as_one_dataset(tmp_path: Path) -> None:
    """Articles that spell one entity differently ("Aeroméxico", "Aeromexico")
    still conform together: one preferred name, the others alternative."""
    from consortia.pipeline import build

    result = build(Project.load(state=tmp_path / "state"), [GOLD], tmp_path / "all.nq")
    assert result.report.conforms
    data = result.nquads.decode()
    pref = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    preferred: dict[str, set[str]] = {}
    for line in data.splitlines():
        subject, predicate, rest = line.split(" ", 2)
        if predicate == pref:
            preferred.setdefault(subject, set()).add(rest.rsplit(" ", 2)[0])
    assert all(len(names) == 1 for names in preferred.values())
