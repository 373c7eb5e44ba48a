"""Article files -> :class:`Article` values.

Two layouts are read: Markdown with a YAML front matter block (``corpus/FORMAT.md``)
and plain ``.txt`` whose first line is the title. Every mistake in a file becomes a
:class:`~consortia.errors.SourceError` naming the file, the line or field, and what
to do about it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from consortia.errors import SourceError

ARTICLE_SUFFIXES = (".md", ".txt")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_SUFFIX_HINT = "give a .md file with YAML front matter or a .txt file whose first line is the title"


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without implicit timestamps.

    PyYAML turns ``2019-13-45`` into a date itself and fails with a bare
    ValueError; read as a string, the date is checked here, with a message.
    """


class _FastFrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser, eight times faster; its error messages
    say less, so a front matter it refuses is read again by `_FrontMatterLoader`."""


_NO_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FrontMatterLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
_FastFrontMatterLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS


@dataclass(frozen=True)
class Article:
    """One news article: its metadata and its body exactly as in the file.

    Character offsets published as evidence index :attr:`body`.
    """

    id: str
    title: str
    body: str
    published: dt.date
    path: Path
    url: str | None = None
    publisher: str | None = None
    language: str = "en"


def _is_article(path: Path, root: Path) -> bool:
    # Name first, the file system last: a folder holds thousands of files.
    return (
        path.suffix in ARTICLE_SUFFIXES
        and not path.name.upper().startswith("README")
        # Hidden files and folders (.git, editor back-ups) are never articles.
        and not any(part.startswith(".") for part in path.parts[len(root.parts) :])
        and path.is_file()
    )


def discover(paths: Sequence[Path]) -> list[Path]:
    """Expand directories into their article files (sorted); check that paths exist.

    ``README*`` files, hidden files and gold annotations (``*.gold.yaml``) are not
    articles. A file named twice (directly and through its folder) is read once.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        if not path.exists():
            raise SourceError(
                "no such file or directory", path=path, hint="check the path or omit it"
            )
        if path.is_dir():
            found_here = [p for p in path.rglob("*") if _is_article(p, path)]
            candidates = sorted(found_here, key=lambda p: p.parts)
        elif path.suffix not in ARTICLE_SUFFIXES:
            raise SourceError(
                f"not an article file (unknown extension {path.suffix or '(none)'!r})",
                path=path,
                hint=_SUFFIX_HINT,
            )
        else:
            candidates = [path]
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    if not found:
        joined = ", ".join(str(p) for p in paths)
        raise SourceError(
            f"no articles (*.md, *.txt) found in {joined}", hint="point at article files"
        )
    return found


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, refusing empty, binary and mis-encoded files.

    A leading byte order mark is dropped; line ends are kept as they are, so that
    offsets into the text are offsets into the file's characters.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read the file: {exc.strerror or exc}",
            path=path,
            hint="check that the file exists and that you may read it",
        ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is UTF-16, not UTF-8", path=path, hint="save the file as UTF-8")
    if b"\x00" in data[:8192]:
        raise SourceError(
            "this is a binary file, not an article",
            path=path,
            hint="give a UTF-8 Markdown or .txt file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise SourceError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} in column {column})",
            path=path,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError("the file is empty", path=path, hint="add a title and a body")
    return text


def _parse_date(value: object, path: Path, line: int | None, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) > 10 and text[10] in "Tt ":
            # A full time stamp: the article's date is its date part.
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SourceError(
            f"invalid {field} date {str(value)!r}",
            path=path,
            line=line,
            hint="write it as YYYY-MM-DD",
        ) from None


def _field_line(front: str, field: str, first_line: int) -> int | None:
    for number, text in enumerate(front.splitlines(), start=first_line):
        if re.match(rf"^{re.escape(field)}\s*:", text):
            return number
    return None


def _id_from_stem(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "article"


def parse_markdown(path: Path, text: str) -> Article:
    """Parse an article in the FORMAT.md layout."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise SourceError(
            "no YAML front matter",
            path=path,
            line=1,
            hint="start the file with a '---' line, the fields (id, title, published), "
            "and another '---' line",
        )
    front = match.group(1)
    try:
        try:
            meta = yaml.load(front, Loader=_FastFrontMatterLoader)  # a safe loader
        except yaml.YAMLError:
            meta = yaml.load(front, Loader=_FrontMatterLoader)  # for its message
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise SourceError(
            f"malformed front matter: {problem}",
            path=path,
            line=line,
            hint="fix the YAML between the '---' lines",
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError(
            "malformed front matter: expected 'field: value' lines",
            path=path,
            line=2,
            hint="fix the YAML between the '---' lines",
        )
    title = meta.get("title")
    if isinstance(title, int | float) and not isinstance(title, bool):
        title = str(title)  # `title: 1984` is a title, not a number
    if not isinstance(title, str) or not title.strip():
        raise SourceError("missing title", path=path, hint="add 'title: ...' to the front matter")
    if "published" not in meta or meta["published"] in (None, ""):
        raise SourceError(
            "missing published date",
            path=path,
            hint="add 'published: YYYY-MM-DD' to the front matter",
        )
    published = _parse_date(
        meta["published"], path, _field_line(front, "published", 2), "published"
    )
    article_id = str(meta.get("id") or _id_from_stem(path))
    if not ID_PATTERN.match(article_id):
        raise SourceError(
            f"invalid id {article_id!r}",
            path=path,
            line=_field_line(front, "id", 2),
            hint="use lowercase letters, digits and '-'",
        )
    body = text[match.end() :]
    if not body.strip():
        raise SourceError("the article has no body", path=path, hint="add the article text")
    url = meta.get("url")
    publisher = meta.get("publisher")
    return Article(
        id=article_id,
        title=title.strip(),
        body=body,
        published=published,
        path=path,
        url=str(url) if url else None,
        publisher=str(publisher) if publisher else None,
        language=str(meta.get("language") or "en"),
    )


def parse_plain(path: Path, text: str, published: dt.date | None, url: str | None) -> Article:
    """Parse a plain-text article: the first line is the title, the rest the body."""
    title, _, body = text.partition("\n")
    if not title.strip():
        raise SourceError(
            "missing title", path=path, line=1, hint="put the title on the first line"
        )
    if published is None:
        raise SourceError(
            "a plain-text article has no publication date",
            path=path,
            hint="pass --published YYYY-MM-DD",
        )
    if not body.strip():
        raise SourceError("the article has no body", path=path, hint="add the article text")
    return Article(
        id=_id_from_stem(path),
        title=title.strip(),
        body=body,
        published=published,
        path=path,
        url=url,
    )


def load_articles(
    paths: Iterable[Path],
    *,
    published: dt.date | None = None,
    url: str | None = None,
) -> list[Article]:
    """Read every article under ``paths``, sorted by id; ids must be unique."""
    articles: list[Article] = []
    seen: dict[str, Path] = {}
    for path in discover(list(paths)):
        text = read_text(path)
        if path.suffix == ".txt":
            article = parse_plain(path, text, published, url)
        else:
            article = parse_markdown(path, text)
        if article.id in seen:
            raise SourceError(
                f"duplicate article id {article.id!r}, also used by {seen[article.id]}",
                path=path,
                hint="give each article its own id",
            )
        seen[article.id] = path
        articles.append(article)
    return sorted(articles, key=lambda a: a.id)
