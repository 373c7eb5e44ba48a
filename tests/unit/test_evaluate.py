"""The evaluator: gold files, reading published RDF (0001 shape), scores, renderers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, ORG, SKOS, TIME

from consortia.errors import ConsortiaError, MappingError
from consortia.evaluate import (
    Accuracy,
    Counts,
    Gold,
    GoldEntity,
    GoldFact,
    evaluate,
    evaluate_article,
    evaluate_dir,
    evaluate_merged,
    load_gold,
    load_role_equivalents,
    normalise_name,
    normalise_role,
    read_published,
    render_json,
    render_text,
)

GOLD_DIR = Path(__file__).resolve().parents[1] / "gold"

PREFIXES = """
@prefix :       <https://w3id.org/consortia/id/> .
@prefix cx:     <https://w3id.org/consortia/ontology#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
"""

# One article's build in the shape of decision record 0001: a membership with a
# date, a founder, a post, a place, an optional fact, a false find, the publisher.
HUOBI_TTL = """
<https://w3id.org/consortia/id/article/huobi> a schema:NewsArticle ;
    schema:identifier "huobi" ;
    schema:publisher <https://w3id.org/consortia/id/org/coindesk> .
<https://w3id.org/consortia/id/org/coindesk> a org:Organization , org:FormalOrganization ;
    skos:prefLabel "CoinDesk"@en .

<https://w3id.org/consortia/id/org/huobi-china> a org:Organization , org:FormalOrganization ;
    skos:prefLabel "Huobi"@en .
<https://w3id.org/consortia/id/org/bsn> a org:Organization , cx:Alliance ;
    skos:prefLabel "BSN Development Alliance"@en ; skos:altLabel "BSN"@en .
<https://w3id.org/consortia/id/org/china-unionpay> a org:Organization , org:FormalOrganization ;
    skos:prefLabel "China UnionPay"@en .
<https://w3id.org/consortia/id/org/visa> a org:Organization , org:FormalOrganization ;
    skos:prefLabel "Visa"@en .
<https://w3id.org/consortia/id/person/wenchao-shi> a foaf:Person ;
    skos:prefLabel "Wenchao Shi"@en .
<https://w3id.org/consortia/id/place/hainan> a schema:Place , schema:AdministrativeArea ;
    skos:prefLabel "Hainan"@en .
<https://w3id.org/consortia/id/place/china> a schema:Place , schema:Country ;
    skos:prefLabel "China"@en .

:role\\/member a skos:Concept ; skos:prefLabel "member"@en .
:role\\/founding-member a skos:Concept ; skos:prefLabel "founding member"@en .
:role\\/chairman a skos:Concept ; skos:prefLabel "chairman"@en .

:org\\/huobi-china org:memberOf :org\\/bsn ; cx:headquarteredIn :place\\/hainan .
:membership\\/m1 a org:Membership ;
    org:member :org\\/huobi-china ; org:organization :org\\/bsn ; org:role :role\\/member ;
    org:memberDuring :interval\\/i1 .
:interval\\/i1 a time:Interval ; time:hasBeginning :instant\\/2019-12 .
:instant\\/2019-12 a time:Instant ; time:inXSDgYearMonth "2019-12"^^xsd:gYearMonth .

:org\\/china-unionpay org:memberOf :org\\/bsn .
:membership\\/m2 a org:Membership ;
    org:member :org\\/china-unionpay ; org:organization :org\\/bsn ;
    org:role :role\\/founding-member .

:org\\/visa org:memberOf :org\\/bsn .
:membership\\/m3 a org:Membership ;
    org:member :org\\/visa ; org:organization :org\\/bsn ; org:role :role\\/member .
:evidence\\/e1 a cx:Evidence ;
    rdf:subject :org\\/visa ; rdf:predicate org:memberOf ; rdf:object :org\\/bsn ;
    prov:value "Visa and Mastercard watched from the sidelines."@en .

:org\\/bsn schema:founder :org\\/china-unionpay .

:person\\/wenchao-shi org:hasMembership :membership\\/m4 .
:membership\\/m4 a org:Membership ;
    org:member :person\\/wenchao-shi ; org:organization :org\\/china-unionpay ;
    org:role :role\\/chairman .
:evidence\\/e2 a cx:Evidence ;
    rdf:subject :person\\/wenchao-shi ; rdf:predicate org:hasMembership ;
    rdf:object :membership\\/m4 ;
    prov:value "Wenchao Shi, president of China UnionPay, spoke."@en .
