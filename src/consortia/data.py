"""Where the data folders ``ontology/``, ``shapes/`` and ``mappings/`` are.

A module of its own, importing nothing of Consortia, so that every stage can
find its data without an import cycle (``project`` imports ``resolve``, which
imports ``model``, which imports ``dates``).
"""

from __future__ import annotations

import os
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2]
_PACKAGED = Path(__file__).resolve().parent / "_data"


def find_data_root() -> Path:
    """The folder holding ``ontology/``, ``shapes/`` and ``mappings/``.

    ``CONSORTIA_DATA`` when set; else the source tree this package runs from (a
    checkout, or an editable install); else the copy a wheel carries in
    ``consortia/_data``. Existence is checked by ``consortia.project.data_root``.

    >>> (find_data_root() / "mappings" / "templates.yaml").is_file()
    True
    """
    configured = os.environ.get("CONSORTIA_DATA")
    if configured:
        return Path(configured)
    if (_SOURCE_ROOT / "mappings" / "templates.yaml").is_file():
        return _SOURCE_ROOT
    return _PACKAGED
