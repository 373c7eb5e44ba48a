"""Rebuild in place: a few changed articles applied to the last build.

A build over thousands of articles whose sources barely changed need not read,
merge, check and write everything again. `patch_build` takes the last build
(its state folder: cache, store, ``last-build.nq``; and its output file) and
applies what changed:

- sources are stat-ed, and only files whose size or time changed are read;
- the changed articles are extracted, mapped and checked as in any build;
- the union of the graphs changes by the statements no other article makes
  (asked of the store, whose default graph is that union);
- the store takes the change first (a marker file says it is under way), the
  shapes' checks run over it for the nodes the change can reach (see
  `consortia.crosscheck.reach_of`), and if the data does not conform the
  store is put back and nothing else is touched;
- ``last-build.nq`` and the output are rewritten from the old files' bytes
  with the changed articles' graphs (N-Quads) or the changed subjects' blocks
  (Turtle, N-Triples) put in, and the description from counts kept in the
  cache;
- the cache blob gets the new articles' bytes appended.

The result is byte for byte that of a clean build (tests hold it so). When
anything is not as the last build left it (an output file changed or moved,
another format, a different label for an entity, too many changes, a store
marked as being changed), `patch_build` returns None and the whole build
runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from consortia.project import Project
from consortia.sources import Article

if TYPE_CHECKING:
    from consortia.batches import ArticleOutput
    from consortia.pipeline import BuildResult, Progress

__all__ = ["DIRTY", "file_stat", "patch_build", "patch_info", "source_options"]

_log = logging.getLogger(__name__)


def _whole(reason: str) -> BuildResult | None:
    """Say why the build cannot be patched (``--verbose`` shows it); None."""
    _log.info("building everything: %s", reason)
    return None


#: A file in the state folder while a rebuild changes the store in place: if
#: it is still there, the next build makes a whole new store.
DIRTY = "store-changing"
#: Output formats a rebuild can patch (others are written whole).
_PATCHABLE = ("turtle", "nt", "nq")
#: Seconds before the last build's start within which a file's time is not
#: trusted to tell that it did not change (it may have changed in that second).
_RACY_NS = 2_000_000_000


def file_stat(path: Path) -> list[int] | None:
    """A file's size and modification time (ns), or None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def patch_info(
    *,
    built_ns: int,
    options: list[str | None],
    output: Path | None,
    fmt: str | None,
    last_build: Path,
    default_counts: Mapping[bytes, int],
    counts: Any,
    quads: int,
) -> dict[str, Any]:
    """What a rebuild needs to know of a build besides its articles (in cache.json)."""
    return {
        "built_ns": built_ns,
        "options": options,
        "output": str(output.absolute()) if output is not None else None,
        "format": fmt,
        "output_stat": file_stat(output) if output is not None else None,
        "last_build_stat": file_stat(last_build),
        "default_length": sum(len(line) + 1 for line in default_counts),
        "default_shared": {line.decode(): n for line, n in sorted(default_counts.items()) if n > 1},
        "counts": dataclasses.asdict(counts),
        "quads": quads,
    }


@dataclass
class _Scan:
    """The sources as the rebuild found them."""

    ids: list[str]  # every article, sorted
    paths: dict[str, str]  # absolute
    given: dict[str, str]  # as given
    stats: dict[str, list[int] | None]
    fresh: list[Article]  # read again: new, or changed


def _scan(
    paths: Sequence[Path], index: Mapping[str, Any], built_ns: int, options: list[str | None]
) -> _Scan | None:
    """Stat every source; read those whose size or time differ from the last build's."""
    from consortia.pipeline import content_hash
    from consortia.sources import discover, parse_markdown, parse_plain, read_text

    by_path = {entry.get("path"): article_id for article_id, entry in index.items()}
    published = dt.date.fromisoformat(options[0]) if options[0] else None
    url = options[1]
    ids: list[str] = []
    where: dict[str, str] = {}
    given: dict[str, str] = {}
    stats: dict[str, list[int] | None] = {}
    fresh: list[Article] = []
    for path in discover(list(paths)):
        name = str(path.absolute())
        stat = file_stat(path)
        known = by_path.get(name)
        if (
            known is not None
            and stat is not None
            and index[known].get("stat") == stat
            and stat[1] < built_ns - _RACY_NS
        ):
            article_id = known
        else:
            text = read_text(path)
            article = (
                parse_plain(path, text, published, url)
                if path.suffix == ".txt"
                else parse_markdown(path, text)
            )
            article_id = article.id
            entry = index.get(article_id)
            if entry is None or entry["hash"] != content_hash(article):
                fresh.append(article)
        if article_id in where:
            return None  # a duplicate id: the whole build says so
        ids.append(article_id)
        where[article_id] = name
        given[article_id] = str(path)
        stats[article_id] = stat
    return _Scan(sorted(ids), where, given, stats, fresh)


