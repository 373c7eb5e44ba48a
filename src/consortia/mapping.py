"""Facts -> RDF quads, through the templates of ``mappings/templates.yaml``.

Python binds variables; the templates say which triples they make. The shape of
every node is fixed by ``docs/decisions/0001-rdf-model.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from consortia.errors import MappingError
from consortia.extract import Extraction
from consortia.extract.resources import Role
from consortia.model import Entity, Fact, Span
from consortia.resolve import entity_iri, short_hash, slugify

Binding = Mapping[str, "str | ox.NamedNode | ox.Literal | Sequence[ox.NamedNode | ox.Literal]"]
Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Templates:
    """The parsed templates file."""

    prefixes: dict[str, str]
    classes: dict[str, list[str]]
    identifiers: dict[str, str]
    instants: dict[str, dict[str, str]]
    blocks: dict[str, list[list[Any]]]
    relations: dict[str, dict[str, Any]]
    path: Path

    def expand(self, curie: str) -> str:
        """The full IRI of a CURIE (``a`` is ``rdf:type``).

        >>> load_templates(Path("mappings/templates.yaml")).expand("org:memberOf")
        'http://www.w3.org/ns/org#memberOf'
        """
        if curie == "a":
            return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.prefixes:
            raise MappingError(
                f"unknown prefix in {curie!r}",
                path=self.path,
                hint=f"declare it under prefixes: ({', '.join(sorted(self.prefixes))})",
            )
        return self.prefixes[prefix] + local


def load_templates(path: Path) -> Templates:
    """Read and check ``mappings/templates.yaml``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read the templates: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise MappingError("expected a mapping at the top level", path=path)
    missing = [
        key
        for key in (
            "prefixes",
            "classes",
            "entity",
            "article",
            "graph",
            "relations",
            "membership",
            "evidence",
            "instants",
            "identifiers",
        )
        if key not in data
    ]
    if missing:
        raise MappingError(f"missing section(s): {', '.join(missing)}", path=path)
    return Templates(
        prefixes=dict(data["prefixes"]),
        classes=dict(data["classes"]),
        identifiers=dict(data["identifiers"]),
        instants=dict(data["instants"]),
        blocks={k: data[k] for k in ("entity", "article", "graph", "membership", "evidence")},
        relations=dict(data["relations"]),
        path=path,
    )


@dataclass(frozen=True)
class Settings:
    """What a mapping needs besides the facts."""

    base: str
    version: str
    generated: str  # xsd:dateTime lexical of the article graph's generation


