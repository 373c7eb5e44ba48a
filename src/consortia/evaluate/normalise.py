"""The forms names and posts are compared in."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import yaml

from consortia.data import find_data_root
from consortia.errors import MappingError

ROLE_EQUIVALENTS_PATH = find_data_root() / "mappings" / "role-equivalents.yaml"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_TRAILING = ".,;:!?'\""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def normalise_name(text: str) -> str:
    """The form names are compared in: casefolded, unaccented, no leading "the".

    >>> normalise_name("  The Société   Générale. ")
    'societe generale'
    """
    text = _fold(text).rstrip(_TRAILING + " ")
    return text[4:] if text.startswith("the ") else text


def _role_base(text: str) -> str:
    text = " ".join(re.sub(r"[-.]", " ", _fold(text)).split())
    return text[4:] if text.startswith("the ") else text


def load_role_equivalents(path: Path = ROLE_EQUIVALENTS_PATH) -> dict[str, str]:
    """Map every post name of ``mappings/role-equivalents.yaml`` to its group's first name."""
    return dict(_load_role_equivalents(path))


_EQUIVALENTS_CACHE: dict[Path, tuple[tuple[str, str], ...]] = {}


def _load_role_equivalents(path: Path) -> tuple[tuple[str, str], ...]:
    if path in _EQUIVALENTS_CACHE:
        return _EQUIVALENTS_CACHE[path]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read role equivalents: {exc}", path=path) from exc
    groups = data.get("equivalents") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise MappingError("field 'equivalents' must be a list of lists of names", path=path)
    table: dict[str, str] = {}
    for i, group in enumerate(groups):
        if not isinstance(group, list) or not group or not all(isinstance(n, str) for n in group):
            raise MappingError(f"equivalents[{i}] must be a non-empty list of names", path=path)
        first = _role_base(group[0])
        for name in group:
            key = _role_base(name)
            if table.get(key, first) != first:
                raise MappingError(
                    f"equivalents[{i}]: {name!r} is already in another group", path=path
                )
            table[key] = first
    _EQUIVALENTS_CACHE[path] = tuple(sorted(table.items()))
    return _EQUIVALENTS_CACHE[path]


def normalise_role(text: str, equivalents: Mapping[str, str] | None = None) -> str:
    """The form posts are compared in; the parts of a compound post are sorted.

    >>> normalise_role("Chairman & CEO", {"ceo": "chief executive", "chair": "chairman"})
    'chairman and chief executive'
    """
    table = load_role_equivalents() if equivalents is None else equivalents
    parts = (" ".join(p.split()) for p in re.split(r",|&|/|\band\b", _role_base(text)))
    return " and ".join(sorted({table.get(p, p) for p in parts if p}))
