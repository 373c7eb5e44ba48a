"""Literal prefilters derived from regular expressions.

Most relation patterns cannot match most sentences: "joined" needs one of its
verbs, "founding members" needs those words. Trying such a regular expression at
every position of a sentence that lacks them costs far more than looking for the
words, so each pattern carries the literal strings a match cannot do without,
read off the pattern itself (nothing to declare, nothing to keep in step): a
tuple of alternatives, one of which must occur in the text, for each of a few
parts of the pattern. A text that lacks every alternative of one of them is not
searched; the result is the same, only faster.

>>> guard = Guarded(re.compile(r"\\w+ members? of (?P<o>⟨A\\d+⟩)"))
>>> guard.needs
((' members of ', ' member of '), ('⟨A',))
>>> guard.search("The members of ⟨A1⟩") is not None, guard.allows("The members ⟨A1⟩")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

try:  # the parser of the re module (private; without it nothing is filtered)
    import re._constants as _c  # type: ignore[import-not-found,unused-ignore]
    import re._parser as _p  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover
    _c = _p = None

_MAX_STRINGS = 256  # strings an exact part of a pattern may stand for
_MAX_ALTERNATIVES = 16  # alternatives kept for one part of a pattern
_MAX_NEEDS = 4  # parts of a pattern checked

Strings = frozenset[str]


def _op(name: str) -> Any:
    return getattr(_c, name, object())  # an opcode this Python lacks matches nothing


def _exact(node: tuple[Any, Any]) -> Strings | None:
    """The strings one item of a parsed pattern matches, when they are few."""
    op, av = node
    if op is _op("LITERAL"):
        return frozenset({chr(av)})
    if op is _op("IN"):
        if all(kind is _op("LITERAL") for kind, _ in av) and len(av) <= 8:
            return frozenset(chr(code) for _, code in av)
        return None
    if op is _op("SUBPATTERN"):
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            return None
        return _exact_seq(body)
    if op is _op("ATOMIC_GROUP"):
        return _exact_seq(av)
    if op is _op("BRANCH"):
        union: set[str] = set()
        for branch in av[1]:
            strings = _exact_seq(branch)
            if strings is None:
                return None
            union |= strings
            if len(union) > _MAX_STRINGS:
                return None
        return frozenset(union)
    if op in (_op("MAX_REPEAT"), _op("MIN_REPEAT"), _op("POSSESSIVE_REPEAT")):
        low, high, body = av
        strings = _exact_seq(body)
        if strings is None or high > max(low, 1) or high > 8:
            return None
        if len(strings) ** high > _MAX_STRINGS:
            return None
        if low == 0:  # optional
            return strings | {""}
        result: Strings = frozenset({""})
        for _ in range(low):  # "{2}": that many times
            result = frozenset(a + b for a, b in product(result, strings))
        return result
    return None


def _exact_seq(seq: Any) -> Strings | None:
    result: Strings = frozenset({""})
    for node in seq:
        strings = _exact(node)
        if strings is None or len(result) * len(strings) > _MAX_STRINGS:
            return None
        result = frozenset(a + b for a, b in product(result, strings))
    return result


def _compact(strings: Strings) -> Strings:
    """Fewer alternatives that a text holding one of ``strings`` also holds.

    A string that contains another of the set adds nothing; past
    ``_MAX_ALTERNATIVES``, the strings are cut to their first characters.

    >>> sorted(_compact(frozenset({"joined", "joins", "join", "rejoined"})))
    ['join']
    """
    kept = _minimal(strings)
    if len(kept) <= _MAX_ALTERNATIVES:
        return kept
    size = max(len(s) for s in kept)
    while size > 1 and len({s[:size] for s in kept}) > _MAX_ALTERNATIVES:
        size -= 1
    return _minimal(frozenset(s[:size] for s in kept))


def _minimal(strings: Strings) -> Strings:
    """``strings`` without those that contain another of them."""
    kept: list[str] = []
    for s in sorted(strings, key=len):
        if not any(t in s for t in kept):
            kept.append(s)
    return frozenset(kept)


def _score(strings: Strings) -> tuple[int, int]:
    return (min(len(s) for s in strings), -len(strings))


def _needs_seq(seq: Any) -> list[Strings]:
    """Sets of strings, one of each of which every match contains."""
    needs: list[Strings] = []
    run: Strings = frozenset({""})

    def flush() -> None:
        nonlocal run
        if "" not in run:
            needs.append(_compact(run))
        run = frozenset({""})

    for node in seq:
        strings = _exact(node)
        if strings is not None:
            if len(run) * len(strings) <= _MAX_STRINGS:
                run = frozenset(a + b for a, b in product(run, strings))
            else:
                flush()
                run = strings
            continue
        flush()
        needs.extend(_needs_node(node))
    flush()
    return needs


def _needs_node(node: tuple[Any, Any]) -> list[Strings]:
    op, av = node
    if op is _op("SUBPATTERN"):
        _group, add_flags, del_flags, body = av
        return [] if add_flags or del_flags else _needs_seq(body)
    if op is _op("ATOMIC_GROUP"):
        return _needs_seq(av)
    if op is _op("ASSERT"):  # a lookahead or lookbehind: its text is in the string too
        return _needs_seq(av[1])
    if op in (_op("MAX_REPEAT"), _op("MIN_REPEAT"), _op("POSSESSIVE_REPEAT")):
        low, _high, body = av
        return _needs_seq(body) if low >= 1 else []
    if op is _op("BRANCH"):  # one of the branches: the best part of each
        union: set[str] = set()
        for branch in av[1]:
            options = _needs_seq(branch)
            if not options:
                return []
            best: Strings = max(options, key=_score)
            union |= best
        return [_compact(frozenset(union))]
    return []


def needs(regex: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """What a text must contain for ``regex`` to match in it (see the module)."""
    if _p is None or regex.flags & (re.IGNORECASE | re.VERBOSE):
        return ()
    try:
        parsed = _p.parse(regex.pattern, regex.flags)
        found = _needs_seq(parsed)
    except Exception:  # pragma: no cover - a parser of another Python version
        return ()
    useful = [s for s in found if min(len(x) for x in s) >= 2]
    best = sorted(set(useful), key=_score, reverse=True)[:_MAX_NEEDS]
    return tuple(tuple(sorted(s, key=lambda x: (-len(x), x))) for s in best)


class Guarded:
    """A compiled regular expression tried only on texts that hold its literals."""

    __slots__ = ("needs", "pattern", "regex")

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self.needs = needs(regex)

    def allows(self, text: str) -> bool:
        """Whether the regular expression may match somewhere in ``text``."""
        for alternatives in self.needs:
            for literal in alternatives:
                if literal in text:
                    break
            else:
                return False
        return True

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.allows(text) else iter(())

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.allows(text) else None

    def __repr__(self) -> str:
        return f"Guarded({self.pattern!r})"
