"""The extraction data in ``mappings/``, loaded and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consortia.errors import MappingError
from consortia.extract.prefilter import Guarded
from consortia.model import RELATIONS
from consortia.resolve import Registry, load_registry

# The clause rules of patterns.yaml the extractor uses.
CLAUSES = (
    "apposition",
    "modifier_after",
    "relative_clause",
    "another_name",
    "gapped_verb",
    "gapped_clause",
    "it",
    "own",
    "name_suffix",
)


@dataclass(frozen=True)
class Role:
    label: str
    leads: bool
    concept: str | None


@dataclass(frozen=True)
class Pattern:
    """One relation pattern of ``mappings/patterns.yaml``, compiled."""

    id: str
    relation: str
    regex: Guarded
    role: str | None
    date: str | None
    implies: tuple[str, ...] = ()
    implicit: str = "Alliance"  # what a pattern without an o group refers back to
    items: re.Pattern[str] | None = None  # split the s group into items; each item's first name
    future: bool = False  # a statement about the future ("will have its head office in") holds
    pairs: bool = False  # the s group is "person of organization" pairs: one fact per pair
    role_template: str | None = None  # the post a role group names: "head of {role}"
    implicit_slot: str = "o"  # the slot the implicit entity fills when its group is absent


@dataclass(frozen=True)
class Description:
    """A definite description that names an entity by its relation to another."""

    id: str
    regex: Guarded
    refers_to: str
    relation: str | None


@dataclass(frozen=True)
class Resources:
    registry: Registry
    furniture: tuple[re.Pattern[str], ...]
    abbreviations: tuple[str, ...]
    designators: dict[str, str]
    connectors: frozenset[str]
    not_names: frozenset[str]
    and_joinable: frozenset[str]
    place_suffixes: frozenset[str]
    place_heads: frozenset[str]
    name_articles: frozenset[str]
    legal_forms: frozenset[str]
    demonyms: frozenset[str]
    name_prefixes: frozenset[str]
    locatives: frozenset[str]
    fronted: frozenset[str]
    prepositions: frozenset[str]
    time_words: frozenset[str]
    anaphora: dict[str, str]
    hedges: tuple[re.Pattern[str], ...]
    continuations: tuple[re.Pattern[str], ...]
    roles: dict[str, Role]
    membership_roles: dict[str, Role]
    role_regex: str
    patterns: tuple[Pattern, ...]
    descriptions: tuple[Description, ...]
    unnamed: tuple[Description, ...]
    clauses: dict[str, re.Pattern[str]]
    slot_types: dict[tuple[str, str], str]
    role_openers: frozenset[str]
    person_contexts: tuple[Guarded, ...]
    organization_contexts: tuple[Guarded, ...]
    founding_dates: tuple[Guarded, ...]
    location_contexts: tuple[Guarded, ...]
    alliance_contexts: tuple[Guarded, ...]
    metonymy_contexts: tuple[Guarded, ...]
    future_hedges: tuple[re.Pattern[str], ...]
    leading_designators: dict[str, str]
    given_names: frozenset[str]
    name_particles: frozenset[str]
    numbers: dict[str, int]
    weak_designators: frozenset[str]
    # descriptions that fit a company and an alliance alike ("the venture")
    either_anaphora: frozenset[str] = frozenset()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"cannot read: {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(
            f"malformed YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if not isinstance(data, dict):
        raise MappingError("expected a mapping at the top level", path=path)
    return data


def _expand(template: str, macros: dict[str, str], path: Path, where: str) -> str:
    """Replace ``{NAME}`` by its macro, recursively."""
    for _ in range(10):
        expanded = re.sub(
            r"\{([A-Z_]+)\}",
            lambda m: macros[m.group(1)] if m.group(1) in macros else m.group(0),
            template,
        )
        if expanded == template:
            break
        template = expanded
    unknown = re.findall(r"\{([A-Z_]+)\}", template)
    if unknown:
        raise MappingError(f"{where}: unknown macro {{{unknown[0]}}}", path=path)
    return template


def _compile(text: str, path: Path, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise MappingError(f"{where}: invalid regular expression: {exc}", path=path) from None


def load_resources(mappings: Path) -> Resources:
    """Load ``lexicon.yaml``, ``roles.yaml``, ``patterns.yaml`` and the registry."""
    lexicon_path = mappings / "lexicon.yaml"
    lexicon = _read_yaml(lexicon_path)
    roles_path = mappings / "roles.yaml"
    roles_data = _read_yaml(roles_path)
    patterns_path = mappings / "patterns.yaml"
    patterns_data = _read_yaml(patterns_path)

    roles: dict[str, Role] = {}
    for i, item in enumerate(roles_data.get("roles") or []):
        if "label" not in item:
            raise MappingError(f"roles[{i}]: missing label", path=roles_path)
        role = Role(item["label"], bool(item.get("leads")), item.get("concept"))
        for form in [item["label"], *(item.get("forms") or [])]:
            roles[form.casefold()] = role
    membership_roles = {
        key: Role(value["label"], False, value.get("concept"))
        for key, value in (roles_data.get("membership_roles") or {}).items()
    }
    forms = sorted(roles, key=lambda f: (-len(f), f))
    role_regex = "(?i:" + "|".join(re.escape(f) for f in forms) + ")"

    designators: dict[str, str] = {}
    for kind, words in (lexicon.get("designators") or {}).items():
        for word in words:
            designators.setdefault(str(word), kind)
    leading: dict[str, str] = {}
    for kind, words in (lexicon.get("leading_designators") or {}).items():
        for word in words:
            leading.setdefault(str(word), kind)
    names_path = mappings / "given-names.yaml"
    given_names: frozenset[str] = frozenset()
    if names_path.is_file():
        names_data = _read_yaml(names_path)
        given_names = frozenset(
            str(name) for group in (names_data.get("given_names") or {}).values() for name in group
        )
    anaphora: dict[str, str] = {}
    for kind, words in (lexicon.get("anaphora") or {}).items():
        for word in words:
            anaphora.setdefault(str(word), kind)

    macros = {str(k): str(v) for k, v in (patterns_data.get("macros") or {}).items()}
    macros["ROLE"] = role_regex

    patterns: list[Pattern] = []
    for i, item in enumerate(patterns_data.get("relations") or []):
        where = f"relations[{i}] ({item.get('id', '?')})"
        relation = item.get("relation")
        if relation not in RELATIONS:
            raise MappingError(
                f"{where}: relation {relation!r} is not one of {', '.join(RELATIONS)}",
                path=patterns_path,
            )
        for j, text in enumerate(
            item["pattern"] if isinstance(item.get("pattern"), list) else [item.get("pattern")]
        ):
            if not isinstance(text, str):
                raise MappingError(f"{where}: missing pattern", path=patterns_path)
            regex = Guarded(
                _compile(_expand(text, macros, patterns_path, where), patterns_path, where)
            )
            patterns.append(
                Pattern(
                    f"{item.get('id', i)}#{j}",
                    relation,
                    regex,
                    item.get("role"),
                    item.get("date"),
                    tuple(item.get("implies") or ()),
                    str(item.get("implicit") or "Alliance"),
                    _compile(item["items"], patterns_path, where) if item.get("items") else None,
                    bool(item.get("future")),
                    bool(item.get("pairs")),
                    item.get("role_template"),
                    str(item.get("implicit_slot") or "o"),
                )
            )

    def described(key: str) -> tuple[Description, ...]:
        return tuple(
            Description(
                str(item.get("id", i)),
                Guarded(
                    _compile(
                        _expand(item["pattern"], macros, patterns_path, f"{key}[{i}]"),
                        patterns_path,
                        f"{key}[{i}]",
                    )
                ),
                item.get("refers_to", "Organization"),
                item.get("relation"),
            )
            for i, item in enumerate(patterns_data.get(key) or [])
        )

    def contexts(key: str) -> tuple[Guarded, ...]:
        return tuple(
            Guarded(_compile(_expand(text, macros, patterns_path, key), patterns_path, key))
            for text in patterns_data.get(key) or []
        )

    clauses = {
        str(name): _compile(
            _expand(str(text), macros, patterns_path, f"clauses.{name}"),
            patterns_path,
            f"clauses.{name}",
        )
        for name, text in (patterns_data.get("clauses") or {}).items()
    }
    missing = sorted(set(CLAUSES) - set(clauses))
    if missing:
        raise MappingError(
            f"clauses: missing {', '.join(missing)}",
            path=patterns_path,
            hint="see the file's comments",
        )
    slot_types = {
        (str(relation), str(slot)): str(kind)
        for relation, slots in (patterns_data.get("slot_types") or {}).items()
        for slot, kind in slots.items()
    }

    return Resources(
        registry=load_registry(mappings / "registry.yaml"),
        furniture=tuple(
            _compile(p, lexicon_path, "furniture", re.I) for p in lexicon.get("furniture") or []
        ),
        abbreviations=tuple(lexicon.get("abbreviations") or []),
        designators=designators,
        connectors=frozenset(lexicon.get("name_connectors") or []),
        not_names=frozenset(lexicon.get("not_names") or []),
        and_joinable=frozenset(lexicon.get("and_joinable") or []),
        place_suffixes=frozenset(lexicon.get("place_suffixes") or []),
        place_heads=frozenset(lexicon.get("place_heads") or []),
        name_articles=frozenset(lexicon.get("name_articles") or []),
        name_prefixes=frozenset(str(w) for w in lexicon.get("name_prefixes") or []),
        demonyms=frozenset(str(w) for w in lexicon.get("demonyms") or []),
        legal_forms=frozenset(str(w).rstrip(".") for w in lexicon.get("legal_forms") or []),
        locatives=frozenset(lexicon.get("locatives") or []),
        fronted=frozenset(lexicon.get("fronted") or []),
        prepositions=frozenset(str(w) for w in lexicon.get("prepositions") or []),
        time_words=frozenset(str(w) for w in lexicon.get("time_words") or []),
        anaphora=anaphora,
        continuations=tuple(
            _compile(p, lexicon_path, "continuations") for p in lexicon.get("continuations") or []
        ),
        hedges=tuple(
            _compile(p, lexicon_path, "hedges", re.I) for p in lexicon.get("hedges") or []
        ),
        roles=roles,
        membership_roles=membership_roles,
        role_regex=role_regex,
        patterns=tuple(patterns),
        descriptions=described("descriptions"),
        unnamed=described("unnamed"),
        clauses=clauses,
        slot_types=slot_types,
        role_openers=frozenset(str(w) for w in lexicon.get("role_openers") or []),
        person_contexts=contexts("person_contexts"),
        organization_contexts=contexts("organization_contexts"),
        founding_dates=contexts("founding_dates"),
        location_contexts=contexts("location_contexts"),
        alliance_contexts=contexts("alliance_contexts"),
        metonymy_contexts=contexts("metonymy_contexts"),
        future_hedges=tuple(
            _compile(p, lexicon_path, "future_hedges", re.I)
            for p in lexicon.get("future_hedges") or []
        ),
        leading_designators=leading,
        given_names=given_names,
        name_particles=frozenset(str(w) for w in lexicon.get("name_particles") or []),
        numbers={str(k).lower(): int(v) for k, v in (lexicon.get("numbers") or {}).items()},
        weak_designators=frozenset(str(w) for w in lexicon.get("weak_alliance_designators") or []),
        either_anaphora=frozenset(str(w) for w in lexicon.get("either_anaphora") or []),
    )
