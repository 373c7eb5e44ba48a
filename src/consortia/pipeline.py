"""The whole build: articles -> facts -> quads -> validated, stored, written.

Each stage is a function of values; files are read and written only here and in
the modules this calls at the edges (sources, export, store).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import json
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from consortia import __version__
from consortia.errors import ConsortiaError
from consortia.export import write_atomically
from consortia.extract import Extraction, Extractor
from consortia.mapping import Mapper, Settings, load_templates
from consortia.model import Entity
from consortia.project import Project
from consortia.sources import Article, load_articles

if TYPE_CHECKING:
    import rdflib

    from consortia.batches import ArticleOutput, BatchOutput
    from consortia.validation import Report, ValidationResult

Progress = Callable[[str], None]

#: Builds re-processing fewer articles than this stay in this process: a worker
#: pool costs about two seconds to start (imports, extraction data).
PARALLEL_THRESHOLD = 50
#: Up to this share of changed articles, the store is updated graph by graph.
INCREMENTAL_STORE_SHARE = 0.1
_CACHE_FORMAT = 2

_STATE_HINT = "set --state or CONSORTIA_STATE to a writable folder"


class ValidationFailed(ConsortiaError):
    """The built data does not conform to the shapes; nothing was published."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("the build does not conform to the shapes; nothing was published")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    #: The ids of the articles built (sorted).
    articles: tuple[str, ...]
    #: The dataset as canonical N-Quads (distinct statements, one per line,
    #: sorted), or None when it is in ``nquads_file`` (see :attr:`nquads`).
    nquads_data: bytes | None
    report: Report
    prefixes: dict[str, str]
    #: Facts per article id (the re-processed and the reused ones).
    fact_counts: Mapping[str, int] = field(default_factory=dict)
    #: Seconds per stage: read, cache, extract, map, validate (summed over
    #: workers), process (wall time of extract+map+validate), cross-check, store,
    #: export, and total.
    timings: Mapping[str, float] = field(default_factory=dict)
    #: Ids of the articles extracted again (all of them in a clean build).
    reprocessed: tuple[str, ...] = ()
    #: Ids of the articles of the previous build that are no longer in the sources.
    removed: tuple[str, ...] = ()
    #: Where the N-Quads are when a rebuild patched them in place.
    nquads_file: Path | None = None
    #: How many quads there are, when known without counting the lines.
    quad_total: int | None = None

    @functools.cached_property
    def nquads(self) -> bytes:
        """The dataset as canonical N-Quads."""
        if self.nquads_data is not None:
            return self.nquads_data
        assert self.nquads_file is not None
        return self.nquads_file.read_bytes()

    @functools.cached_property
    def quads(self) -> tuple[ox.Quad, ...]:
        """The dataset's quads, in the order of :attr:`nquads`."""
        from consortia.batches import load_quads

        return tuple(load_quads(self.nquads))

    @property
    def quad_count(self) -> int:
        if self.quad_total is not None:
            return self.quad_total
        return self.nquads.count(b"\n")

    @property
    def facts(self) -> int:
        return sum(self.fact_counts.values())


def content_hash(article: Article) -> str:
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
    known: dict[str, dict[str, str]] = {}
    if project.manifest.is_file():
        try:
            known = json.loads(project.manifest.read_text(encoding="utf-8")).get("articles", {})
        except (OSError, ValueError):
            known = {}
    return generation_times(articles, known)


