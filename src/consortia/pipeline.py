"""The whole build: articles -> facts -> quads -> validated, stored, written.

Each stage is a function of values; files are read and written only here and in
the modules this calls at the edges (sources, export, store).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from consortia import __version__
from consortia.errors import ConsortiaError
from consortia.extract import Extraction, Extractor
from consortia.mapping import Mapper, Settings, load_templates
from consortia.model import Entity
from consortia.project import Project
from consortia.sources import Article, load_articles

if TYPE_CHECKING:
    import rdflib

    from consortia.validation import Report

Progress = Callable[[str], None]

_STATE_HINT = "set --state or CONSORTIA_STATE to a writable folder"


class ValidationFailed(ConsortiaError):
    """The built data does not conform to the shapes; nothing was published."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("the build does not conform to the shapes; nothing was published")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    articles: tuple[Article, ...]
    extractions: tuple[Extraction, ...]
    quads: tuple[ox.Quad, ...]
    report: Report
    prefixes: dict[str, str]

    @property
    def facts(self) -> int:
        return sum(len(e.facts) for e in self.extractions)


def _content_hash(article: Article) -> str:
    digest = hashlib.sha256()
    for part in (
        article.id,
        article.title,
        article.body,
        article.published.isoformat(),
        article.url or "",
        article.publisher or "",
        article.language,
        __version__,
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _generation_times(project: Project, articles: Sequence[Article]) -> dict[str, str]:
    """When each article's current content was first built.

    ``SOURCE_DATE_EPOCH`` fixes it for reproducible builds; otherwise the time is
    kept in the build state, so that rebuilding unchanged input is byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            fixed = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ConsortiaError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds",
                hint="unset it or give an integer",
            ) from None
        stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {a.id: stamp for a in articles}
    known: dict[str, dict[str, str]] = {}
    if project.manifest.is_file():
        try:
            known = json.loads(project.manifest.read_text(encoding="utf-8")).get("articles", {})
        except (OSError, ValueError):
            known = {}
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    times = {}
    for article in articles:
        entry = known.get(article.id, {})
        same = entry.get("hash") == _content_hash(article)
        times[article.id] = entry.get("generated", now) if same else now
    return times


def to_rdflib(quads: Sequence[ox.Quad]) -> rdflib.Dataset:
    """The quads as an rdflib Dataset (for pyshacl and rdflib users)."""
    import rdflib

    def term(t: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> rdflib.term.Node:
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return rdflib.Literal(t.value, lang=t.language)
            return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
        raise TypeError(f"unsupported term {t!r}")

    dataset = rdflib.Dataset()
    for quad in quads:
        graph = quad.graph_name
        context = (
            dataset.default_graph
            if isinstance(graph, ox.DefaultGraph)
            else dataset.graph(rdflib.URIRef(graph.value))
        )
        context.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return dataset


def place_containers(extractor: Extractor, place: Entity) -> tuple[Entity, ...]:
    """The places containing a place, nearest first, as the gazetteer knows them."""
    chain = []
    for name in extractor.gazetteer.parents(place.name):
        found = extractor.gazetteer.lookup(name)
        if found is not None and found.name != place.name:
            chain.append(Entity(found.name, "Location", found.kind, geonames=found.geonames_id))
    return tuple(chain)


def publisher_entity(extractor: Extractor, article: Article) -> Entity | None:
    """The outlet as an organization: the registry's entity, or a new one."""
    if not article.publisher:
        return None
    known = extractor.r.registry.lookup(article.publisher)
    return known or Entity(article.publisher, "Organization", "FormalOrganization")


def build_quads(
    project: Project,
    articles: Sequence[Article],
    progress: Progress | None = None,
    times: dict[str, str] | None = None,
) -> tuple[list[Extraction], list[ox.Quad], dict[str, str]]:
    """Extract and map every article: the dataset, not yet validated."""
    extractor = Extractor.from_directory(project.mappings)
    templates = load_templates(project.mappings / "templates.yaml")
    times = times or _generation_times(project, articles)
    extractions: list[Extraction] = []
    quads: list[ox.Quad] = []
    for number, article in enumerate(articles, start=1):
        mapper = Mapper(
            templates,
            extractor.r.roles,
            Settings(project.base, __version__, times[article.id]),
            containers=lambda place: place_containers(extractor, place),
        )
        extraction = extractor.extract(article)
        extractions.append(extraction)
        quads.extend(mapper.map_extraction(extraction, publisher_entity(extractor, article)))
        if progress and (number % 100 == 0 or number == len(articles)) and len(articles) >= 100:
            progress(f"{number}/{len(articles)} articles")
    unique = sorted(set(quads), key=str)
    return extractions, unique, dict(templates.prefixes)


def validate_quads(project: Project, quads: Sequence[ox.Quad]) -> Report:
    """Validate a dataset against the shapes, with the ontology's class hierarchy."""
    from consortia.validation import load_shapes, validate

    return validate(to_rdflib(quads), load_shapes(project.shapes), class_hierarchy(project))


def class_hierarchy(project: Project) -> rdflib.Graph:
    """The ontology's subclass axioms between named classes: all that validation needs.

    Handing pyshacl the whole ontology makes it copy every axiom into the data
    graph, which costs far more than the validation itself.
    """
    import rdflib
    from rdflib.namespace import RDFS

    from consortia.validation import load_ontology

    ontology = load_ontology(project.ontology)
    hierarchy = rdflib.Graph()
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, rdflib.URIRef) and isinstance(sup, rdflib.URIRef):
            hierarchy.add((sub, RDFS.subClassOf, sup))
    return hierarchy


