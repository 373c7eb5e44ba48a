"""The reading stage: article files -> Article values, and every way a file can be wrong."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from consortia.errors import SourceError
from consortia.sources import (
    Article,
    discover,
    load_articles,
    parse_markdown,
    parse_plain,
    read_text,
)
from tests.conftest import SEED_ARTICLE, SEED_ID

ARTICLE = """\
---
id: acme-joins-2020
title: "Acme Joins the Widget Alliance"
publisher: Example Daily
url: https://news.example.org/acme
published: 2020-03-04
language: en
---

Acme has joined the Widget Alliance.
"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def message(error: pytest.ExceptionInfo[SourceError]) -> str:
    return str(error.value)


# --- front matter ------------------------------------------------------------------


def test_front_matter_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "acme.md", ARTICLE)
    article = parse_markdown(path, read_text(path))
    assert article == Article(
        id="acme-joins-2020",
        title="Acme Joins the Widget Alliance",
        body="\nAcme has joined the Widget Alliance.\n",
        published=dt.date(2020, 3, 4),
        path=path,
        url="https://news.example.org/acme",
        publisher="Example Daily",
        language="en",
    )


def test_body_is_the_text_after_the_closing_line(tmp_path: Path) -> None:
    # Evidence offsets index the body: it must be the file's text, byte for byte.
    path = write(tmp_path / "acme.md", ARTICLE)
    text = read_text(path)
    article = parse_markdown(path, text)
    assert text.endswith(article.body)
    assert text[: -len(article.body)].endswith("---\n")


def test_seed_article() -> None:
    [article] = load_articles([SEED_ARTICLE])
    assert article.id == SEED_ID
    assert article.title == (
        "Huobi Says It\u2019s Joining a Chinese Government-Led Blockchain Alliance"
    )
    assert article.published == dt.date(2019, 12, 2)
    assert article.publisher == "CoinDesk"
    assert article.body.startswith("\nHuobi China has joined a state-backed blockchain alliance")


def test_optional_fields_default(tmp_path: Path) -> None:
    path = write(tmp_path / "Some Article.md", "---\ntitle: T\npublished: 2020-01-02\n---\nBody.\n")
    article = parse_markdown(path, read_text(path))
    assert (article.id, article.url, article.publisher, article.language) == (
        "some-article",
        None,
        None,
        "en",
    )


def test_published_time_stamp_keeps_the_date(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md", "---\nid: a\ntitle: T\npublished: 2019-12-02T08:30:00Z\n---\nBody.\n"
    )
    assert parse_markdown(path, read_text(path)).published == dt.date(2019, 12, 2)


