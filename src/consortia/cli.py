"""The ``consortia`` command: parse, call one library function, render.

Imports of the heavy libraries happen inside the commands so that ``--help`` and
``query`` start fast. A :class:`~consortia.errors.ConsortiaError` becomes one line
on stderr and exit code 2; a build that fails the shapes exits 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from consortia import __version__
from consortia.errors import ConsortiaError, SourceError

if TYPE_CHECKING:
    from consortia.project import Project

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1  # data does not conform / query found nothing wrong to report
EXIT_ERROR = 2  # the user's input or settings are wrong


def _errors(func: F) -> F:
    """Turn library errors into one readable line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConsortiaError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _project(state: Path | None, base: str | None = None) -> Project:
    from consortia.project import Project

    return Project.load(state=state, base=base)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


def format_option(choices: list[str], default: str | None, help: str) -> Callable[[F], F]:
    """The shared ``--format`` option: the same name, spelling and help layout everywhere."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=default is not None,
        help=help,
    )


state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of the build state and store (default: .consortia, or $CONSORTIA_STATE).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example: consortia build seeds/ -o build/consortia.ttl",
)
@click.version_option(__version__, prog_name="consortia")
def main() -> None:
    """Publish what news articles say about organizations and alliances as linked data."""


@contextmanager
def _told(verbose: bool) -> Iterator[None]:
    """With ``verbose``, what the build logs at INFO goes to stderr, as lines."""
    if not verbose:
        yield
        return
    import logging

    logger = logging.getLogger("consortia")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@main.command(epilog="Example: consortia build seeds/ -o build/consortia.ttl")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default="build/consortia.ttl",
    show_default=True,
    help="Output file; its extension picks the format (.ttl .nt .nq .trig .jsonld, "
    "optionally .gz); '-' writes Turtle to stdout.",
)
@click.option("--published", callback=_date, help="Publication date (YYYY-MM-DD) of .txt articles.")
@click.option("--url", help="URL of a .txt article.")
@click.option("--base", help="IRI base of minted entities (default $CONSORTIA_BASE or w3id.org).")
@state_option
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Say on stderr how the build went: patched in place, or why it was built whole.",
)
@_errors
def build(
    paths: tuple[Path, ...],
    output: str,
    published: dt.date | None,
    url: str | None,
    base: str | None,
    state: Path | None,
    verbose: bool,
) -> None:
    """Extract, resolve, map, validate and write the dataset of PATHS (default: seeds/).

    Articles are Markdown with YAML front matter, or .txt whose first line is the
    title. Data that fails the shapes is not published: the report is printed,
    the exit code is 1, and the previous output is left as it was.
    """
    from consortia.pipeline import ValidationFailed
    from consortia.pipeline import build as run_build
    from consortia.validation import render_text

    project = _project(state, base)
    destination = None if output == "-" else Path(output)
    if not paths and not Path("seeds").is_dir():
        raise SourceError(
            "no articles given and no seeds/ folder here",
            hint="name the article files or folders: consortia build ARTICLES... -o FILE",
        )
    sources = list(paths) or [Path("seeds")]
    try:
        with _told(verbose):
            result = run_build(
                project,
                sources,
                destination,
                published=published,
                url=url,
                progress=lambda line: click.echo(line, err=True),
            )
    except ValidationFailed as failed:
        click.echo(render_text(failed.report), err=True)
        click.echo(f"Error: {failed}", err=True)
        sys.exit(EXIT_FAILED)
    where = "stdout" if destination is None else str(destination)
    click.echo(
        f"{len(result.articles)} article(s), {result.facts} fact(s), "
        f"{result.quad_count} quads -> {where}",
        err=True,
    )
    warnings = [r for r in result.report.results if str(r.severity).endswith("Warning")]
    if warnings:
        click.echo(render_text(result.report), err=True)


@main.command(epilog="Example: consortia validate build/consortia.ttl --format json")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@format_option(
    ["text", "turtle", "json"],
    "text",
    "Report format.",
)
@state_option
@_errors
def validate(files: tuple[Path, ...], fmt: str, state: Path | None) -> None:
    """Validate RDF FILES (default: the last build) against the shapes.

    Exit code 0: conforms (warnings may be reported); 1: does not conform;
    2: an error (a missing or unparsable file).
    """
    from consortia.pipeline import validate_files
    from consortia.validation import render_json, render_text, render_turtle

    project = _project(state)
    report = validate_files(project, list(files) or [project.last_build])
    render = {"text": render_text, "turtle": render_turtle, "json": render_json}[fmt]
    click.echo(render(report).rstrip("\n"))
    sys.exit(0 if report.conforms else EXIT_FAILED)


@main.command(epilog="Example: consortia query 'SELECT ?a WHERE { ?a a cx:Alliance }' --format csv")
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(path_type=Path),
    help="Read the query from a .rq file.",
)
@format_option(
    ["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"],
    None,
    "Output format: table (default), csv, tsv, json, xml for SELECT/ASK; "
    "turtle (default), nt, jsonld for CONSTRUCT/DESCRIBE.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    help="Bind a variable: name=value (an IRI <...>, a prefixed name, or a literal).",
)
@click.option(
    "--endpoint",
    help="Query this remote SPARQL endpoint (SPARQL 1.1 Protocol) instead of the last build; "
    "credentials from CONSORTIA_TOKEN or CONSORTIA_USER/CONSORTIA_PASSWORD.",
)
@state_option
@_errors
def query(
    query: str | None,
    query_file: Path | None,
    fmt: str | None,
    params: tuple[str, ...],
    endpoint: str | None,
    state: Path | None,
) -> None:
    """Run a SPARQL 1.1 query over the last build (read-only).

    The union of all graphs is queried; the prefixes of the published model
    (cx:, org:, schema:, skos:, prov:, time:...) are predeclared. SELECT and ASK
    print a table, CONSTRUCT and DESCRIBE print Turtle. Updates are refused.
    With --endpoint the query runs at a remote SPARQL endpoint instead.
    """
    from consortia.errors import QueryError
    from consortia.query import render, run_query

    if (query is None) == (query_file is None):
        raise QueryError(
            "give a query or -f FILE.rq, not both and not neither",
            hint="e.g. consortia query 'ASK { ?a a cx:Alliance }'",
        )
    text = _read_query(query_file) if query_file is not None else query or ""
    bound: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise QueryError(
                f"--param {item!r} is not name=value", hint="e.g. --param org=<https://...>"
            )
        bound[name.lstrip("?$")] = value
    project = _project(state)
    prefixes = _prefixes(project)
    try:
        if endpoint is not None:
            from consortia.remote import run_remote_query

            labels = fmt in (None, "table")
            result = run_remote_query(endpoint, text, params=bound, labels=labels)
        else:
            result = run_query(project.store, text, params=bound, labels=fmt in (None, "table"))
    except QueryError as exc:
        if query_file is None or exc.path is not None:
            raise
        raise QueryError(exc.message, path=query_file, hint=exc.hint) from None
    chosen = fmt or ("turtle" if result.kind == "graph" else "table")
    if result.kind == "graph":
        # Instance IRIs hold '/', which Turtle must escape in a prefixed name
        # (id:org\/acme): whole IRIs read better there; tables keep id:org/acme.
        prefixes.pop("id", None)
    click.echo(render(result, chosen, prefixes, width=_terminal_width()).rstrip("\n"))


def _terminal_width() -> int | None:
    """Columns to fit a table in: $COLUMNS, else the terminal's; None when piped."""
    import os
    import shutil

    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _read_query(path: Path) -> str:
    from consortia.errors import QueryError

    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(
            f"cannot read the query: {exc.strerror or exc}",
            path=path,
            hint="check the path of the .rq file",
        ) from None
    except UnicodeDecodeError:
        raise QueryError(
            "the query file is not valid UTF-8", path=path, hint="save the file as UTF-8"
        ) from None