def build(
    project: Project,
    paths: Sequence[Path],
    output: Path | None,
    *,
    published: dt.date | None = None,
    url: str | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build, validate and publish: ``output`` (None for stdout) and the store.

    Data that fails the shapes raises :class:`ValidationFailed` before anything
    is written, so the previous output and store stay as they were.
    """
    from consortia.export import format_for, write_dataset, write_rdf
    from consortia.store import replace_store

    articles = load_articles(paths, published=published, url=url)
    # Output paths that cannot be written fail before the work, and before
    # anything is created: a failed build leaves no trace.
    if output is not None:
        _check_writable(output, "choose another -o path")
        format_for(output)
    _check_writable(project.state, _STATE_HINT, folder=True)
    times = _generation_times(project, articles)
    extractions, quads, prefixes = build_quads(project, articles, progress, times)
    report = validate_quads(project, quads)
    if not report.conforms:
        raise ValidationFailed(report)
    # The output and, beside a file, its VoID/DCAT description (<output>.void.ttl).
    write_dataset(quads, output, prefixes=prefixes, base=project.base)
    _make_state(project.state)
    write_rdf(quads, project.last_build, prefixes=prefixes)
    replace_store(project.store, quads)
    _write_manifest(project, articles, output, times)
    return BuildResult(tuple(articles), tuple(extractions), tuple(quads), report, prefixes)


def _check_writable(path: Path, hint: str, *, folder: bool = False) -> None:
    """Fail early when ``path`` (a file, or a folder if ``folder``) cannot be written.

    Nothing is created: the nearest existing ancestor must be a folder we may
    write to, and the path itself, if it exists, of the right kind.
    """
    from consortia.errors import OutputError

    if path.exists():
        if folder and not path.is_dir():
            raise OutputError(
                "cannot write there: it is a file, not a folder", path=path, hint=hint
            )
        if not folder and path.is_dir():
            raise OutputError(
                "cannot write there: it is a folder", path=path, hint="give a file name"
            )
        target = path if folder else path.parent
    else:
        target = next((p for p in path.absolute().parents if p.exists()), Path("/"))
        if not target.is_dir():
            raise OutputError(
                f"cannot write there: {_shown(target, path)} is a file, not a folder",
                path=path,
                hint=hint,
            )
    if not os.access(target, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write there: permission denied in {_shown(target, path)}",
            path=path,
            hint=hint,
        )


def _shown(ancestor: Path, path: Path) -> str:
    """``ancestor`` spelled as the user spelled ``path`` (relative stays relative)."""
    if path.is_absolute():
        return str(ancestor)
    for parent in path.parents:
        if parent.absolute() == ancestor:
            return str(parent)
    return str(ancestor)


def _make_state(state: Path) -> None:
    from consortia.errors import OutputError

    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the state folder: {exc.strerror or exc}",
            path=state,
            hint=_STATE_HINT,
        ) from None


def _write_manifest(
    project: Project, articles: Sequence[Article], output: Path | None, times: dict[str, str]
) -> None:
    data = {
        "version": __version__,
        "output": str(output) if output else None,
        "articles": {
            a.id: {"hash": _content_hash(a), "generated": times[a.id], "path": str(a.path)}
            for a in articles
        },
    }
    tmp = project.manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(project.manifest)


def build_graph(project: Project, path: Path) -> rdflib.Dataset:
    """One article's dataset, extracted and mapped but not published (for evaluation)."""
    articles = load_articles([path])
    _, quads, _ = build_quads(
        project, articles, times={a.id: "2000-01-01T00:00:00Z" for a in articles}
    )
    return to_rdflib(quads)


def validate_files(project: Project, files: Sequence[Path]) -> Report:
    """Validate RDF files (any format pyoxigraph reads, by extension) against the shapes."""
    from consortia.errors import SourceError

    quads: list[ox.Quad] = []
    for file in files:
        if not file.is_file():
            hint = "run `consortia build` first" if file == project.last_build else "check the path"
            raise SourceError("no such file", path=file, hint=hint)
        compressed = file.suffix.lower() == ".gz"
        suffix = Path(file.stem).suffix if compressed else file.suffix
        fmt = ox.RdfFormat.from_extension(suffix.lstrip(".").lower()) if suffix else None
        if fmt is None:
            raise SourceError(
                f"unknown RDF format {suffix or '(none)'!r}",
                path=file,
                hint="use .ttl, .nt, .nq, .trig, .rdf or .jsonld, optionally followed by .gz",
            )
        try:
            data = file.read_bytes()
            if compressed:
                data = gzip.decompress(data)
            parsed = list(ox.parse(data, format=fmt))
        except (SyntaxError, ValueError, OSError, EOFError) as exc:
            raise SourceError(
                f"cannot parse: {exc}",
                path=file,
                hint=f"fix the {fmt.name} syntax there, or give the file the extension "
                "of its format",
            ) from None
        quads.extend(
            q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object)
            for q in parsed
        )
    return validate_quads(project, quads)
