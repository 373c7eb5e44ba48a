"""Gold vs published: alignment, fact matching, the merged-build identity check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph, Dataset

from consortia.errors import ConsortiaError
from consortia.evaluate.gold import Gold, GoldFact, load_gold
from consortia.evaluate.normalise import load_role_equivalents, normalise_name, normalise_role
from consortia.evaluate.published import (
    SCHEMA,
    Published,
    PublishedEntity,
    PublishedFact,
    flatten,
    read_published,
)
from consortia.evaluate.scores import (
    Accuracy,
    ArticleScore,
    Counts,
    EntityError,
    Evaluation,
    FalseFind,
    Merge,
    MergeScore,
    Mismatch,
    Miss,
    Split,
    TypeConfusion,
)
from consortia.model import RELATIONS

_FIELDS = ("role", "since", "until")


def _family(kind: str | None) -> str | None:
    return "Organization" if kind in ("Organization", "Alliance") else kind


def _align(gold: Gold, entities: Iterable[PublishedEntity]) -> dict[str, int]:
    """Map published IRIs to the index of the gold entity they stand for."""
    index: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for i, entity in enumerate(gold.entities):
        for form, canonical in ((entity.name, True), *((a, False) for a in entity.aliases)):
            if key := normalise_name(form):
                index[key].append((i, canonical))
    aligned: dict[str, int] = {}
    for pe in entities:
        best: tuple[tuple[bool, bool, bool, bool, int], int] | None = None
        for j, label in enumerate(pe.labels):
            for i, canonical in index.get(normalise_name(label), ()):
                kind = gold.entities[i].type
                rank = (j == 0, _family(kind) == _family(pe.type), kind == pe.type, canonical, -i)
                if best is None or rank > best[0]:
                    best = (rank, i)
        if best is not None:
            aligned[pe.iri] = best[1]
    return aligned


def _label(published: Published, iri: str) -> str:
    entity = published.entity(iri)
    return entity.labels[0] if entity is not None and entity.labels else iri


def _score_entities(
    gold: Gold, published: Published, aligned: Mapping[str, int]
) -> tuple[Counts, list[TypeConfusion], list[EntityError], list[EntityError]]:
    considered = [
        e
        for e in published.entities
        if e.type is not None and (e.iri not in published.publishers or e.iri in aligned)
    ]
    used: dict[str, int] = {}
    confusions: list[TypeConfusion] = []
    missed: list[EntityError] = []
    for i, ge in enumerate(gold.entities):
        matches = [e for e in considered if aligned.get(e.iri) == i]
        # the IRI whose prefLabel is the canonical name is the one found; others are extra
        exact = sorted(
            (e for e in matches if e.type == ge.type),
            key=lambda e: (normalise_name(e.labels[0]) != normalise_name(ge.name), e.iri),
        )
        if exact:
            used[exact[0].iri] = i
        else:
            missed.append(EntityError(gold.id, ge.name, ge.type))
        confusions.extend(
            TypeConfusion(gold.id, ge.name, ge.type, e.type, e.iri)
            for e in matches
            if e.type is not None and e.type != ge.type
        )
    false: list[EntityError] = []
    for e in considered:
        if e.iri in used or e.type is None:
            continue
        label = e.labels[0] if e.labels else e.iri
        if e.iri not in aligned:
            reason = "not in the gold"
        else:
            ge = gold.entities[aligned[e.iri]]
            reason = f"gold type {ge.type}" if ge.type != e.type else f"a second IRI for {ge.name}"
        false.append(EntityError(gold.id, label, e.type, e.iri, reason))
    counts = Counts(len(used), len(considered) - len(used), len(gold.entities) - len(used))
    return counts, confusions, missed, false


def evaluate_article(
    gold: Gold, published: Published, *, equivalents: Mapping[str, str] | None = None
) -> ArticleScore:
    """Score what one article's build published against its gold annotation."""
    table = load_role_equivalents() if equivalents is None else equivalents
    aligned = _align(gold, published.entities)

    def key_of(iri: str) -> str:
        return gold.entities[aligned[iri]].name if iri in aligned else f"<{iri}>"

    found: dict[tuple[str, str, str], list[PublishedFact]] = defaultdict(list)
    for pf in published.facts:
        found[(pf.relation, key_of(pf.s), key_of(pf.o))].append(pf)
    required: dict[tuple[str, str, str], GoldFact] = {}
    optional: dict[tuple[str, str, str], GoldFact] = {}
    for gf in gold.facts:
        (optional if gf.optional else required).setdefault((gf.p, gf.s, gf.o), gf)

    tally: dict[str, Counts] = {r: Counts() for r in RELATIONS}
    misses: list[Miss] = []
    false_finds: list[FalseFind] = []
    for key, gf in required.items():
        hit = key in found
        tally[gf.p] += Counts(tp=1) if hit else Counts(fn=1)
        if not hit:
            misses.append(Miss(gold.id, gf))
    for key, pfs in found.items():
        if key in required or key in optional:
            continue
        tally[key[0]] += Counts(fp=1)
        s, o = pfs[0].s, pfs[0].o
        sentences = tuple(sorted({x for pf in pfs for x in pf.evidence}))
        name_s = key[1] if s in aligned else _label(published, s)
        name_o = key[2] if o in aligned else _label(published, o)
        false_finds.append(FalseFind(gold.id, key[0], name_s, name_o, s, o, sentences))

    mismatches: list[Mismatch] = []
    dates = roles = Accuracy()
    for key, gf in {**optional, **required}.items():
        if key not in found:
            continue
        pfs = found[key]
        checks: list[tuple[str, str, set[str], set[str]]] = []
        gold_role = gf.role or ("member" if gf.p == "memberOf" else None)
        if gf.p in ("memberOf", "holdsPost") and gold_role is not None:
            published_roles = {r for pf in pfs for r in pf.roles}
            normal = {normalise_role(r, table) for r in published_roles}
            checks.append(("role", gold_role, published_roles, normal))
        if gf.p == "memberOf":
            for name, value in (("since", gf.since), ("until", gf.until)):
                if value is not None:
                    values = {v for pf in pfs for v in getattr(pf, name)}
                    checks.append((name, value, values, values))
        for name, value, shown, compared in checks:
            wanted = normalise_role(value, table) if name == "role" else value
            ok = compared == {wanted}
            if name == "role":
                roles += Accuracy(int(ok), 1)
            else:
                dates += Accuracy(int(ok), 1)
            if not ok:
                mismatches.append(
                    Mismatch(gold.id, gf.p, gf.s, gf.o, name, value, tuple(sorted(shown)))
                )

    entities, confusions, missed, false = _score_entities(gold, published, aligned)
    return ArticleScore(
        gold.id,
        tally,
        entities,
        dates,
        roles,
        tuple(sorted(misses, key=lambda m: (RELATIONS.index(m.fact.p), m.fact.s, m.fact.o))),
        tuple(sorted(false_finds, key=lambda f: (RELATIONS.index(f.relation), f.s, f.o))),
        tuple(
            sorted(
                mismatches,
                key=lambda m: (RELATIONS.index(m.relation), m.s, m.o, _FIELDS.index(m.field)),
            )
        ),
        tuple(confusions),
        tuple(missed),
        tuple(sorted(false, key=lambda e: (e.name, e.iri))),
    )


