"""The terms of the Consortia ontology (``cx:``), generated from ontology/consortia.ttl.

Do not edit: change the ontology and run ``python scripts/gen_vocab.py``.

>>> CX.Alliance
rdflib.term.URIRef('https://w3id.org/consortia/ontology#Alliance')
>>> CX["role-chief-executive"]
rdflib.term.URIRef('https://w3id.org/consortia/ontology#role-chief-executive')
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class CX(DefinedNamespace):
    """Consortia ontology <https://w3id.org/consortia/ontology#>."""

    _fail = True
    _NS = Namespace("https://w3id.org/consortia/ontology#")

    Alliance: URIRef  # Alliance
    Evidence: URIRef  # Evidence
    RoleScheme: URIRef  # Roles and posts
    affiliatedWith: URIRef  # affiliated with
    endOffset: URIRef  # end offset
    hasEvidence: URIRef  # has evidence
    headquarteredIn: URIRef  # headquartered in
    ledBy: URIRef  # led by
    locatedIn: URIRef  # located in
    operatesIn: URIRef  # operates in
    startOffset: URIRef  # start offset

    # Terms that are not Python identifiers: CX["role-member"].
    _extras = [  # noqa: RUF012 (DefinedNamespace expects a list)
        "role-board-member",  # board member
        "role-chair",  # chair
        "role-chief-executive",  # chief executive
        "role-chief-operating-officer",  # chief operating officer
        "role-chief-technology-officer",  # chief technology officer
        "role-director",  # director
        "role-executive-director",  # executive director
        "role-founder",  # founder
        "role-founding-member",  # founding member
        "role-head",  # head
        "role-managing-director",  # managing director
        "role-member",  # member
        "role-partner",  # partner
        "role-president",  # president
        "role-secretary-general",  # secretary-general
        "role-vice-chair",  # vice chair
    ]