"""


def huobi_gold() -> Gold:
    return Gold(
        "huobi",
        (
            GoldEntity("Huobi China", "Organization", ("Huobi China", "Huobi")),
            GoldEntity("BSN Development Alliance", "Alliance", ("BSN", "the network")),
            GoldEntity("China UnionPay", "Organization"),
            GoldEntity("Wenchao Shi", "Person", ("Shi",)),
            GoldEntity("Hainan", "Location", ("Hainan province",)),
            GoldEntity("China", "Location"),
        ),
        (
            GoldFact("Huobi China", "memberOf", "BSN Development Alliance", since="2019-12-01"),
            GoldFact("BSN Development Alliance", "foundedBy", "China UnionPay"),
            GoldFact("Wenchao Shi", "holdsPost", "China UnionPay", role="president"),
            GoldFact("Huobi China", "headquarteredIn", "Hainan"),
            GoldFact("Hainan", "locatedIn", "China"),
            GoldFact(
                "China UnionPay",
                "memberOf",
                "BSN Development Alliance",
                role="founding member",
                optional=True,
            ),
            GoldFact("Huobi China", "operatesIn", "China", optional=True),
        ),
    )


def graph(ttl: str) -> Graph:
    return Graph().parse(data=PREFIXES + ttl, format="turtle")


def dataset(graphs: dict[str, str]) -> Dataset:
    """Named graphs from Turtle (Dataset.parse of TriG warns in rdflib 7.6)."""
    ds = Dataset()
    for name, ttl in graphs.items():
        ds.graph(URIRef(name)).parse(data=PREFIXES + ttl, format="turtle")
    return ds


# ---------------------------------------------------------------- gold files


@pytest.mark.parametrize("path", sorted(GOLD_DIR.glob("*.gold.yaml")), ids=lambda p: p.name)
def test_load_gold_parses_every_gold_file(path: Path) -> None:
    gold = load_gold(path)
    assert gold.id == path.name.removesuffix(".gold.yaml")
    assert gold.entities and gold.facts
    names = {e.name for e in gold.entities}
    assert all(f.s in names and f.o in names for f in gold.facts)


def test_gold_files_exist() -> None:
    assert len(list(GOLD_DIR.glob("*.gold.yaml"))) >= 20


def test_load_gold_reads_dates_at_their_precision(tmp_path: Path) -> None:
    path = tmp_path / "a.gold.yaml"
    path.write_text(
        "id: a\n"
        "entities:\n"
        "  - {name: A, type: Organization}\n"
        "  - {name: X, type: Alliance, aliases: [the X]}\n"
        "facts:\n"
        "  - {s: A, p: memberOf, o: X, since: 2019, until: 2020-06-18, role: founding member}\n"
        "  - {s: A, p: memberOf, o: X, since: 2019-06, optional: true}\n",
        encoding="utf-8",
    )
    gold = load_gold(path)
    assert gold.entities[0] == GoldEntity("A", "Organization", ())
    assert gold.facts == (
        GoldFact("A", "memberOf", "X", "founding member", "2019", "2020-06-18"),
        GoldFact("A", "memberOf", "X", None, "2019-06", None, optional=True),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: a\nentities: [\n", "a.gold.yaml:3: malformed YAML (see corpus/FORMAT.md)"),
        ("- 1\n", "a.gold.yaml:1: a gold file is a mapping with id, entities and facts"),
        (
            "id: a\nentities:\n  - {type: Person}\nfacts: []\n",
            "a.gold.yaml:3: entities[0]: field 'name' is missing or not a text",
        ),
        ("id: a\nentities: []\n", "a.gold.yaml:1: field 'facts' must be a list of mappings"),
        (
            "id: a\nentities:\n  - {name: A, type: Company}\nfacts: []\n",
            "a.gold.yaml:3: entities[0]: unknown type 'Company' "
            "(use one of Organization, Alliance, Person, Location)",
        ),
        (
            "id: a\nentities:\n  - {name: A, type: Person}\nfacts:\n"
            "  - {s: A, p: memberOf, o: B}\n",
            "a.gold.yaml:5: facts[0]: field 'o' names 'B', not an entity (add it under entities)",
        ),
        (
            "id: a\nentities:\n  - {name: A, type: Person}\nfacts:\n  - {s: A, p: likes, o: A}\n",
            "a.gold.yaml:5: facts[0]: unknown relation 'likes' (use one of memberOf, foundedBy, "
            "ledBy, subOrganizationOf, affiliatedWith, headquarteredIn, operatesIn, locatedIn, "
            "holdsPost)",
        ),
        (
            "id: a\nentities:\n  - {name: A, type: Person}\nfacts:\n"
            "  - {s: A, p: memberOf, o: A, since: June 2019}\n",
            "a.gold.yaml:5: facts[0]: field 'since' is not an ISO date "
            "(write 2019, 2019-06 or 2019-06-18)",
        ),
        (
            "id: a\nentities:\n  - {name: A, type: Person}\nfacts:\n  - {s: A, o: A}\n",
            "a.gold.yaml:5: facts[0]: field 'p' is missing or not a text",
        ),
    ],
)
def test_load_gold_names_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "a.gold.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConsortiaError) as info:
        load_gold(path)
    assert str(info.value) == f"{tmp_path}/{message}"


# ------------------------------------------------------------------ normalising


def test_normalise_name() -> None:
    assert normalise_name("The Société Générale.") == "societe generale"
    assert normalise_name("  BSN \n Development   Alliance ") == "bsn development alliance"
    assert normalise_name("Theodore") == "theodore"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("CEO", "chief executive"),
        ("Chief Executive Officer", "chief executive"),
        ("chairwoman", "Chairman"),
        ("Chair and CEO", "chief executive officer & chairman"),
        ("secretary-general", "Secretary General"),
        ("Vice-Chairman", "vice chair"),
    ],
)
def test_equivalent_roles(a: str, b: str) -> None:
    assert normalise_role(a) == normalise_role(b)


def test_different_roles() -> None:
    assert normalise_role("president") != normalise_role("vice president")
    assert normalise_role("chairman") != normalise_role("chief executive")


def test_role_equivalents_must_not_overlap(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("equivalents:\n  - [chair, chairman]\n  - [chief, Chair]\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_role_equivalents(path)
    assert str(info.value) == f"{path}: equivalents[1]: 'Chair' is already in another group"


# ------------------------------------------------------------------ reading


def test_read_published_entities_and_facts() -> None:
    published = read_published(graph(HUOBI_TTL))
    base = "https://w3id.org/consortia/id/"
    kinds = {e.iri.removeprefix(base): e.type for e in published.entities}
    assert kinds == {
        "org/coindesk": "Organization",
        "org/huobi-china": "Organization",
        "org/bsn": "Alliance",
        "org/china-unionpay": "Organization",
        "org/visa": "Organization",
        "person/wenchao-shi": "Person",
        "place/hainan": "Location",
        "place/china": "Location",
    }
    bsn = published.entity(base + "org/bsn")
    assert bsn is not None and bsn.labels == ("BSN Development Alliance", "BSN")
    assert published.publishers == (base + "org/coindesk",)
    facts = {
        (f.relation, f.s.removeprefix(base), f.o.removeprefix(base)): f for f in published.facts
    }
    assert sorted(facts) == [
        ("foundedBy", "org/bsn", "org/china-unionpay"),
        ("headquarteredIn", "org/huobi-china", "place/hainan"),
        ("holdsPost", "person/wenchao-shi", "org/china-unionpay"),
        ("memberOf", "org/china-unionpay", "org/bsn"),
        ("memberOf", "org/huobi-china", "org/bsn"),
        ("memberOf", "org/visa", "org/bsn"),
    ]
    huobi = facts[("memberOf", "org/huobi-china", "org/bsn")]
    assert (huobi.roles, huobi.since, huobi.until) == (("member",), ("2019-12",), ())
    post = facts[("holdsPost", "person/wenchao-shi", "org/china-unionpay")]
    assert post.roles == ("chairman",)
    assert post.evidence == ("Wenchao Shi, president of China UnionPay, spoke.",)
    visa = facts[("memberOf", "org/visa", "org/bsn")]
    assert visa.evidence == ("Visa and Mastercard watched from the sidelines.",)


def test_read_published_reads_every_named_graph() -> None:
    ds = dataset({"https://w3id.org/consortia/id/graph/huobi": HUOBI_TTL})
    assert read_published(ds) == read_published(graph(HUOBI_TTL))


# ------------------------------------------------------------------ scoring


def test_evaluate_article_scores() -> None:
    score = evaluate_article(huobi_gold(), read_published(graph(HUOBI_TTL)))
    assert score.relations["memberOf"] == Counts(tp=1, fp=1, fn=0)
    assert score.relations["foundedBy"] == Counts(tp=1)
    assert score.relations["holdsPost"] == Counts(tp=1)
    assert score.relations["headquarteredIn"] == Counts(tp=1)
    assert score.relations["locatedIn"] == Counts(fn=1)
    # optional facts: the published one is no false find, the absent one no miss
    assert score.relations["operatesIn"] == Counts()
    assert score.overall == Counts(tp=4, fp=1, fn=1)
    assert score.overall.precision == 0.8
    assert score.overall.recall == 0.8
    assert score.overall.f1 == 0.8
    # "Huobi" aligns through an alias; CoinDesk (the publisher) is left out; Visa is extra
    assert score.entities == Counts(tp=6, fp=1, fn=0)
    assert [(e.name, e.reason) for e in score.false_entities] == [("Visa", "not in the gold")]
    # 2019-12 is not 2019-12-01: dates are compared with their precision
    assert score.dates == Accuracy(0, 1)
    # member (default) and founding member right, chairman is not president
    assert score.roles == Accuracy(2, 3)
    assert [(m.field, m.gold, m.published) for m in score.mismatches] == [
        ("since", "2019-12-01", ("2019-12",)),
        ("role", "president", ("chairman",)),
    ]
    assert [(m.fact.p, m.fact.s, m.fact.o) for m in score.misses] == [
        ("locatedIn", "Hainan", "China")
    ]
    [false] = score.false_finds
    assert (false.relation, false.s, false.o) == ("memberOf", "Visa", "BSN Development Alliance")
    assert false.evidence == ("Visa and Mastercard watched from the sidelines.",)


def test_equivalent_role_counts_as_correct() -> None:
    gold = Gold(
        "a",
        (GoldEntity("Ann Lee", "Person"), GoldEntity("Acme", "Organization")),
        (GoldFact("Ann Lee", "holdsPost", "Acme", role="chief executive"),),
    )
    published = read_published(
        graph(
            """
            :person\\/ann-lee a foaf:Person ; skos:prefLabel "Ann Lee" ;
                org:hasMembership :membership\\/m .
            :org\\/acme a org:Organization ; skos:prefLabel "ACME Inc." ; skos:altLabel "Acme" .
            :membership\\/m org:member :person\\/ann-lee ; org:organization :org\\/acme ;
                org:role :role\\/ceo .
            :role\\/ceo skos:prefLabel "CEO" .
            """
        )
    )
    score = evaluate_article(gold, published)
    assert score.relations["holdsPost"] == Counts(tp=1)
    assert score.roles == Accuracy(1, 1)
    assert score.entities == Counts(tp=2)


def test_a_second_iri_for_one_entity_is_a_false_find() -> None:
    gold = Gold("a", (GoldEntity("Huobi China", "Organization", ("Huobi",)),), ())
    published = read_published(
        graph(
            """
            :org\\/huobi-china a org:Organization ; skos:prefLabel "Huobi China" .
            :org\\/huobi a org:Organization ; skos:prefLabel "Huobi" .
            """
        )
    )
    score = evaluate_article(gold, published)
    assert score.entities == Counts(tp=1, fp=1)
    assert [(e.name, e.reason) for e in score.false_entities] == [
        ("Huobi", "a second IRI for Huobi China")
    ]


def test_alliance_published_as_organization_is_a_type_confusion() -> None:
    gold = Gold(
        "a",
        (GoldEntity("Acme", "Organization"), GoldEntity("The X Alliance", "Alliance")),
        (GoldFact("Acme", "memberOf", "The X Alliance", since="2019", until="2020-03"),),
    )
    published = read_published(
        graph(
            """
            :org\\/acme a org:Organization ; skos:prefLabel "Acme" .
            :org\\/x a org:Organization , org:FormalOrganization ; skos:prefLabel "X Alliance" .
            :org\\/acme org:memberOf :org\\/x .
            :membership\\/m org:member :org\\/acme ; org:organization :org\\/x ;
                org:role :role\\/member ; org:memberDuring :interval\\/i .
            :interval\\/i time:hasBeginning :instant\\/2019 ; time:hasEnd :instant\\/2020-03 .
            :instant\\/2019 time:inXSDgYear "2019"^^xsd:gYear .
            :instant\\/2020-03 time:inXSDgYearMonth "2020-03"^^xsd:gYearMonth .
            :role\\/member skos:prefLabel "member" .
            """
        )
    )
    score = evaluate_article(gold, published)
    assert score.relations["memberOf"] == Counts(tp=1)
    assert score.dates == Accuracy(2, 2)
    assert score.entities == Counts(tp=1, fp=1, fn=1)
    [confusion] = score.type_confusions
    assert (confusion.name, confusion.gold_type, confusion.published_type) == (
        "The X Alliance",
        "Alliance",
        "Organization",
    )


def test_evaluate_sums_articles() -> None:
    one = (huobi_gold(), read_published(graph(HUOBI_TTL)))
    evaluation = evaluate([one, one])
    assert evaluation.overall == Counts(tp=8, fp=2, fn=2)
    assert evaluation.entities == Counts(tp=12, fp=2, fn=0)
    assert evaluation.dates == Accuracy(0, 2)
    assert evaluation.roles == Accuracy(4, 6)
    assert evaluation.merge is None


# ------------------------------------------------------------ merged identity

ARTICLE_A = """
    :org\\/visa a org:Organization ; skos:prefLabel "Visa" .
    :org\\/libra a org:Organization , cx:Alliance ; skos:prefLabel "Libra Association" .
    :org\\/visa org:memberOf :org\\/libra .
