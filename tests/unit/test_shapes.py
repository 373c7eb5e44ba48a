"""Every fixture in tests/shapes/<Shape>/{valid,invalid}/ against the shapes in shapes/.

A valid fixture yields no result at all (not even a warning). An invalid one
names the one result it must produce on its first line::

    # expect: sh:MinCountConstraintComponent skos:prefLabel cxsh:Organization-prefLabel

(component, path or ``-`` when the result has none, and optionally the source
shape); every result it produces must be that one, and it must produce some.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from consortia.validation import (
    PREFIXES,
    Report,
    Severity,
    render_text,
    validate,
)
from tests.conftest import SHAPE_FIXTURES, ontology_graph, shape_fixtures, shapes_graph

ROOT = Path(__file__).resolve().parents[2]


def _fixture_id(path: Path) -> str:
    return f"{path.parts[-3]}/{path.stem}"


def _validate(path: Path) -> Report:
    data = Graph().parse(path, format="turtle")
    return validate(data, shapes_graph(), ontology_graph())


def _expand(curie: str) -> str | None:
    if curie == "-":
        return None
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def _expectation(path: Path) -> tuple[str, str | None, str | None]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path}: first line must be '# expect: ...'"
    words = first.removeprefix("# expect: ").split()
    assert len(words) in (2, 3), f"{path}: expected 'component path [shape]'"
    component, path_iri = _expand(words[0]), _expand(words[1])
    assert component is not None
    shape = _expand(words[2]) if len(words) == 3 else None
    return component, path_iri, shape


def test_fixtures_exist_for_every_shape() -> None:
    shapes = {path.name for path in SHAPE_FIXTURES.iterdir() if path.is_dir()}
    for shape in shapes:
        assert _fixtures_of(shape, "valid"), f"{shape} has no valid fixture"
        assert _fixtures_of(shape, "invalid"), f"{shape} has no invalid fixture"


def _fixtures_of(shape: str, kind: str) -> list[Path]:
    return sorted((SHAPE_FIXTURES / shape / kind).glob("*.ttl"))


@pytest.mark.parametrize("path", shape_fixtures("valid"), ids=_fixture_id)
def test_valid_fixture_conforms(path: Path) -> None:
    report = _validate(path)
    assert report.conforms, render_text(report)
    assert report.results == (), render_text(report)


@pytest.mark.parametrize("path", shape_fixtures("invalid"), ids=_fixture_id)
def test_invalid_fixture_fails_with_expected_result(path: Path) -> None:
    component, result_path, shape = _expectation(path)
    report = _validate(path)
    assert report.results, f"{path.name} produced no result"
    for result in report.results:
        assert (result.component, result.path) == (component, result_path), render_text(report)
        if shape is not None:
            assert result.source_shape == shape, render_text(report)
    blocking = any(result.severity is Severity.VIOLATION for result in report.results)
    assert report.conforms is not blocking
