"""Extract, map and validate a batch of articles: the unit of work of a build.

A batch runs in this process for small builds and in a worker process of a pool
for large ones; either way :func:`process_batch` gives the same values, so the
output does not depend on where or in which order batches ran. Each worker
loads the extraction data, the templates and the shapes once (see
:func:`_context`). Quads leave a worker as N-Quads bytes: pickling pyoxigraph
terms one by one costs thirty times more than writing and parsing N-Quads.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from consortia import __version__
from consortia.errors import ConsortiaError
from consortia.extract import Extractor
from consortia.mapping import Mapper, Settings, Templates, load_templates
from consortia.project import Project
from consortia.sources import Article

if TYPE_CHECKING:
    import rdflib

    from consortia.crosscheck import CrossCheck
    from consortia.validation import ValidationResult

__all__ = [
    "ArticleOutput",
    "BatchOutput",
    "article_output",
    "context_for",
    "dump_quads",
    "load_quads",
    "process_batch",
]


@dataclass(frozen=True)
class ArticleOutput:
    """One article's quads and how many facts it states.

    ``named`` holds the statements of the article's named graph ``graph`` (its
    N-Triples name, ``<...>``), ``default`` its default-graph statements (the
    graph's provenance), both as sorted N-Quads lines (see
    :func:`consortia.export.canonical_nquads`).
    """

    id: str
    graph: str
    named: bytes
    default: bytes
    facts: int

    @property
    def nquads(self) -> bytes:
        return self.default + self.named

    def triple_lines(self) -> set[bytes]:
        """The article's distinct triples (its graph's statements and its
        default-graph ones) as N-Triples lines, without their line ends.

        A graph line is its triple followed by the graph's IRI, the last
        ``" <"`` of the line (an IRI holds no space; a literal before it may).

        >>> output = ArticleOutput("a", "<g:a>", b'<s:x> <p:y> "a <b" <g:a> .\\n', b"", 1)
        >>> output.triple_lines()
        {b'<s:x> <p:y> "a <b" .'}
        """
        lines = set(self.default.splitlines())
        for line in self.named.splitlines():
            if line:
                lines.add(line[: line.rfind(b" <")] + b" .")
        lines.discard(b"")
        return lines


@dataclass(frozen=True)
class BatchOutput:
    """What a batch produced: per-article quads, extractions, and validation results.

    Each result comes with the ids of the batch's articles that state its focus
    node, so that an incremental build can reuse it for the unchanged ones.
    """

    articles: tuple[ArticleOutput, ...]
    results: tuple[tuple[tuple[str, ...], ValidationResult], ...]
    timings: dict[str, float] = field(default_factory=dict)
    #: The worker's extraction context, pickled, when asked for (see `keep_warm`).
    context: bytes | None = None


@dataclass
class _Context:
    key: tuple[str, str, str]
    extractor: Extractor
    templates: Templates


_CONTEXT: list[_Context] = []  # the last one loaded in this process
_VALIDATION: dict[tuple[str, str, str], tuple[rdflib.Graph, rdflib.Graph, CrossCheck]] = {}


def context_for(project: Project, fingerprint: str) -> _Context:
    """The extraction and mapping data of ``project``, loaded once per process.

    The first process to load them keeps a copy in the state folder (see
    `_warm`), from which a rebuild of a few articles starts sooner.
    """
    key = (str(project.root), project.base, fingerprint)
    if _CONTEXT and _CONTEXT[0].key == key:
        return _CONTEXT[0]
    kept = _warm(project, fingerprint, "context")
    if isinstance(kept, _Context) and kept.key == key:
        context = kept
    else:
        context = _Context(
            key,
            Extractor.from_directory(project.mappings),
            load_templates(project.mappings / "templates.yaml"),
        )
        _keep_warm(project, fingerprint, "context", context)
    _CONTEXT[:] = [context]
    return context


_CHECKS: dict[tuple[str, str, str], CrossCheck] = {}


def union_checks(project: Project, fingerprint: str) -> CrossCheck:
    """The union checks of ``project`` (see :func:`validation_data`), kept like
    `context_for`'s data: shapes need not be parsed to run them."""
    from consortia.crosscheck import CrossCheck

    key = (str(project.root), project.base, fingerprint)
    if key not in _CHECKS:
        kept = _warm(project, fingerprint, "checks")
        if not isinstance(kept, CrossCheck):
            kept = validation_data(project, fingerprint)[2]
            _keep_warm(project, fingerprint, "checks", kept)
        _CHECKS.clear()
        _CHECKS[key] = kept
    return _CHECKS[key]


def _warm_path(project: Project, fingerprint: str, kind: str) -> Path:
    return project.state / f"warm-{kind}-{fingerprint[:16]}.pickle"


def _warm(project: Project, fingerprint: str, kind: str) -> object:
    """What `_keep_warm` kept for this data and software, or None.

    The state folder is the build's own, like its cache; a copy that cannot
    be read is built again.
    """
    import pickle

    try:
        with _warm_path(project, fingerprint, kind).open("rb") as handle:
            return pickle.load(handle)
    except Exception:
        return None


def _keep_warm(project: Project, fingerprint: str, kind: str, value: object) -> None:
    """Keep ``value`` in the state folder (if there is one) for the next process."""
    _write_warm(project, fingerprint, kind, _pickled(value))


