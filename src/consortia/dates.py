"""Temporal expressions in news text, resolved against the publication date.

The vocabulary (month and weekday names, relative words, numbers) lives in
``mappings/dates.yaml``; this module holds only the resolution rules:

* A day and month without a year ("Oct. 13") take the year that puts the date
  nearest to the publication date (news reports recent or imminent events).
* A month alone ("in June") is the latest such month not after the published
  month: "in June" in an article of October 2019 is 2019-06, "in November" in
  an article of March 2020 is 2019-11.
* A bare weekday ("on Sunday") is the published day itself if it is that
  weekday (same-day wire reports), else the latest such day before it; "last
  Sunday" is always strictly before, "next Sunday" strictly after.
* "today", "yesterday", "N days/weeks ago" give a day; "N months ago" a month;
  "N years ago" a year.
* "last/this/next month" and "last/this/next year" give a month or a year.
* A week is not a day: "last week", "this week", "next week" give the most
  precise date that covers the whole Monday-to-Sunday week: its month when the
  week lies in one month, else its year.
* "a week later", "two days later", "the next day" count from the anchor, the
  previous date in the same text (or the ``anchor`` argument); when the anchor
  is coarser than a day, the shifted span is covered the same way. Without an
  anchor they are skipped.
* A four-digit year 1900-2099 is a date wherever it stands as a word ("in 2006",
  "the 2017 crackdown", "2017's"), unless the words around it in
  ``year_not_after``/``year_not_before`` make it a count or a name
  ("2000 employees", "Series 2000"); digits inside "2,000" are never a year.

Choosing which date belongs to which fact is not done here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consortia.data import find_data_root

DEFAULT_RULES_PATH = find_data_root() / "mappings" / "dates.yaml"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day.

    >>> PartialDate(2019, 6).lexical
    '2019-06'
    >>> PartialDate(2019, 6, 15).precision
    'day'
    >>> PartialDate(2019) < PartialDate(2019, 1) < PartialDate(2019, 1, 2)
    True
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is None and self.day is not None:
            raise ValueError(f"a day needs a month: {self.year}-??-{self.day}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, not {self.month}")
        if self.day is not None and self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day must be 1-{last} in {self.year}-{self.month:02d}")

    @classmethod
    def parse(cls, lexical: str) -> PartialDate:
        """Read "2019", "2019-06" or "2019-06-15".

        >>> PartialDate.parse("2019-06")
        PartialDate(year=2019, month=6, day=None)
        """
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", lexical.strip())
        if match is None:
            raise ValueError(f"not a date of form YYYY, YYYY-MM or YYYY-MM-DD: {lexical!r}")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        """The day ``value`` as a PartialDate of day precision."""
        return cls(value.year, value.month, value.day)

    @property
    def lexical(self) -> str:
        """The XSD form: gYear, gYearMonth or date."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    @property
    def precision(self) -> str:
        """ "year", "month" or "day"."""
        if self.day is not None:
            return "day"
        return "year" if self.month is None else "month"

    def first_day(self) -> dt.date:
        """The first day this date covers."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The last day this date covers.

        >>> PartialDate(2020, 2).last_day()
        datetime.date(2020, 2, 29)
        """
        if self.day is not None:
            return self.first_day()
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def contains(self, other: PartialDate) -> bool:
        """Whether every day of ``other`` lies within this date.

        >>> PartialDate(2019).contains(PartialDate(2019, 6, 1))
        True
        """
        return self.first_day() <= other.first_day() and other.last_day() <= self.last_day()

    def is_before(self, other: PartialDate) -> bool:
        """Whether this date ends before ``other`` begins."""
        return self.last_day() < other.first_day()

    def sort_key(self) -> tuple[int, int, int]:
        """Chronological key; a coarser date sorts before the finer dates it contains."""
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: PartialDate) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: PartialDate) -> bool:
        return self.sort_key() >= other.sort_key()

    def __str__(self) -> str:
        return self.lexical


@dataclass(frozen=True)
class DateMention:
    """A temporal expression at ``text[start:end]`` of a sentence, resolved."""

    start: int
    end: int
    text: str
    value: PartialDate


# --- rules -----------------------------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first so that "this past" beats "this"."""
    unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


@dataclass(frozen=True)
class DateRules:
    """Compiled patterns built from ``mappings/dates.yaml``."""

    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    weekday_modifiers: Mapping[str, str]
    days: Mapping[str, int]
    deictics: Mapping[str, int]
    units: Mapping[str, str]
    numbers: Mapping[str, int | None]
    anchored: Mapping[str, int]
    later: frozenset[str]
    patterns: Mapping[str, re.Pattern[str]]
    qualifier_before: re.Pattern[str]
    year_not_after: frozenset[str]
    year_not_before: frozenset[str]