def generation_times(
    articles: Sequence[Article], known: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """When each article's content was first built: ``SOURCE_DATE_EPOCH``, or
    the time ``known`` (id -> its ``hash`` and ``generated``) gives for the same
    content, or now."""
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
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    times = {}
    for article in articles:
        entry = known.get(article.id, {})
        same = entry.get("hash") == content_hash(article)
        times[article.id] = str(entry.get("generated", now)) if same else now
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
    """Validate a dataset against the shapes, with the ontology's class hierarchy.

    The constraints run as SPARQL over a pyoxigraph store (``crosscheck``);
    pyshacl validates only what the shapes ask beyond them, if anything.
    """
    from consortia.crosscheck import check_union, split_shapes, union_store
    from consortia.validation import load_shapes, validate

    hierarchy = class_hierarchy(project)
    batch_shapes, cross = split_shapes(load_shapes(project.shapes), hierarchy)
    results = (
        [] if cross.complete else list(validate(to_rdflib(quads), batch_shapes, hierarchy).results)
    )
    results.extend(check_union(union_store(quads), cross, quads))
    return merge_results(results)


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
    workers: int | None = None,
    parallel_threshold: int = PARALLEL_THRESHOLD,
    incremental: bool = True,
) -> BuildResult:
    """Build, validate and publish: ``output`` (None for stdout) and the store.

    Only articles whose content changed since the last build (or that are new)
    are extracted, mapped and validated again; the others' quads come from the
    build cache in the state folder. Everything is rebuilt when the software
    version, the IRI base, or a file of ``mappings/``, ``shapes/`` or
    ``ontology/`` changed, or with ``incremental=False``. The output is the same,
    byte for byte, as that of a clean build. When the output is the last
    build's file and only a few articles changed, the store, the output and
    ``last-build.nq`` are patched in place (:mod:`consortia.patch`).

    ``workers`` processes (default: the number of CPUs) share the articles when
    at least ``parallel_threshold`` are to be processed; fewer are processed
    here. Batches are fixed by article order, so the result does not depend on
    scheduling.

    Data that fails the shapes raises :class:`ValidationFailed` before anything
    is written, so the previous output and store stay as they were.
    """
    from consortia.export import format_for, write_merged

    if incremental and output is not None and project.state.is_dir():
        # A few changed articles are applied to the last build in place.
        from consortia.patch import patch_build

        patched = patch_build(
            project,
            paths,
            output,
            published=published,
            url=url,
            progress=progress,
            workers=workers,
            parallel_threshold=parallel_threshold,
        )
        if patched is not None:
            return patched
    timings: dict[str, float] = {}
    began = time.perf_counter()
    built_ns = time.time_ns()
    with timed(timings, "read"):
        articles = load_articles(paths, published=published, url=url)
        # Output paths that cannot be written fail before the work, and before
        # anything is created: a failed build leaves no trace.
        if output is not None:
            _check_writable(output, "choose another -o path")
            format_for(output)
        _check_writable(project.state, _STATE_HINT, folder=True)
        times = _generation_times(project, articles)
        hashes = {a.id: content_hash(a) for a in articles}
    with timed(timings, "cache"):
        fingerprint = data_fingerprint(project)
        cache, cached_checks, cached_labels = (
            _read_cache(project, fingerprint) if incremental else ({}, None, None)
        )
        keep = {
            a.id
            for a in articles
            if a.id in cache
            and cache[a.id]["hash"] == hashes[a.id]
            and cache[a.id]["generated"] == times[a.id]
        }
        todo = [a for a in articles if a.id not in keep]
        removed = tuple(sorted(set(cache) - {a.id for a in articles}))
    with timed(timings, "process"):
        batches = run_batches(
            project, fingerprint, todo, times, progress, workers, parallel_threshold
        )
    for batch in batches:
        for stage, seconds in batch.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds
    with timed(timings, "merge"):
        fresh = {a.id: a for batch in batches for a in batch.articles}
        raw = {a.id: fresh[a.id] if a.id in fresh else cached_output(cache[a.id]) for a in articles}
        # One name per entity across articles ("Aeroméxico", "Aeromexico").
        outputs, labels = reconcile_labels(raw)
        nquads = merge_nquads(outputs.values())
        fact_counts = {a.id: outputs[a.id].facts for a in articles}
    from consortia.patch import DIRTY
    from consortia.store import has_store, union_default_graph

    dirty = project.state / DIRTY
    graph_by_graph = (
        bool(cache)
        and not dirty.exists()
        and len(todo) + len(removed) <= max(1, INCREMENTAL_STORE_SHARE * len(articles))
        and has_store(project.store)
        and union_default_graph(project.store)
        # A new spelling may rename an entity in articles that did not change.
        and labels == cached_labels
    )
    with timed(timings, "merge"):
        # The union of the graphs (distinct triples): what the checks read, and
        # the store's default graph. After a few changes, also how it changed.
        change = _union_change(
            [outputs[a.id] for a in articles if a.id in keep or not graph_by_graph],
            [outputs[a.id] for a in todo] if graph_by_graph else [],
            [
                with_names(cached_output(cache[i]), labels)
                for i in [a.id for a in todo if a.id in cache] + list(removed)
            ]
            if graph_by_graph
            else [],
        )
    whole_store = not graph_by_graph
    # A whole new store is loaded in a thread (pyoxigraph's bulk load releases
    # the interpreter) while the data is checked and written; it replaces the
    # old one only once the data conforms.
    # (Not when the state folder is still to be made: a failed build leaves no trace.)
    early = whole_store and project.store.parent.is_dir()
    loading = _StoreLoad(project, nquads, change.union) if early else None
    try:
        with timed(timings, "cross-check"):
            results, owned = collect_results(batches, cache, keep)
            from consortia.batches import load_quads, union_checks
            from consortia.crosscheck import check_union, store_of_lines

            cross = union_checks(project, fingerprint)
            union = store_of_lines([change.union])
            focus = None
            if graph_by_graph and cached_checks is not None:
                # A few articles changed: the local checks look again at the
                # nodes they state (before and after), and at the nodes
                # pointing at a node whose statements in the union changed.
                focus = focus_nodes(
                    union, change, cross.reach, {r.focus_node for r in cached_checks}
                )
            checked = check_union(union, cross, lambda: load_quads(nquads), focus)
            if focus is not None and cached_checks is not None:
                checked.extend(
                    r for r in cached_checks if cross.is_local(r) and r.focus_node not in focus
                )
            results.extend(checked)
            del union
            report = merge_results(results)
        if not report.conforms:
            raise ValidationFailed(report)
        _make_state(project.state)
        prefixes = _prefixes(project)
        with timed(timings, "export"):
            from consortia.describe import count_union

            # The output and, beside a file, its VoID/DCAT description (<output>.void.ttl).
            counts = count_union(change.union, project.base)
            written = write_merged(
                nquads,
                output,
                prefixes=prefixes,
                base=project.base,
                union=change.union,
                counts=counts,
            )
            write_atomically(project.last_build, nquads)
        with timed(timings, "store"):
            if loading is not None:
                loading.finish()
                loading = None
            elif whole_store:
                from consortia.store import prepare_store, swap_in

                swap_in(project.store, prepare_store(project.store, nquads, change.union))
            else:
                _update_store(project, outputs, [a.id for a in todo], removed)
            dirty.unlink(missing_ok=True)
            keep_stats(project.store, counts)
    finally:
        if loading is not None:
            loading.cancel()
    with timed(timings, "cache"):
        from consortia.patch import patch_info, source_options

        info = patch_info(
            built_ns=built_ns,
            options=source_options(published, url),
            output=output,
            fmt=written.fmt if output is not None else None,
            last_build=project.last_build,
            default_counts=_default_counts(outputs.values()),
            counts=counts,
            quads=nquads.count(b"\n"),
        )
        _write_cache(
            project,
            fingerprint,
            articles,
            hashes,
            times,
            raw,
            owned,
            checked,
            labels,
            info,
            {a.id: len(outputs[a.id].named) for a in articles},
        )
        _write_manifest(project, articles, output, times, fingerprint)
        from consortia.batches import keep_warm

        keep_warm(project, fingerprint, batches)
    timings["total"] = time.perf_counter() - began
    return BuildResult(
        tuple(a.id for a in articles),
        nquads,
        report,
        prefixes,
        fact_counts=fact_counts,
        timings=timings,
        reprocessed=tuple(a.id for a in todo),
        removed=removed,
    )


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def _prefixes(project: Project) -> dict[str, str]:
    return dict(load_templates(project.mappings / "templates.yaml").prefixes)