def _prefixes(project: Any) -> dict[str, str]:
    from consortia.export import model_prefixes

    return {**model_prefixes(project.mappings), "id": project.base}


@main.command(epilog="Example: consortia publish --endpoint http://localhost:7878/store")
@click.option(
    "--endpoint",
    required=True,
    help="Graph Store Protocol URL of the remote store (Oxigraph: http://HOST:7878/store).",
)
@click.option("--force", is_flag=True, help="Send every graph, changed or not.")
@click.option("--dry-run", is_flag=True, help="Say what would change; send nothing.")
@state_option
@_errors
def publish(endpoint: str, force: bool, dry_run: bool, state: Path | None) -> None:
    """Replace each article's named graph in a remote store with the last build.

    One PUT per changed graph (SPARQL 1.1 Graph Store HTTP Protocol), DELETE for
    articles gone since the last publish to this endpoint; unchanged graphs are
    skipped. The statements about the graphs go into the named graph
    <BASE>graph/_meta. Credentials come from the environment only: CONSORTIA_TOKEN
    (bearer token) or CONSORTIA_USER and CONSORTIA_PASSWORD (basic auth).
    """
    from consortia.remote import publish as run_publish

    project = _project(state)
    result = run_publish(
        project,
        endpoint,
        force=force,
        dry_run=dry_run,
        progress=lambda line: click.echo(line, err=True),
    )
    click.echo(result.summary())