def source_options(published: dt.date | None, url: str | None) -> list[str | None]:
    """The build options that shape what .txt sources say (kept with the cache)."""
    return [published.isoformat() if published is not None else None, url]


def patch_build(
    project: Project,
    paths: Sequence[Path],
    output: Path | None,
    *,
    published: dt.date | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    parallel_threshold: int,
) -> BuildResult | None:
    """Apply the changed sources to the last build in place; None when that
    cannot be done (the caller then builds everything)."""
    from consortia import pipeline as pl
    from consortia.errors import ConsortiaError
    from consortia.export import format_for
    from consortia.store import has_store, union_default_graph

    began = time.perf_counter()
    built_ns = time.time_ns()
    timings: dict[str, float] = {}
    state = project.state
    if output is None or output.name.lower().endswith(".gz"):
        return _whole("the output goes to stdout or is compressed")
    if not output.is_file():
        return _whole(f"{output} is not there to patch")
    try:
        fmt = format_for(output)
    except ConsortiaError:
        return None  # the whole build says what is wrong
    if fmt not in _PATCHABLE:
        return _whole(f"{fmt} output is written whole")
    if (state / DIRTY).exists():
        return _whole("a rebuild stopped while changing the store")
    if not has_store(project.store) or not union_default_graph(project.store):
        return _whole("no store of the union")
    with pl.timed(timings, "cache"):
        fingerprint = pl.data_fingerprint(project)
        loaded = _read_index(project, fingerprint)
    if loaded is None:
        return _whole("no cache of a build with this data and software")
    data, blob = loaded
    index: dict[str, Any] = data["articles"]
    info = data.get("patch")
    if not isinstance(info, dict) or info.get("format") != fmt:
        return _whole("the last build wrote another format")
    options = source_options(published, url)
    if (
        info.get("output") != str(output.absolute())
        or info.get("options") != options
        or info.get("output_stat") != file_stat(output)
        or info.get("last_build_stat") != file_stat(project.last_build)
    ):
        return _whole("the output or the last build's files are not as it left them")
    with pl.timed(timings, "read"):
        scan = _scan(paths, index, int(info["built_ns"]), options)
    if scan is None:
        return _whole("two articles share an id")
    removed = tuple(sorted(set(index) - set(scan.ids)))
    todo = scan.fresh
    if len(todo) + len(removed) > max(1, pl.INCREMENTAL_STORE_SHARE * len(scan.ids)):
        return _whole(f"{len(todo) + len(removed)} of {len(scan.ids)} articles changed")
    times = pl.generation_times(todo, index)
    patcher = _Patcher(project, data, blob, info, fmt, output, timings)
    try:
        return _patch(
            patcher,
            project,
            fingerprint,
            scan,
            todo,
            removed,
            times,
            began,
            built_ns,
            progress=progress,
            workers=workers,
            parallel_threshold=parallel_threshold,
        )
    finally:
        patcher.close()  # the store, before a whole build opens it


def _patch(
    patcher: _Patcher,
    project: Project,
    fingerprint: str,
    scan: _Scan,
    todo: Sequence[Article],
    removed: tuple[str, ...],
    times: dict[str, str],
    began: float,
    built_ns: int,
    *,
    progress: Progress | None,
    workers: int | None,
    parallel_threshold: int,
) -> BuildResult | None:
    from consortia import pipeline as pl

    timings = patcher.timings
    with pl.timed(timings, "cache"):
        if not patcher.layout_holds([a.id for a in todo if a.id in patcher.index] + list(removed)):
            return _whole("last-build.nq is not laid out as the cache says")
    with pl.timed(timings, "process"):
        batches = pl.run_batches(
            project, fingerprint, todo, times, progress, workers, parallel_threshold
        )
    for batch in batches:
        for stage, seconds in batch.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds
    fresh = {a.id: a for batch in batches for a in batch.articles}
    with pl.timed(timings, "merge"):
        labels = {str(k): str(v) for k, v in patcher.data["labels"].items()}
        if not patcher.labels_hold(fresh, labels, removed):
            return _whole("an entity's preferred name may change")
        new = {i: pl.with_names(o, labels) for i, o in fresh.items()}
        change = patcher.union_change(new, removed)
    return patcher.apply(
        scan, new, removed, change, batches, times, fingerprint, labels, began, built_ns
    )