def data_fingerprint(project: Project) -> str:
    """A digest of what every article's quads depend on besides the article.

    The software version and code, the IRI base and every file of
    ``mappings/``, ``shapes/`` and ``ontology/``: when it changes, every article
    is rebuilt.
    """
    from consortia.batches import fingerprint_files

    digest = hashlib.sha256()
    for part in (__version__, project.base, str(_CACHE_FORMAT)):
        digest.update(part.encode() + b"\0")
    # The package's own code too: a changed extractor must not reuse old quads,
    # even before the version number moves.
    folders = (project.mappings, project.shapes, project.ontology.parent, Path(__file__).parent)
    for name, data in fingerprint_files(*folders):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def run_batches(
    project: Project,
    fingerprint: str,
    articles: Sequence[Article],
    times: dict[str, str],
    progress: Progress | None,
    workers: int | None,
    threshold: int,
) -> list[BatchOutput]:
    """Extract, map and validate ``articles`` in fixed batches, here or in a pool."""
    from consortia.batches import process_batch, wants_warm

    if not articles:
        return []
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(articles) < threshold:
        return [process_batch(project, fingerprint, articles, times)]
    # The first batch brings its worker's extraction context back, for the
    # state folder to keep (see batches.keep_warm).
    warm = wants_warm(project, fingerprint)
    # Several batches per worker even out slow articles; a few hundred at most
    # keeps pyshacl's graphs small.
    size = max(1, min(200, -(-len(articles) // (workers * 4))))
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: a forked child would inherit the parent's threads and open stores.
    context = multiprocessing.get_context("spawn")
    outputs: list[BatchOutput] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(
                process_batch,
                project,
                fingerprint,
                chunk,
                {a.id: times[a.id] for a in chunk},
                warm and number == 0,
            )
            for number, chunk in enumerate(chunks)
        ]
        done = 0
        for future in futures:  # in submission order: deterministic
            outputs.append(future.result())
            done += len(outputs[-1].articles)
            if progress:
                progress(f"{done}/{len(articles)} articles")
    return outputs


def collect_results(
    batches: Sequence[BatchOutput], cache: Mapping[str, Any], keep: set[str]
) -> tuple[list[ValidationResult], dict[str, list[ValidationResult]]]:
    """The batch results (fresh and cached), and those to cache per article."""
    from consortia.validation import Severity, ValidationResult

    results: list[ValidationResult] = []
    owned: dict[str, list[ValidationResult]] = {}
    for batch in batches:
        ids = [a.id for a in batch.articles]
        for owners, result in batch.results:
            results.append(result)
            for owner in owners or ids:
                owned.setdefault(owner, []).append(result)
    for article_id in sorted(keep):
        for item in cache[article_id]["results"]:
            result = ValidationResult(**{**item, "severity": Severity(item["severity"])})
            results.append(result)
            owned.setdefault(article_id, []).append(result)
    return results, owned


#: Fields of a ValidationResult that describe it for a reader rather than say
#: what is wrong; they depend on how much data the validator saw.
_DESCRIPTIVE = ("label", "article", "article_title", "value_label", "evidence")


def core_result(result: ValidationResult) -> ValidationResult:
    """``result`` without its descriptive fields (labels, article, evidence sentence)."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(result)}
    cleared: dict[str, Any] = {n: None for n in _DESCRIPTIVE if n in names}
    return dataclasses.replace(result, **cleared)


def merge_results(results: Sequence[ValidationResult]) -> Report:
    """One report from batch and union results: each problem once, sorted.

    The same problem found in several batches keeps the fullest description;
    its article is dropped when the batches name different ones.
    """
    import dataclasses

    from consortia.validation import Report, Severity, _sort_key

    groups: dict[ValidationResult, list[ValidationResult]] = {}
    for result in results:
        groups.setdefault(core_result(result), []).append(result)
    final = []
    for group in groups.values():
        best = min(
            group,
            key=lambda r: (
                -sum(getattr(r, n, None) is not None for n in _DESCRIPTIVE),
                repr(r),
            ),
        )
        if len({r.article for r in group}) > 1:
            names = {f.name for f in dataclasses.fields(best)}
            cleared: dict[str, Any] = {n: None for n in ("article", "article_title") if n in names}
            best = dataclasses.replace(best, **cleared)
        final.append(best)
    final.sort(key=_sort_key)
    conforms = not any(r.severity is Severity.VIOLATION for r in final)
    return Report(conforms=conforms, results=tuple(final))


def cached_output(entry: Mapping[str, Any]) -> ArticleOutput:
    """An unchanged article's output, from the build cache."""
    from consortia.batches import ArticleOutput

    return ArticleOutput(
        str(entry["id"]),
        str(entry["graph"]),
        bytes(entry["named"]),
        bytes(entry["default"]),
        int(entry["facts"]),
    )


_PREF = b"<http://www.w3.org/2004/02/skos/core#prefLabel>"
_ALT = b"<http://www.w3.org/2004/02/skos/core#altLabel>"


def reconcile_labels(
    outputs: Mapping[str, ArticleOutput],
) -> tuple[dict[str, ArticleOutput], dict[str, str]]:
    """The outputs with one ``skos:prefLabel`` per entity and language across
    articles, and the names chosen (entity and language tag -> name).

    Articles may spell one entity differently ("Aeroméxico", "Aeromexico"):
    both give it the same IRI, and the union would hold two preferred labels.
    The name kept does not depend on how many articles use it, so that it
    changes only when a new spelling comes: written with accents first, then
    the shorter, then the first in code-point order. The others become
    ``skos:altLabel`` in their articles.
    """
    spellings: dict[bytes, set[bytes]] = {}
    for output in outputs.values():
        for subject, literal in pref_labels(output.named):
            spellings.setdefault(subject + b" " + language_tag(literal), set()).add(literal)
    chosen = {
        key: min(names, key=lambda n: (n.isascii(), len(n), n))
        for key, names in spellings.items()
        if len(names) > 1
    }
    if not chosen:
        return dict(outputs), {}
    effective = {}
    for article_id, output in outputs.items():
        if any(
            chosen.get(subject + b" " + language_tag(literal), literal) != literal
            for subject, literal in pref_labels(output.named)
        ):
            output = _demoted(output, chosen)
        effective[article_id] = output
    names = {k.decode(): v.decode() for k, v in sorted(chosen.items())}
    return effective, names


def with_names(output: ArticleOutput, labels: Mapping[str, str]) -> ArticleOutput:
    """``output`` with the names chosen by `reconcile_labels` (``labels``) applied."""
    chosen = {k.encode(): v.encode() for k, v in labels.items()}
    if not any(
        chosen.get(subject + b" " + language_tag(literal), literal) != literal
        for subject, literal in pref_labels(output.named)
    ):
        return output
    return _demoted(output, chosen)


def pref_labels(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(subject, literal) of the ``skos:prefLabel`` lines of N-Triples or N-Quads."""
    start = data.find(_PREF)
    while start >= 0:
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line_end = len(data) if line_end < 0 else line_end
        rest = data[start + len(_PREF) + 1 : line_end]
        # The predicate of the line (not the IRI quoted in some literal), with a
        # literal object: '"Name"@en .' or '"Name"@en <graph> .'.
        if data.find(b" ", line_start) == start - 1 and rest.startswith(b'"'):
            close = rest.rfind(b'"')
            tag = rest[close + 1 :].split(b" ", 1)[0]
            yield data[line_start : start - 1], rest[: close + 1] + tag
        start = data.find(_PREF, line_end)


def language_tag(literal: bytes) -> bytes:
    return literal[literal.rfind(b'"') + 1 :]


def _demoted(output: ArticleOutput, chosen: Mapping[bytes, bytes]) -> ArticleOutput:
    """``output`` with its preferred labels that were not chosen made alternative."""

    def rewrite(data: bytes) -> list[bytes]:
        lines = []
        for line in data.splitlines():
            for subject, literal in pref_labels(line):
                if chosen.get(subject + b" " + language_tag(literal), literal) != literal:
                    line = line.replace(_PREF, _ALT, 1)
            lines.append(line)
        return lines

    named = b"".join(line + b"\n" for line in sorted(set(rewrite(output.named))))
    return dataclasses.replace(output, named=named)


def merge_nquads(outputs: Iterable[ArticleOutput]) -> bytes:
    """The articles' quads as one N-Quads document, as `canonical_nquads` writes it.

    Each article's named graph is its own, so its sorted lines go out as they
    are, in the order of the graph names; only the default graph's statements
    (which articles may share) are merged and sorted.
    """
    default: set[bytes] = set()
    named: list[tuple[str, bytes]] = []
    for output in outputs:
        default.update(output.default.splitlines())
        if output.named:
            named.append((output.graph, output.named))
    default.discard(b"")
    named.sort(key=lambda item: item[0])
    lines = b"".join(line + b"\n" for line in sorted(default))
    return lines + b"".join(part for _graph, part in named)


class _StoreLoad:
    """A new store for the build, loaded in a thread beside the old one."""

    def __init__(self, project: Project, nquads: bytes, union: bytes) -> None:
        import threading

        self.project = project
        self.fresh: Path | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(nquads, union), daemon=True)
        self.thread.start()

    def _run(self, nquads: bytes, union: bytes) -> None:
        from consortia.store import prepare_store

        try:
            self.fresh = prepare_store(self.project.store, nquads, union)
        except BaseException as error:  # re-raised in finish()
            self.error = error

    def finish(self) -> None:
        """Wait for the load, then put the new store in place of the old."""
        from consortia.store import swap_in

        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.fresh is not None
        swap_in(self.project.store, self.fresh)

    def cancel(self) -> None:
        """Wait for the load and delete what it made: the old store stays."""
        from consortia.store import discard_store

        self.thread.join()
        if self.fresh is not None:
            discard_store(self.fresh)


def _update_store(
    project: Project,
    by_article: Mapping[str, ArticleOutput],
    changed: Sequence[str],
    removed: Sequence[str],
) -> None:
    """Replace the changed articles' graphs and drop the removed ones."""
    from consortia.batches import load_quads
    from consortia.store import remove_graph, replace_graph

    for article_id in removed:
        remove_graph(project.store, f"{project.base}graph/{article_id}")
    for article_id in changed:
        replace_graph(
            project.store,
            f"{project.base}graph/{article_id}",
            load_quads(by_article[article_id].nquads),
        )


#: The byte fields of an article's output kept in the cache blob.
CACHED_BYTES = ("named", "default")


@dataclass(frozen=True)
class UnionChange:
    """The union of the graphs as N-Triples, and how a rebuild changed it."""

    union: bytes
    #: Statements the changed articles make, before and after the change.
    stated: frozenset[bytes] = frozenset()
    added: frozenset[bytes] = frozenset()
    removed: frozenset[bytes] = frozenset()


def _union_change(
    kept: Sequence[ArticleOutput], new: Sequence[ArticleOutput], old: Sequence[ArticleOutput]
) -> UnionChange:
    """The union of ``kept`` and ``new`` articles' triples (N-Triples), and how it
    differs from that of ``kept`` and ``old`` (the changed articles' previous
    versions)."""

    def lines(outputs: Sequence[ArticleOutput]) -> set[bytes]:
        found: set[bytes] = set()
        for output in outputs:
            found.update(output.triple_lines())
        return found

    unchanged, before, after = lines(kept), lines(old), lines(new)
    union = unchanged | after
    return UnionChange(
        _lines(union),
        frozenset(before | after),
        frozenset(after - before - unchanged),
        frozenset(before - after - unchanged),
    )


def _lines(lines: Iterable[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def focus_nodes(
    union: ox.Store,
    change: UnionChange,
    reach: int = 1,
    with_results: Collection[str] | None = None,
) -> set[str]:
    """The focus nodes to check again after a change: the nodes whose
    statements in the union changed and those ``reach`` hops or fewer before
    them (a check of reach 1 reads its values' statements: a value's type
    decides an ``sh:class``), not every node pointing at an alliance the
    changed article mentions; and the subjects the changed articles state,
    before and after, whose results may be tied to another article now (of
    those, when ``with_results`` names the nodes the last build had results
    for, only these: a node with none, and no change in its reach, has none).

    A path in the old or the new union from a node to a changed node starts
    with unchanged statements up to its first changed node, so it is found
    by walking back from the changed nodes in the new union."""
    from consortia.crosscheck import node_name

    def subjects(statements: Iterable[bytes]) -> set[ox.NamedNode | ox.BlankNode]:
        return {
            t.subject
            for t in ox.parse(_lines(statements), format=ox.RdfFormat.N_TRIPLES)
            if isinstance(t.subject, ox.NamedNode | ox.BlankNode)
        }

    frontier: set[ox.NamedNode | ox.BlankNode] = subjects(change.added | change.removed)
    reached = set(frontier)
    for _hop in range(reach):
        frontier = {
            quad.subject
            for node in frontier
            for quad in union.quads_for_pattern(None, None, node, ox.DefaultGraph())
            if isinstance(quad.subject, ox.NamedNode | ox.BlankNode)
        } - reached
        reached |= frontier
    names = {node_name(node) for node in reached}
    for node in subjects(change.stated):
        name = node_name(node)
        if with_results is None or name in with_results:
            names.add(name)
    return names


def _read_cache(
    project: Project, fingerprint: str
) -> tuple[dict[str, Any], list[ValidationResult] | None, dict[str, str] | None]:
    """The previous build's per-article cache, if it was made with the same data.

    ``cache.json`` indexes a blob file of N-Quads and N-Triples (each of
    `CACHED_BYTES` is [offset, length] in it); they come back as bytes.
    """
    path = project.state / "cache.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None, None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return {}, None, None
    articles = data.get("articles")
    blob_name = data.get("blob")
    if not isinstance(articles, dict) or not isinstance(blob_name, str) or "/" in blob_name:
        return {}, None, None
    try:
        checks = [result_from_json(item) for item in data["checks"]]
        labels = {str(k): str(v) for k, v in data["labels"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        checks, labels = None, None
    try:
        blob = (project.state / blob_name).read_bytes()
        for article_id, entry in articles.items():
            entry["id"] = article_id
            for key in CACHED_BYTES:
                offset, length = entry[key]
                entry[key] = blob[offset : offset + length]
                if len(entry[key]) != length:
                    return {}, None, None
    except (OSError, ValueError, KeyError, TypeError):
        return {}, None, None
    return articles, checks, labels


def result_from_json(item: Mapping[str, Any]) -> ValidationResult:
    from consortia.validation import Severity, ValidationResult

    return ValidationResult(**{**item, "severity": Severity(item["severity"])})


def _write_cache(
    project: Project,
    fingerprint: str,
    articles: Sequence[Article],
    hashes: Mapping[str, str],
    times: Mapping[str, str],
    outputs: Mapping[str, ArticleOutput],
    owned: Mapping[str, list[ValidationResult]],
    checked: Sequence[ValidationResult],
    labels: Mapping[str, str],
    patch: Mapping[str, Any] | None = None,
    published_lengths: Mapping[str, int] | None = None,
) -> None:
    """Write the cache: a blob of every article's bytes, streamed, then its index.

    The blob has a new name each time and the index names it, so a build
    stopped half-way leaves the previous cache whole (or none at all).
    """
    import dataclasses
    import secrets

    from consortia.patch import file_stat

    blob_name = f"cache-{secrets.token_hex(8)}.bin"
    blob_path = project.state / blob_name
    offsets: dict[str, dict[str, list[int]]] = {}
    position = 0
    partial = blob_path.with_name(blob_path.name + ".part")
    try:
        with partial.open("wb") as blob:
            for a in articles:
                offsets[a.id] = {}
                for key in CACHED_BYTES:
                    part = getattr(outputs[a.id], key)
                    blob.write(part)
                    offsets[a.id][key] = [position, len(part)]
                    position += len(part)
        partial.replace(blob_path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    data = {
        "fingerprint": fingerprint,
        "blob": blob_name,
        "articles": {
            a.id: {
                "hash": hashes[a.id],
                "generated": times[a.id],
                "facts": outputs[a.id].facts,
                "graph": outputs[a.id].graph,
                **offsets[a.id],
                "results": [dataclasses.asdict(r) for r in owned.get(a.id, [])],
                # The length of its graph in last-build.nq (its names chosen).
                "published": (published_lengths or {}).get(a.id, len(outputs[a.id].named)),
                # Where the source is and how it looked, so that a rebuild
                # reads only the files that changed.
                "path": str(a.path.absolute()),
                "stat": file_stat(a.path),
            }
            for a in articles
        },
        # The union checks' results, for the next build to keep those of the
        # nodes it does not check again.
        "checks": [dataclasses.asdict(r) for r in checked],
        # The names chosen for entities several articles spell differently.
        "labels": dict(labels),
        # What a rebuild in place needs (consortia.patch).
        "patch": dict(patch) if patch is not None else None,
    }
    path = project.state / "cache.json"
    write_atomically(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    for old in project.state.glob("cache-*.bin"):
        if old.name != blob_name:
            old.unlink(missing_ok=True)


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


def keep_stats(store: Path, counts: Any) -> None:
    """The union's counts beside the store, for `consortia query` to plan with."""
    import contextlib

    from consortia.planner import write_stats

    with contextlib.suppress(OSError, ConsortiaError):  # else queries run as written
        write_stats(store, sum(counts.predicates.values()), counts.predicates, counts.typed)


def _default_counts(outputs: Iterable[ArticleOutput]) -> dict[bytes, int]:
    """The default graph's statements, with how many articles state each."""
    counts: dict[bytes, int] = {}
    for output in outputs:
        for line in set(output.default.splitlines()):
            if line:
                counts[line] = counts.get(line, 0) + 1
    return counts


def _write_manifest(
    project: Project,
    articles: Sequence[Article],
    output: Path | None,
    times: dict[str, str],
    fingerprint: str | None = None,
) -> None:
    write_manifest(
        project,
        {a.id: (content_hash(a), times[a.id], str(a.path)) for a in articles},
        output,
        fingerprint,
    )


def write_manifest(
    project: Project,
    entries: Mapping[str, tuple[str, str, str]],
    output: Path | None,
    fingerprint: str | None = None,
) -> None:
    """The manifest: each article's content hash, generation time and path."""
    data = {
        "version": __version__,
        "fingerprint": fingerprint,
        "output": str(output) if output else None,
        "articles": {
            article_id: {"hash": digest, "generated": generated, "path": path}
            for article_id, (digest, generated, path) in sorted(entries.items())
        },
    }
    payload = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_atomically(project.manifest, payload.encode("utf-8"))


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