def test_quoted_published_date(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\nid: a\ntitle: T\npublished: '2019-12-02'\n---\nBody.\n")
    assert parse_markdown(path, read_text(path)).published == dt.date(2019, 12, 2)


def test_numeric_title_is_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\nid: a\ntitle: 1984\npublished: 2019-12-02\n---\nBody.\n")
    assert parse_markdown(path, read_text(path)).title == "1984"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "---\nid: a\ntitle: T\npublished: 2019-02-30\n---\nBody.\n",
            "a.md:4: invalid published date '2019-02-30' (write it as YYYY-MM-DD)",
        ),
        (
            "---\nid: a\ntitle: T\npublished: December 2nd\n---\nBody.\n",
            "a.md:4: invalid published date 'December 2nd' (write it as YYYY-MM-DD)",
        ),
        (
            "---\nid: a\ntitle: T\n---\nBody.\n",
            "a.md: missing published date (add 'published: YYYY-MM-DD' to the front matter)",
        ),
        (
            "---\nid: a\ntitle: '  '\npublished: 2019-12-02\n---\nBody.\n",
            "a.md: missing title (add 'title: ...' to the front matter)",
        ),
        (
            "---\nid: a\npublished: 2019-12-02\n---\nBody.\n",
            "a.md: missing title (add 'title: ...' to the front matter)",
        ),
        (
            "---\nid: A_1\ntitle: T\npublished: 2019-12-02\n---\nBody.\n",
            "a.md:2: invalid id 'A_1' (use lowercase letters, digits and '-')",
        ),
        (
            "---\nid: a\ntitle: T: with a colon\npublished: 2019-12-02\n---\nBody.\n",
            "a.md:3: malformed front matter: mapping values are not allowed here "
            "(fix the YAML between the '---' lines)",
        ),
        (
            "---\n- a list\n- not fields\n---\nBody.\n",
            "a.md:2: malformed front matter: expected 'field: value' lines "
            "(fix the YAML between the '---' lines)",
        ),
        (
            "---\nid: a\ntitle: T\npublished: 2019-12-02\nBody with no closing line.\n",
            "a.md:1: no YAML front matter (start the file with a '---' line, the fields "
            "(id, title, published), and another '---' line)",
        ),
        (
            "---\nid: a\ntitle: T\npublished: 2019-12-02\n---\n\n  \n",
            "a.md: the article has no body (add the article text)",
        ),
    ],
    ids=[
        "impossible date",
        "date in words",
        "no date",
        "blank title",
        "no title",
        "bad id",
        "YAML error",
        "not a mapping",
        "unclosed front matter",
        "no body",
    ],
)
def test_front_matter_errors(tmp_path: Path, content: str, expected: str) -> None:
    path = write(tmp_path / "a.md", content)
    with pytest.raises(SourceError) as error:
        parse_markdown(Path("a.md"), read_text(path))
    assert message(error) == expected


# --- plain text ----------------------------------------------------------------------


def test_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path / "Acme News.txt", "Acme joins\nAcme has joined the alliance.\n")
    article = parse_plain(path, read_text(path), dt.date(2020, 1, 2), "https://example.org/a")
    assert article == Article(
        id="acme-news",
        title="Acme joins",
        body="Acme has joined the alliance.\n",
        published=dt.date(2020, 1, 2),
        path=path,
        url="https://example.org/a",
    )


def test_plain_text_errors(tmp_path: Path) -> None:
    path = Path("note.txt")
    with pytest.raises(SourceError) as error:
        parse_plain(path, "Title\nBody\n", None, None)
    assert message(error) == (
        "note.txt: a plain-text article has no publication date (pass --published YYYY-MM-DD)"
    )
    with pytest.raises(SourceError) as error:
        parse_plain(path, "  \nBody\n", dt.date(2020, 1, 2), None)
    assert message(error) == "note.txt:1: missing title (put the title on the first line)"
    with pytest.raises(SourceError) as error:
        parse_plain(path, "Title only\n", dt.date(2020, 1, 2), None)
    assert message(error) == "note.txt: the article has no body (add the article text)"


# --- encodings, BOM, line ends ---------------------------------------------------------


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "\ufeff" + ARTICLE)
    text = read_text(path)
    assert text == ARTICLE
    assert parse_markdown(path, text).id == "acme-joins-2020"


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", ARTICLE.replace("\n", "\r\n"))
    article = parse_markdown(path, read_text(path))
    assert article.title == "Acme Joins the Widget Alliance"
    assert article.published == dt.date(2020, 3, 4)
    # Kept as in the file, so that offsets into the body are offsets into the file.
    assert article.body == "\r\nAcme has joined the Widget Alliance.\r\n"