"""
ARTICLE_B = """
    :org\\/visa-inc a org:Organization ; skos:prefLabel "Visa" .
    :org\\/libra a org:Organization ; skos:prefLabel "Mastercard" .
"""
GRAPH = "https://w3id.org/consortia/id/graph/"


def merge_golds() -> list[Gold]:
    return [
        Gold(
            "a",
            (GoldEntity("Visa", "Organization"), GoldEntity("Libra Association", "Alliance")),
            (GoldFact("Visa", "memberOf", "Libra Association"),),
        ),
        Gold(
            "b",
            (GoldEntity("VISA", "Organization"), GoldEntity("Mastercard", "Organization")),
            (),
        ),
    ]


def test_evaluate_merged_finds_splits_and_merges() -> None:
    score = evaluate_merged(
        merge_golds(), dataset({GRAPH + "a": ARTICLE_A, GRAPH + "b": ARTICLE_B})
    )
    base = "https://w3id.org/consortia/id/"
    assert (score.entities, score.published) == (3, 3)
    [split] = score.splits
    assert (split.name, split.type) == ("Visa", "Organization")
    assert split.iris == (base + "org/visa", base + "org/visa-inc")
    assert split.articles == ("a", "b")
    [merge] = score.merges
    assert merge.iri == base + "org/libra"
    assert merge.entities == ("Libra Association (Alliance)", "Mastercard (Organization)")


def test_evaluate_merged_on_a_plain_graph_uses_mentions() -> None:
    merged = graph(
        """
        :article\\/a a schema:NewsArticle ; schema:identifier "a" ;
            schema:mentions :org\\/visa , :org\\/libra .
        :article\\/b a schema:NewsArticle ; schema:identifier "b" ;
            schema:mentions :org\\/visa , :org\\/mastercard .
        :org\\/visa a org:Organization ; skos:prefLabel "Visa" .
        :org\\/visa-inc a org:Organization ; skos:prefLabel "Visa Inc." ; skos:altLabel "Visa" .
        :org\\/libra a cx:Alliance ; skos:prefLabel "Libra Association" .
        :org\\/mastercard a org:Organization ; skos:prefLabel "Mastercard" .
        """
    )
    score = evaluate_merged(merge_golds(), merged)
    assert (score.entities, score.published, score.splits, score.merges) == (3, 3, (), ())


def test_evaluate_dir_builds_pairs_and_merges(tmp_path: Path) -> None:
    for name, trig in (("a", ARTICLE_A), ("b", ARTICLE_B)):
        (tmp_path / f"{name}.md").write_text(trig, encoding="utf-8")
    (tmp_path / "a.gold.yaml").write_text(
        "id: a\nentities:\n  - {name: Visa, type: Organization}\n"
        "  - {name: Libra Association, type: Alliance}\n"
        "facts:\n  - {s: Visa, p: memberOf, o: Libra Association, role: founding member}\n",
        encoding="utf-8",
    )
    (tmp_path / "b.gold.yaml").write_text(
        "id: b\nentities:\n  - {name: Visa, type: Organization}\n"
        "  - {name: Mastercard, type: Organization}\nfacts: []\n",
        encoding="utf-8",
    )
    built: list[str] = []

    def build(path: Path) -> Dataset:
        built.append(path.name)
        return dataset({GRAPH + path.stem: path.read_text(encoding="utf-8")})

    evaluation = evaluate_dir(tmp_path, build)
    assert built == ["a.md", "b.md"]
    assert [a.id for a in evaluation.articles] == ["a", "b"]
    assert evaluation.overall == Counts(tp=1)
    assert evaluation.roles == Accuracy(0, 1)  # no role published: not "founding member"
    assert evaluation.merge is not None
    assert len(evaluation.merge.splits) == len(evaluation.merge.merges) == 1


def test_evaluate_dir_needs_the_article(tmp_path: Path) -> None:
    (tmp_path / "a.gold.yaml").write_text("id: a\nentities: []\nfacts: []\n", encoding="utf-8")
    with pytest.raises(ConsortiaError, match=r"a.gold.yaml: no article beside this gold file"):
        evaluate_dir(tmp_path, lambda path: Graph())
    with pytest.raises(ConsortiaError, match="no gold files here"):
        evaluate_dir(tmp_path / "a.gold.yaml", lambda path: Graph())


# ------------------------------------------------------------------ rendering


def tiny_evaluation() -> tuple[Gold, Graph]:
    gold = Gold(
        "tiny",
        (GoldEntity("Acme", "Organization"), GoldEntity("X Alliance", "Alliance")),
        (
            GoldFact("Acme", "memberOf", "X Alliance", since="2019"),
            GoldFact("X Alliance", "foundedBy", "Acme"),
        ),
    )
    published = graph(
        """
        :org\\/acme a org:Organization ; skos:prefLabel "Acme" .
        :org\\/x a cx:Alliance ; skos:prefLabel "X Alliance" .
        :org\\/acme org:memberOf :org\\/x ; cx:headquarteredIn :org\\/x .
        :membership\\/m org:member :org\\/acme ; org:organization :org\\/x ;
            org:role :role\\/member .
        :evidence\\/e rdf:subject :org\\/acme ; rdf:predicate cx:headquarteredIn ;
            rdf:object :org\\/x ; prov:value "Acme sits inside X." .
        """
    )
    return gold, published


def test_render_text_exact() -> None:
    gold, published = tiny_evaluation()
    text = render_text(evaluate([(gold, read_published(published))]))
    assert text == (
        "articles: 1\n"
        "\n"
        "relation                tp    fp    fn       P       R      F1\n"
        "memberOf                 1     0     0   1.000   1.000   1.000\n"
        "foundedBy                0     0     1       -   0.000   0.000\n"
        "ledBy                    0     0     0       -       -       -\n"
        "subOrganizationOf        0     0     0       -       -       -\n"
        "affiliatedWith           0     0     0       -       -       -\n"
        "headquarteredIn          0     1     0   0.000       -   0.000\n"
        "operatesIn               0     0     0       -       -       -\n"
        "locatedIn                0     0     0       -       -       -\n"
        "holdsPost                0     0     0       -       -       -\n"
        "overall                  1     1     1   0.500   0.500   0.500\n"
        "\n"
        "entities                tp    fp    fn       P       R      F1\n"
        "entities                 2     0     0   1.000   1.000   1.000\n"
        "\n"
        "membership dates             0/1   0.000\n"
        "roles                        1/1   1.000\n"
        "type confusions                0\n"
        "\n"
        "tiny:\n"
        "  miss: foundedBy X Alliance -> Acme\n"
        '  false find: headquarteredIn Acme -> X Alliance: "Acme sits inside X."\n'
        "  wrong since: memberOf Acme -> X Alliance: gold 2019, published nothing\n"
    )


def test_render_json_is_stable() -> None:
    gold, published = tiny_evaluation()
    evaluation = evaluate([(gold, read_published(published))])
    text = render_json(evaluation)
    assert text == render_json(evaluate([(gold, read_published(published))]))
    data = json.loads(text)
    assert list(data) == [
        "articles",
        "relations",
        "overall",
        "entities",
        "membership_dates",
        "roles",
        "type_confusions",
        "merge",
        "by_article",
    ]
    assert data["overall"] == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    [article] = data["by_article"]
    assert article["misses"] == [
        {
            "s": "X Alliance",
            "p": "foundedBy",
            "o": "Acme",
            "role": None,
            "since": None,
            "until": None,
        }
    ]
    assert article["false_finds"][0]["evidence"] == ["Acme sits inside X."]


# ------------------------------------------------- round trip over the corpus


def publish_gold(gold: Gold) -> Graph:
    """What a perfect build publishes for this gold, in the shape of 0001."""
    b = Namespace("https://w3id.org/consortia/id/")
    cx = Namespace("https://w3id.org/consortia/ontology#")
    schema = Namespace("https://schema.org/")

    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")

    space = {"Organization": "org", "Alliance": "org", "Person": "person", "Location": "place"}
    classes = {
        "Organization": [ORG.Organization, ORG.FormalOrganization],
        "Alliance": [ORG.Organization, cx.Alliance],
        "Person": [FOAF.Person],
        "Location": [schema.Place],
    }
    iri = {e.name: b[f"{space[e.type]}/{slug(e.name)}"] for e in gold.entities}
    g = Graph()
    for e in gold.entities:
        for cls in classes[e.type]:
            g.add((iri[e.name], RDF.type, cls))
        g.add((iri[e.name], SKOS.prefLabel, Literal(e.name, lang="en")))
        for alias in e.aliases:
            if alias != e.name:
                g.add((iri[e.name], SKOS.altLabel, Literal(alias, lang="en")))
    predicates = {
        "memberOf": ORG.memberOf,
        "foundedBy": schema.founder,
        "ledBy": cx.ledBy,
        "subOrganizationOf": ORG.subOrganizationOf,
        "affiliatedWith": cx.affiliatedWith,
        "headquarteredIn": cx.headquarteredIn,
        "operatesIn": cx.operatesIn,
        "locatedIn": cx.locatedIn,
    }
    kinds = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
    times = {4: TIME.inXSDgYear, 7: TIME.inXSDgYearMonth, 10: TIME.inXSDDate}
    for n, f in enumerate(gold.facts):
        s, o = iri[f.s], iri[f.o]
        if f.p in predicates:
            g.add((s, predicates[f.p], o))
        if f.p not in ("memberOf", "holdsPost"):
            continue
        m, role = b[f"membership/{n}"], b[f"role/{slug(f.role or 'member')}"]
        g.add((m, ORG.member, s))
        g.add((m, ORG.organization, o))
        g.add((m, ORG.role, role))
        g.add((role, SKOS.prefLabel, Literal(f.role or "member", lang="en")))
        if f.p == "holdsPost":
            g.add((s, ORG.hasMembership, m))
        for end, value in ((TIME.hasBeginning, f.since), (TIME.hasEnd, f.until)):
            if value is not None:
                interval, instant = b[f"interval/{n}"], b[f"instant/{value}"]
                g.add((m, ORG.memberDuring, interval))
                g.add((interval, end, instant))
                g.add((instant, times[len(value)], Literal(value, datatype=kinds[len(value)])))
    return g


@pytest.mark.parametrize("path", sorted(GOLD_DIR.glob("*.gold.yaml")), ids=lambda p: p.name)
def test_publishing_the_gold_itself_scores_perfectly(path: Path) -> None:
    gold = load_gold(path)
    score = evaluate_article(gold, read_published(publish_gold(gold)))
    assert score.overall.fp == score.overall.fn == 0
    assert score.overall.tp == len({(f.p, f.s, f.o) for f in gold.facts if not f.optional})
    assert score.entities == Counts(tp=len(gold.entities))
    assert score.dates.correct == score.dates.total
    assert score.roles.correct == score.roles.total
    assert not (score.misses or score.false_finds or score.mismatches or score.type_confusions)


def test_the_merged_corpus_has_one_iri_per_gold_entity() -> None:
    golds = [load_gold(p) for p in sorted(GOLD_DIR.glob("*.gold.yaml"))]
    merged = Dataset()
    for gold in golds:
        target = merged.graph(URIRef(f"https://w3id.org/consortia/id/graph/{gold.id}"))
        for triple in publish_gold(gold):
            target.add(triple)
    score = evaluate_merged(golds, merged)
    assert (score.splits, score.merges) == ((), ())
    assert score.published == score.entities
