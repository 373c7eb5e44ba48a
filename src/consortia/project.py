"""Paths and settings of a Consortia run, in one frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from consortia.data import find_data_root
from consortia.errors import ConsortiaError
from consortia.resolve import DEFAULT_BASE


def data_root() -> Path:
    """Where ``ontology/``, ``shapes/`` and ``mappings/`` are.

    ``CONSORTIA_DATA`` names it; otherwise the source tree this package runs from,
    or the copy an installed wheel carries (see :func:`consortia.data.find_data_root`).
    """
    root = find_data_root()
    if not (root / "mappings" / "templates.yaml").is_file():
        raise ConsortiaError(
            f"no Consortia data (ontology/, shapes/, mappings/) under {root}",
            hint="reinstall Consortia (pip install .) or set CONSORTIA_DATA to a folder "
            "holding ontology/, shapes/ and mappings/",
        )
    return root


@dataclass(frozen=True)
class Project:
    """Where the data files are, where the build state is kept, and the IRI base."""

    root: Path
    state: Path
    base: str = DEFAULT_BASE

    @classmethod
    def load(cls, state: Path | None = None, base: str | None = None) -> Project:
        """Settings from the arguments, then the environment, then defaults.

        The build state lives in ``.consortia/`` of the working directory unless
        ``CONSORTIA_STATE`` or ``state`` says otherwise.
        """
        state_dir = state or Path(os.environ.get("CONSORTIA_STATE") or ".consortia")
        chosen = base or os.environ.get("CONSORTIA_BASE") or DEFAULT_BASE
        if not chosen.startswith(("http://", "https://")) or not chosen.endswith(("/", "#")):
            raise ConsortiaError(
                f"invalid IRI base {chosen!r}",
                hint="use an http(s) IRI ending in '/' such as https://example.org/id/",
            )
        return cls(root=data_root(), state=state_dir, base=chosen)

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "consortia.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def mappings(self) -> Path:
        return self.root / "mappings"

    @property
    def store(self) -> Path:
        return self.state / "store"

    @property
    def manifest(self) -> Path:
        return self.state / "manifest.json"

    @property
    def last_build(self) -> Path:
        """The N-Quads copy of the last published build (what `validate` reads)."""
        return self.state / "last-build.nq"