def _read_index(project: Project, fingerprint: str) -> tuple[dict[str, Any], Path] | None:
    """cache.json of the last build, if made with the same data, and its blob."""
    path = project.state / "cache.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    blob = data.get("blob")
    if not isinstance(blob, str) or "/" in blob or not isinstance(data.get("articles"), dict):
        return None
    if not isinstance(data.get("checks"), list) or not isinstance(data.get("labels"), dict):
        return None
    return data, project.state / blob


@dataclass(frozen=True)
class _Change:
    """How the union of the graphs changes (N-Triples lines)."""

    stated: frozenset[bytes]
    added: frozenset[bytes]
    removed: frozenset[bytes]
    #: The default graph's lines after the change, with how many articles state each.
    default_counts: dict[bytes, int]


def _lines(data: bytes) -> set[bytes]:
    found = set(data.splitlines())
    found.discard(b"")
    return found


def _node(term: bytes) -> ox.NamedNode | ox.BlankNode:
    """An IRI or blank node written as N-Triples (``<...>``, ``_:b``)."""
    subject = _triple(term + b" <x:p> <x:o> .").subject
    assert isinstance(subject, ox.NamedNode | ox.BlankNode)
    return subject


def _triple(line: bytes) -> ox.Triple:
    statement = next(iter(ox.parse(line + b"\n", format=ox.RdfFormat.N_TRIPLES)))
    return statement.triple if isinstance(statement, ox.Quad) else statement


