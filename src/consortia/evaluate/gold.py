"""Gold annotations (``corpus/FORMAT.md``) as frozen values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consortia.errors import ConsortiaError
from consortia.model import KINDS, RELATIONS

ENTITY_TYPES = KINDS
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class GoldEntity:
    """An entity the annotator found: canonical name, type and surface forms."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldFact:
    """One annotated fact; ``since``/``until`` are ISO dates of the text's precision."""

    s: str
    p: str
    o: str
    role: str | None = None
    since: str | None = None
    until: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class Gold:
    """The gold annotation of one article (``corpus/FORMAT.md``)."""

    id: str
    entities: tuple[GoldEntity, ...]
    facts: tuple[GoldFact, ...]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping under ``__line__``."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_gold(path: Path) -> Gold:
    """Read one ``<id>.gold.yaml``; any malformed field is a ConsortiaError naming it."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise ConsortiaError(f"cannot read gold file: {exc.strerror}", path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConsortiaError(
            "malformed YAML", path=path, line=line, hint="see corpus/FORMAT.md"
        ) from exc
    if not isinstance(data, dict):
        raise ConsortiaError(
            "a gold file is a mapping with id, entities and facts", path=path, line=1
        )

    def fail(where: Mapping[str, Any], message: str, hint: str | None = None) -> ConsortiaError:
        return ConsortiaError(message, path=path, line=where.get("__line__"), hint=hint)

    def text(where: Mapping[str, Any], key: str, context: str) -> str:
        value = where.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise fail(where, f"{context}: field '{key}' is missing or not a text")
        return value.strip()

    def items(key: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise fail(data, f"field '{key}' must be a list of mappings")
        return value

    gold_id = text(data, "id", "gold")
    entities: list[GoldEntity] = []
    for i, raw in enumerate(items("entities")):
        context = f"entities[{i}]"
        name = text(raw, "name", context)
        kind = text(raw, "type", context)
        if kind not in ENTITY_TYPES:
            raise fail(
                raw, f"{context}: unknown type {kind!r}", f"use one of {', '.join(ENTITY_TYPES)}"
            )
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise fail(raw, f"{context}: field 'aliases' must be a list of names")
        entities.append(GoldEntity(name, kind, tuple(aliases)))
    names = {e.name for e in entities}
    facts: list[GoldFact] = []
    for i, raw in enumerate(items("facts")):
        context = f"facts[{i}]"
        s, p, o = (text(raw, key, context) for key in ("s", "p", "o"))
        if p not in RELATIONS:
            raise fail(
                raw, f"{context}: unknown relation {p!r}", f"use one of {', '.join(RELATIONS)}"
            )
        for key, value in (("s", s), ("o", o)):
            if value not in names:
                raise fail(
                    raw,
                    f"{context}: field '{key}' names {value!r}, not an entity",
                    "add it under entities",
                )
        dates = {
            k: text(raw, k, context) if raw.get(k) is not None else None for k in ("since", "until")
        }
        for key, date in dates.items():
            if date is not None and not _DATE.match(date):
                raise fail(
                    raw,
                    f"{context}: field '{key}' is not an ISO date",
                    "write 2019, 2019-06 or 2019-06-18",
                )
        role = text(raw, "role", context) if raw.get("role") is not None else None
        optional = raw.get("optional", False)
        if not isinstance(optional, bool):
            raise fail(raw, f"{context}: field 'optional' must be true or false")
        facts.append(GoldFact(s, p, o, role, dates["since"], dates["until"], optional))
    return Gold(gold_id, tuple(entities), tuple(facts))
