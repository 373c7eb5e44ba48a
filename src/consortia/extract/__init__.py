"""Article -> mentions and facts, each fact with the sentence that states it.

The work is done on an *abstracted* sentence: every name found in it is replaced
by a token such as ``⟨O3⟩`` (organization 3), ``⟨A1⟩`` (alliance), ``⟨P2⟩``
(person), ``⟨L4⟩`` (place) or ``⟨N5⟩`` (a name not yet typed). The relation
patterns of ``mappings/patterns.yaml`` are regular expressions over that text,
so "A, B and C have joined the Y Alliance" is one pattern for lists of any
length, whatever the names are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from consortia.dates import DateMention, PartialDate, find_dates
from consortia.extract.mentions import NAME, Candidate, MentionFinder, retype
from consortia.extract.resources import Resources, load_resources
from consortia.extract.text import sentences
from consortia.gazetteer import Gazetteer, default_gazetteer
from consortia.model import Entity, Fact, Mention, Span
from consortia.sources import Article

_LETTER = {"Organization": "O", "Alliance": "A", "Person": "P", "Location": "L", NAME: "N"}
_TOKEN = re.compile(r"⟨([OAPLN])(\d+)⟩")
_CAPITALISED = re.compile(r"[A-Z][\w-]*")
_ACRONYM_DEFINED = re.compile(r" \(([A-Z][A-Za-z0-9&-]{1,10}(?: [A-Z][A-Za-z0-9&-]{1,10})?)\)")
_ACRONYM_AFTER = re.compile(r"(⟨[OA](\d+)⟩) \(⟨[OAN](\d+)⟩\)")


@dataclass(frozen=True)
class Extraction:
    """What one article states: the entities it names and the facts."""

    article: Article
    mentions: tuple[Mention, ...]
    facts: tuple[Fact, ...]


@dataclass
class _Sentence:
    span: Span
    indices: list[int]  # candidate indices, left to right
    text: str = ""  # the abstracted text
    subject: int | None = None  # the candidate index of its subject, once known


class Extractor:
    """Extraction with the data of one ``mappings/`` folder, loaded once."""

    def __init__(self, resources: Resources, gazetteer: Gazetteer) -> None:
        self.r = resources
        self.gazetteer = gazetteer
        self.finder = MentionFinder(resources, gazetteer)

    @classmethod
    def from_directory(cls, mappings: Path) -> Extractor:
        """Load the extraction data from a ``mappings/`` folder."""
        return cls(load_resources(mappings), default_gazetteer())

    def extract(self, article: Article) -> Extraction:
        """Find the mentions and facts of one article."""
        run = _Run(self, article)
        return run.extract()


class _Run:
    """The state of extracting one article."""

    def __init__(self, extractor: Extractor, article: Article) -> None:
        self.x = extractor
        self.r = extractor.r
        self.article = article
        self.body = article.body
        self.cands: list[Candidate] = []
        self.sentences: list[_Sentence] = []
        self.facts: list[Fact] = []
        self.subjects: list[int] = []  # candidate index of each sentence's subject
        self.former: dict[int, int] = {}  # an earlier name -> the candidate it names
        self.trail: list[int] = []  # organization tokens of the sentences done, in text order
        self.synthetic: set[int] = set()  # alliances named after their description
        self.vacancy: tuple[int, str] | None = None  # a post the sentence before left open

    # -- mentions ---------------------------------------------------------------

    def extract(self) -> Extraction:
        for span in sentences(self.body, self.r.furniture, self.r.abbreviations):
            found = self.x.finder.find(self.body, span)
            first = len(self.cands)
            self.cands.extend(found)
            self.sentences.append(_Sentence(span, list(range(first, len(self.cands)))))
        self._acronyms()
        self._unify_names()
        self._short_forms()
        self._people()
        self._metonymy()
        for sentence in self.sentences:
            sentence.text = self._abstract(sentence)
        self._bullets()
        for number, sentence in enumerate(self.sentences):
            self._coreference(number, sentence)
            self._relations(sentence)
            self.trail.extend(
                int(t.group(2)) for t in _TOKEN.finditer(sentence.text) if t.group(1) in "OAN"
            )
        facts = self._dedupe(self._founding_dates())
        renamed = self._weak_alliances(facts)
        mentions = self._mentions()
        if renamed:
            facts = tuple(
                replace(
                    f,
                    subject=renamed.get(f.subject, f.subject),
                    object=renamed.get(f.object, f.object),
                )
                for f in facts
            )
            mentions = tuple(replace(m, entity=renamed.get(m.entity, m.entity)) for m in mentions)
        return Extraction(self.article, mentions, self._not_yet(facts))

    def _not_yet(self, facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
        """Without what begins after the article was published ("will join X
        from 2026"): a plan, not yet a fact (and a membership cannot begin
        after the article that states it)."""
        published = self.article.published
        return tuple(f for f in facts if f.since is None or f.since.first_day() <= published)

    def _weak_alliances(self, facts: tuple[Fact, ...]) -> dict[Entity, Entity]:
        """Foundations and forums are alliances only when the text gives them members.

        A name typed an alliance by a weak designator ("Foundation", "Forum"),
        unknown to the registry, that no organization is a member of, is an
        organization ("the Linux Foundation hosts the project").
        """
        with_members = {f.object for f in facts if f.relation == "memberOf"}
        renamed: dict[Entity, Entity] = {}
        for cand in self.cands:
            entity = cand.entity
            if entity is None or entity.kind != "Alliance" or entity in with_members:
                continue
            words = entity.name.split()
            designator = next(
                (
                    w
                    for i, w in enumerate(words)
                    if i
                    and (i == len(words) - 1 or words[i + 1] in ("of", "for"))
                    and w in self.r.weak_designators
                ),
                None,
            )
            if designator is None or self.r.registry.lookup(entity.name) is not None:
                continue
            renamed[entity] = replace(entity, kind="Organization", cls="FormalOrganization")
        return renamed

    def _acronyms(self) -> None:
        """ "Full Name (FN)": FN names the same entity from here on."""
        defined: dict[str, Entity] = {}
        for i, cand in enumerate(self.cands):
            if cand.entity is not None and cand.kind in ("Organization", "Alliance"):
                after = self.body[cand.span.end : cand.span.end + 26]
                match = re.match(
                    r" \(([A-Z][A-Za-z0-9&-]{1,10}(?: [A-Z][A-Za-z0-9&-]{1,10})?)\)", after
                )
                introduced = self.r.clauses.get("acronym_intro")
                if match is None and introduced is not None:
                    # "X, known by its Spanish initials XY," / "X, also known as XY,"
                    match = introduced.match(self.body, cand.span.end, cand.span.end + 60)
                if match:
                    defined[match.group(1)] = cand.entity
                    nxt = i + 1
                    if nxt < len(self.cands) and self.cands[nxt].span.text == match.group(1):
                        self.cands[nxt] = retype(self.cands[nxt], cand.entity)
        for i, cand in enumerate(self.cands):
            if cand.kind == NAME and cand.span.text in defined:
                self.cands[i] = retype(cand, defined[cand.span.text])
        # "Signify (formerly Philips Lighting)": the old name is another name of it.
        for i, cand in enumerate(self.cands[:-1]):
            after = self.body[cand.span.end : self.cands[i + 1].span.start]
            if self.r.clauses["another_name"].fullmatch(after):
                self.former[i + 1] = i

    def _unify_names(self) -> None:
        """A name typed anywhere in the article has that type everywhere in it.

        A short form ("FIDO" for the FIDO Alliance) names the entity whose name
        it starts, when the rest is a designator.
        """
        typed: dict[str, Entity] = {}
        for cand in self.cands:
            if cand.entity is not None:
                typed.setdefault(cand.span.text, cand.entity)
                words = cand.entity.name.split()
                alliance = cand.entity.kind == "Alliance"  # "Bouygues" is not Bouygues Telecom
                if alliance and len(words) > 1 and words[-1] in self.r.designators:
                    typed.setdefault(" ".join(words[:-1]), cand.entity)
                if alliance and len(words) > 1 and words[0] in self.r.leading_designators:
                    typed.setdefault(" ".join(words[1:]), cand.entity)  # "Nexus": Project Nexus
        for i, cand in enumerate(self.cands):
            if cand.kind == NAME and cand.span.text in typed:
                self.cands[i] = retype(cand, typed[cand.span.text])

    def _short_forms(self) -> None:
        """A one-word short form of an organization named before ("Intesa" after
        "Intesa Sanpaolo", "Santander" after "Banco Santander", "Voltaria" after
        "Voltaria ASA") names it, when no other name of the text shares that word.
        """
        owners: dict[str, set[Entity]] = {}
        first_seen: dict[Entity, int] = {}
        for i, cand in enumerate(self.cands):
            entity = cand.entity
            if entity is None or entity.kind != "Organization":
                continue
            first_seen.setdefault(entity, i)
            words = cand.span.text.split()
            if len(words) < 2:
                continue
            if words[0] in self.r.leading_designators or words[0] in self.r.name_prefixes:
                short = words[1] if len(words) == 2 else None
            else:
                short = words[0]
            if short and _CAPITALISED.fullmatch(short) and short not in self.r.not_names:
                owners.setdefault(short, set()).add(entity)
            if len(words) > 2 and words[-1].rstrip(".") in self.r.legal_forms:
                owners.setdefault(" ".join(words[:-1]), set()).add(entity)  # "Acme Tech ASA"
        for i, cand in enumerate(self.cands):
            found = owners.get(cand.span.text)
            if found is None or len(found) != 1:
                continue
            # a name typed on its own ("Banco del Páramo" after "Banco del Páramo
            # S.A.", "Telandina" after "a unit of") is still the short form
            if cand.kind != NAME and not (
                cand.kind == "Organization"
                and cand.entity is not None
                and cand.entity.name == cand.span.text
                and self.r.registry.lookup(cand.span.text) is None
            ):
                continue
            (entity,) = found
            after = self.body[cand.span.end : cand.span.end + 14]
            if re.match(r" (?:group|family|parent|empire|conglomerate|holding)\b", after):
                continue  # "the Bouygues group": the parent, not its telecom arm
            if first_seen[entity] < i and self.x.gazetteer.lookup(cand.span.text) is None:
                self.cands[i] = retype(cand, entity)

    def _bullets(self) -> None:
        """A bulleted list after a sentence ending in a colon continues that sentence.

        "The founding members are:" then "- A (Germany)" / "- B (Japan)" lines read
        as "The founding members are: A (Germany), B (Japan)".
        """
        for before, sentence in zip(self.sentences, self.sentences[1:], strict=False):
            text = sentence.text.strip()
            if not before.text.rstrip().endswith(":") or not re.match(r"[-•*] ", text):
                continue
            items = [i.strip() for i in re.split(r"(?:^|\n)\s*[-•*] ", text) if i.strip()]
            items = [i.rstrip(";,.") for i in items]
            if len(items) < 2:
                continue
            listed = ", ".join(items[:-1]) + " and " + items[-1]
            before.text = before.text.rstrip() + " " + listed + "."
            sentence.text = ""

    def _people(self) -> None:
        """Untyped names in person contexts ("CEO Jane Doe", "Doe said") are people."""
        people: dict[str, Entity] = {}
        # The names are typed at the end: every loop below reads the same texts.
        texts = [self._abstract(sentence) for sentence in self.sentences]
        for text in texts:
            for pattern in self.r.person_contexts:
                for match in pattern.finditer(text):
                    for i in _tokens(match.group("p")):
                        cand = self.cands[i]
                        words = cand.span.text.split()
                        if cand.kind == NAME and 2 <= len(words) <= 4 and len(words[-1]) > 1:
                            people[cand.span.text] = Entity(cand.span.text, "Person")
        # A full name whose last word is used alone elsewhere ("Anna Lindqvist ...
        # Lindqvist said") is a person: organizations are not called by a last word.
        alone = {c.span.text for c in self.cands if c.kind == NAME and " " not in c.span.text}
        for cand in self.cands:
            words = cand.span.text.split()
            if (
                cand.kind == NAME
                and 2 <= len(words) <= 3
                and words[-1] in alone
                and all(w[:1].isupper() and w.isalpha() for w in words)
                and words[-1] not in self.r.designators
            ):
                people.setdefault(cand.span.text, Entity(cand.span.text, "Person"))
        # A name that starts with a common given name ("Kurt Hemecker") is a person.
        for cand in self.cands:
            words = cand.span.text.split()
            if (
                cand.kind == NAME
                and 2 <= len(words) <= 4
                and words[0] in self.r.given_names
                and all(_CAPITALISED.fullmatch(w) or w in self.r.name_particles for w in words)
                and not any(w in self.r.designators for w in words[1:])
                # a town as the surname is still a surname ("Tom Hale", "Ana Lima")
                and (
                    (place := self.x.gazetteer.lookup(" ".join(words[1:]))) is None
                    or (place.kind == "City" and len(words) == 2)
                )
            ):
                people.setdefault(cand.span.text, Entity(cand.span.text, "Person"))
        for name in list(people):  # "Van der Werff" after "Anko van der Werff": one person
            longer = [
                e for e in people.values() if e.name.casefold().endswith(" " + name.casefold())
            ]
            if longer:
                people[name] = longer[0]
        surnames = {e.name.split()[-1]: e for e in people.values()}
        for entity in people.values():  # "Lee Jong-ho" ... "Lee said": the family name first
            words = entity.name.split()
            if len(words) == 2 and "-" in words[1] and words[0] in self.r.given_names:
                surnames.setdefault(words[0], entity)
        for entity in people.values():  # "Anko van der Werff" ... "Van der Werff said"
            words = entity.name.split()
            if len(words) >= 3 and words[1] in self.r.name_particles:
                surnames.setdefault(" ".join([words[1].capitalize(), *words[2:]]), entity)
        organizations: dict[str, Entity] = {}
        for text in texts:
            for pattern in self.r.organization_contexts:
                for match in pattern.finditer(text):
                    for i in _tokens(match.group("o")):
                        name = self.cands[i].span.text
                        if self.cands[i].kind == NAME and name not in people | surnames:
                            organizations[name] = Entity(name, "Organization", "FormalOrganization")
        alliances: dict[str, Entity] = {}
        for text in texts:
            for pattern in self.r.alliance_contexts:
                for match in pattern.finditer(text):
                    for i in _tokens(match.group("o")):
                        name = self.cands[i].span.text
                        if self.cands[i].kind == NAME and name not in people | surnames:
                            alliances[name] = Entity(name, "Alliance")
        places: dict[str, Entity] = {}
        for text in texts:
            for pattern in self.r.location_contexts:
                for match in pattern.finditer(text):
                    for i in _tokens(match.group("l")):
                        name = self.cands[i].span.text
                        if self.cands[i].kind == NAME and name not in people | surnames:
                            places[name] = Entity(name, "Location")
        for i, cand in enumerate(self.cands):
            if cand.kind != NAME:
                continue
            if cand.span.text in places:
                self.cands[i] = retype(cand, places[cand.span.text])
            elif cand.span.text in alliances:
                self.cands[i] = retype(cand, alliances[cand.span.text])
            elif cand.span.text in people:
                self.cands[i] = retype(cand, people[cand.span.text])
            elif cand.span.text in surnames:
                self.cands[i] = retype(cand, surnames[cand.span.text])
            elif cand.span.text in organizations:
                self.cands[i] = retype(cand, organizations[cand.span.text])

    def _metonymy(self) -> None:
        """A place named like an organization of the text, used as that organization.

        "Qatar Airways ... Qatar is the first Gulf member": a place whose name starts
        an organization's name mentioned before it, in a context only an organization
        fits (``metonymy_contexts``), is that organization.
        """
        for sentence in self.sentences:
            text = self._abstract(sentence)
            # "Emirates and Etihad Airways remain outside": a place named by a short
            # form of its name, listed only with organizations, is an organization.
            for match in re.finditer(
                r"(?<![\w,] )(?<!, )(⟨[LO]\d+⟩)(?:, ⟨[LO]\d+⟩)*,? and (⟨[LO]\d+⟩)(?![-\w])", text
            ):
                listed = [int(t.group(2)) for t in _TOKEN.finditer(match.group(0))]
                places = [i for i in listed if self.cands[i].kind == "Location"]
                if len(places) != 1 or len(listed) < 2:
                    continue
                place = self.cands[places[0]]
                if (
                    place.entity is not None
                    and place.entity.cls == "Country"
                    and place.span.text not in place.entity.name.split(", ")
                    and place.span.text != place.entity.name
                    and not place.span.text.isupper()
                    and len(place.span.text.split()) == 1
                ):
                    name = place.span.text
                    self.cands[places[0]] = retype(
                        place, Entity(name, "Organization", "FormalOrganization")
                    )
            for pattern in self.r.metonymy_contexts:
                for match in pattern.finditer(text):
                    for i in _tokens(match.group("l")):
                        place = self.cands[i]
                        if place.kind != "Location":
                            continue
                        owner = next(
                            (
                                c.entity
                                for c in reversed(self.cands[:i])
                                if c.entity is not None
                                and c.kind == "Organization"
                                and c.span.text.startswith(place.span.text + " ")
                            ),
                            None,
                        )
                        if owner is not None:
                            self.cands[i] = retype(place, owner)

    def _abstract(self, sentence: _Sentence) -> str:
        text = sentence.span.text
        offset = sentence.span.start
        for i in reversed(sentence.indices):
            cand = self.cands[i]
            named = self.cands[self.former.get(i, i)]
            if i in self.former and named.span.start >= offset:
                # "(formerly Philips Lighting)", ", which stands for ...": another
                # name of the one before, not one more organization.
                cut_start = named.span.end - offset
                cut_end = cand.span.end - offset
                if text[cut_end : cut_end + 1] == ")":
                    cut_end += 1
                text = text[:cut_start] + text[cut_end:]
                continue
            start, end = cand.span.start - offset, cand.span.end - offset
            text = f"{text[:start]}⟨{_LETTER[cand.kind]}{i}⟩{text[end:]}"
        # "State Information Center (SIC)": the acronym in brackets adds nothing.
        return _ACRONYM_AFTER.sub(
            lambda m: (
                m.group(1)
                if self.cands[int(m.group(2))].entity == self.cands[int(m.group(3))].entity
                else m.group(0)
            ),
            text,
        )

    # -- coreference ------------------------------------------------------------

    def _subject(self, sentence: _Sentence) -> int | None:
        """The first organization named outside a fronted phrase."""
        text = sentence.text
        first_word = re.match(r"\w+", text)
        if first_word and first_word.group(0) in self.r.fronted and "," in text:
            text = text[text.index(",") + 1 :]
        for match in _TOKEN.finditer(text):
            if match.group(1) in "OAN":
                preceding = text[: match.start()].rstrip().rsplit(" ", 1)[-1].lower()
                if preceding not in self.r.prepositions:
                    return int(match.group(2))
        return None

    def _antecedent(
        self,
        kind: str,
        before: int,
        prefix: str = "",
        skip: int | None = None,
        near: set[int] | None = None,
        prefer_subject: bool = False,
    ) -> int | None:
        """The entity a description of ``kind`` refers to, among those before it.

        Alliances are looked up in text order: those of earlier sentences, then
        those of ``prefix`` (the current sentence up to the description).
        """
        if kind == "Topic":  # the organization the text is about: the most named so far
            # ("P, a partner at X, was named treasurer": not of X, named in the clause)
            aside = {self.cands[i].entity for i in near or ()}
            counts: dict[Entity, int] = {}
            latest: dict[Entity, int] = {}
            for i in [*self.trail, *(int(t.group(2)) for t in _TOKEN.finditer(prefix))]:
                entity = self.cands[i].entity
                if entity is not None and entity.kind in ("Organization", "Alliance"):
                    if entity in aside:
                        continue
                    counts[entity] = counts.get(entity, 0) + 1
                    latest[entity] = i
            if not counts:
                return None
            best = max(counts, key=lambda e: counts[e])
            return latest[best]
        if kind == "Alliance":
            # Names typed as alliances since they were read ("X joined Hyperledger") count.
            here = [int(t.group(2)) for t in _TOKEN.finditer(prefix)]
            # "X, based in Y, counts 19 airlines among its members": the clause's own alliance
            own = [i for i in here if self.cands[i].kind == "Alliance"]
            if own:
                return own[0]
            earlier = self.trail + here
            seen = [i for i in earlier if self.cands[i].kind == "Alliance"]
            # the alliance the text is about: the one with most members so far
            # (ties: the latest), not one named in passing ("members of both Y and Z")
            members: dict[Entity, int] = {}
            for fact in self.facts:
                if fact.relation == "memberOf" and fact.object.kind == "Alliance":
                    members[fact.object] = members.get(fact.object, 0) + 1
            order = {fact.object: n for n, fact in enumerate(self.facts)}
            for about in sorted(members, key=lambda e: (members[e], order[e]), reverse=True):
                for i in reversed(seen):
                    if self.cands[i].entity == about:
                        return i
            for i in reversed(self.subjects[-2:] if prefer_subject else []):
                if self.cands[i].kind == "Alliance" and i in earlier:
                    return i  # "Its members include": the last sentence's subject
            return seen[-1] if seen else None
        wanted = ("Organization", "Alliance") if kind == "Any" else ("Organization",)
        skipped = False
        for i in reversed(self.subjects):
            if i == skip and not skipped:  # the sentence's own subject, not an earlier mention
                skipped = True
                continue
            if i < before and self.cands[i].kind in wanted:
                return i
        for i in range(before - 1, -1, -1):
            if self.cands[i].kind == "Organization":
                return i
        return None

    def _coreference(self, number: int, sentence: _Sentence) -> None:
        before = sentence.indices[0] if sentence.indices else len(self.cands)
        if not sentence.indices:
            before = max(
                (s.indices[-1] + 1 for s in self.sentences[:number] if s.indices), default=0
            )
        self._unnamed(sentence)
        self._groups(number, sentence)
        self._cataphora(number, sentence)
        for description in self.r.descriptions:
            match = description.regex.search(sentence.text)
            if not match:
                continue
            target = int(_TOKEN.search(match.group("o")).group(2)) if match.group("o") else None  # type: ignore[union-attr]
            antecedent = self._antecedent(
                description.refers_to, before, sentence.text[: match.start()]
            )
            if antecedent is None or antecedent == target:
                continue
            token = f"⟨{_LETTER[self.cands[antecedent].kind]}{antecedent}⟩"
            if description.relation and target is not None:
                self._add(description.relation, antecedent, target, sentence, None, None)
            sentence.text = sentence.text[: match.start()] + token + sentence.text[match.end() :]
        nouns = "|".join(re.escape(n) for n in sorted(self.r.anaphora, key=len, reverse=True))
        demonyms = "|".join(re.escape(d) for d in sorted(self.r.demonyms))
        pattern = re.compile(
            rf"\b[Tt]he (?P<based>⟨L\d+⟩-based )?(?:(?:[a-z][\w-]*|{demonyms}) ){{0,2}}({nouns})\b"
            rf"(?! of\b)(?!\s*⟨)(?! (?:{nouns})s?\b)"
            rf"(?! (?:run|led|owned|operated|founded|created|set up|backed|chaired) by\b)"
        )
        pieces: list[str] = []
        last = 0
        current = self._subject(sentence)
        if current is not None and self.cands[current].kind != "Organization":
            current = None
        for match in pattern.finditer(sentence.text):
            noun = match.group(2)
            kind = self.r.anaphora[noun]
            after = sentence.text[match.end() : match.end() + 7]
            head = sentence.text[: match.start()]
            if (
                head.endswith("⟩, ")
                and not self.r.clauses["own"].match(after)
                and not _after_fronted(head, self.r.fronted)
            ):
                continue  # "X, the industry group that ...": an apposition describing X
            earlier = [int(t.group(2)) for t in _TOKEN.finditer(sentence.text[: match.start()])]
            here = max(earlier) + 1 if earlier else before
            prefix = sentence.text[: match.start()]
            if noun == "group" and self._antecedent("Alliance", here, prefix) is not None:
                kind = "Alliance"
            antecedent = self._described(noun, number, prefix)
            if kind == "Any":  # "the forum": the latest name ending in "Forum"
                # (a name merely containing the word, "Eclipse Foundation Europe
                # GmbH", only when no name ends in it)
                antecedent = next(
                    (
                        i
                        for ending in (True, False)
                        for i in range(here - 1, -1, -1)
                        if (entity := self.cands[i].entity) is not None
                        and entity.kind in ("Organization", "Alliance")
                        and (
                            self._name_ends_in(entity.name, noun.capitalize())
                            if ending
                            else noun.capitalize() in entity.name.split()
                        )
                    ),
                    None,
                )
                if antecedent is None:
                    antecedent = self._antecedent(kind, here, prefix)
            elif antecedent is None or (
                self.cands[antecedent].kind != kind and noun not in self.r.either_anaphora
            ):  # "X, a joint venture ..." then "the venture": X, company or alliance
                antecedent = self._antecedent(kind, here, prefix)
            after = sentence.text[match.end() : match.end() + 7]
            own = self.r.clauses["own"].match(after)  # not an object of the verb
            if kind == "Organization" and own and current is not None and current < here:
                antecedent = current  # "Bouygues Telecom ... alongside the operator's CEO"
            if antecedent is None:
                continue
            pieces.append(sentence.text[last : match.start()])
            # "the Doha-based airline" keeps its place: "⟨L11⟩-based ⟨O0⟩"
            pieces.append(match.group("based") or "")
            pieces.append(f"⟨{_LETTER[self.cands[antecedent].kind]}{antecedent}⟩")
            last = match.end()
        pieces.append(sentence.text[last:])
        sentence.text = "".join(pieces)
        sentence.text = self.r.clauses["it"].sub(lambda m: self._it(sentence, m), sentence.text)
        subject = self._subject(sentence)
        sentence.subject = subject
        if subject is not None:
            self.subjects.append(subject)

    def _groups(self, number: int, sentence: _Sentence) -> None:
        """ "The five banks": the list of five organizations named just before.

        A counted plural description (``group_description``) stands for the
        last list of that many organizations in the sentence or the three before.
        """
        rule = self.r.clauses.get("group_description")
        items = self.r.clauses.get("group_list")
        if rule is None or items is None:
            return
        match = rule.search(sentence.text)
        if match is None:
            return
        word = match.group("n").lower()
        count = int(word) if word.isdigit() else self.r.numbers.get(word)
        if count is None:
            return
        earlier = [sentence.text[: match.start()]]
        earlier += [s.text for s in reversed(self.sentences[max(0, number - 3) : number])]
        for text in earlier:
            for found in reversed(list(items.finditer(text))):
                tokens = [
                    t.group(0)
                    for t in _TOKEN.finditer(found.group(0))
                    if t.group(1) in "ON" and not self._modifier_token(found.group(0), t)
                ]
                if len(tokens) == count:
                    listed = ", ".join(tokens[:-1]) + " and " + tokens[-1]
                    sentence.text = (
                        sentence.text[: match.start()] + listed + sentence.text[match.end() :]
                    )
                    return

    def _cataphora(self, number: int, sentence: _Sentence) -> None:
        """ "Three Dutch lenders joined X. A, B and C will ...": the counted plural
        subject stands for the list of that many names that opens the next sentence."""
        rule = self.r.clauses.get("cataphora")
        items = self.r.clauses.get("group_list")
        if rule is None or items is None or number + 1 >= len(self.sentences):
            return
        match = rule.match(sentence.text)
        if match is None or _TOKEN.search(sentence.text[: match.end()]):
            return
        word = match.group("n").lower()
        count = int(word) if word.isdigit() else self.r.numbers.get(word)
        following = items.match(self.sentences[number + 1].text)
        if count is None or following is None:
            return
        tokens = [
            t.group(0)
            for t in _TOKEN.finditer(following.group(0))
            if t.group(1) in "ON" and not self._modifier_token(following.group(0), t)
        ]
        if len(tokens) == count:
            listed = ", ".join(tokens[:-1]) + " and " + tokens[-1]
            sentence.text = listed + sentence.text[match.end() :]

    def _name_ends_in(self, name: str, word: str) -> bool:
        """Whether a name ends in a word, legal forms aside ("Acme Forum Ltd")."""
        words = name.split()
        while len(words) > 1 and words[-1].rstrip(".") in self.r.legal_forms:
            words.pop()
        return words[-1] == word

    def _modifier_token(self, text: str, token: re.Match[str]) -> bool:
        rest = text[token.end() :]
        return bool(self.r.clauses["modifier_after"].match(rest) and _TOKEN.search(rest))

    def _described(self, noun: str, number: int, prefix: str) -> int | None:
        """The entity an apposition described with this noun ("X, a joint venture
        that ..." for "the venture"), the latest one before the description."""
        pattern = re.compile(rf"⟨[OA](\d+)⟩, (?:a|an|the) (?:[\w-]+ ){{0,3}}{re.escape(noun)}\b")
        for text in [prefix, *(s.text for s in reversed(self.sentences[:number]))]:
            found = list(pattern.finditer(text))
            if found:
                return int(found[-1].group(1))
        return None

    def _it(self, sentence: _Sentence, match: re.Match[str]) -> str:
        """What "it" stands for as a subject: the organization the text is about,
        the subject of the sentences before."""
        chosen = next(
            (
                i
                for i in reversed(self.subjects)
                if self.cands[i].kind in ("Organization", "Alliance")
            ),
            None,
        )
        if chosen is None:
            return match.group(0)
        return f"⟨{_LETTER[self.cands[chosen].kind]}{chosen}⟩"

    def _unnamed(self, sentence: _Sentence) -> None:
        """ "A consortium led by R3": an alliance the text describes but does not name.

        It is named after what describes it ("R3 consortium"), so that the same
        description in another article gives the same entity.
        """
        for unnamed in self.r.unnamed:
            match = unnamed.regex.search(sentence.text)
            if match is None:
                continue
            heads = list(self._heads(match.group("o")))
            if not heads or self.cands[heads[-1]].entity is None:
                continue
            leader = heads[-1]
            leader_entity = self.cands[leader].entity
            assert leader_entity is not None
            noun = match.group("noun").lower()
            entity = Entity(f"{leader_entity.name} {noun}", "Alliance")
            index = len(self.cands)
            # Its span is the description as written ("a consortium led by"), which
            # holds no name token; failing that, the sentence.
            words = match.string[match.start() : match.start("o")].rstrip()
            at = sentence.span.text.find(words) if "⟨" not in words else -1
            start = sentence.span.start + max(at, 0)
            end = start + len(words) if at >= 0 else sentence.span.end
            where = Span(start, end, self.body[start:end])
            self.cands.append(Candidate(where, "Alliance", entity))
            self.synthetic.add(index)
            if unnamed.relation:
                self._add(unnamed.relation, index, leader, sentence, None, None)
            # The description gives way to the alliance; its leader stays, for
            # what else the sentence says of it ("New York-based ... R3").
            token = f"⟨A{index}⟩, "
            sentence.text = (
                sentence.text[: match.start()] + token + sentence.text[match.start("o") :]
            )

    # -- relations --------------------------------------------------------------

    def _relations(self, sentence: _Sentence) -> None:
        self._vacancy(sentence)
        dates: list[DateMention] | None = None
        texts = [sentence.text]
        compressed = self.r.clauses["apposition"].sub("", sentence.text)
        if compressed != sentence.text:
            texts.append(compressed)
        gapped = _ungap(compressed, self.r.clauses["gapped_verb"], self.r.clauses["gapped_clause"])
        if gapped != compressed:
            texts.append(gapped)
        for text in texts:
            for pattern in self.r.patterns:
                for match in pattern.regex.finditer(text):
                    if self._hedged(match, pattern.future):
                        # Not stated, but what the names are is: "Tesla has not joined".
                        for slot in ("s", "o"):
                            for i in self._heads(match.groupdict().get(slot) or ""):
                                self._typed(i, pattern.relation, slot)
                        continue
                    groups = match.groupdict()
                    role = pattern.role
                    if pattern.relation == "holdsPost" and role is None and not groups.get("role"):
                        found_role = re.search(self.r.role_regex, match.group(0))
                        role = self._post_label(found_role.group(0)) if found_role else None
                    if groups.get("role") and pattern.role_template:  # "in charge of policy"
                        role = pattern.role_template.format(role=groups["role"].strip())
                    elif groups.get("role"):
                        role = " and ".join(
                            self._post_label(part) for part in groups["role"].split(" and ")
                        )
                    since = until = None
                    if pattern.relation == "memberOf":
                        if dates is None:
                            dates = _main_clause_dates(
                                find_dates(
                                    self._undated(sentence.span.text), self.article.published
                                ),
                                sentence.span.text,
                                self.r.clauses.get("subordinate_date"),
                            )
                        when = _first_date(dates)
                        if groups.get("when"):  # the date the pattern itself names
                            plain = _TOKEN.sub("X", groups["when"])
                            when = _first_date(find_dates(plain, self.article.published)) or when
                        if when is None and pattern.date != "sentence":
                            when = self._continued_date(sentence) or self._recent_date(sentence)
                        if pattern.date == "until":
                            until = when
                        elif pattern.date != "none":
                            since = when
                    if pattern.pairs:  # "the chief executives, among them A of X and B of Y"
                        for person, org in _pairs(groups.get("s") or ""):
                            self._add(pattern.relation, person, org, sentence, role, None)
                        continue
                    if pattern.items is not None:  # "board: A, head of X; B, partner at Y"
                        subjects = [
                            int(head.group(2))
                            for item in pattern.items.split(groups.get("s") or "")
                            if (head := _TOKEN.match(item.strip())) and head.group(1) in "PN"
                        ]
                    elif "s" in groups:
                        subjects = list(self._heads(groups.get("s") or ""))
                    if pattern.implicit_slot == "s" and "s" not in groups:
                        # "A and B, the companies that lead it": it is the subject
                        objects = list(self._heads(groups.get("o") or ""))
                        first = min(objects, default=len(self.cands))
                        implicit = self._antecedent(
                            pattern.implicit, first, text[: match.start()], sentence.subject
                        )
                        subjects = [implicit] if implicit is not None else []
                    elif "o" in groups:
                        objects = list(self._heads(groups.get("o") or ""))
                    else:  # the alliance the sentence is about ("The new members are ...")
                        first = min(subjects, default=len(self.cands))
                        prefix = text[: match.start()]
                        # "Its chief executive, P, said X ...": not this sentence's later subject
                        later = sentence.subject
                        if later is not None and re.search(f"⟨[OAN]{later}⟩", prefix):
                            later = None
                        implicit = self._antecedent(
                            pattern.implicit,
                            first,
                            prefix,
                            later,
                            set(_tokens(groups.get("s") or "")),
                            prefer_subject=True,
                        )
                        objects = [implicit] if implicit is not None else []
                    for s in subjects:
                        for o in objects:
                            inherit = pattern.date not in ("until", "sentence", "none")
                            if pattern.relation == "memberOf" and since is None and until is None:
                                since = self._event_date(o) if inherit else None
                            self._add(pattern.relation, s, o, sentence, role, since, until)
                            for implied in pattern.implies:
                                self._add(implied, o, s, sentence, None, None)

    def _vacancy(self, sentence: _Sentence) -> None:
        """ "The board elected a new chair. P, who ..., replaces Q": P holds the post."""
        open_post, self.vacancy = self.vacancy, None
        successor = self.r.clauses.get("successor")
        if open_post is not None and successor is not None:
            match = successor.search(sentence.text)
            if match is not None:
                for person in self._heads(match.group("s")):
                    if self.cands[person].kind in ("Person", NAME):
                        org, role = open_post
                        self._add("holdsPost", person, org, sentence, self._post_label(role), None)
        rule = self.r.clauses.get("vacancy")
        found = rule.search(sentence.text) if rule is not None else None
        if found is not None:
            heads = list(self._heads(found.group("o")))
            if heads:
                self.vacancy = (heads[-1], found.group("role"))

    def _post_label(self, text: str) -> str:
        """The canonical label of a post as written ("CEO" -> "chief executive")."""
        words = text.strip().casefold()
        found = self.r.roles.get(words)
        if found is None:  # "interim managing director": the post is the last words
            for i in range(1, len(words.split())):
                found = self.r.roles.get(" ".join(words.split()[i:]))
                if found is not None:
                    return " ".join([*words.split()[:i], found.label])
        return found.label if found else words

    def _hedged(self, match: re.Match[str], future: bool = False) -> bool:
        """Whether the clause that states a match is negated, hedged or a plan.

        Only the words that link the slots count: a relative clause describing
        one of them ("the members that will share its board are ...") does not.
        """
        slots = sorted(
            (match.start(g), match.end(g))
            for g in ("s", "o", "role")
            if g in match.groupdict() and match.group(g) is not None
        )
        # "Neither X nor Y is part of Z": the words just before the match count too.
        lead = re.split(r"[,;:]", match.string[max(0, match.start() - 40) : match.start()])[-1]
        if match.group(0)[:1] in ":;,":  # the match opens its own clause
            lead = ""
        elif (
            match.groupdict().get("s")
            and match.start("s") == match.start()
            and re.match(r",? (?:which|that|who)\b", match.string[match.end("s") :])
        ):  # "... will sit inside X, which is based in Y": the relative clause is its own
            lead = ""
        if len(slots) >= 2:
            scope = lead + match.string[slots[0][1] : slots[-1][0]]
        elif slots:
            scope = lead + match.string[match.start() : slots[0][0]]
        else:
            scope = lead + match.group(0)
        scope = self.r.clauses["relative_clause"].sub(" ", _TOKEN.sub(" ", scope))
        allowed = {h.pattern for h in self.r.future_hedges} if future else set()
        return any(h.search(scope) for h in self.r.hedges if h.pattern not in allowed)

    def _founding_dates(self) -> list[Fact]:
        """Founding members joined when their alliance was founded, if the text says when.

        "The five companies that founded the SIG announced today ..." dates the
        announcement; "the SIG was formally announced in May 1998" dates the founding.
        """
        founded: dict[Entity, PartialDate] = {}
        for sentence in self.sentences:
            for pattern in self.r.founding_dates:
                for match in pattern.finditer(sentence.text):
                    plain = _TOKEN.sub("X", match.group(0))
                    found = find_dates(plain, self.article.published)
                    when = found[-1].value if found else None  # the date its verb takes
                    for i in self._heads(match.group("s")):
                        entity = self.cands[i].entity
                        if when is not None and entity is not None:
                            founded.setdefault(entity, when)
        return [
            replace(f, since=founded[f.object])
            if f.relation == "memberOf" and f.role == "founding member" and f.object in founded
            else f
            for f in self.facts
        ]

    def _event_date(self, alliance: int) -> PartialDate | None:
        """The joining date of the last members of the same alliance listed before.

        A list continued over several sentences ("The French contingent includes
        ...") belongs to the event the earlier sentences dated.
        """
        target = self.cands[alliance].entity
        for fact in reversed(self.facts):
            if fact.relation == "memberOf" and fact.object == target and fact.since:
                return fact.since
        return None

    def _undated(self, text: str) -> str:
        """The text with a wire dateline ("BOSTON, March 14 (Reuters) -") blanked out:
        its date is the story's, not that of any event in the sentence."""
        rule = self.r.clauses.get("dateline")
        if rule is None:
            return text
        return rule.sub(lambda m: " " * len(m.group(0)), text, count=1)

    def _continued_date(self, sentence: _Sentence) -> PartialDate | None:
        """The date of the next sentence when it goes on about the same newcomers.

        "X and Y have joined Z. The new members were presented on Thursday."
        """
        number = self.sentences.index(sentence)
        if number + 1 >= len(self.sentences):
            return None
        following = self.sentences[number + 1].span.text
        if not any(c.match(following) for c in self.r.continuations):
            return None
        return _first_date(find_dates(self._undated(following), self.article.published))

    def _recent_date(self, sentence: _Sentence) -> PartialDate | None:
        """The date of a sentence just before, which a list of members often continues."""
        number = self.sentences.index(sentence)
        here = self._alliances_named(sentence)
        for previous in reversed(self.sentences[max(0, number - 3) : number]):
            found = _first_date(
                find_dates(self._undated(previous.span.text), self.article.published)
            )
            if found is not None:
                # "A joined X in March. B and C have joined Y.": Y's newcomers are not X's
                there = self._alliances_named(previous)
                if here and there and not here & there:
                    return None
                return found
        return None

    def _alliances_named(self, sentence: _Sentence) -> set[Entity]:
        """The alliances a sentence names (by name or description)."""
        return {
            entity
            for t in _TOKEN.finditer(sentence.text)
            if t.group(1) == "A" and (entity := self.cands[int(t.group(2))].entity) is not None
        }

    def _add(
        self,
        relation: str,
        s: int,
        o: int,
        sentence: _Sentence,
        role: str | None,
        since: PartialDate | None,
        until: PartialDate | None = None,
    ) -> None:
        if s == o:
            return
        subject = self._typed(s, relation, "s")
        obj = self._typed(o, relation, "o")
        if subject is None or obj is None or subject == obj:
            return
        if relation == "locatedIn" and not self._may_contain(obj, subject):
            return
        if relation == "memberOf" and role is None:
            role = self.r.membership_roles["member"].label
        self.facts.append(Fact(relation, subject, obj, sentence.span, role, since, until))
        if relation == "holdsPost" and role is not None:
            posts = [self.r.roles.get(part.strip().casefold()) for part in role.split(" and ")]
            if any(post is not None and post.leads for post in posts):
                self.facts.append(Fact("ledBy", obj, subject, sentence.span))

    def _may_contain(self, outer: Entity, inner: Entity) -> bool:
        """Whether the text's "inner, outer" can mean containment (not a list of peers)."""
        outer_place = self.x.gazetteer.lookup(outer.name)
        inner_place = self.x.gazetteer.lookup(inner.name)
        if outer_place is not None and inner_place is not None:
            region = outer_place.kind == "Place" and inner_place.kind != "Country"
            return self.x.gazetteer.contains(outer.name, inner.name) or (
                region and outer_place.country == inner_place.country
            )
        return inner.cls != "Country"

    def _heads(self, text: str) -> Iterator[int]:
        """The tokens of a slot that name its fillers, not their modifiers.

        In "⟨L5⟩ operator ⟨N6⟩" the place only describes the operator.
        """
        modifier = self.r.clauses["modifier_after"]
        text = re.sub(r" \([^()]*\)", " ", text)  # "Acme (Germany)": the brackets only describe it
        lead_in = self.r.clauses.get("lead_in")
        if lead_in is not None:  # "US and European suppliers such as A": A, not the US
            text = lead_in.sub(" ", text)
        for match in _TOKEN.finditer(text):
            rest = text[match.end() :]
            if modifier.match(rest) and _TOKEN.search(rest):
                continue
            yield int(match.group(2))

    def _typed(self, index: int, relation: str, slot: str) -> Entity | None:
        """The entity of a candidate; an untyped name takes the type of its slot."""
        cand = self.cands[index]
        if cand.entity is not None:
            return cand.entity
        kind = self.r.slot_types.get((relation, slot), "Organization")
        entity = Entity(
            cand.span.text, kind, "FormalOrganization" if kind == "Organization" else None
        )
        for i, other in enumerate(self.cands):
            if other.kind == NAME and other.span.text == cand.span.text:
                self.cands[i] = retype(other, entity)
        return entity

    # -- results ------------------------------------------------------------------

    def _mentions(self) -> tuple[Mention, ...]:
        mentions = []
        for i, cand in enumerate(self.cands):
            if i in self.synthetic:  # described, not named: no surface form to publish
                continue
            named = self.cands[self.former[i]] if i in self.former else cand
            if named.entity is not None:
                mentions.append(Mention(cand.span, named.entity))
        return tuple(mentions)

    @staticmethod
    def _dedupe(facts: list[Fact]) -> tuple[Fact, ...]:
        """One fact per relation, subject, object and role; the first dated evidence wins."""
        kept: dict[tuple[str, Entity, Entity, str | None], Fact] = {}
        for fact in facts:
            key = (fact.relation, fact.subject, fact.object, fact.role)
            prior = kept.get(key)
            if prior is None or (
                prior.since is None
                and prior.until is None
                and (fact.since is not None or fact.until is not None)
            ):
                kept[key] = fact
        # A founding membership says all a plain one says (and takes its dates).
        founding = {(f.subject, f.object) for f in kept.values() if f.role == "founding member"}
        for key, fact in list(kept.items()):
            if fact.relation == "memberOf" and fact.role == "founding member":
                plain = kept.get((fact.relation, fact.subject, fact.object, "member"))
                if plain is not None and (fact.since, fact.until) == (None, None):
                    kept[key] = replace(fact, since=plain.since, until=plain.until)
        return tuple(
            f
            for f in kept.values()
            if not (
                f.relation == "memberOf"
                and f.role == "member"
                and (f.subject, f.object) in founding
            )
        )


def _ungap(text: str, verb_rule: re.Pattern[str], clause_rule: re.Pattern[str]) -> str:
    """Restore the verb a list of clauses leaves out after the first one.

    >>> verb = re.compile(r"⟨O\\d+⟩ (?P<verb>is based) in ⟨L\\d+⟩")
    >>> clause = re.compile(r"(; (?:and )?⟨O\\d+⟩) in (?=⟨L)")
    >>> _ungap("⟨O1⟩ is based in ⟨L2⟩; ⟨O3⟩ in ⟨L4⟩; and ⟨O5⟩ in ⟨L6⟩.", verb, clause)
    '⟨O1⟩ is based in ⟨L2⟩; ⟨O3⟩ is based in ⟨L4⟩; and ⟨O5⟩ is based in ⟨L6⟩.'
    """
    first = verb_rule.search(text)
    if first is None:
        return text
    verb = first.group("verb")
    head, tail = text[: first.end()], text[first.end() :]
    return head + clause_rule.sub(lambda m: f"{m.group(1)} {verb} in ", tail)


_PAIR = re.compile(r"⟨[PN](\d+)⟩ (?:of|from|at) (?:[a-z-]+ ){0,3}⟨[OAN](\d+)⟩")


def _pairs(text: str) -> Iterator[tuple[int, int]]:
    """The (person, organization) pairs of "A of X, B of Y and C of Z"."""
    for match in _PAIR.finditer(text):
        yield int(match.group(1)), int(match.group(2))


def _after_fronted(head: str, fronted: frozenset[str]) -> bool:
    """Whether a text before a comma is a fronted phrase naming people ("Founded
    in 2012 by A and B, the company ..."): what follows the comma is the subject."""
    first = head.split(" ", 1)[0]
    return first in fronted and head.count(",") == 1 and bool(re.search(r"⟨P\d+⟩, $", head))


def _tokens(text: str) -> Iterator[int]:
    for match in _TOKEN.finditer(text):
        yield int(match.group(2))


def _main_clause_dates(
    dates: list[DateMention], text: str, rule: re.Pattern[str] | None
) -> list[DateMention]:
    """The dates of a sentence outside its subordinate clauses, when it has any.

    "Nordea, which opened a hub in Helsinki last year, joined in March": the
    relative clause's date is not the date of the main verb.
    """
    if rule is None or len(dates) < 2:
        return dates
    clauses = [m.span() for m in rule.finditer(text)]
    kept = [d for d in dates if not any(a <= d.start and d.end <= b for a, b in clauses)]
    return kept or dates


def _first_date(dates: list[DateMention]) -> PartialDate | None:
    return dates[0].value if dates else None
