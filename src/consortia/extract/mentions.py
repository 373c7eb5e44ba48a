"""Sentences -> mentions of organizations, alliances, people and places.

Names are found three ways: the registry's names and aliases; capitalised
sequences, typed by their last word (a designator such as "Bank" or "Alliance")
or by the gazetteer; and, for everything else, an untyped *name* whose type the
relation patterns decide ("A, B and C joined ..." makes them organizations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from consortia.extract.resources import Resources
from consortia.gazetteer import Gazetteer
from consortia.model import Entity, Span

NAME = "Name"  # an untyped name, until a pattern types it

_WORD = r"(?:[A-Z][\w'’&.\-]*[\w.]|[A-Z]|[a-z]+[A-Z][\w\-]*|\d+[A-Z][\w\-]*)"


@dataclass(frozen=True)
class Candidate:
    """A name in a sentence, typed (``entity`` set) or untyped (kind ``Name``)."""

    span: Span
    kind: str
    entity: Entity | None


@lru_cache(maxsize=8)
def _registry_regex(forms: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w\-])(?:{body})(?![\w\-])")


def _sequence_regex(connectors: frozenset[str]) -> re.Pattern[str]:
    joins = "|".join(re.escape(c) for c in sorted(connectors, key=lambda c: (-len(c), c)))
    return re.compile(rf"{_WORD}(?:(?: (?:{joins}))*(?: the)? {_WORD})*")


class MentionFinder:
    """Finds candidate names in sentences."""

    def __init__(self, resources: Resources, gazetteer: Gazetteer) -> None:
        self.r = resources
        self.gazetteer = gazetteer
        self._registry = _registry_regex(tuple(resources.registry.surface_forms))
        self._sequence = _sequence_regex(resources.connectors)
        self._abbreviations = frozenset(resources.abbreviations)
        words = "|".join(re.escape(w) for w in sorted(resources.locatives))
        self._locative = re.compile(rf"\b(?:{words})(?: the)?(?: [a-z][\w-]*){{0,2}} $|^$|\($")
        # A post written in capitals ("Chief Executive Officer of Acme"), as press
        # releases do: not a name, nor part of the name after it.
        titled = sorted(
            {
                " ".join(w[:1].upper() + w[1:] for w in f.split())
                for f in resources.roles
                if " " in f
            },
            key=lambda f: (-len(f), f),
        )
        # A lowercase article that begins a name ("de Volksbank"), after a lowercase word.
        articles = "|".join(re.escape(w) for w in sorted(resources.name_articles)) or "(?!)"
        self._lowercase_article = re.compile(rf"(?:^|(?<=[a-z,;:] ))({articles}) $")
        body = "|".join(re.escape(f) for f in titled) or "(?!)"
        self._titled_post = re.compile(
            rf"(?:{body})(?: (?:and|&) (?:{body}|[A-Z]{{2,4}}))?(?![\w-])"
        )

    def find(self, body: str, sentence: Span) -> list[Candidate]:
        """Every candidate name in a sentence, left to right, not overlapping."""
        text = sentence.text
        taken: list[tuple[int, int]] = []
        found: list[Candidate] = []
        for match in self._registry.finditer(text):
            entity = self.r.registry.lookup(match.group(0))
            if entity is None:
                continue
            start, end = match.span()
            prefix = re.search(r"(?:^|(?<=\s))(\S+) $", text[:start])
            if prefix and prefix.group(1) in self.r.name_prefixes:  # "Groupe Renault"
                start = prefix.start(1)
            longer = re.match(r" ([A-Z][\w&'’.-]*)", text[end:])
            if (
                longer
                and longer.group(1).rstrip(".,") not in self.r.not_names
                and not (self.gazetteer.lookup(longer.group(1).rstrip(".,")))
            ):  # "Samsung SmartThings", "Amazon Web Services": a longer name
                continue
            taken.append((start, end))
            found.append(self._candidate(sentence, start, end, entity.kind, entity))
        for match in self._sequence.finditer(text):
            for start, end in _free_parts(match.start(), match.end(), taken):
                parts = self._segment(sentence, start, end)
                article = self._lowercase_article.search(text, 0, start)
                if (
                    article
                    and article.end() == start == match.start()
                    and parts
                    and parts[0].span.start == sentence.start + start
                    and parts[0].kind in (NAME, "Organization")
                    and (parts[0].entity is None or parts[0].entity.name == parts[0].span.text)
                ):  # "lenders such as de Volksbank": the article is part of the name
                    head = parts[0]
                    name = text[article.start(1) : head.span.end - sentence.start]
                    entity = None if head.entity is None else replace(head.entity, name=name)
                    parts[0] = self._candidate(
                        sentence,
                        article.start(1),
                        head.span.end - sentence.start,
                        head.kind,
                        entity,
                    )
                found.extend(parts)
        found.sort(key=lambda c: c.span.start)
        return found

    def _candidate(
        self, sentence: Span, start: int, end: int, kind: str, entity: Entity | None
    ) -> Candidate:
        text = sentence.text[start:end]
        return Candidate(Span(sentence.start + start, sentence.start + end, text), kind, entity)

    def _segment(self, sentence: Span, start: int, end: int) -> list[Candidate]:
        """Type one capitalised sequence, splitting it where it holds several names."""
        text = sentence.text
        # Trim words that never start a name, possessives and sentence-final stops.
        start += len(text[start:end]) - len(text[start:end].lstrip())
        if re.match(r"['’]s ", text[start:end]):  # the rest of "China Unicom's Institute"
            start += 3
        start = self._skip_connectors(text, start, end)
        gerund = re.match(r"([A-Z][a-z]{3,}ing)(?= [A-Z])", text[start:])
        parts = text[start:end].split()
        if (
            gerund
            and not (len(parts) == 2 and parts[-1] in self.r.designators)  # "Booking Holdings"
            and not text[:start].strip(" \"“‘'")
            and self.gazetteer.lookup(gerund.group(1)) is None
            and self.r.registry.lookup(gerund.group(1)) is None
        ):  # "Joining SkyTeam opens ...": a verb opens the sentence, not a name
            start += len(gerund.group(1)) + 1
        while start < end:
            post = self._titled_post.match(text, start, end)
            if post:  # "Chief Executive Officer of Voltaria": the name is what follows
                start = post.end()
                start += len(text[start:end]) - len(text[start:end].lstrip())
                start = self._skip_connectors(text, start, end)
                continue
            word = re.match(r"\S+", text[start:end])
            assert word is not None
            token = word.group(0)
            if " " in text[start:end].strip() and text[start:end].strip() in self.r.demonyms:
                start = end  # "the South Korean supplier": an adjective of two words, no name
                break
            if self._given_month(text, start, end, token):
                break  # "June Paik": a month that is a given name, before a surname
            if token in self.r.demonyms and start + len(token) < end:
                whole = text[start:end].strip()
                remainder = text[start + len(token) : end].strip()
                known_whole = self.r.registry.lookup(whole) or self.gazetteer.lookup(whole)
                known_rest = self.r.registry.lookup(remainder) or self.gazetteer.lookup(remainder)
                if known_whole or not known_rest:
                    break  # "Southern China", "German Edge Cloud"; but "German BMW" is BMW
            if (
                token in self.r.not_names
                or token.rstrip(".,") in self.r.not_names
                or (token in self.r.demonyms)
            ):
                start += len(token)
                start += len(text[start:end]) - len(text[start:end].lstrip())
                start = self._skip_connectors(text, start, end)
            else:
                break
        end = self._trim_end(text, start, end)
        chunk = text[start:end]
        if re.search(r"['’]s$", chunk):
            end -= 2
        elif chunk.endswith(("'", "’")):
            end -= 1
        if end > start and text[end - 1] == "." and not self._keeps_stop(text[start:end]):
            end -= 1
        if end <= start:
            return []
        name = text[start:end]
        words = name.split()
        if all(w in self.r.not_names for w in words):
            return []
        suffix = self.r.clauses["name_suffix"].search(name)
        if suffix:  # "Seoul-based lender": the place, then whatever follows
            return self._segment(sentence, start, start + suffix.start()) + self._segment(
                sentence, start + suffix.end(), end
            )
        for i, token in enumerate(words[1:], start=1):
            if token.casefold() in self.r.roles or token in self.r.role_openers:  # "Acme CEO Jane"
                left_end = start + len(" ".join(words[:i]))
                right_start = start + len(" ".join(words[: i + 1])) + 1
                return self._segment(sentence, start, left_end) + self._segment(
                    sentence, right_start, end
                )
        possessive = re.match(r"(.+?)['’]s ", name)
        owned = name[possessive.end() :].split() if possessive else []
        if possessive and (
            self.gazetteer.lookup(possessive.group(1))
            or self.r.registry.lookup(possessive.group(1))
            # "China Unicom's Network Technology Research Institute": a name of two
            # words or more owning a designated one ("Lloyd's Banking Group" stays one)
            or (
                len(possessive.group(1).split()) >= 2
                and len(owned) >= 2
                and owned[-1] in self.r.designators
            )
        ):  # "Germany's Federal Ministry", "China Unicom's institute": two names
            head_end = start + len(possessive.group(1))
            rest = start + len(possessive.group(0))
            return self._segment(sentence, start, head_end) + self._segment(sentence, rest, end)
        entity = self.r.registry.lookup(name)
        if entity is None and len(words) > 1 and words[-1].rstrip(".") in self.r.legal_forms:
            entity = self.r.registry.lookup(" ".join(words[:-1]))  # "Gaia-X AISBL"
        if entity is not None:
            return [self._candidate(sentence, start, end, entity.kind, entity)]
        place_end = self._with_place_suffix(text, end)
        # After "Armonk, " a name that is both a city and a state is the state.
        after_city = re.search(r"([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*), $", text[:start])
        container = None
        if after_city:
            before = self.gazetteer.lookup(after_city.group(1))
            container = "AdministrativeArea" if before and before.kind == "City" else None
        place = self.gazetteer.lookup(text[start:place_end], container) or self.gazetteer.lookup(
            name, container
        )
        # a dateline in capitals: "SEOUL, March 3 -", "LONDON —"
        dateline = bool(
            start == 0
            and name.isupper()
            and len(name) > 3
            and re.match(r"(?:,| —| -|:| \()", text[end:])
        )
        if dateline and place is None:
            place = self.gazetteer.lookup(name.title())
        if (
            place is None
            and len(words) == 2
            and words[1] in self.r.place_heads
            and (town := self.gazetteer.lookup(words[0])) is not None
            and town.kind == "City"
            and self._place_context(text, start, end)
        ):  # "in Muskegon Heights": a town the gazetteer does not know, named after one it does
            entity = Entity(name, "Location", "City")
            return [self._candidate(sentence, start, end, "Location", entity)]
        one_word_city = place is not None and place.kind == "City" and len(words) == 1
        if one_word_city and not dateline and not self._place_context(text, start, end):
            place = None  # "Honda" among carmakers is not the Colombian town
        acronym = len(words) == 1 and name.isupper() and not dateline
        if (
            place is not None
            and not (len(words) > 1 and words[-1] in self.r.designators)
            and not (acronym and place.kind != "Country")
        ):
            entity = Entity(place.name, "Location", place.kind, geonames=place.geonames_id)
            return [self._candidate(sentence, start, place_end, "Location", entity)]
        split = self._split_point(words)
        kind = self._designated_kind(words) if split is None else None
        if kind is not None:
            fuzzy = self.r.registry.fuzzy_lookup(name)
            entity = fuzzy or Entity(
                name, kind, "FormalOrganization" if kind == "Organization" else None
            )
            return [self._candidate(sentence, start, end, entity.kind, entity)]
        fuzzy = self.r.registry.fuzzy_lookup(name)
        if fuzzy is not None:
            return [self._candidate(sentence, start, end, fuzzy.kind, fuzzy)]
        if split is not None:
            left, right = split
            left_end = start + len(" ".join(words[:left]))
            right_start = start + len(" ".join(words[:right])) + 1
            return self._segment(sentence, start, left_end) + self._segment(
                sentence, right_start, end
            )
        return [self._candidate(sentence, start, end, NAME, None)]

    def _given_month(self, text: str, start: int, end: int, token: str) -> bool:
        """Whether a word that is not a name alone ("June", "May") is a given name here.

        It is when it is also a common given name, a capitalised word other than a
        month or number follows it in the same run, and no time preposition
        ("in", "since", "last") stands before it.
        """
        if token not in self.r.given_names or token not in self.r.not_names:
            return False
        following = re.match(r"\S+ ([A-Z][a-z][\w'’-]*)", text[start:end])
        if following is None or following.group(1) in self.r.not_names:
            return False
        before = text[:start].rstrip().rsplit(" ", 1)[-1].lower()
        return before not in self.r.time_words

    def _place_context(self, text: str, start: int, end: int) -> bool:
        """Whether the words around a one-word city name make it a place."""
        if self.r.clauses["name_suffix"].match(text[end:]):
            return True
        after = re.match(r", ([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*)", text[end:])
        outer = self.gazetteer.lookup(after.group(1)) if after else None
        if outer is not None and outer.kind != "City":  # "Geneva, Switzerland"
            return True
        before = text[:start]
        if re.search(self._locative, before):
            return True
        item = re.search(r"([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*)(?:,| and|, and) $", before)
        return bool(item and self.gazetteer.lookup(item.group(1)))

    def _trim_end(self, text: str, start: int, end: int) -> int:
        """Drop trailing spaces and connector words ("Bank of" -> "Bank")."""
        while end > start:
            stripped = text[start:end].rstrip()
            end = start + len(stripped)
            last = stripped.rsplit(" ", 1)
            if len(last) == 2 and (
                last[1] in self.r.connectors or last[1].rstrip(".,") in self.r.not_names
            ):
                end = start + len(last[0])
            else:
                return end
        return end

    def _skip_connectors(self, text: str, start: int, end: int) -> int:
        while True:
            word = re.match(r"(\S+) ", text[start:end])
            if word and word.group(1) in self.r.connectors:
                start += len(word.group(0))
            else:
                return start

    def _keeps_stop(self, name: str) -> bool:
        last = name.split()[-1]
        return last in self._abbreviations or last.count(".") > 1

    def _with_place_suffix(self, text: str, end: int) -> int:
        word = re.match(r" ([a-z]+)\b", text[end:])
        if word and word.group(1) in self.r.place_suffixes:
            return end + len(word.group(0))
        return end

    def _split_point(self, words: list[str]) -> tuple[int, int] | None:
        """Where a sequence holds two names: at a connector that does not join them.

        Returns the word index where the left name ends and the right one starts.
        "of", "for" and "on" join ("Bank of America") when a designator or a
        registry name stands before them; "and" joins only after subject words
        ("Ministry of Science and Technology"), and not two whole names.
        """
        if len(words) >= 3 and all(w in self.r.name_particles for w in words[1:-1]):
            return None  # "Anko van der Werff", "Van der Werff", "Banque de France"
        for i, word in enumerate(words):
            if word not in self.r.connectors or i == 0 or i == len(words) - 1:
                continue
            before = words[i - 1]
            if word == "&":
                continue
            if word == "and" and before in self.r.and_joinable:
                # "Ministry of Science and ICT" is one name; "Quenmere Insurance
                # and Calhaven Robotics" are two: a name ending in a designator on
                # each side.
                left, right = words[:i], words[i + 1 :]
                two_names = (
                    len(left) >= 2
                    and len(right) >= 2
                    and right[0] not in self.r.and_joinable
                    and (
                        (before in self.r.designators and self._designated_kind(right) is not None)
                        # "Ostra Logistics and Mellor Ports": no "of" on the left, no
                        # designator on the right to share ("Trade and Investment Commission")
                        or (
                            not any(w in self.r.connectors for w in left)
                            and self._designated_kind(right) is None
                        )
                    )
                )
                if not two_names:
                    continue
            if word in self.r.name_particles and words[0] in self.r.leading_designators:
                continue  # "Bangko Sentral ng Pilipinas"
            if word in ("of", "for", "on", "de", "du", "des", "the") and (
                before in self.r.designators or self._designated(words[:i]) or word == "the"
            ):
                continue
            j = i + 1
            while j < len(words) - 1 and words[j] in self.r.connectors:
                j += 1
            return i, j
        return None

    def _designated_kind(self, words: list[str]) -> str | None:
        """The kind a name's designator gives it: its last word ("Acme Bank"), the
        word before a connector ("Reserve Bank of India", "Bank for International
        Settlements") or a leading designator ("Bank Negara Malaysia", "Project Nexus").
        """
        if len(words) < 2:
            return None
        for size in (3, 2):  # "Shoreline Credit Union": "Credit Union" makes an organization
            if len(words) >= size and " ".join(words[-size:]) in self.r.designators:
                return self.r.designators[" ".join(words[-size:])]
        # "Alliance for Open Media": a leading designator before "for"/"of" is the head
        if (
            len(words) > 2
            and words[1] in ("of", "for")
            and "Alliance"
            in (self.r.leading_designators.get(words[0]), self.r.designators.get(words[0]))
        ):
            return "Alliance"
        if words[-1] in self.r.designators:
            return self.r.designators[words[-1]]
        for i, word in enumerate(words[1:-1], start=1):
            if word in ("of", "for") and words[i - 1] in self.r.designators:
                return self.r.designators[words[i - 1]]
        return self.r.leading_designators.get(words[0])

    def _designated(self, words: list[str]) -> bool:
        return any(w in self.r.designators for w in words)


def _free_parts(start: int, end: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) not covered by ``taken`` spans."""
    parts = [(start, end)]
    for t_start, t_end in taken:
        next_parts = []
        for p_start, p_end in parts:
            if t_end <= p_start or t_start >= p_end:
                next_parts.append((p_start, p_end))
                continue
            if p_start < t_start:
                next_parts.append((p_start, t_start))
            if t_end < p_end:
                next_parts.append((t_end, p_end))
        parts = next_parts
    cleaned = []
    for p_start, p_end in parts:
        # A part must start and end on a word.
        sub = p_end - p_start
        if sub <= 1:
            continue
        cleaned.append((p_start, p_end))
    return cleaned


def retype(candidate: Candidate, entity: Entity) -> Candidate:
    """The candidate with its entity decided."""
    return replace(candidate, kind=entity.kind, entity=entity)
