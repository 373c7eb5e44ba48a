"""The literal prefilters of the patterns skip only texts the patterns cannot match.

A pattern is tried only on texts that hold the literal strings read off it
(``consortia.extract.prefilter``): the extraction must be the same as when
every pattern is tried on every text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consortia.extract import Extractor
from consortia.extract.prefilter import Guarded
from consortia.sources import load_articles

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = sorted((ROOT / "tests" / "gold").glob("*.md"))


def _guards(extractor: Extractor) -> list[Guarded]:
    r = extractor.r
    return [
        *(p.regex for p in r.patterns),
        *(d.regex for d in (*r.descriptions, *r.unnamed)),
        *r.person_contexts,
        *r.organization_contexts,
        *r.alliance_contexts,
        *r.location_contexts,
        *r.metonymy_contexts,
        *r.founding_dates,
    ]


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (r"(?:joined|joins|rejoined) (?P<o>⟨A\d+⟩)", ["⟨O1⟩ rejoined ⟨A2⟩", "⟨O1⟩ joins ⟨A2⟩"]),
        (r"(?<=, and )it\b(?= (?:is|was))", ["X, and it is", "X and it is", "X, and it has"]),
        (r"(?i:chief executive),? ⟨N\d+⟩", ["Chief Executive ⟨N1⟩", "chief executive ⟨P1⟩"]),
        (r"[Tt]he (?:new )?members? (?:of|in) ⟨A\d+⟩", ["The member in ⟨A1⟩", "the newmembers"]),
        (r"(?:a|b\w+c)(?:x|y)+z{2}", ["byyyczz", "axz", "ayyzz", "bcz"]),
        (r"(?:[^⟨]*(?:left|quit) )?⟨O\d+⟩", ["⟨O1⟩", "they quit ⟨O2⟩", "⟨A1⟩"]),
        (
            r"(?>(?:\w+ ){0,2}co-?founded) (?:by )?⟨[OP]\d+⟩",
            ["cofounded ⟨P1⟩", "co-founded by ⟨O2⟩"],
        ),
    ],
)
def test_guarded_matches_like_the_regex(pattern: str, texts: list[str]) -> None:
    regex = re.compile(pattern)
    guard = Guarded(regex)
    assert guard.needs  # each of these has something to look for
    for text in texts:
        assert [m.span() for m in guard.finditer(text)] == [m.span() for m in regex.finditer(text)]
        assert (guard.search(text) is None) == (regex.search(text) is None)


def test_case_insensitive_patterns_are_never_filtered() -> None:
    assert Guarded(re.compile("joined", re.I)).needs == ()
    assert Guarded(re.compile("(?i)joined")).needs == ()


def test_the_patterns_of_the_mappings_skip_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text a prefilter turns away, on the annotated corpus, has no match."""
    extractor = Extractor.from_directory(ROOT / "mappings")
    allows = Guarded.allows
    turned_away: list[tuple[str, str]] = []

    def checked(self: Guarded, text: str) -> bool:
        if allows(self, text):
            return True
        turned_away.append((self.pattern, text))
        assert self.regex.search(text) is None, (self.pattern, text)
        return False

    monkeypatch.setattr(Guarded, "allows", checked)
    for path in ARTICLES:
        (article,) = load_articles([path])
        extractor.extract(article)
    assert len(turned_away) > 1000  # the prefilters do turn texts away


def test_extraction_is_the_same_without_prefilters() -> None:
    filtered = Extractor.from_directory(ROOT / "mappings")
    unfiltered = Extractor.from_directory(ROOT / "mappings")
    for guard in _guards(unfiltered):
        guard.needs = ()
    for path in ARTICLES:
        (article,) = load_articles([path])
        assert filtered.extract(article) == unfiltered.extract(article), path.name