class _Patcher:
    def __init__(
        self,
        project: Project,
        data: dict[str, Any],
        blob: Path,
        info: dict[str, Any],
        fmt: str,
        output: Path,
        timings: dict[str, float],
    ) -> None:
        self.project = project
        self.data = data
        self.index: dict[str, Any] = data["articles"]
        self.blob = blob
        self.info = info
        self.fmt = fmt
        self.output = output
        self.timings = timings
        self.old: dict[str, ArticleOutput] = {}
        self.counts: Any = None  # the union's, after the change (describe.UnionCounts)
        self._opened: ox.Store | None = None

    # --- before anything changes --------------------------------------------------

    def _old_output(self, article_id: str) -> ArticleOutput:
        from consortia.pipeline import CACHED_BYTES, cached_output

        if article_id not in self.old:
            entry = dict(self.index[article_id])
            entry["id"] = article_id
            with self.blob.open("rb") as handle:
                for key in CACHED_BYTES:
                    offset, length = entry[key]
                    handle.seek(offset)
                    entry[key] = handle.read(length)
                    if len(entry[key]) != length:
                        raise ValueError("cut-off cache")
            self.old[article_id] = cached_output(entry)
        return self.old[article_id]

    def layout_holds(self, changed: Sequence[str]) -> bool:
        """Whether last-build.nq is laid out as the cache says (each changed
        article's graph where the lengths put it, the length of the whole)."""
        try:
            for article_id in changed:
                self._old_output(article_id)
        except (OSError, ValueError, KeyError, TypeError):
            return False
        self.offsets: dict[str, tuple[int, int]] = {}
        try:
            position = int(self.info["default_length"])
            for _graph, article_id in sorted(
                (str(entry["graph"]), article_id)
                for article_id, entry in self.index.items()
                if entry["published"]
            ):
                length = int(self.index[article_id]["published"])
                self.offsets[article_id] = (position, length)
                position += length
        except (KeyError, TypeError, ValueError):
            return False
        last = self.project.last_build
        if last.stat().st_size != position:
            return False
        with last.open("rb") as handle:
            for article_id in changed:
                if article_id in self.offsets:
                    offset, length = self.offsets[article_id]
                    handle.seek(offset)
                    if handle.read(length) != self.old[article_id].named:
                        return False
            handle.seek(0)
            self.default_section = handle.read(int(self.info["default_length"]))
        return True

    def labels_hold(
        self,
        fresh: Mapping[str, ArticleOutput],
        labels: Mapping[str, str],
        removed: Sequence[str],
    ) -> bool:
        """Whether the names chosen for entities stay as they are: no changed
        article, before or after, names an entity with several spellings, or
        spells one differently from the store's preferred label."""
        from consortia.pipeline import language_tag, pref_labels

        store = self._store()
        pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
        outputs = [*fresh.values()] + [
            self._old_output(i) for i in [*fresh, *removed] if i in self.index
        ]
        for output in outputs:
            for subject, literal in pref_labels(output.named):
                key = subject + b" " + language_tag(literal)
                if key.decode() in labels:
                    return False
                node = _node(subject)
                language = language_tag(literal)[1:].decode() or None
                for quad in store.quads_for_pattern(node, pref, None, ox.DefaultGraph()):
                    value = quad.object
                    if (
                        isinstance(value, ox.Literal)
                        and value.language == language
                        and str(value).encode() != literal
                    ):
                        return False
        return True

    def close(self) -> None:
        """Let go of the store (pyoxigraph closes it when the object goes)."""
        self._opened = None

    def _store(self) -> ox.Store:
        from consortia.store import open_store

        if self._opened is None:
            self._opened = open_store(self.project.store, read_only=False)
        return self._opened

    def union_change(self, new: Mapping[str, ArticleOutput], removed: Sequence[str]) -> _Change:
        """What the union gains and loses, asked of the store (the old union)."""
        store = self._store()
        changed = [i for i in new if i in self.index] + list(removed)
        graphs = {self.index[i]["graph"] for i in changed} | {o.graph for o in new.values()}
        old_lines: set[bytes] = set()
        new_lines: set[bytes] = set()
        for article_id in changed:
            old_lines |= self._old_output(article_id).triple_lines()
        for output in new.values():
            new_lines |= output.triple_lines()
        # The default graph's statements, counted over articles.
        shared = {k.encode(): int(v) for k, v in self.info["default_shared"].items()}
        counts: dict[bytes, int] = {}
        for line in _lines(self.default_section):
            counts[line] = shared.get(line, 1)
        for article_id in changed:
            for line in _lines(self._old_output(article_id).default):
                counts[line] = counts.get(line, 0) - 1
        unchanged_default = {line for line, n in counts.items() if n > 0}
        for output in new.values():
            for line in _lines(output.default):
                counts[line] = counts.get(line, 0) + 1
        counts = {line: n for line, n in counts.items() if n > 0}
        added, gone = set(), set()
        for line in old_lines | new_lines:
            triple = _triple(line)
            before = any(
                True
                for _ in store.quads_for_pattern(
                    triple.subject, triple.predicate, triple.object, ox.DefaultGraph()
                )
            )
            after = (
                line in new_lines
                or line in unchanged_default
                or any(
                    isinstance(q.graph_name, ox.NamedNode) and str(q.graph_name) not in graphs
                    for q in store.quads_for_pattern(
                        triple.subject, triple.predicate, triple.object
                    )
                )
            )
            if after and not before:
                added.add(line)
            elif before and not after:
                gone.add(line)
        return _Change(frozenset(old_lines | new_lines), frozenset(added), frozenset(gone), counts)

    # --- the change -----------------------------------------------------------------

    def apply(
        self,
        scan: _Scan,
        new: Mapping[str, ArticleOutput],
        removed: Sequence[str],
        change: _Change,
        batches: Sequence[Any],
        times: Mapping[str, str],
        fingerprint: str,
        labels: Mapping[str, str],
        began: float,
        built_ns: int,
    ) -> BuildResult:
        from consortia import pipeline as pl
        from consortia.batches import union_checks
        from consortia.crosscheck import check_union
        from consortia.describe import UnionCounts
        from consortia.errors import OutputError
        from consortia.export import model_prefixes
        from consortia.validation import ValidationResult

        store = self._store()
        changed = [i for i in new if i in self.index] + list(removed)
        touched = bool(new or removed)
        dirty = self.project.state / DIRTY
        if touched:
            dirty.write_text("a rebuild is changing the store\n", encoding="utf-8")
            with pl.timed(self.timings, "store"):
                self._change_store(store, new, changed, change, forward=True)
        # If anything below raises, the marker stays: the next build makes a
        # whole new store.
        with pl.timed(self.timings, "cross-check"):
            keep = set(scan.ids) - set(new)
            cache_view = {i: self.index[i] for i in keep}
            results, owned = pl.collect_results(batches, cache_view, keep)
            cross = union_checks(self.project, fingerprint)
            union_change = pl.UnionChange(b"", change.stated, change.added, change.removed)
            cached_checks: list[ValidationResult] = [
                pl.result_from_json(item) for item in self.data["checks"]
            ]
            focus = pl.focus_nodes(
                store, union_change, cross.reach, {r.focus_node for r in cached_checks}
            )
            checked = check_union(store, cross, (), focus, graphs=_graphs_in(store))
            checked.extend(
                r for r in cached_checks if cross.is_local(r) and r.focus_node not in focus
            )
            results.extend(checked)
            report = pl.merge_results(results)
        if not report.conforms:
            if touched:
                with pl.timed(self.timings, "store"):
                    self._change_store(store, new, changed, change, forward=False)
            dirty.unlink(missing_ok=True)
            raise pl.ValidationFailed(report)
        try:
            with pl.timed(self.timings, "export"):
                if touched:
                    quads = self._write_nquads(new, removed, change)
                    self._write_output(store, change, quads)
                    pl.keep_stats(self.project.store, self.counts)
                else:  # the files are as they should be
                    quads = int(self.info["quads"])
                    self.counts = UnionCounts(**self.info["counts"])
                    self.new_default = self.default_section
            with pl.timed(self.timings, "cache"):
                self._write_cache(
                    scan, new, removed, change, owned, checked, times, labels, quads, built_ns
                )
        except OSError as error:
            raise OutputError(
                f"cannot write the build: {error.strerror or error}",
                path=Path(error.filename) if error.filename else self.output,
                hint="free some space or fix the permissions, then build again",
            ) from None
        dirty.unlink(missing_ok=True)
        self.timings["total"] = time.perf_counter() - began
        _log.info(
            "patched in place: %d article(s) re-read, %d removed; the union gained %d and "
            "lost %d statement(s)",
            len(new),
            len(removed),
            len(change.added),
            len(change.removed),
        )
        facts = {i: int(self.index[i]["facts"]) for i in scan.ids}
        return pl.BuildResult(
            tuple(scan.ids),
            None,
            report,
            model_prefixes(self.project.mappings),
            fact_counts=facts,
            timings=self.timings,
            reprocessed=tuple(sorted(new)),
            removed=tuple(removed),
            nquads_file=self.project.last_build,
            quad_total=quads,
        )

    def _change_store(
        self,
        store: ox.Store,
        new: Mapping[str, ArticleOutput],
        changed: Sequence[str],
        change: _Change,
        *,
        forward: bool,
    ) -> None:
        from consortia.batches import load_quads

        before = {i: load_quads(self._old_output(i).named) for i in changed}
        after = {i: load_quads(o.named) for i, o in new.items()}
        old_graphs = {self.index[i]["graph"] for i in changed}
        new_graphs = {o.graph for o in new.values() if o.graph}
        gone = [_triple(line) for line in change.removed]
        added = [_triple(line) for line in change.added]
        if not forward:
            before, after = after, before
            old_graphs, new_graphs = new_graphs, old_graphs
            gone, added = added, gone
        try:
            for graph in old_graphs:
                if graph:
                    store.remove_graph(ox.NamedNode(graph[1:-1]))
            for triple in gone:
                store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
            store.extend([q for quads in after.values() for q in quads])
            store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in added])
            store.flush()
        except (OSError, RuntimeError) as error:
            from consortia.errors import ConsortiaError

            # The marker file stays: the next build makes a whole new store.
            raise ConsortiaError(
                f"cannot update the store: {error}",
                path=self.project.store,
                hint="run `consortia build` again: it will make the store anew",
            ) from None

    # --- the files --------------------------------------------------------------------

    def _write_nquads(
        self, new: Mapping[str, ArticleOutput], removed: Sequence[str], change: _Change
    ) -> int:
        """Rewrite last-build.nq (and an .nq output) from its old bytes; the quads."""
        default = b"".join(line + b"\n" for line in sorted(change.default_counts))
        gone = set(removed) | set(new)
        pieces: list[tuple[str, Any]] = []
        placed = sorted(
            [(self.index[i]["graph"], i, None) for i in self.offsets if i not in gone]
            + [(o.graph, i, o) for i, o in new.items() if o.named]
        )
        for _graph, article_id, fresh in placed:
            if fresh is None:
                offset, length = self.offsets[article_id]
                if pieces and pieces[-1][0] == "copy" and sum(pieces[-1][1]) == offset:
                    pieces[-1] = ("copy", (pieces[-1][1][0], pieces[-1][1][1] + length))
                else:
                    pieces.append(("copy", (offset, length)))
            else:
                pieces.append(("bytes", fresh.named))
        last = self.project.last_build
        _splice(last, last, [("bytes", default), *pieces])
        quads = default.count(b"\n") + int(self.info["quads"]) - self.default_section.count(b"\n")
        for article_id in gone:
            if article_id in self.index:
                quads -= self._old_output(article_id).named.count(b"\n")
        for output in new.values():
            quads += output.named.count(b"\n")
        self.new_default = default
        return quads

    def _write_output(self, store: ox.Store, change: _Change, quads: int) -> None:
        from consortia import describe
        from consortia.export import model_prefixes, write_description

        if self.fmt == "nq":
            _splice(self.project.last_build, self.output, [("copy", (0, None))])
        elif self.fmt == "nt":
            _splice_lines(self.output, change.added, change.removed)
        else:
            subjects = sorted({line.split(b" ", 1)[0] for line in change.added | change.removed})
            _splice_turtle(self.output, store, subjects, model_prefixes(self.project.mappings))
        counts = _update_counts(
            describe.UnionCounts(**self.info["counts"]),
            store,
            change,
            self.project.base,
        )
        self.counts = counts
        size = self.output.stat().st_size
        triples = describe.describe_union(
            b"",
            quads,
            [describe.Distribution(self.output, self.fmt, size)],
            base=self.project.base,
            counts=counts,
        )
        write_description(triples, describe.description_path(self.output))

    def _write_cache(
        self,
        scan: _Scan,
        new: Mapping[str, ArticleOutput],
        removed: Sequence[str],
        change: _Change,
        owned: Mapping[str, list[Any]],
        checked: Sequence[Any],
        times: Mapping[str, str],
        labels: Mapping[str, str],
        quads: int,
        built_ns: int,
    ) -> None:
        from consortia.export import write_atomically
        from consortia.pipeline import CACHED_BYTES, content_hash, write_manifest

        index = self.index
        for article_id in removed:
            index.pop(article_id, None)
        size = self.blob.stat().st_size
        with self.blob.open("ab") as handle:
            for article_id, output in sorted(new.items()):
                entry: dict[str, Any] = {
                    "hash": None,
                    "generated": times[article_id],
                    "facts": output.facts,
                    "graph": output.graph,
                    "published": len(output.named),
                }
                for key in CACHED_BYTES:
                    part = getattr(output, key)
                    handle.write(part)
                    entry[key] = [size, len(part)]
                    size += len(part)
                index[article_id] = entry
        for article in scan.fresh:
            index[article.id]["hash"] = content_hash(article)
        for article_id in scan.ids:
            entry = index[article_id]
            entry["path"] = scan.paths[article_id]
            entry["stat"] = scan.stats[article_id]
            if article_id in owned or article_id in new:
                entry["results"] = [dataclasses.asdict(r) for r in owned.get(article_id, [])]
        self.data["articles"] = {i: index[i] for i in scan.ids}
        self.data["checks"] = [dataclasses.asdict(r) for r in checked]
        self.data["labels"] = dict(labels)
        self.info.update(
            built_ns=built_ns,
            output_stat=file_stat(self.output),
            last_build_stat=file_stat(self.project.last_build),
            default_length=len(self.new_default),
            default_shared={
                k.decode(): n for k, n in sorted(change.default_counts.items()) if n > 1
            },
            counts=dataclasses.asdict(self.counts),
            quads=quads,
        )
        self.data["patch"] = self.info
        path = self.project.state / "cache.json"
        write_atomically(path, json.dumps(self.data, ensure_ascii=False).encode("utf-8"))
        write_manifest(
            self.project,
            {
                i: (self.data["articles"][i]["hash"], self.data["articles"][i]["generated"], p)
                for i, p in scan.given.items()
            },
            self.output,
            self.data["fingerprint"],
        )