def _lower_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {" ".join(str(k).lower().split()): v for k, v in mapping.items()}


def build_rules(data: Mapping[str, Any]) -> DateRules:
    """Compile the vocabulary of ``dates.yaml`` (already parsed) into patterns."""
    months: dict[str, int] = {str(k): int(v) for k, v in data["months"].items()}
    full = [
        name
        for name, number in months.items()
        if not any(o != name and o.startswith(name) and n == number for o, n in months.items())
    ]
    weekdays = {str(k): int(v) for k, v in data["weekdays"].items()}
    modifiers = _lower_keys(data["weekday_modifiers"])
    days = _lower_keys(data["days"])
    deictics = _lower_keys(data["deictics"])
    units = _lower_keys(data["units"])
    numbers = _lower_keys(data["numbers"])
    anchored = _lower_keys(data["anchored"])
    later = [str(w) for w in data["later"]]
    earlier = [str(w) for w in data["earlier"]]

    mon_any = rf"(?P<mon>(?-i:{_alternation(months)}))\.?"
    mon_full = rf"(?P<mon>(?-i:{_alternation(full)}))"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    # "Monday, December 2, 2019" is one date: the weekday only repeats it.
    weekday = rf"(?:(?-i:{_alternation(weekdays)}),?\s+)?"
    year = r"(?P<year>(?:19|20)\d{2})"
    number = rf"(?P<n>{_alternation(numbers)}|\d{{1,3}})"
    unit = rf"(?P<u>{_alternation(units)})"
    flags = re.IGNORECASE
    patterns = {
        "iso": rf"\b{year}-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b",
        "month_day": rf"\b{weekday}{mon_any}\s+{day}\b(?!\s*(?:%|[.,:]\d))(?:,?\s+{year}\b)?",
        "day_month": rf"\b{weekday}(?:the\s+)?{day}(?:\s+of)?\s+{mon_any}(?:,?\s+{year}\b)?",
        "month_year": rf"\b{mon_any},?\s+(?:of\s+)?{year}\b",
        "month": (
            rf"(?P<pre>\b(?:{_alternation(data['month_cues'])})\s*)"
            rf"(?P<q>(?:{_alternation(data['qualifiers'])})\s*)?{mon_full}\b(?![.]?\s*\d)"
        ),
        "year": rf"(?<![\d,.$#€£/-])\b{year}(?:'s|\u2019s)?\b(?![,.:]\d)",
        "span": (
            rf"\b(?:(?P<q>{_alternation(data['span_qualifiers'])})\s+)?"
            rf"(?P<d>{_alternation(deictics)})\s+(?P<u>week|month|year)\b"
        ),
        "days": rf"\b(?:{_alternation(days)})\b",
        "weekday": (
            rf"\b(?:(?P<m>{_alternation(modifiers)})\s+)?"
            rf"(?P<wd>(?-i:{_alternation(weekdays)}))\b"
        ),
        "ago": rf"\b{number}\s+{unit}\s+(?P<a>{_alternation(data['ago'])})\b",
        "shift": rf"\b{number}\s+{unit}\s+(?P<dir>{_alternation(later + earlier)})\b",
        "anchored": rf"\b(?:{_alternation(anchored)})\b",
    }
    qualifier_before = re.compile(rf"\b(?:{_alternation(data['qualifiers'])})\s*$", flags)
    return DateRules(
        months=months,
        weekdays=weekdays,
        weekday_modifiers=modifiers,
        days=days,
        deictics=deictics,
        units=units,
        numbers=numbers,
        anchored=anchored,
        later=frozenset(" ".join(w.lower().split()) for w in later),
        patterns={name: re.compile(p, flags) for name, p in patterns.items()},
        qualifier_before=qualifier_before,
        year_not_after=frozenset(str(w).lower() for w in data["year_not_after"]),
        year_not_before=frozenset(str(w).lower() for w in data["year_not_before"]),
    )


@functools.cache
def load_date_rules(path: Path = DEFAULT_RULES_PATH) -> DateRules:
    """Read and compile ``mappings/dates.yaml`` (cached per path)."""
    with path.open(encoding="utf-8") as handle:
        return build_rules(yaml.safe_load(handle))


# --- calendar arithmetic ---------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _shift(day: dt.date, unit: str, amount: int) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=amount)
    if unit == "week":
        return day + dt.timedelta(days=7 * amount)
    if unit == "month":
        return _add_months(day, amount)
    return _add_months(day, 12 * amount)


