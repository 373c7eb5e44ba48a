"""The values passed between stages: entities, mentions, facts and their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from consortia.dates import PartialDate

KINDS = ("Organization", "Alliance", "Person", "Location")
# The relations of corpus/FORMAT.md, in the order reports list them.
RELATIONS = (
    "memberOf",
    "foundedBy",
    "ledBy",
    "subOrganizationOf",
    "affiliatedWith",
    "headquarteredIn",
    "operatesIn",
    "locatedIn",
    "holdsPost",
)


@dataclass(frozen=True, order=True)
class Entity:
    """A canonical entity: what an IRI is minted from.

    ``kind`` is one of :data:`KINDS`; ``cls`` refines an organization
    (``FormalOrganization`` or ``OrganizationalUnit``) or a place (``Country``,
    ``City``, ``AdministrativeArea``).
    """

    name: str
    kind: str
    cls: str | None = None
    wikidata: str | None = None
    geonames: int | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of the article body: ``body[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """An entity named in the text."""

    span: Span
    entity: Entity


@dataclass(frozen=True)
class Fact:
    """One relation the text states, with the sentence that states it.

    ``relation`` is a relation name of ``corpus/FORMAT.md`` (memberOf, foundedBy,
    ledBy, subOrganizationOf, affiliatedWith, headquarteredIn, operatesIn,
    locatedIn, holdsPost).
    """

    relation: str
    subject: Entity
    object: Entity
    evidence: Span
    role: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
