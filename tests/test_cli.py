"""The ``consortia`` command: every command's happy path, exit codes and exact error text.

Exit codes: 0 success (or conforms), 1 the data does not conform, 2 an error in
the user's input. Every error is one line on stderr naming the file and what to
do, never a traceback; a failed build leaves the previous output and store as
they were.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from rdflib.namespace import RDF, SH, XSD

from consortia import __version__
from consortia.cli import main
from consortia.project import Project
from tests.conftest import SEED_ARTICLE, SEED_ID, BuiltSeed, Workdir

BASE = "https://w3id.org/consortia/id/"
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SCHEMA = rdflib.Namespace("https://schema.org/")
PREDECLARED = "cx:, dcterms:, foaf:, org:, owl:, prov:, rdf:, rdfs:, schema:, skos:, time:, xsd:"
HUOBI_MEMBER = (
    f"ASK {{ <{BASE}org/huobi-china> org:memberOf <{BASE}org/bsn-development-alliance> }}"
)


def invoke(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, list(args))
    # Only click's own exit: anything else would be a traceback for the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def assert_error(result: Result, line: str) -> None:
    """Exit 2, nothing on stdout, and exactly ``line`` on stderr."""
    __tracebackhide__ = True
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", line + "\n")


def snapshot(workdir: Workdir) -> dict[str, str]:
    """Digest of every published file (the output folder and the state, store aside)."""
    files = [p for p in workdir.output.parent.rglob("*") if p.is_file()]
    files += [workdir.state / "last-build.nq", workdir.state / "manifest.json"]
    return {
        str(p.relative_to(workdir.path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


def assert_previous_build_intact(
    runner: CliRunner, workdir: Workdir, before: dict[str, str], seed: BuiltSeed
) -> None:
    __tracebackhide__ = True
    assert snapshot(workdir) == before
    assert workdir.output.read_bytes() == seed.turtle
    answer = invoke(runner, "query", HUOBI_MEMBER)
    assert (answer.exit_code, answer.stdout) == (0, "true\n")


# --- version and help ------------------------------------------------------------


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")
    assert (result.exit_code, result.stdout) == (0, f"consortia, version {__version__}\n")


@pytest.mark.parametrize("command", ["", "build", "validate", "query", "evaluate"])
def test_help_ends_with_an_example(runner: CliRunner, command: str) -> None:
    result = invoke(runner, *[c for c in [command] if c], "--help")
    assert result.exit_code == 0
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("  Example: consortia ")
    if command:
        assert last.startswith(f"  Example: consortia {command} ")


# --- build: the happy path --------------------------------------------------------


def test_build_default_seeds(runner: CliRunner, workdir: Workdir, built_seed: BuiltSeed) -> None:
    result = invoke(runner, "build")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("1 article(s), ")
    assert result.stderr.endswith(" quads -> build/consortia.ttl\n")
    # The CLI publishes exactly what the library does.
    assert workdir.output.read_bytes() == built_seed.turtle
    answer = invoke(runner, "query", HUOBI_MEMBER)
    assert (answer.exit_code, answer.stdout) == (0, "true\n")


def test_build_verbose_says_how_it_built(runner: CliRunner, workdir: Workdir) -> None:
    first = invoke(runner, "build")
    assert first.exit_code == 0, first.stderr
    again = invoke(runner, "build", "-v")
    assert again.exit_code == 0, again.stderr
    assert again.stderr.startswith("patched in place: 0 article(s) re-read, 0 removed;")
    elsewhere = invoke(runner, "build", "-v", "-o", "build/other.ttl")
    assert elsewhere.exit_code == 0, elsewhere.stderr
    assert elsewhere.stderr.startswith("building everything: build/other.ttl is not there")
    assert "patched" not in invoke(runner, "build").stderr


def test_build_to_stdout(runner: CliRunner, workdir: Workdir, built_seed: BuiltSeed) -> None:
    result = invoke(runner, "build", "seeds", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == built_seed.turtle
    assert result.stderr.endswith(" quads -> stdout\n")
    assert not workdir.output.exists()


def test_build_plain_text_with_published_and_url(runner: CliRunner, workdir: Workdir) -> None:
    note = workdir.path / "huobi-note.txt"
    note.write_text(
        "Huobi China joins the BSN Development Alliance\n"
        "\n"
        "Huobi China has joined the BSN Development Alliance, the company said.\n",
        encoding="utf-8",
    )
    result = invoke(
        runner,
        "build",
        "huobi-note.txt",
        "--published",
        "2019-12-02",
        "--url",
        "https://example.org/huobi-note",
        "-o",
        "note.ttl",
    )
    assert result.exit_code == 0, result.stderr
    graph = rdflib.Graph().parse(workdir.path / "note.ttl", format="turtle")
    article = rdflib.URIRef(f"{BASE}article/huobi-note")
    assert (article, RDF.type, SCHEMA.NewsArticle) in graph
    assert graph.value(article, SCHEMA.url) == rdflib.URIRef("https://example.org/huobi-note")
    assert graph.value(article, SCHEMA.datePublished) == rdflib.Literal(
        "2019-12-02", datatype=XSD.date
    )
    assert graph.value(article, SCHEMA.headline) == rdflib.Literal(
        "Huobi China joins the BSN Development Alliance", lang="en"
    )


def test_build_plain_text_without_published(runner: CliRunner, workdir: Workdir) -> None:
    (workdir.path / "note.txt").write_text("A title\n\nA body.\n", encoding="utf-8")
    result = invoke(runner, "build", "note.txt")
    assert_error(
        result,
        "Error: note.txt: a plain-text article has no publication date "
        "(pass --published YYYY-MM-DD)",
    )
    assert not workdir.output.exists()
    assert not workdir.state.exists()


def test_build_published_option_must_be_a_date(runner: CliRunner, workdir: Workdir) -> None:
    (workdir.path / "note.txt").write_text("A title\n\nA body.\n", encoding="utf-8")
    result = invoke(runner, "build", "note.txt", "--published", "2019-13-02")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--published': '2019-13-02' is not a date: write it as YYYY-MM-DD"
    )


def test_build_without_articles_or_seeds(runner: CliRunner, workdir: Workdir) -> None:
    shutil.rmtree(workdir.seeds)
    assert_error(
        invoke(runner, "build"),
        "Error: no articles given and no seeds/ folder here "
        "(name the article files or folders: consortia build ARTICLES... -o FILE)",
    )


# --- build: bad input ---------------------------------------------------------------

FRONT = "---\nid: {id}\ntitle: {title}\npublished: {published}\n---\n\nSome body text.\n"


def _write(name: str, content: str | bytes) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return [name]

    return make


def _duplicates(folder: Path) -> list[str]:
    (folder / "dup").mkdir()
    shutil.copy(SEED_ARTICLE, folder / "dup" / "a.md")
    shutil.copy(SEED_ARTICLE, folder / "dup" / "b.md")
    return ["dup"]


def _missing(_folder: Path) -> list[str]:
    return ["missing.md"]


BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "missing path": (
        _missing,
        "Error: missing.md: no such file or directory (check the path or omit it)",
    ),
    "empty file": (
        _write("empty.md", b""),
        "Error: empty.md: the file is empty (add a title and a body)",
    ),
    "blank file": (
        _write("blank.md", "\ufeff \n\n"),
        "Error: blank.md: the file is empty (add a title and a body)",
    ),
    "binary file": (
        _write("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "Error: image.md: this is a binary file, not an article "
        "(give a UTF-8 Markdown or .txt file)",
    ),
    "UTF-16 file": (
        _write("wide.md", FRONT.format(id="w", title="T", published="2019-12-02").encode("utf-16")),
        "Error: wide.md: the file is UTF-16, not UTF-8 (save the file as UTF-8)",
    ),
    "non-UTF-8 file": (
        _write(
            "latin1.md",
            FRONT.format(id="l", title="Café", published="2019-12-02").encode("latin-1"),
        ),
        "Error: latin1.md:3: not valid UTF-8 (byte 0xe9 in column 11) (save the file as UTF-8)",
    ),
    "malformed front matter": (
        _write("malformed.md", FRONT.format(id="m", title="[unclosed", published="2019-12-02")),
        "Error: malformed.md:4: malformed front matter: expected ',' or ']', but got ':' "
        "(fix the YAML between the '---' lines)",
    ),
    "no front matter": (
        _write("plain.md", "# A heading\n\nSome text.\n"),
        "Error: plain.md:1: no YAML front matter (start the file with a '---' line, "
        "the fields (id, title, published), and another '---' line)",
    ),
    "missing title": (
        _write("untitled.md", "---\nid: u\npublished: 2019-12-02\n---\n\nText.\n"),
        "Error: untitled.md: missing title (add 'title: ...' to the front matter)",
    ),
    "invalid published date": (
        _write("baddate.md", FRONT.format(id="d", title="T", published="2019-13-45")),
        "Error: baddate.md:4: invalid published date '2019-13-45' (write it as YYYY-MM-DD)",
    ),
    "published not a date": (
        _write("notadate.md", FRONT.format(id="d", title="T", published="last Sunday")),
        "Error: notadate.md:4: invalid published date 'last Sunday' (write it as YYYY-MM-DD)",
    ),
    "invalid id": (
        _write("badid.md", FRONT.format(id="Bad Id", title="T", published="2019-12-02")),
        "Error: badid.md:2: invalid id 'Bad Id' (use lowercase letters, digits and '-')",
    ),
    "no body": (
        _write("nobody.md", "---\nid: n\ntitle: T\npublished: 2019-12-02\n---\n\n"),
        "Error: nobody.md: the article has no body (add the article text)",
    ),
    "not an article file": (
        _write("notes.docx", "text"),
        "Error: notes.docx: not an article file (unknown extension '.docx') "
        "(give a .md file with YAML front matter or a .txt file whose first line is the title)",
    ),
    "two articles with the same id": (
        _duplicates,
        "Error: dup/b.md: duplicate article id 'bsn-huobi-china-2019', also used by dup/a.md "
        "(give each article its own id)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_build_bad_input(
    runner: CliRunner, built: Workdir, built_seed: BuiltSeed, case: str
) -> None:
    make, line = BAD_INPUTS[case]
    arguments = make(built.path)
    before = snapshot(built)
    result = invoke(runner, "build", *arguments, "-o", "build/consortia.ttl")
    assert_error(result, line)
    assert_previous_build_intact(runner, built, before, built_seed)


def test_build_unwritable_output(runner: CliRunner, built: Workdir, built_seed: BuiltSeed) -> None:
    # A path under a regular file cannot be written, even by root.
    (built.path / "blocker").write_text("not a folder\n", encoding="utf-8")
    before = snapshot(built)
    result = invoke(runner, "build", "seeds", "-o", "blocker/out.ttl")
    assert_error(
        result,
        "Error: blocker/out.ttl: cannot write there: blocker is a file, not a folder "
        "(choose another -o path)",
    )
    assert (built.path / "blocker").read_text(encoding="utf-8") == "not a folder\n"
    assert_previous_build_intact(runner, built, before, built_seed)


def test_build_output_is_a_folder(runner: CliRunner, built: Workdir, built_seed: BuiltSeed) -> None:
    before = snapshot(built)
    result = invoke(runner, "build", "seeds", "-o", "build")
    assert_error(result, "Error: build: cannot write there: it is a folder (give a file name)")
    assert_previous_build_intact(runner, built, before, built_seed)


def test_build_unknown_output_extension(
    runner: CliRunner, built: Workdir, built_seed: BuiltSeed
) -> None:
    before = snapshot(built)
    result = invoke(runner, "build", "seeds", "-o", "build/consortia.xml")
    assert_error(
        result,
        "Error: build/consortia.xml: unknown output format '.xml' "
        "(use one of .ttl, .nt, .nq, .trig, .jsonld, optionally followed by .gz)",
    )
    assert not (built.path / "build" / "consortia.xml").exists()
    assert_previous_build_intact(runner, built, before, built_seed)


def test_build_unwritable_state(
    runner: CliRunner, built: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    (built.path / "blocker").write_text("", encoding="utf-8")
    monkeypatch.setenv("CONSORTIA_STATE", "blocker/state")
    before = built.output.read_bytes()
    result = invoke(runner, "build", "seeds", "-o", "build/consortia.ttl")
    assert_error(
        result,
        "Error: blocker/state: cannot write there: blocker is a file, not a folder "
        "(set --state or CONSORTIA_STATE to a writable folder)",
    )
    assert built.output.read_bytes() == before


# --- build: data that fails the shapes ----------------------------------------------

STRICT_SHAPE = """\
@prefix cxsh: <https://w3id.org/consortia/shapes#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