def _graphs_in(store: ox.Store) -> Any:
    def graphs(node: ox.NamedNode | ox.BlankNode) -> set[ox.NamedNode]:
        return {
            q.graph_name
            for q in store.quads_for_pattern(node, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        }

    return graphs


def _update_counts(counts: Any, store: ox.Store, change: _Change, base: str) -> Any:
    """``counts`` (a `describe.UnionCounts`) after ``change``; the store holds the new union."""
    from consortia.describe import PROV, RDF_TYPE, bump

    type_term = f"<{RDF_TYPE}>".encode()
    generated = f"<{PROV}generatedAtTime>".encode()
    activity = f"<{PROV}wasGeneratedBy>".encode()
    per_subject: dict[bytes, int] = {}
    per_object: dict[bytes, int] = {}
    typed_subjects: dict[bytes, int] = {}
    for lines, sign in ((change.added, 1), (change.removed, -1)):
        for line in lines:
            subject, predicate, rest = line.split(b" ", 2)
            obj = rest[:-2]
            bump(counts.predicates, predicate[1:-1].decode(), sign)
            per_subject[subject] = per_subject.get(subject, 0) + sign
            per_object[obj] = per_object.get(obj, 0) + sign
            if predicate == type_term and obj.startswith(b"<"):
                bump(counts.typed, obj[1:-1].decode(), sign)
                typed_subjects[subject] = typed_subjects.get(subject, 0) + sign
            elif predicate == generated and obj.startswith(b'"'):
                bump(counts.generated, obj.decode(), sign)
            elif predicate == activity and obj.startswith(b"<"):
                bump(counts.activities, obj[1:-1].decode(), sign)
    rdf_type = ox.NamedNode(RDF_TYPE)

    def moved(pattern: tuple[Any, Any, Any], delta: int) -> int:
        """+1 if a node now has statements it had none of before, -1 the other way."""
        now = 0
        subject, predicate, obj = pattern
        for _ in store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()):
            now += 1
            if now > max(delta, 0):
                break
        before = now - delta
        return int(now > 0) - int(before > 0)

    for subject, delta in per_subject.items():
        counts.subjects += moved((_node(subject), None, None), delta)
    for obj, delta in per_object.items():
        counts.objects += moved((None, None, _triple(b"<x:s> <x:p> " + obj + b" .").object), delta)
    for subject, delta in typed_subjects.items():
        if subject.startswith(b"<" + base.encode()):
            node = _node(subject)
            counts.entities += moved((node, rdf_type, None), delta)
    return counts


