"""Published RDF vs gold annotations: the measuring stick of extraction quality.

Only what is *published* is measured: :func:`read_published` reads a build's RDF
through the terms of ``CONTRACT.md`` in the shape of decision record 0001, never
an internal list of the pipeline. Matching rules:

- A published entity is aligned with the gold entity one of whose names (canonical
  name or alias) equals one of its labels (``skos:prefLabel``, ``skos:altLabel``)
  after :func:`normalise_name`. When several gold entities qualify, a match on the
  prefLabel wins, then the same type family (organization/alliance, person,
  location), then the same type, then the canonical name over an alias, then the
  first in the gold file.
- Entities score a true positive only with the same type; an alliance published
  as an organization (or the reverse) is listed as a type confusion. Each gold
  entity is found at most once: a second published entity aligned with it is a
  false find. The article's publisher (``schema:publisher``) is left out of the
  entity scores unless it aligns with a gold entity: the gold annotates what the
  text says, not who printed it.
- A fact matches when relation, aligned subject and aligned object are equal,
  whatever the types. Published facts that align to the same gold key count
  once. Gold facts marked ``optional`` are neither a miss nor a false find;
  when found, their roles and dates are still checked.
- Roles are checked on matched ``memberOf`` facts (a gold fact without a role means
  ``member``) and on matched ``holdsPost`` facts that have a gold role, after
  :func:`normalise_role` with ``mappings/role-equivalents.yaml``. Correct means
  exactly the gold role was published for that fact. The evaluator keeps its own
  table rather than the extractor's ``mappings/roles.yaml`` so that the stick
  does not move when the extractor's lexicon does.
- Membership dates: on matched ``memberOf`` facts, each gold ``since`` and
  ``until`` is correct when exactly that lexical value (precision included) was
  published.
- Merged build (:func:`evaluate_merged`): gold entities of all articles are one
  entity when their normalised canonical names and type families agree. Each
  article's gold is aligned inside that article's named graph (``.../graph/{id}``)
  or, in a graph without it, among the entities its article node mentions. An
  entity aligned with several IRIs is a split; an IRI aligned with several
  entities is a merge.
"""

from consortia.evaluate.gold import ENTITY_TYPES, Gold, GoldEntity, GoldFact, load_gold
from consortia.evaluate.match import evaluate, evaluate_article, evaluate_dir, evaluate_merged
from consortia.evaluate.normalise import (
    ROLE_EQUIVALENTS_PATH,
    load_role_equivalents,
    normalise_name,
    normalise_role,
)
from consortia.evaluate.published import Published, PublishedEntity, PublishedFact, read_published
from consortia.evaluate.render import render_json, render_text
from consortia.evaluate.scores import (
    Accuracy,
    ArticleScore,
    Counts,
    EntityError,
    Evaluation,
    FalseFind,
    Merge,
    MergeScore,
    Mismatch,
    Miss,
    Split,
    TypeConfusion,
)
from consortia.model import RELATIONS

__all__ = [
    "ENTITY_TYPES",
    "RELATIONS",
    "ROLE_EQUIVALENTS_PATH",
    "Accuracy",
    "ArticleScore",
    "Counts",
    "EntityError",
    "Evaluation",
    "FalseFind",
    "Gold",
    "GoldEntity",
    "GoldFact",
    "Merge",
    "MergeScore",
    "Mismatch",
    "Miss",
    "Published",
    "PublishedEntity",
    "PublishedFact",
    "Split",
    "TypeConfusion",
    "evaluate",
    "evaluate_article",
    "evaluate_dir",
    "evaluate_merged",
    "load_gold",
    "load_role_equivalents",
    "normalise_name",
    "normalise_role",
    "read_published",
    "render_json",
    "render_text",
]