class Mapper:
    """Turns extractions into quads."""

    def __init__(
        self,
        templates: Templates,
        roles: Mapping[str, Role],
        settings: Settings,
        containers: Callable[[Entity], tuple[Entity, ...]] = lambda _: (),
    ) -> None:
        self.t = templates
        self.roles = roles
        self.s = settings
        self.containers = containers  # a place's containing places, nearest first

    def node(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(self.s.base + path)

    def entity_node(self, entity: Entity) -> ox.NamedNode:
        return ox.NamedNode(entity_iri(entity, self.s.base))

    def _term(self, spec: Any, binding: Binding) -> list[Term]:
        """The terms a template position stands for under a binding ([] if unbound)."""
        if isinstance(spec, dict):
            texts = self._values(spec.get("text"), binding)
            if not texts:
                return []
            lang = self._values(spec.get("lang"), binding) if "lang" in spec else []
            datatype = self._values(spec.get("datatype"), binding) if "datatype" in spec else []
            if ("lang" in spec and not lang) or ("datatype" in spec and not datatype):
                return []
            result: list[Term] = []
            for text in texts:
                value = text.value if isinstance(text, ox.Literal | ox.NamedNode) else str(text)
                if lang:
                    result.append(ox.Literal(value, language=_text(lang[0])))
                elif datatype:
                    dt = datatype[0]
                    iri = dt.value if isinstance(dt, ox.NamedNode) else self.t.expand(_text(dt))
                    result.append(ox.Literal(value, datatype=ox.NamedNode(iri)))
                else:
                    result.append(ox.Literal(value))
            return result
        values = self._values(spec, binding)
        return [
            v if isinstance(v, ox.NamedNode | ox.Literal) else ox.NamedNode(self.t.expand(v))
            for v in values
        ]

    def _values(self, spec: Any, binding: Binding) -> list[Any]:
        if isinstance(spec, str) and spec.startswith("$"):
            value = binding.get(spec[1:])
            if value is None:
                return []
            if isinstance(value, list | tuple):
                return list(value)
            return [value]
        return [] if spec is None else [spec]

    def apply(
        self, block: Iterable[list[Any]], binding: Binding, graph: ox.NamedNode | ox.DefaultGraph
    ) -> Iterator[ox.Quad]:
        """The quads of a template block under a binding."""
        for triple in block:
            if not isinstance(triple, list) or len(triple) != 3:
                raise MappingError(
                    f"not a [subject, predicate, object] triple: {triple!r}", path=self.t.path
                )
            s, p, o = (self._term(part, binding) for part in triple)
            for subject, predicate, obj in itertools.product(s, p, o):
                if isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode):
                    yield ox.Quad(subject, predicate, obj, graph)

    # -- one article ------------------------------------------------------------

    def map_extraction(self, extraction: Extraction, publisher: Entity | None) -> list[ox.Quad]:
        """All quads of one article: its named graph and its default-graph description."""
        article = extraction.article
        graph = self.node(f"graph/{article.id}")
        article_node = self.node(f"article/{article.id}")
        quads: list[ox.Quad] = []

        aliases: dict[Entity, set[str]] = {}
        for mention in extraction.mentions:
            aliases.setdefault(mention.entity, set()).add(mention.span.text)
        for fact in extraction.facts:
            aliases.setdefault(fact.subject, set())
            aliases.setdefault(fact.object, set())
        if publisher is not None:
            aliases.setdefault(publisher, set())
        for place in [e for e in aliases if e.kind == "Location"]:
            for container in self.containers(place):
                aliases.setdefault(container, set())
        for entity, names in sorted(aliases.items()):
            quads.extend(
                self.apply(self.t.blocks["entity"], self._entity_binding(entity, names), graph)
            )

        mentioned = sorted({self.entity_node(m.entity).value for m in extraction.mentions})
        quads.extend(
            self.apply(
                self.t.blocks["article"],
                {
                    "article": article_node,
                    "id": article.id,
                    "title": article.title,
                    "language": article.language,
                    "url": ox.NamedNode(article.url)
                    if article.url and _is_iri(article.url)
                    else None,  # type: ignore[dict-item]
                    "published": article.published.isoformat(),
                    "publisher": self.entity_node(publisher) if publisher else None,  # type: ignore[dict-item]
                    "mentioned": [ox.NamedNode(iri) for iri in mentioned],
                },
                graph,
            )
        )
        quads.extend(
            self.apply(
                self.t.blocks["graph"],
                {
                    "graph": graph,
                    "article": article_node,
                    "generated": self.s.generated,
                    "activity": self.node(f"activity/consortia-{self.s.version}"),
                    "agent": self.node("agent/consortia"),
                    "software": f"consortia {self.s.version}",
                },
                ox.DefaultGraph(),
            )
        )
        for fact in extraction.facts:
            quads.extend(self._fact(fact, extraction, article_node, graph))
        return quads

    def _entity_binding(self, entity: Entity, names: set[str]) -> dict[str, Any]:
        classes = list(self.t.classes.get(entity.kind, []))
        if entity.cls:
            classes += self.t.classes.get(entity.cls, [])
        same_as = []
        if entity.wikidata:
            same_as.append(ox.NamedNode(self.t.identifiers["wikidata"].format(id=entity.wikidata)))
        if entity.geonames:
            same_as.append(ox.NamedNode(self.t.identifiers["geonames"].format(id=entity.geonames)))
        containers = self.containers(entity) if entity.kind == "Location" else ()
        return {
            "entity": self.entity_node(entity),
            "container": [self.entity_node(c) for c in containers],
            "class": classes,
            "name": entity.name,
            "alias": sorted(n for n in names if n != entity.name),
            "same_as": same_as,
        }

    def _fact(
        self, fact: Fact, extraction: Extraction, article_node: ox.NamedNode, graph: ox.NamedNode
    ) -> Iterator[ox.Quad]:
        spec = self.t.relations.get(fact.relation)
        if spec is None:
            raise MappingError(
                f"no template for relation {fact.relation!r}",
                path=self.t.path,
                hint="add it under relations:",
            )
        s, o = self.entity_node(fact.subject), self.entity_node(fact.object)
        binding: dict[str, Any] = {
            "s": s,
            "o": o,
            "o_person": o if fact.object.kind == "Person" else None,
            "article": article_node,
            "language": extraction.article.language,
        }
        if spec.get("membership"):
            binding.update(self._membership_binding(fact, s, o, article_node))
        statement = spec["statement"]
        stmt = [self._term(part, binding) for part in statement]
        evidence = self._evidence_node(extraction.article.id, stmt)
        binding["evidence"] = evidence
        yield from self.apply([statement], binding, graph)
        yield from self.apply(spec.get("triples", []), binding, graph)
        if spec.get("membership"):
            yield from self.apply(self.t.blocks["membership"], binding, graph)
        binding.update(
            {
                "stmt_s": stmt[0],
                "stmt_p": stmt[1],
                "stmt_o": stmt[2],
                "sentence": fact.evidence.text,
                "start": str(fact.evidence.start),
                "stop": str(fact.evidence.end),
            }
        )
        yield from self.apply(self.t.blocks["evidence"], binding, graph)

    def _evidence_node(self, article_id: str, stmt: list[list[Term]]) -> ox.NamedNode:
        parts = [article_id] + [t[0].value for t in stmt if t]
        return self.node(f"evidence/{short_hash(*parts)}")

    def _membership_binding(
        self, fact: Fact, s: ox.NamedNode, o: ox.NamedNode, article: ox.NamedNode
    ) -> dict[str, Any]:
        label = fact.role or "member"
        role = self.node(f"role/{slugify(label)}")
        known = self.roles.get(label.casefold())
        # One membership node per article that states it: two articles may give
        # the same membership different dates, and each claim keeps its own.
        membership_hash = short_hash(s.value, o.value, role.value, article.value)
        binding: dict[str, Any] = {
            "membership": self.node(f"membership/{membership_hash}"),
            "role": role,
            "role_label": label,
            "role_concept": ox.NamedNode(self.t.expand(f"cx:{known.concept}"))
            if known and known.concept
            else None,
        }
        if fact.since or fact.until:
            begin = fact.since.lexical if fact.since else ""
            end = fact.until.lexical if fact.until else ""
            binding["interval"] = self.node(f"interval/{short_hash(membership_hash, begin, end)}")
            for name, date in (("begin", fact.since), ("end", fact.until)):
                if date is None:
                    continue
                instant = self.t.instants[date.precision]
                binding[name] = self.node(f"instant/{date.lexical}")
                binding[f"{name}_property"] = ox.NamedNode(self.t.expand(instant["property"]))
                binding[f"{name}_value"] = date.lexical
                binding[f"{name}_datatype"] = ox.NamedNode(self.t.expand(instant["datatype"]))
        return binding


def _text(value: Any) -> str:
    return value.value if isinstance(value, ox.Literal | ox.NamedNode) else str(value)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text and " " not in text


def evidence_spans(facts: Iterable[Fact]) -> list[Span]:
    """The distinct evidence sentences of some facts, in text order."""
    return sorted({f.evidence for f in facts}, key=lambda s: (s.start, s.end))