def test_crlf_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Title\r\nBody line.\r\n")
    article = parse_plain(path, read_text(path), dt.date(2020, 1, 2), None)
    assert (article.title, article.body) == ("Title", "Body line.\r\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "a.md: the file is empty (add a title and a body)"),
        (b" \n\t\n", "a.md: the file is empty (add a title and a body)"),
        (b"\xef\xbb\xbf\n", "a.md: the file is empty (add a title and a body)"),
        (
            b"GIF89a\x01\x00\x01\x00\x00\xff",
            "a.md: this is a binary file, not an article (give a UTF-8 Markdown or .txt file)",
        ),
        (
            "---\ntitle: T\n---\n".encode("utf-16"),
            "a.md: the file is UTF-16, not UTF-8 (save the file as UTF-8)",
        ),
        (
            "---\ntitle: Zürich\n---\n".encode("latin-1"),
            "a.md:2: not valid UTF-8 (byte 0xfc in column 9) (save the file as UTF-8)",
        ),
    ],
    ids=["empty", "whitespace", "only a BOM", "binary", "UTF-16", "Latin-1"],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    write(tmp_path / "a.md", content)
    with pytest.raises(SourceError) as error:
        read_text(Path(tmp_path / "a.md"))
    assert message(error) == f"{tmp_path}/{expected}"


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    with pytest.raises(SourceError) as error:
        read_text(tmp_path / "x.md")
    assert message(error).startswith(f"{tmp_path}/x.md: cannot read the file: ")


# --- discovery and ids -----------------------------------------------------------------


def test_discover_folders(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "b.md", ARTICLE)
    write(corpus / "sub" / "a.txt", "T\nBody\n")
    write(corpus / "README.md", "# About this corpus\n")
    write(corpus / "readme.txt", "About\n")
    write(corpus / "b.gold.yaml", "id: b\n")
    write(corpus / "notes.json", "{}")
    write(corpus / ".hidden.md", ARTICLE)
    write(corpus / ".git" / "x.md", ARTICLE)
    assert discover([corpus]) == [corpus / "b.md", corpus / "sub" / "a.txt"]


def test_discover_reads_a_file_named_twice_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", ARTICLE)
    assert discover([path, tmp_path]) == [path]


def test_discover_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as error:
        discover([Path("nowhere")])
    assert message(error) == "nowhere: no such file or directory (check the path or omit it)"
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError) as error:
        discover([tmp_path / "empty"])
    assert message(error) == (
        f"no articles (*.md, *.txt) found in {tmp_path}/empty (point at article files)"
    )
    write(tmp_path / "a.pdf", b"%PDF")
    with pytest.raises(SourceError) as error:
        discover([Path(tmp_path / "a.pdf")])
    assert message(error) == (
        f"{tmp_path}/a.pdf: not an article file (unknown extension '.pdf') (give a .md file "
        "with YAML front matter or a .txt file whose first line is the title)"
    )


def test_load_articles_sorted_by_id(tmp_path: Path) -> None:
    write(tmp_path / "1.md", ARTICLE.replace("acme-joins-2020", "zeta"))
    write(tmp_path / "2.md", ARTICLE.replace("acme-joins-2020", "alpha"))
    write(tmp_path / "3.txt", "T\nBody\n")
    ids = [a.id for a in load_articles([tmp_path], published=dt.date(2020, 1, 1))]
    assert ids == ["3", "alpha", "zeta"]


def test_plain_text_takes_the_options(tmp_path: Path) -> None:
    write(tmp_path / "note.txt", "T\nBody\n")
    [article] = load_articles([tmp_path], published=dt.date(2020, 1, 1), url="https://e.org/n")
    assert (article.published, article.url) == (dt.date(2020, 1, 1), "https://e.org/n")


def test_duplicate_ids(tmp_path: Path) -> None:
    shutil.copy(SEED_ARTICLE, tmp_path / "a.md")
    shutil.copy(SEED_ARTICLE, tmp_path / "b.md")
    with pytest.raises(SourceError) as error:
        load_articles([tmp_path])
    assert message(error) == (
        f"{tmp_path}/b.md: duplicate article id '{SEED_ID}', also used by {tmp_path}/a.md "
        "(give each article its own id)"
    )


def test_duplicate_id_from_a_file_name(tmp_path: Path) -> None:
    write(tmp_path / "note.md", "---\nid: note\ntitle: T\npublished: 2020-01-02\n---\nBody.\n")
    write(tmp_path / "sub" / "note.txt", "T\nBody\n")
    with pytest.raises(SourceError) as error:
        load_articles([tmp_path], published=dt.date(2020, 1, 1))
    assert "duplicate article id 'note'" in message(error)
