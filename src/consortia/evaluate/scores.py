"""Score values: counts, accuracies, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from consortia.evaluate.gold import GoldFact
from consortia.model import RELATIONS


@dataclass(frozen=True)
class Counts:
    """True positives, false positives, false negatives; None where undefined."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall.

        >>> Counts(tp=3, fp=1, fn=2).f1
        0.6666666666666666
        """
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Accuracy:
    """How many of the checked values were right."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        """correct / total."""
        return self.correct / self.total if self.total else None

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)


@dataclass(frozen=True)
class Miss:
    """A required gold fact that was not published."""

    article: str
    fact: GoldFact


@dataclass(frozen=True)
class FalseFind:
    """A published fact the gold does not have; s and o are gold names or labels."""

    article: str
    relation: str
    s: str
    o: str
    s_iri: str
    o_iri: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Mismatch:
    """A matched fact whose role, since or until differs from the gold."""

    article: str
    relation: str
    s: str
    o: str
    field: str
    gold: str
    published: tuple[str, ...]


@dataclass(frozen=True)
class TypeConfusion:
    """A gold entity published with another type (e.g. an alliance as an organization)."""

    article: str
    name: str
    gold_type: str
    published_type: str
    iri: str


@dataclass(frozen=True)
class EntityError:
    """A gold entity not found (iri empty), or a published entity that is a false find."""

    article: str
    name: str
    type: str
    iri: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ArticleScore:
    """The scores of one article and everything that went wrong in it."""

    id: str
    relations: dict[str, Counts]
    entities: Counts
    dates: Accuracy
    roles: Accuracy
    misses: tuple[Miss, ...] = ()
    false_finds: tuple[FalseFind, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()
    type_confusions: tuple[TypeConfusion, ...] = ()
    missed_entities: tuple[EntityError, ...] = ()
    false_entities: tuple[EntityError, ...] = ()

    @property
    def overall(self) -> Counts:
        """Micro-averaged over all relations."""
        return sum(self.relations.values(), Counts())


@dataclass(frozen=True)
class Split:
    """One gold entity (canonical name and type family) published under several IRIs."""

    name: str
    type: str
    iris: tuple[str, ...]
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Merge:
    """One IRI that stands for several distinct gold entities ("Name (Type)")."""

    iri: str
    entities: tuple[str, ...]


@dataclass(frozen=True)
class MergeScore:
    """Identity over the merged build: each gold entity should be exactly one IRI."""

    entities: int
    published: int
    splits: tuple[Split, ...] = ()
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Scores summed over articles (micro), the articles, and the merge check."""

    articles: tuple[ArticleScore, ...]
    merge: MergeScore | None = None
    relations: dict[str, Counts] = field(init=False)
    entities: Counts = field(init=False)
    dates: Accuracy = field(init=False)
    roles: Accuracy = field(init=False)

    def __post_init__(self) -> None:
        relations = {r: sum((a.relations[r] for a in self.articles), Counts()) for r in RELATIONS}
        object.__setattr__(self, "relations", relations)
        object.__setattr__(self, "entities", sum((a.entities for a in self.articles), Counts()))
        object.__setattr__(self, "dates", sum((a.dates for a in self.articles), Accuracy()))
        object.__setattr__(self, "roles", sum((a.roles for a in self.articles), Accuracy()))

    @property
    def overall(self) -> Counts:
        """Micro-averaged over all relations and articles."""
        return sum(self.relations.values(), Counts())

    @property
    def type_confusions(self) -> int:
        """How many gold entities were published with another type."""
        return sum(len(a.type_confusions) for a in self.articles)