cxsh:StrictOrganizationShape a sh:NodeShape ;
    sh:targetClass org:Organization ;
    sh:property [
        sh:path schema:foundingDate ;
        sh:minCount 1 ;
        sh:message "Every organization needs a schema:foundingDate (a test shape)."@en
    ] .
"""


@pytest.fixture
def strict_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ontology/, shapes/ and mappings/ with a shape the seed cannot meet."""
    root = tmp_path / "strict-data"
    for folder in ("ontology", "shapes", "mappings"):
        shutil.copytree(Project.load().root / folder, root / folder)
    (root / "shapes" / "strict.ttl").write_text(STRICT_SHAPE, encoding="utf-8")
    monkeypatch.setenv("CONSORTIA_DATA", str(root))
    return root


def test_build_that_fails_the_shapes(
    runner: CliRunner, built: Workdir, built_seed: BuiltSeed, strict_data: Path
) -> None:
    before = snapshot(built)
    result = invoke(runner, "build", "seeds", "-o", "build/consortia.ttl")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1] == "Error: the build does not conform to the shapes; nothing was published"
    huobi = [line for line in lines if f"<{BASE}org/huobi-china>" in line]
    assert len(huobi) == 1
    assert "schema:foundingDate" in huobi[0]
    assert "Every organization needs a schema:foundingDate (a test shape)." in huobi[0]
    assert "Traceback" not in result.stderr
    assert_previous_build_intact(runner, built, before, built_seed)


