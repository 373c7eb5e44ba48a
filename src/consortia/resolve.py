"""Surface names -> canonical entities and stable IRIs.

The registry (``mappings/registry.yaml``) knows organizations by name and alias;
the gazetteer knows places. An organization the registry does not know keeps the
name the text gives it. IRIs are minted from canonical names only, so the same
entity gets the same IRI from every article.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from consortia.errors import MappingError
from consortia.model import KINDS, Entity

DEFAULT_BASE = "https://w3id.org/consortia/id/"
_SPACES = {"Organization": "org", "Alliance": "org", "Person": "person", "Location": "place"}


def slugify(name: str) -> str:
    """The key of a canonical name: ASCII, lowercase, hyphenated.

    >>> slugify("Société Générale")
    'societe-generale'
    >>> slugify("  R3 (consortium) ")
    'r3-consortium'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if slug:
        return slug
    return "x" + hashlib.sha256(name.encode()).hexdigest()[:12]


def normalise(name: str) -> str:
    """A form of a name for comparison: no diacritics, case or punctuation noise.

    >>> normalise("The  Linux Foundation’s")
    'linux foundation'
    """
    text = re.sub(r"['’]s\b", "", name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[^a-z0-9&]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def entity_iri(entity: Entity, base: str = DEFAULT_BASE) -> str:
    """The IRI of an entity under ``base``.

    >>> entity_iri(Entity("Huobi China", "Organization"))
    'https://w3id.org/consortia/id/org/huobi-china'
    """
    return f"{base}{_SPACES[entity.kind]}/{slugify(entity.name)}"


def short_hash(*parts: str) -> str:
    """16 hex digits identifying a tuple of strings (for minted node IRIs)."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RegistryEntry:
    entity: Entity
    aliases: tuple[str, ...]


@dataclass
class Registry:
    """Known entities, looked up by any of their names."""

    entries: tuple[RegistryEntry, ...]
    _by_name: dict[str, RegistryEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for form in (entry.entity.name, *entry.aliases):
                self._by_name.setdefault(normalise(form), entry)

    @property
    def surface_forms(self) -> list[str]:
        """Every name and alias, longest first (for matching in text)."""
        forms = {f for e in self.entries for f in (e.entity.name, *e.aliases)}
        return sorted(forms, key=lambda f: (-len(f), f))

    def lookup(self, name: str) -> Entity | None:
        """The entity with this name or alias, or ``None``."""
        entry = self._by_name.get(normalise(name))
        return entry.entity if entry else None

    def fuzzy_lookup(self, name: str, cutoff: float = 0.85) -> Entity | None:
        """A known entity whose long name is a near-spelling of ``name``.

        Only names of three or more words with the same first word are compared,
        so that a misspelt agency name resolves while short names never drift.
        """
        key = normalise(name)
        words = key.split()
        if len(words) < 3:
            return None
        candidates = [
            k for k in self._by_name if k.split()[:1] == words[:1] and len(k.split()) >= 3
        ]
        best = difflib.get_close_matches(key, candidates, n=1, cutoff=cutoff)
        return self._by_name[best[0]].entity if best else None


def _entity_from(item: Mapping[str, Any], path: Path, index: int) -> RegistryEntry:
    name = item.get("name")
    kind = item.get("type")
    where = f"entities[{index}]"
    if not isinstance(name, str) or not name.strip():
        raise MappingError(f"{where}: missing name", path=path, hint="give every entry a name")
    if kind not in KINDS:
        raise MappingError(
            f"{where} ({name}): type {kind!r} is not one of {', '.join(KINDS)}", path=path
        )
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise MappingError(f"{where} ({name}): aliases must be a list of names", path=path)
    wikidata = item.get("wikidata")
    if wikidata is not None and not re.fullmatch(r"Q[0-9]+", str(wikidata)):
        raise MappingError(
            f"{where} ({name}): wikidata {wikidata!r} is not a Q-identifier", path=path
        )
    cls = item.get("class")
    if kind in ("Organization", "Alliance") and cls is None:
        cls = "FormalOrganization" if kind == "Organization" else None
    entity = Entity(name=name.strip(), kind=kind, cls=cls, wikidata=wikidata)
    return RegistryEntry(entity, tuple(aliases))


def load_registry(path: Path) -> Registry:
    """Read ``mappings/registry.yaml``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read the registry: {exc}", path=path) from None
    items = data.get("entities") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise MappingError("expected a top-level 'entities:' list", path=path)
    return Registry(tuple(_entity_from(item, path, i) for i, item in enumerate(items)))


def merge_entities(entities: Iterable[Entity]) -> dict[str, Entity]:
    """One entity per IRI key: an Alliance typing wins over a plain Organization."""
    merged: dict[str, Entity] = {}
    for entity in sorted(entities):
        key = f"{_SPACES[entity.kind]}/{slugify(entity.name)}"
        prior = merged.get(key)
        if prior is None or (prior.kind == "Organization" and entity.kind == "Alliance"):
            merged[key] = entity
    return merged