def _copy_range(source: Any, target: Any, offset: int, length: int | None) -> None:
    source.seek(offset)
    remaining = length
    while remaining is None or remaining > 0:
        chunk = source.read(1 << 24 if remaining is None else min(1 << 24, remaining))
        if not chunk:
            break
        target.write(chunk)
        if remaining is not None:
            remaining -= len(chunk)


def _splice(source: Path, destination: Path, pieces: Iterable[tuple[str, Any]]) -> None:
    """Write ``destination`` (atomically) from ranges of ``source`` and new bytes."""
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.tmp")
    try:
        with source.open("rb") as old, temporary.open("wb") as new:
            for kind, value in pieces:
                if kind == "bytes":
                    new.write(value)
                else:
                    _copy_range(old, new, value[0], value[1])
        temporary.replace(destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _splice_lines(path: Path, added: Iterable[bytes], removed: Iterable[bytes]) -> None:
    """A sorted N-Triples file with ``removed`` lines taken out and ``added`` put in."""
    import bisect
    import mmap

    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        lines = _LineView(data)
        cuts: list[tuple[int, int, bytes]] = []  # (start, end, replacement)
        for line in sorted(removed):
            start = bisect.bisect_left(lines, line)
            cuts.append((lines.offset(start), lines.offset(start) + len(line) + 1, b""))
        for line in sorted(added):
            start = lines.offset(bisect.bisect_left(lines, line))
            cuts.append((start, start, line + b"\n"))
    _splice_cuts(path, cuts)


def _splice_cuts(path: Path, cuts: list[tuple[int, int, bytes]]) -> None:
    cuts.sort(key=lambda c: (c[0], c[1]))
    pieces: list[tuple[str, Any]] = []
    position = 0
    for start, end, replacement in cuts:
        if start > position:
            pieces.append(("copy", (position, start - position)))
        if replacement:
            pieces.append(("bytes", replacement))
        position = max(position, end)
    pieces.append(("copy", (position, None)))
    _splice(path, path, pieces)


class _LineView:
    """The lines of a sorted file, for `bisect` (found by seeking, not read whole)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.size = len(data)

    def offset(self, index: int) -> int:
        # "index" is a byte position rounded to the start of its line.
        if index >= self.size:
            return self.size
        return self.data.rfind(b"\n", 0, index) + 1 if index else 0

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> bytes:
        start = self.offset(index)
        end = self.data.find(b"\n", start)
        return bytes(self.data[start : self.size if end < 0 else end])


def _splice_turtle(
    path: Path, store: ox.Store, subjects: Sequence[bytes], prefixes: Mapping[str, str]
) -> None:
    """A Turtle file (as builds write it: one block per subject, in order) with
    the blocks of ``subjects`` written again from the store's union."""
    import mmap

    from consortia.export import render_union

    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        blocks = _TurtleBlocks(data, prefixes)
        cuts: list[tuple[int, int, bytes]] = []
        for subject in subjects:
            start, end = blocks.find(subject)
            node = _node(subject)
            lines = b"".join(
                f"{q.subject} {q.predicate} {q.object} .\n".encode()
                for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())
            )
            block = b""
            if lines:
                rendered, _count = render_union(lines, "turtle", prefixes)
                block = rendered[_after_prefixes(rendered) :]
            cuts.append((start, end, block))
    _splice_cuts(path, cuts)


