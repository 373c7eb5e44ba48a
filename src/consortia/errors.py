"""Errors a user can act on.

Every error names what went wrong, where (file, line or field) and what to do.
The CLI turns a :class:`ConsortiaError` into one line on stderr and exit code 2;
library code never calls ``sys.exit``.
"""

from __future__ import annotations

from pathlib import Path


class ConsortiaError(Exception):
    """A mistake in the user's input or settings, reported without a traceback.

    >>> str(ConsortiaError("empty file", path=Path("a.md"), hint="add a body"))
    'a.md: empty file (add a body)'
    >>> str(ConsortiaError("bad date", path=Path("a.md"), line=4))
    'a.md:4: bad date'
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class SourceError(ConsortiaError):
    """An article file that cannot be read."""


class MappingError(ConsortiaError):
    """A data file in ontology/, shapes/ or mappings/ that is malformed."""


class QueryError(ConsortiaError):
    """A SPARQL query that cannot be run."""


class OutputError(ConsortiaError):
    """An output path that cannot be written."""
