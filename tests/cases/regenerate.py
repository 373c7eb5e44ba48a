"""Rewrite ``tests/cases/<case>/expected.ttl`` from the current build.

Each case folder holds one or more articles and ``expected.ttl``, the Turtle
that ``consortia build <case> -o expected.ttl`` writes with
``SOURCE_DATE_EPOCH=0`` and the default IRI base. When extraction, resolution or
mapping changes on purpose, refresh the expected files and read the diff before
committing it::

    python tests/cases/regenerate.py                 # every case
    python tests/cases/regenerate.py bsn-huobi-china-2019
    git diff tests/cases

The SPARQL assertions in ``tests/unit/test_pipeline.py`` still hold the seed to
the facts it must (and must not) publish, whatever the expected file says.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

CASES = Path(__file__).resolve().parent


def regenerate(case: Path) -> Path:
    """Build the articles of ``case`` reproducibly and write its expected.ttl."""
    from consortia.pipeline import build
    from consortia.project import Project

    os.environ["SOURCE_DATE_EPOCH"] = "0"
    os.environ.pop("CONSORTIA_BASE", None)
    with tempfile.TemporaryDirectory() as state:
        project = Project.load(state=Path(state))
        built = Path(state) / "expected.ttl"
        build(project, [case], built)  # in the state folder: its .void.ttl stays there
        shutil.copyfile(built, case / "expected.ttl")
    return case / "expected.ttl"


def main(names: list[str]) -> int:
    cases = [CASES / name for name in names] or sorted(p for p in CASES.iterdir() if p.is_dir())
    for case in cases:
        if not case.is_dir():
            print(f"{case}: no such case folder", file=sys.stderr)
            return 2
        print(f"wrote {regenerate(case).relative_to(CASES.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