def _write_warm(project: Project, fingerprint: str, kind: str, pickled: bytes) -> None:
    from consortia.export import write_atomically

    path = _warm_path(project, fingerprint, kind)
    if not path.parent.is_dir():
        return
    try:
        write_atomically(path, pickled)
        for old in path.parent.glob(f"warm-{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ConsortiaError):
        pass  # only a slower start next time


def validation_data(
    project: Project, fingerprint: str
) -> tuple[rdflib.Graph, rdflib.Graph, CrossCheck]:
    """The batch shapes, the class hierarchy and the union checks (loaded once per process)."""
    key = (str(project.root), project.base, fingerprint)
    if key not in _VALIDATION:
        from consortia.crosscheck import split_shapes
        from consortia.pipeline import class_hierarchy
        from consortia.validation import load_shapes

        hierarchy = class_hierarchy(project)
        shapes, cross = split_shapes(load_shapes(project.shapes), hierarchy)
        _VALIDATION.clear()
        _VALIDATION[key] = (shapes, hierarchy, cross)
    return _VALIDATION[key]


def dump_quads(quads: Sequence[ox.Quad]) -> bytes:
    """Quads as N-Quads bytes (a fast way between processes and into the cache)."""
    buffer = io.BytesIO()
    ox.serialize(quads, buffer, ox.RdfFormat.N_QUADS)
    return buffer.getvalue()


def article_output(article_id: str, quads: Sequence[ox.Quad], facts: int) -> ArticleOutput:
    """One article's quads, split into its named graph and the default graph."""
    from consortia.export import canonical_nquads

    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    graphs = {str(q.graph_name) for q in named}
    if len(graphs) > 1:
        raise ValueError(f"article {article_id} states quads in several graphs: {sorted(graphs)}")
    return ArticleOutput(
        article_id,
        next(iter(graphs), ""),
        canonical_nquads(named),
        canonical_nquads(default),
        facts,
    )


def load_quads(data: bytes) -> list[ox.Quad]:
    """The quads of N-Quads bytes written by :func:`dump_quads`."""
    return [q for q in ox.parse(data, format=ox.RdfFormat.N_QUADS) if isinstance(q, ox.Quad)]


def process_batch(
    project: Project,
    fingerprint: str,
    articles: Sequence[Article],
    times: dict[str, str],
    warm: bool = False,
) -> BatchOutput:
    """Extract and map ``articles``, then validate them together (SPARQL checks aside).

    With ``warm``, the output carries the extraction context, pickled, for the
    build to keep in its state folder (see `keep_warm`).
    """
    from consortia.pipeline import place_containers, publisher_entity, to_rdflib
    from consortia.validation import validate

    clock = time.perf_counter
    timings = {"extract": 0.0, "map": 0.0, "validate": 0.0}
    context = context_for(project, fingerprint)
    extractor = context.extractor
    outputs: list[ArticleOutput] = []
    batch_quads: list[ox.Quad] = []
    owners: dict[str, set[str]] = {}
    for article in articles:
        started = clock()
        extraction = extractor.extract(article)
        extracted = clock()
        mapper = Mapper(
            context.templates,
            extractor.r.roles,
            Settings(project.base, __version__, times[article.id]),
            containers=lambda place: place_containers(extractor, place),
        )
        quads = list(set(mapper.map_extraction(extraction, publisher_entity(extractor, article))))
        outputs.append(article_output(article.id, quads, len(extraction.facts)))
        timings["map"] += clock() - extracted
        timings["extract"] += extracted - started
        batch_quads.extend(quads)
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
                owners.setdefault(_plain(quad.subject), set()).add(article.id)
    started = clock()
    results: tuple[tuple[tuple[str, ...], ValidationResult], ...] = ()
    if not union_checks(project, fingerprint).complete:
        # Shapes beyond what the union checks run as SPARQL.
        shapes, hierarchy, _cross = validation_data(project, fingerprint)
        report = validate(to_rdflib(batch_quads), shapes, hierarchy)
        results = tuple(
            (tuple(sorted(owners.get(result.focus_node, ()))), result) for result in report.results
        )
    timings["validate"] += clock() - started
    kept = _pickled(context) if warm else None
    return BatchOutput(tuple(outputs), results, timings, kept)


def _pickled(value: object) -> bytes:
    import pickle

    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def wants_warm(project: Project, fingerprint: str) -> bool:
    """Whether the state folder lacks a kept extraction context for this data."""
    return not _warm_path(project, fingerprint, "context").is_file()


def keep_warm(project: Project, fingerprint: str, batches: Sequence[BatchOutput]) -> None:
    """After a build: keep what the next process needs to start warm (the
    extraction context from a batch or this process, the union checks)."""
    key = (str(project.root), project.base, fingerprint)
    if wants_warm(project, fingerprint):
        pickled = next((b.context for b in batches if b.context is not None), None)
        if pickled is None and _CONTEXT and _CONTEXT[0].key == key:
            pickled = _pickled(_CONTEXT[0])
        if pickled is not None:
            _write_warm(project, fingerprint, "context", pickled)
    if key in _CHECKS and not _warm_path(project, fingerprint, "checks").is_file():
        _write_warm(project, fingerprint, "checks", _pickled(_CHECKS[key]))


def _plain(node: ox.NamedNode | ox.BlankNode) -> str:
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"


def fingerprint_files(*folders: Path) -> list[tuple[str, bytes]]:
    """Every file under ``folders`` (sorted), with its bytes: what a build depends on."""
    files: list[tuple[str, bytes]] = []
    for folder in folders:
        if folder.is_file():
            files.append((folder.name, folder.read_bytes()))
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            files.append((f"{folder.name}/{path.relative_to(folder)}", path.read_bytes()))
    return files