def cover(start: dt.date, end: dt.date) -> PartialDate:
    """The most precise PartialDate holding every day from ``start`` to ``end``.

    A span across a new year falls back to the year of its middle day.

    >>> cover(dt.date(2019, 11, 18), dt.date(2019, 11, 24)).lexical
    '2019-11'
    >>> cover(dt.date(2019, 11, 25), dt.date(2019, 12, 1)).lexical
    '2019'
    """
    if start == end:
        return PartialDate.from_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return PartialDate(start.year, start.month)
    if start.year == end.year:
        return PartialDate(start.year)
    return PartialDate((start + (end - start) / 2).year)


def _at_precision(value: PartialDate, precision: str) -> PartialDate:
    if precision == "year":
        return PartialDate(value.year)
    if precision == "month":
        return PartialDate(value.year, value.month)
    return value


def _nearest_year(month: int, day: int, published: dt.date) -> PartialDate | None:
    best: tuple[int, dt.date] | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        distance = abs((candidate - published).days)
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return None if best is None else PartialDate.from_date(best[1])


def _weekday(target: int, rule: str, published: dt.date) -> dt.date:
    back = (published.weekday() - target) % 7
    ahead = (target - published.weekday()) % 7
    if rule == "past":
        return published - dt.timedelta(days=back or 7)
    if rule == "future":
        return published + dt.timedelta(days=ahead or 7)
    if rule == "future_or_today":
        return published + dt.timedelta(days=ahead)
    return published - dt.timedelta(days=back)