def evaluate(
    pairs: Iterable[tuple[Gold, Published]], *, merge: MergeScore | None = None
) -> Evaluation:
    """Score each (gold, published) pair, sorted by article id, and sum the scores."""
    scores = [evaluate_article(gold, published) for gold, published in pairs]
    return Evaluation(tuple(sorted(scores, key=lambda s: s.id)), merge)


_PLAIN_GRAPH = "urn:consortia:evaluate:graph/"


def _article_view(graph: Graph, article_id: str) -> tuple[Graph, set[str] | None]:
    """The article's named graph; else the whole graph and the entities it mentions."""
    if isinstance(graph, ConjunctiveGraph):
        graphs = graph.graphs() if isinstance(graph, Dataset) else graph.contexts()
        for g in graphs:
            name = str(g.identifier)
            if name.endswith(f"/graph/{article_id}") or name == _PLAIN_GRAPH + article_id:
                return g, None
    flat = flatten(graph)
    articles = {s for s in flat.subjects(SCHEMA.identifier, Literal(article_id))}
    articles |= {
        s
        for s in flat.subjects(RDF.type, SCHEMA.NewsArticle)
        if str(s).endswith(f"/article/{article_id}")
    }
    mentioned = {str(o) for a in articles for o in flat.objects(a, SCHEMA.mentions)}
    return flat, (mentioned or None)