# --- validate -----------------------------------------------------------------------

INVALID_TTL = f"""\
@prefix org: <http://www.w3.org/ns/org#> .
<{BASE}org/nameless> a org:Organization , org:FormalOrganization .
"""


def test_validate_last_build(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "validate")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 violations")


def test_validate_valid_file(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "validate", "build/consortia.ttl")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 violations")


def test_validate_gzipped_file(runner: CliRunner, built: Workdir) -> None:
    import gzip

    packed = built.path / "consortia.ttl.gz"
    packed.write_bytes(gzip.compress(built.output.read_bytes()))
    result = invoke(runner, "validate", "consortia.ttl.gz")
    assert result.exit_code == 0, result.stdout


@pytest.fixture
def invalid_ttl(workdir: Workdir) -> Path:
    path = workdir.path / "invalid.ttl"
    path.write_text(INVALID_TTL, encoding="utf-8")
    return path


def test_validate_invalid_file_text(runner: CliRunner, invalid_ttl: Path) -> None:
    result = invoke(runner, "validate", "invalid.ttl")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "1 violation, 0 warnings"
    assert any(f"<{BASE}org/nameless> skos:prefLabel: " in line for line in lines)


def test_validate_invalid_file_json(runner: CliRunner, invalid_ttl: Path) -> None:
    result = invoke(runner, "validate", "invalid.ttl", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["summary"]["violations"] == 1
    [problem] = report["results"]
    assert problem["focus_node"] == f"{BASE}org/nameless"
    assert problem["path"] == "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert problem["severity"] == "Violation"
    assert problem["message"]


def test_validate_invalid_file_turtle(runner: CliRunner, invalid_ttl: Path) -> None:
    result = invoke(runner, "validate", "invalid.ttl", "--format", "turtle")
    assert result.exit_code == 1
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == rdflib.Literal(False)
    [problem] = report.objects(node, SH.result)
    assert report.value(problem, SH.focusNode) == rdflib.URIRef(f"{BASE}org/nameless")


def test_validate_valid_file_json(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "validate", "build/consortia.ttl", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["conforms"] is True


def test_validate_missing_file(runner: CliRunner, workdir: Workdir) -> None:
    assert_error(
        invoke(runner, "validate", "missing.ttl"),
        "Error: missing.ttl: no such file (check the path)",
    )


def test_validate_without_a_build(runner: CliRunner, workdir: Workdir) -> None:
    assert_error(
        invoke(runner, "validate"),
        f"Error: {workdir.state}/last-build.nq: no such file (run `consortia build` first)",
    )


def test_validate_unparsable_file(runner: CliRunner, workdir: Workdir) -> None:
    (workdir.path / "broken.ttl").write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = invoke(runner, "validate", "broken.ttl")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: broken.ttl: cannot parse: ")
    assert result.stderr.endswith(
        " (fix the Turtle syntax there, or give the file the extension of its format)\n"
    )
    assert result.stderr.count("\n") == 1


def test_validate_unknown_format(runner: CliRunner, workdir: Workdir) -> None:
    (workdir.path / "data.xyz").write_text("", encoding="utf-8")
    assert_error(
        invoke(runner, "validate", "data.xyz"),
        "Error: data.xyz: unknown RDF format '.xyz' "
        "(use .ttl, .nt, .nq, .trig, .rdf or .jsonld, optionally followed by .gz)",
    )


# --- query --------------------------------------------------------------------------

ALLIANCES = "SELECT ?alliance ?name WHERE { ?alliance a cx:Alliance ; skos:prefLabel ?name }"


def test_query_select_table(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "query", ALLIANCES)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "alliance                                                    name\n"
        "----------------------------------------------------------  "
        "-----------------------------\n"
        "id:org/bsn-development-alliance (BSN Development Alliance)  "
        '"BSN Development Alliance"@en\n'
        "1 row\n"
    )


def test_query_table_fits_the_terminal(
    runner: CliRunner, built: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = invoke(runner, "query", ALLIANCES)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "alliance             name\n"
        "-------------------  -------------------\n"
        'id:org/bsn-develop…  "BSN Development A…\n'
        "1 row\n"
    )


def test_query_select_csv(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "query", ALLIANCES, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "alliance,name",
        f"{BASE}org/bsn-development-alliance,BSN Development Alliance",
    ]


def test_query_select_json(runner: CliRunner, built: Workdir) -> None:
    result = invoke(runner, "query", ALLIANCES, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "head": {"vars": ["alliance", "name"]},
        "results": {
            "bindings": [
                {
                    "alliance": {"type": "uri", "value": f"{BASE}org/bsn-development-alliance"},
                    "name": {
                        "type": "literal",
                        "value": "BSN Development Alliance",
                        "xml:lang": "en",
                    },
                }
            ]
        },
    }


def test_query_ask(runner: CliRunner, built: Workdir) -> None:
    assert invoke(runner, "query", HUOBI_MEMBER).stdout == "true\n"
    visa = f"ASK {{ <{BASE}org/visa> org:memberOf ?alliance }}"
    assert invoke(runner, "query", visa).stdout == "false\n"


def test_query_construct_prints_turtle(runner: CliRunner, built: Workdir) -> None:
    result = invoke(
        runner, "query", "CONSTRUCT { ?m org:memberOf ?a } WHERE { ?m org:memberOf ?a }"
    )
    assert result.exit_code == 0, result.stderr
    assert f"<{BASE}org/huobi-china> org:memberOf <{BASE}org/bsn-development-alliance> ." in (
        result.stdout.splitlines()
    )
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert set(graph) == {
        (
            rdflib.URIRef(f"{BASE}org/huobi-china"),
            ORG.memberOf,
            rdflib.URIRef(f"{BASE}org/bsn-development-alliance"),
        )
    }


def test_query_from_file(runner: CliRunner, built: Workdir) -> None:
    (built.path / "alliances.rq").write_text(ALLIANCES + "\n", encoding="utf-8")
    result = invoke(runner, "query", "-f", "alliances.rq", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        f"{BASE}org/bsn-development-alliance,BSN Development Alliance"
    )


def test_query_param(runner: CliRunner, built: Workdir) -> None:
    result = invoke(
        runner,
        "query",
        "SELECT ?org ?name WHERE { ?org skos:prefLabel ?name }",
        "--param",
        f"org=<{BASE}org/huobi-china>",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["org,name", f"{BASE}org/huobi-china,Huobi China"]


def test_query_invalid_sparql(runner: CliRunner, built: Workdir) -> None:
    assert_error(
        invoke(runner, "query", "SELEC ?x WHERE { ?x ?p ?o }"),
        "Error: invalid SPARQL query: error at 1:10: expected CONSTRUCT (fix the query at that "
        f"line and column; the prefixes {PREDECLARED} are predeclared)",
    )


def test_query_invalid_sparql_in_file(runner: CliRunner, built: Workdir) -> None:
    (built.path / "bad.rq").write_text("SELEC ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    assert_error(
        invoke(runner, "query", "-f", "bad.rq"),
        "Error: bad.rq: invalid SPARQL query: error at 1:10: expected CONSTRUCT (fix the query "
        f"at that line and column; the prefixes {PREDECLARED} are predeclared)",
    )


def test_query_update_is_refused(runner: CliRunner, built: Workdir) -> None:
    update = f"INSERT DATA {{ <{BASE}org/visa> org:memberOf <{BASE}org/bsn-development-alliance> }}"
    assert_error(
        invoke(runner, "query", update),
        "Error: SPARQL updates are not allowed: `consortia query` is read-only "
        "(to change the data, edit the articles and run `consortia build` again)",
    )
    visa = f"ASK {{ <{BASE}org/visa> org:memberOf ?alliance }}"
    assert invoke(runner, "query", visa).stdout == "false\n"


def test_query_missing_file(runner: CliRunner, built: Workdir) -> None:
    assert_error(
        invoke(runner, "query", "-f", "missing.rq"),
        "Error: missing.rq: cannot read the query: No such file or directory "
        "(check the path of the .rq file)",
    )


def test_query_needs_exactly_one_query(runner: CliRunner, built: Workdir) -> None:
    line = (
        "Error: give a query or -f FILE.rq, not both and not neither "
        "(e.g. consortia query 'ASK { ?a a cx:Alliance }')"
    )
    assert_error(invoke(runner, "query"), line)
    (built.path / "q.rq").write_text("ASK {}\n", encoding="utf-8")
    assert_error(invoke(runner, "query", "ASK {}", "-f", "q.rq"), line)


def test_query_bad_param(runner: CliRunner, built: Workdir) -> None:
    assert_error(
        invoke(runner, "query", "ASK {}", "--param", "org"),
        "Error: --param 'org' is not name=value (e.g. --param org=<https://...>)",
    )


def test_query_format_must_fit_the_query(runner: CliRunner, built: Workdir) -> None:
    assert_error(
        invoke(runner, "query", ALLIANCES, "--format", "turtle"),
        "Error: unknown format 'turtle' for SELECT and ASK results "
        "(use one of table, csv, tsv, json, xml)",
    )


def test_query_without_a_build(runner: CliRunner, workdir: Workdir) -> None:
    assert_error(
        invoke(runner, "query", "ASK {}"),
        f"Error: no build found at {workdir.state}/store (run `consortia build` first)",
    )


# --- export -------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["ttl", "nt", "nq", "trig", "jsonld", "nq.gz"])
def test_export_is_what_build_writes(
    runner: CliRunner, built: Workdir, built_seed: BuiltSeed, extension: str
) -> None:
    result = invoke(runner, "export", "-o", f"out/e.{extension}")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.endswith(
        f"({'nq' if extension == 'nq.gz' else extension.replace('ttl', 'turtle')}) -> "
        f"out/e.{extension}; description -> out/e.{extension}.void.ttl\n"
    )
    build = invoke(runner, "build", "seeds", "-o", f"b/b.{extension}")
    assert build.exit_code == 0, build.stderr
    exported = built.path / f"out/e.{extension}"
    assert exported.read_bytes() == (built.path / f"b/b.{extension}").read_bytes()
    descriptions = [
        (built.path / f"{folder}.{extension}.void.ttl").read_text(encoding="utf-8")
        for folder in ("out/e", "b/b")
    ]
    assert descriptions[0] == descriptions[1].replace(f"<b.{extension}>", f"<e.{extension}>")


def test_export_to_stdout(runner: CliRunner, built: Workdir, built_seed: BuiltSeed) -> None:
    turtle = invoke(runner, "export")
    assert turtle.exit_code == 0, turtle.stderr
    assert turtle.stdout.encode() == built_seed.turtle
    quads = invoke(runner, "export", "--format", "nq")
    assert quads.stdout.encode() == (built.state / "last-build.nq").read_bytes()
    assert not list(built.path.glob("*.void.ttl"))


def test_export_format_must_match_the_file_name(runner: CliRunner, built: Workdir) -> None:
    assert_error(
        invoke(runner, "export", "--format", "nq", "-o", "x.ttl"),
        "Error: x.ttl: --format nq does not match the file name "
        "(name the file *.nq or leave out --format)",
    )


def test_export_without_a_build(runner: CliRunner, workdir: Workdir) -> None:
    assert_error(
        invoke(runner, "export"),
        f"Error: no build found in {workdir.state} (run `consortia build` first, or give --state)",
    )


def test_build_describes_its_output(runner: CliRunner, built: Workdir) -> None:
    description = built.path / "build" / "consortia.ttl.void.ttl"
    assert not description.exists()  # the fixture copied the output alone
    assert invoke(runner, "build").exit_code == 0
    text = description.read_text(encoding="utf-8")
    assert "<consortia.ttl> a dcat:Distribution" in text
    assert '"1970-01-01T00:00:00Z"^^xsd:dateTime' in text  # SOURCE_DATE_EPOCH=0


# --- evaluate -----------------------------------------------------------------------


def test_evaluate(runner: CliRunner, workdir: Workdir) -> None:
    gold = workdir.path / "gold"
    gold.mkdir()
    shutil.copy(SEED_ARTICLE, gold)
    shutil.copy(Path(__file__).parent / "gold" / f"{SEED_ID}.gold.yaml", gold)
    result = invoke(runner, "evaluate", "gold", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    text = invoke(runner, "evaluate", "gold")
    assert text.exit_code == 0
    assert text.stdout.strip()


def test_evaluate_missing_folder(runner: CliRunner, workdir: Workdir) -> None:
    assert_error(
        invoke(runner, "evaluate", "nowhere"),
        "Error: nowhere: no such folder (give the folder of *.md and *.gold.yaml)",
    )
