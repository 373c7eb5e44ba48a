"""Article body -> content sentences with their offsets.

Paragraphs are split on blank lines; paragraphs of page furniture ("Related: ...",
bylines, captions) are dropped; the rest is split into sentences by spaCy's
rule-based sentencizer, which keeps abbreviations such as "Inc." and "Oct." whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from consortia.model import Span

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\n[ \t]*\n|\s*\Z)", re.S)


@lru_cache(maxsize=4)
def _nlp(abbreviations: tuple[str, ...]) -> Any:
    import spacy
    from spacy.symbols import ORTH

    nlp: Any = spacy.blank("en")
    tokenizer: Any = nlp.tokenizer
    for abbreviation in abbreviations:
        tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.add_pipe("sentencizer")
    return nlp


def paragraphs(body: str) -> list[Span]:
    """The paragraphs of a body, with offsets.

    >>> [p.text for p in paragraphs("One.\\n\\nTwo\\nlines.\\n")]
    ['One.', 'Two\\nlines.']
    """
    return [Span(m.start(), m.end(), m.group(0)) for m in _PARAGRAPH.finditer(body)]


def is_furniture(paragraph: str, furniture: Sequence[re.Pattern[str]]) -> bool:
    """Whether a paragraph is page furniture rather than content."""
    first = paragraph.strip().splitlines()[0].strip() if paragraph.strip() else ""
    return any(p.match(first) for p in furniture)


def sentences(
    body: str, furniture: Sequence[re.Pattern[str]], abbreviations: Sequence[str] = ()
) -> list[Span]:
    """The content sentences of a body, in order, with offsets into ``body``."""
    nlp = _nlp(tuple(abbreviations))
    kept = [p for p in paragraphs(body) if not is_furniture(p.text, furniture)]
    result: list[Span] = []
    known = frozenset(abbreviations)
    for paragraph, doc in zip(kept, nlp.pipe(p.text for p in kept), strict=True):
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            start = paragraph.start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            result.extend(_split_missed(Span(start, start + len(text), text), known))
    return result


def _split_missed(span: Span, abbreviations: frozenset[str]) -> list[Span]:
    """Split where the tokenizer kept a full stop inside a word ("of PayU. Bertrand").

    >>> [s.text for s in _split_missed(Span(0, 27, "Ellis of PayU. Perez spoke."), frozenset())]
    ['Ellis of PayU.', 'Perez spoke.']
    """
    pieces: list[Span] = []
    begin = 0
    for match in re.finditer(r"(\S+)[.!?] (?=[A-Z“\"])", span.text):
        word = match.group(1) + "."
        if word in abbreviations or "." in match.group(1) or len(match.group(1)) < 2:
            continue
        cut = match.end(1) + 1
        pieces.append(Span(span.start + begin, span.start + cut, span.text[begin:cut]))
        begin = match.end()
    pieces.append(Span(span.start + begin, span.end, span.text[begin:]))
    return [p for p in pieces if p.text.strip()]