class _TurtleBlocks:
    """Subject blocks of a build's Turtle file, found by binary search.

    A block starts on a line that does not start with white space (its
    subject), after the ``@prefix`` lines; blocks are in subject order.
    """

    def __init__(self, data: Any, prefixes: Mapping[str, str]) -> None:
        self.data = data
        self.size = len(data)
        self.prefixes = {f"{name}:".encode(): iri.encode() for name, iri in prefixes.items()}
        self.start = _after_prefixes(data)

    def _continues(self, position: int) -> bool:
        return self.data[position : position + 1] in (b"\t", b" ")

    def _block_at(self, position: int) -> int:
        """The start of the first block at or after ``position``."""
        data = self.data
        if position <= self.start:
            return self.start
        if position >= self.size:
            return self.size
        if data[position - 1 : position] == b"\n" and not self._continues(position):
            return position
        while True:
            end = data.find(b"\n", position)
            if end < 0 or end + 1 >= self.size:
                return self.size
            position = end + 1
            if not self._continues(position):
                return position

    def _subject(self, start: int) -> bytes:
        token = bytes(self.data[start : self.data.find(b" ", start)])
        if token.startswith((b"<", b"_:")):
            return token
        name, _sep, local = token.partition(b":")
        return b"<" + self.prefixes[name + b":"] + local + b">"

    def find(self, subject: bytes) -> tuple[int, int]:
        """(start, end) of ``subject``'s block; an empty range where it would go."""
        # Blocks before ``low`` sort before ``subject``; from ``high`` on, not.
        low, high = self.start, self.size
        while low < high:
            middle = self._block_at((low + high) // 2)
            if middle >= high:
                middle = low
            if self._subject(middle) < subject:
                low = self._block_at(middle + 1)
            else:
                high = middle
        if low < self.size and self._subject(low) == subject:
            return low, self._block_at(low + 1)
        return low, low


def _after_prefixes(data: Any) -> int:
    """Where a Turtle document's leading ``@prefix`` lines end."""
    position = 0
    while data[position : position + 8] == b"@prefix ":
        end = data.find(b"\n", position)
        if end < 0:
            return len(data)
        position = end + 1
    return position
