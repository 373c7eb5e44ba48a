"""``consortia ontology``: the HTML reference and the Turtle, to stdout or a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from consortia.ontology_doc import ontology_html
from tests.conftest import Workdir
from tests.test_cli import assert_error, invoke

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "consortia.ttl"


def test_html_goes_to_stdout_by_default(runner: CliRunner, workdir: Workdir) -> None:
    result = invoke(runner, "ontology")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ontology_html(ONTOLOGY)
    assert result.stdout == (ROOT / "docs" / "ontology.html").read_text(encoding="utf-8")


def test_turtle_is_served_as_is(runner: CliRunner, workdir: Workdir) -> None:
    result = invoke(runner, "ontology", "--format", "ttl")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == ONTOLOGY.read_bytes()


@pytest.mark.parametrize(("fmt", "name"), [("html", "ontology.html"), ("ttl", "consortia.ttl")])
def test_output_file(runner: CliRunner, workdir: Workdir, fmt: str, name: str) -> None:
    target = workdir.path / "site" / name
    result = invoke(runner, "ontology", "--format", fmt, "-o", f"site/{name}")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"{fmt} reference of the ontology -> site/{name}\n"
    expected = ONTOLOGY.read_bytes() if fmt == "ttl" else ontology_html(ONTOLOGY).encode()
    assert target.read_bytes() == expected


def test_dash_means_stdout(runner: CliRunner, workdir: Workdir) -> None:
    result = invoke(runner, "ontology", "-o", "-")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("<!DOCTYPE html>\n")
    assert list(workdir.path.iterdir()) == [workdir.seeds]


def test_unwritable_output(runner: CliRunner, workdir: Workdir) -> None:
    (workdir.path / "taken").write_text("a file, not a folder\n")
    result = invoke(runner, "ontology", "-o", "taken/ontology.html")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: taken/ontology.html: cannot write the output: taken is a file, not a directory "
        "(choose another output path)\n"
    )


def test_unknown_format(runner: CliRunner, workdir: Workdir) -> None:
    result = invoke(runner, "ontology", "--format", "owl")
    assert result.exit_code == 2
    assert "'owl' is not one of 'html', 'ttl'" in result.stderr


def test_broken_ontology_is_one_error_line(
    runner: CliRunner, workdir: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = workdir.path / "data"
    for folder in ("ontology", "shapes", "mappings"):
        (data / folder).mkdir(parents=True)
    (data / "mappings" / "templates.yaml").write_text("prefixes: {}\n")
    (data / "ontology" / "consortia.ttl").write_text("not turtle at all\n")
    monkeypatch.setenv("CONSORTIA_DATA", str(data))
    result = invoke(runner, "ontology")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {data / 'ontology' / 'consortia.ttl'}: invalid Turtle")


def test_missing_ontology_for_ttl(
    runner: CliRunner, workdir: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = workdir.path / "data"
    (data / "mappings").mkdir(parents=True)
    (data / "mappings" / "templates.yaml").write_text("prefixes: {}\n")
    monkeypatch.setenv("CONSORTIA_DATA", str(data))
    path = data / "ontology" / "consortia.ttl"
    assert_error(
        invoke(runner, "ontology", "--format", "ttl"),
        f"Error: {path}: cannot read the ontology: No such file or directory "
        "(reinstall Consortia or set CONSORTIA_DATA)",
    )


def test_help_ends_with_an_example(runner: CliRunner) -> None:
    result = invoke(runner, "ontology", "--help")
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n").splitlines()[-1] == (
        "  Example: consortia ontology -o docs/ontology.html"
    )