def _safe(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


# --- finding ---------------------------------------------------------------------------

# A resolver gets the publication date and the anchor (previous date in the text).
_Resolver = Callable[[dt.date, PartialDate | None], PartialDate | None]


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    resolve: _Resolver


def _count(rules: DateRules, word: str) -> int | None:
    key = " ".join(word.lower().split())
    if key.isdigit():
        return int(key)
    return rules.numbers.get(key)


def _shifted(anchor: PartialDate | None, unit: str, amount: int) -> PartialDate | None:
    if anchor is None:
        return None
    first = _shift(anchor.first_day(), unit, amount)
    last = _shift(anchor.last_day(), unit, amount)
    return cover(first, last)


def resolve_relative(
    expression: str, anchor: PartialDate, rules: DateRules | None = None
) -> PartialDate | None:
    """Resolve an expression relative to a previous date ("a week later").

    >>> resolve_relative("two days later", PartialDate(2019, 10, 4)).lexical
    '2019-10-06'
    >>> resolve_relative("a month earlier", PartialDate(2019, 10)).lexical
    '2019-09'
    >>> resolve_relative("the next day", PartialDate(2019, 12, 31)).lexical
    '2020-01-01'
    """
    rules = rules or load_date_rules()
    text = " ".join(expression.split())
    match = rules.patterns["shift"].fullmatch(text)
    if match is not None:
        amount = _count(rules, match["n"])
        if amount is None:
            return None
        sign = 1 if " ".join(match["dir"].lower().split()) in rules.later else -1
        return _shifted(anchor, rules.units[match["u"].lower()], sign * amount)
    offset = rules.anchored.get(text.lower())
    if offset is not None:
        return _shifted(anchor, "day", offset)
    return None


def _month_number(rules: DateRules, match: re.Match[str]) -> int:
    mon = match["mon"]
    return int(mon) if mon.isdigit() else rules.months[mon]


# Resolvers: the leading arguments are bound with functools.partial; every one
# then takes the publication date and the anchor (previous date in the text).


def _fixed(value: PartialDate, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    return value


def _day_month(
    month: int, day: int, published: dt.date, anchor: PartialDate | None
) -> PartialDate | None:
    return _nearest_year(month, day, published)


def _latest_month(month: int, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    return PartialDate(published.year if month <= published.month else published.year - 1, month)


def _week(offset: int, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    monday = published - dt.timedelta(days=published.weekday() - 7 * offset)
    return cover(monday, monday + dt.timedelta(days=6))


def _deictic(offset: int, unit: str, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    moved = _shift(published.replace(day=1), unit, offset)
    return _at_precision(PartialDate.from_date(moved), unit)


def _day_offset(offset: int, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    return PartialDate.from_date(published + dt.timedelta(days=offset))


def _weekday_of(
    target: int, rule: str, published: dt.date, anchor: PartialDate | None
) -> PartialDate:
    return PartialDate.from_date(_weekday(target, rule, published))


def _ago(unit: str, amount: int, published: dt.date, anchor: PartialDate | None) -> PartialDate:
    precision = "day" if unit in ("day", "week") else unit
    return _at_precision(PartialDate.from_date(_shift(published, unit, -amount)), precision)


def _from_anchor(
    expression: str, rules: DateRules, published: dt.date, anchor: PartialDate | None
) -> PartialDate | None:
    return None if anchor is None else resolve_relative(expression, anchor, rules)


def _candidates(text: str, rules: DateRules) -> Iterable[_Candidate]:
    pats = rules.patterns
    bind = functools.partial

    def qualified_start(start: int) -> int:
        found = rules.qualifier_before.search(text, 0, start)
        return found.start() if found else start

    for m in pats["iso"].finditer(text):
        value = _safe(int(m["year"]), int(m["mon"]), int(m["day"]))
        if value is not None:
            yield _Candidate(m.start(), m.end(), bind(_fixed, value))

    for name in ("month_day", "day_month"):
        for m in pats[name].finditer(text):
            month, day = _month_number(rules, m), int(m["day"])
            end = m.end() - 1 if m.group().endswith(".") else m.end()  # a full stop
            if m["year"]:
                value = _safe(int(m["year"]), month, day)
                if value is not None:
                    yield _Candidate(m.start(), end, bind(_fixed, value))
            elif 1 <= day <= 31:
                yield _Candidate(m.start(), end, bind(_day_month, month, day))

    for m in pats["month_year"].finditer(text):
        value = PartialDate(int(m["year"]), _month_number(rules, m))
        yield _Candidate(qualified_start(m.start()), m.end(), bind(_fixed, value))

    for m in pats["month"].finditer(text):
        start = qualified_start(m.start("q") if m["q"] else m.start("mon"))
        yield _Candidate(start, m.end(), bind(_latest_month, rules.months[m["mon"]]))

    for m in pats["year"].finditer(text):
        before = re.findall(r"[\w#$€£%]+", text[max(0, m.start() - 20) : m.start()])
        after = re.findall(r"[\w%]+", text[m.end() : m.end() + 20])
        if before and before[-1].lower() in rules.year_not_after:
            continue
        if after and after[0].lower() in rules.year_not_before:
            continue
        value = PartialDate(int(m["year"]))
        yield _Candidate(qualified_start(m.start()), m.end(), bind(_fixed, value))

    for m in pats["span"].finditer(text):
        offset = rules.deictics[" ".join(m["d"].lower().split())]
        unit = m["u"].lower()
        resolver = bind(_week, offset) if unit == "week" else bind(_deictic, offset, unit)
        yield _Candidate(m.start(), m.end(), resolver)

    for m in pats["days"].finditer(text):
        offset = rules.days[" ".join(m.group().lower().split())]
        yield _Candidate(m.start(), m.end(), bind(_day_offset, offset))

    for m in pats["weekday"].finditer(text):
        modifier = " ".join((m["m"] or "").lower().split())
        rule = rules.weekday_modifiers.get(modifier, rules.weekday_modifiers[""])
        start = m.start("wd") if modifier in ("", "on") else m.start()
        yield _Candidate(start, m.end(), bind(_weekday_of, rules.weekdays[m["wd"]], rule))

    for m in pats["ago"].finditer(text):
        amount = _count(rules, m["n"])
        if amount is not None:
            yield _Candidate(m.start(), m.end(), bind(_ago, rules.units[m["u"].lower()], amount))

    for name in ("shift", "anchored"):
        for m in pats[name].finditer(text):
            yield _Candidate(m.start(), m.end(), bind(_from_anchor, m.group(), rules))


def find_dates(
    text: str,
    published: dt.date,
    rules: DateRules | None = None,
    anchor: PartialDate | None = None,
) -> list[DateMention]:
    """Every temporal expression in ``text``, resolved against ``published``.

    Overlapping matches keep the longest. ``anchor`` is the date that relative
    expressions ("a week later") count from until the text gives one itself.

    >>> [(m.text, m.value.lexical) for m in find_dates(
    ...     "Huobi joined on Sunday, weeks after a meeting in October 2019.",
    ...     dt.date(2019, 12, 2))]
    [('Sunday', '2019-12-01'), ('October 2019', '2019-10')]
    """
    rules = rules or load_date_rules()
    chosen: list[_Candidate] = []
    ordered = sorted(_candidates(text, rules), key=lambda c: (c.start - c.end, c.start))
    for candidate in ordered:
        if all(candidate.end <= c.start or c.end <= candidate.start for c in chosen):
            chosen.append(candidate)
    mentions: list[DateMention] = []
    for candidate in sorted(chosen, key=lambda c: c.start):
        value = candidate.resolve(published, anchor)
        if value is None:
            continue
        anchor = value
        mentions.append(
            DateMention(
                candidate.start, candidate.end, text[candidate.start : candidate.end], value
            )
        )
    return mentions
