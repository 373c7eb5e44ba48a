"""Evaluation reports: a text table for people, JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from consortia.evaluate.gold import GoldFact
from consortia.evaluate.scores import Accuracy, ArticleScore, Counts, Evaluation
from consortia.model import RELATIONS


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _row(name: str, c: Counts) -> str:
    return (
        f"{name:<20}{c.tp:>6}{c.fp:>6}{c.fn:>6}"
        f"{_num(c.precision):>8}{_num(c.recall):>8}{_num(c.f1):>8}"
    )


def _ratio(name: str, a: Accuracy) -> str:
    return f"{name:<20}{f'{a.correct}/{a.total}':>12}{_num(a.value):>8}"


def _fact_text(fact: GoldFact) -> str:
    extra = [
        f"{k} {v}"
        for k, v in (("role", fact.role), ("since", fact.since), ("until", fact.until))
        if v
    ]
    return f"{fact.p} {fact.s} -> {fact.o}" + (f" ({', '.join(extra)})" if extra else "")


def _article_lines(a: ArticleScore) -> list[str]:
    lines = [f"  miss: {_fact_text(m.fact)}" for m in a.misses]
    for f in a.false_finds:
        said = " | ".join(f'"{e}"' for e in f.evidence) or "(no evidence published)"
        lines.append(f"  false find: {f.relation} {f.s} -> {f.o}: {said}")
    for m in a.mismatches:
        shown = ", ".join(m.published) or "nothing"
        lines.append(
            f"  wrong {m.field}: {m.relation} {m.s} -> {m.o}: gold {m.gold}, published {shown}"
        )
    lines += [
        f"  type confusion: {t.name}: gold {t.gold_type}, published {t.published_type} <{t.iri}>"
        for t in a.type_confusions
    ]
    lines += [f"  missed entity: {e.name} ({e.type})" for e in a.missed_entities]
    for e in a.false_entities:
        name = f"<{e.iri}>" if e.name == e.iri else f"{e.name} <{e.iri}>"
        lines.append(f"  false entity: {name} ({e.type}): {e.reason}")
    return lines


def render_text(evaluation: Evaluation) -> str:
    """A report for people: the score tables, then what went wrong, by article."""
    header = f"{'relation':<20}{'tp':>6}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}"
    lines = [f"articles: {len(evaluation.articles)}", "", header]
    lines += [_row(r, evaluation.relations[r]) for r in RELATIONS]
    lines += [_row("overall", evaluation.overall), "", header.replace("relation", "entities", 1)]
    lines += [_row("entities", evaluation.entities), ""]
    lines += [_ratio("membership dates", evaluation.dates), _ratio("roles", evaluation.roles)]
    lines.append(f"{'type confusions':<20}{evaluation.type_confusions:>12}")
    merge = evaluation.merge
    if merge is not None:
        lines.append(f"{'split entities':<20}{len(merge.splits):>12}")
        lines.append(f"{'merged IRIs':<20}{len(merge.merges):>12}")
        if merge.splits:
            lines += ["", "split entities (one gold entity, several IRIs):"]
            lines += [
                f"  {s.name} ({s.type}): {', '.join(f'<{i}>' for i in s.iris)}"
                f" [{', '.join(s.articles)}]"
                for s in merge.splits
            ]
        if merge.merges:
            lines += ["", "merged IRIs (one IRI, several gold entities):"]
            lines += [f"  <{m.iri}>: {', '.join(m.entities)}" for m in merge.merges]
    for article in evaluation.articles:
        if body := _article_lines(article):
            lines += ["", f"{article.id}:", *body]
    return "\n".join(lines) + "\n"


def _counts_json(c: Counts) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "precision": r(c.precision),
        "recall": r(c.recall),
        "f1": r(c.f1),
    }


def _accuracy_json(a: Accuracy) -> dict[str, Any]:
    return {
        "correct": a.correct,
        "total": a.total,
        "accuracy": None if a.value is None else round(a.value, 4),
    }


def _fact_json(f: GoldFact) -> dict[str, Any]:
    return {"s": f.s, "p": f.p, "o": f.o, "role": f.role, "since": f.since, "until": f.until}


def _article_json(a: ArticleScore) -> dict[str, Any]:
    return {
        "id": a.id,
        "relations": {r: _counts_json(a.relations[r]) for r in RELATIONS},
        "overall": _counts_json(a.overall),
        "entities": _counts_json(a.entities),
        "membership_dates": _accuracy_json(a.dates),
        "roles": _accuracy_json(a.roles),
        "misses": [_fact_json(m.fact) for m in a.misses],
        "false_finds": [
            {
                "p": f.relation,
                "s": f.s,
                "o": f.o,
                "s_iri": f.s_iri,
                "o_iri": f.o_iri,
                "evidence": list(f.evidence),
            }
            for f in a.false_finds
        ],
        "mismatches": [
            {
                "p": m.relation,
                "s": m.s,
                "o": m.o,
                "field": m.field,
                "gold": m.gold,
                "published": list(m.published),
            }
            for m in a.mismatches
        ],
        "type_confusions": [
            {
                "name": t.name,
                "gold_type": t.gold_type,
                "published_type": t.published_type,
                "iri": t.iri,
            }
            for t in a.type_confusions
        ],
        "missed_entities": [{"name": e.name, "type": e.type} for e in a.missed_entities],
        "false_entities": [
            {"name": e.name, "type": e.type, "iri": e.iri, "reason": e.reason}
            for e in a.false_entities
        ],
    }


def render_json(evaluation: Evaluation) -> str:
    """The whole evaluation as JSON, keys in a fixed order."""
    merge = evaluation.merge
    data: dict[str, Any] = {
        "articles": len(evaluation.articles),
        "relations": {r: _counts_json(evaluation.relations[r]) for r in RELATIONS},
        "overall": _counts_json(evaluation.overall),
        "entities": _counts_json(evaluation.entities),
        "membership_dates": _accuracy_json(evaluation.dates),
        "roles": _accuracy_json(evaluation.roles),
        "type_confusions": evaluation.type_confusions,
        "merge": None
        if merge is None
        else {
            "entities": merge.entities,
            "published": merge.published,
            "splits": [
                {"name": s.name, "type": s.type, "iris": list(s.iris), "articles": list(s.articles)}
                for s in merge.splits
            ],
            "merges": [{"iri": m.iri, "entities": list(m.entities)} for m in merge.merges],
        },
        "by_article": [_article_json(a) for a in evaluation.articles],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