@main.command(epilog="Example: consortia export --format nq -o build/consortia.nq")
@format_option(
    ["ttl", "turtle", "nt", "nq", "trig", "jsonld"],
    None,
    "Output format (default: the one -o names, else Turtle).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Output file (.ttl .nt .nq .trig .jsonld, optionally .gz); '-' for stdout. "
    "A file gets its VoID/DCAT description beside it, as FILE.void.ttl.",
)
@state_option
@_errors
def export(fmt: str | None, output: str, state: Path | None) -> None:
    """Write the last build in another format, exactly as `consortia build -o` would.

    The same dataset always gives the same bytes; JSON-LD embeds the published
    context (ontology/context.jsonld).
    """
    from consortia.export import export_build

    destination = None if output == "-" else Path(output)
    written = export_build(_project(state), destination, fmt)
    if written.path is not None:
        click.echo(
            f"{written.statements} statements ({written.fmt}) -> {written.path}; "
            f"description -> {written.description}",
            err=True,
        )


@main.command(epilog="Example: consortia ontology -o docs/ontology.html")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="File to write; '-' writes to stdout.",
)
@format_option(
    ["html", "ttl"],
    "html",
    "html: the readable reference; ttl: the ontology's Turtle, unchanged.",
)
@_errors
def ontology(output: str, fmt: str) -> None:
    """Write the reference of the ontology (classes, properties, alignments, roles).

    The HTML page is generated from ontology/consortia.ttl and is self-contained;
    --format ttl prints that Turtle file byte for byte.
    """
    from consortia.ontology_doc import ontology_html

    path = _project(None).ontology
    if fmt == "ttl":
        try:
            payload = path.read_bytes()
        except OSError as exc:
            raise ConsortiaError(
                f"cannot read the ontology: {exc.strerror or exc}",
                path=path,
                hint="reinstall Consortia or set CONSORTIA_DATA",
            ) from None
    else:
        payload = ontology_html(path).encode("utf-8")
    if output == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    from consortia.export import write_atomically

    write_atomically(Path(output), payload)
    click.echo(f"{fmt} reference of the ontology -> {output}", err=True)


@main.command(epilog="Example: consortia evaluate tests/gold --format json")
@click.argument("gold_dir", type=click.Path(path_type=Path))
@format_option(
    ["text", "json"],
    "text",
    "Report format.",
)
@_errors
def evaluate(gold_dir: Path, fmt: str) -> None:
    """Build each annotated article in GOLD_DIR and score what is published against its gold."""
    from consortia.evaluate import evaluate_dir, render_json, render_text
    from consortia.pipeline import build_graph

    if not gold_dir.is_dir():
        raise ConsortiaError(
            "no such folder", path=gold_dir, hint="give the folder of *.md and *.gold.yaml"
        )
    project = _project(None)
    evaluation = evaluate_dir(gold_dir, lambda path: build_graph(project, path))
    click.echo((render_json if fmt == "json" else render_text)(evaluation).rstrip("\n"))