def evaluate_merged(golds: Iterable[Gold], merged_graph: Graph) -> MergeScore:
    """Check that each gold entity (by canonical name and type family) is one IRI.

    Each article's gold is aligned within that article's named graph
    (``.../graph/{id}``), or else with the entities its article node mentions.
    """
    names: dict[tuple[str, str | None], str] = {}
    types: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    iris: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    articles: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for gold in sorted(golds, key=lambda g: g.id):
        view, mentioned = _article_view(merged_graph, gold.id)
        entities = [
            e
            for e in read_published(view).entities
            if e.type is not None and (mentioned is None or e.iri in mentioned)
        ]
        keys = [(normalise_name(e.name), _family(e.type)) for e in gold.entities]
        for key, entity in zip(keys, gold.entities, strict=True):
            names.setdefault(key, entity.name)
            types[key].add(entity.type)
        for iri, i in _align(gold, entities).items():
            iris[keys[i]].add(iri)
            articles[keys[i]].add(gold.id)
    by_iri: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for key, found in iris.items():
        for iri in found:
            by_iri[iri].add(key)

    def show(key: tuple[str, str | None]) -> str:
        return f"{names[key]} ({'/'.join(sorted(types[key]))})"

    splits = [
        Split(names[k], "/".join(sorted(types[k])), tuple(sorted(v)), tuple(sorted(articles[k])))
        for k, v in iris.items()
        if len(v) > 1
    ]
    merges = [
        Merge(iri, tuple(sorted(show(k) for k in ks))) for iri, ks in by_iri.items() if len(ks) > 1
    ]
    return MergeScore(
        len(names),
        sum(1 for v in iris.values() if v),
        tuple(sorted(splits, key=lambda s: (s.name, s.type))),
        tuple(sorted(merges, key=lambda m: m.iri)),
    )


def _add_graph(merged: Dataset, graph: Graph, article_id: str) -> None:
    if not isinstance(graph, ConjunctiveGraph):
        target = merged.graph(URIRef(_PLAIN_GRAPH + article_id))
        for triple in graph:
            target.add(triple)
        return
    for s, p, o, c in graph.quads((None, None, None, None)):
        name = c.identifier if isinstance(c, Graph) else c
        if name is None or name == DATASET_DEFAULT_GRAPH_ID:
            merged.default_graph.add((s, p, o))
        else:
            merged.graph(name).add((s, p, o))


def evaluate_dir(gold_dir: Path, build: Callable[[Path], Graph]) -> Evaluation:
    """Build every ``<id>.md`` that has a ``<id>.gold.yaml`` beside it and score it all.

    The merged union of the builds is checked with :func:`evaluate_merged`.
    """
    gold_paths = sorted(gold_dir.glob("*.gold.yaml"))
    if not gold_paths:
        raise ConsortiaError(
            "no gold files here",
            path=gold_dir,
            hint="point to a folder of <id>.md + <id>.gold.yaml",
        )
    merged = Dataset()
    pairs: list[tuple[Gold, Published]] = []
    for gold_path in gold_paths:
        gold = load_gold(gold_path)
        stem = gold_path.name.removesuffix(".gold.yaml")
        if gold.id != stem:
            raise ConsortiaError(
                f"field 'id' is {gold.id!r}, the file name says {stem!r}",
                path=gold_path,
                hint="make them the same",
            )
        article = gold_path.with_name(f"{stem}.md")
        if not article.is_file():
            raise ConsortiaError(
                "no article beside this gold file", path=gold_path, hint=f"add {article.name}"
            )
        graph = build(article)
        pairs.append((gold, read_published(graph)))
        _add_graph(merged, graph, gold.id)
    return evaluate(pairs, merge=evaluate_merged([g for g, _ in pairs], merged))
