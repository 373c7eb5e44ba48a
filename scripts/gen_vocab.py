"""Generate ``src/consortia/vocab.py`` from ``ontology/consortia.ttl``.

Usage::

    python scripts/gen_vocab.py          # rewrite src/consortia/vocab.py
    python scripts/gen_vocab.py --check  # exit 1 when vocab.py is out of date

Every ``cx:`` term the ontology labels becomes a member of the ``CX``
``DefinedNamespace`` (which raises on a misspelled term). Terms that are not
Python identifiers (the role concepts, ``role-chief-executive``) are listed in
``_extras`` and reached as ``CX["role-chief-executive"]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "consortia.ttl"
TARGET = ROOT / "src" / "consortia" / "vocab.py"
NAMESPACE = "https://w3id.org/consortia/ontology#"

HEADER = '''"""The terms of the Consortia ontology (``cx:``), generated from ontology/consortia.ttl.

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

'''


def collect_terms(ontology: Graph) -> dict[str, str]:
    """Every labelled ``cx:`` term, as local name -> English label."""
    terms: dict[str, str] = {}
    for subject, label in ontology.subject_objects(RDFS.label):
        if not isinstance(subject, URIRef) or not str(subject).startswith(NAMESPACE):
            continue
        name = str(subject).removeprefix(NAMESPACE)
        if not name:
            continue
        text = str(label)
        if isinstance(label, Literal) and label.language not in (None, "en"):
            text = terms.get(name, text)
        terms[name] = " ".join(text.split())
    return terms


def render_vocab(ontology: Graph) -> str:
    """The text of ``vocab.py`` for this ontology."""
    terms = collect_terms(ontology)
    identifiers = sorted(name for name in terms if name.isidentifier())
    extras = sorted(name for name in terms if not name.isidentifier())
    lines = [f"    {name}: URIRef  # {terms[name]}" for name in identifiers]
    if extras:
        lines.append("")
        lines.append('    # Terms that are not Python identifiers: CX["role-member"].')
        lines.append("    _extras = [  # noqa: RUF012 (DefinedNamespace expects a list)")
        lines.extend(f'        "{name}",  # {terms[name]}' for name in extras)
        lines.append("    ]")
    return HEADER + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write vocab.py, or with ``--check`` report whether it is current."""
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    text = render_vocab(ontology)
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/gen_vocab.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(collect_terms(ontology))} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
