"""Temporal expressions found in sentences and resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from consortia.dates import (
    DateMention,
    PartialDate,
    cover,
    find_dates,
    load_date_rules,
    resolve_relative,
)

OCT_2019 = dt.date(2019, 10, 20)  # a Sunday
MON_2019_12_02 = dt.date(2019, 12, 2)
FRI_2019_11_29 = dt.date(2019, 11, 29)


def values(text: str, published: dt.date = OCT_2019) -> list[tuple[str, str]]:
    return [(m.text, m.value.lexical) for m in find_dates(text, published)]


# --- PartialDate ---------------------------------------------------------------------


def test_lexical_and_precision() -> None:
    assert PartialDate(2019).lexical == "2019"
    assert PartialDate(2019, 6).lexical == "2019-06"
    assert PartialDate(2019, 6, 15).lexical == "2019-06-15"
    assert [PartialDate(2019).precision, PartialDate(2019, 6).precision] == ["year", "month"]
    assert PartialDate(2019, 6, 15).precision == "day"
    assert str(PartialDate(1998, 5)) == "1998-05"


@pytest.mark.parametrize("text", ["2019", "2019-06", "2019-06-15"])
def test_parse_round_trips(text: str) -> None:
    assert PartialDate.parse(text).lexical == text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2019, None, 3), "a day needs a month"),
        ((2019, 13), "month must be 1-12"),
        ((2019, 2, 29), "day must be 1-28"),
    ],
)
def test_invalid_dates_are_refused(args: tuple[int, int | None, int | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PartialDate(*args)


def test_parse_refuses_other_forms() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        PartialDate.parse("13/10/2017")


def test_ordering_and_containment() -> None:
    dates = [PartialDate(2019, 6, 2), PartialDate(2018), PartialDate(2019, 6), PartialDate(2019)]
    assert sorted(dates) == [
        PartialDate(2018),
        PartialDate(2019),
        PartialDate(2019, 6),
        PartialDate(2019, 6, 2),
    ]
    assert PartialDate(2019) <= PartialDate(2019) < PartialDate(2020)
    assert PartialDate(2020) > PartialDate(2019, 12, 31) >= PartialDate(2019, 12)
    assert PartialDate(2019, 6).contains(PartialDate(2019, 6, 30))
    assert not PartialDate(2019, 6).contains(PartialDate(2019))
    assert PartialDate(2019, 5).is_before(PartialDate(2019, 6, 1))
    assert not PartialDate(2019).is_before(PartialDate(2019, 6))
    assert PartialDate(2019, 2).first_day() == dt.date(2019, 2, 1)
    assert PartialDate(2019, 2).last_day() == dt.date(2019, 2, 28)
    assert PartialDate(2019).last_day() == dt.date(2019, 12, 31)


def test_cover() -> None:
    assert cover(dt.date(2019, 6, 3), dt.date(2019, 6, 3)) == PartialDate(2019, 6, 3)
    assert cover(dt.date(2019, 6, 3), dt.date(2019, 6, 9)) == PartialDate(2019, 6)
    assert cover(dt.date(2019, 6, 30), dt.date(2019, 7, 6)) == PartialDate(2019)
    assert cover(dt.date(2019, 12, 30), dt.date(2020, 1, 5)) == PartialDate(2020)


# --- absolute dates --------------------------------------------------------------------


def test_mention_offsets_point_into_the_text() -> None:
    text = "China Unicom joined the alliance on October 13, 2017, the group said."
    [mention] = find_dates(text, OCT_2019)
    assert mention == DateMention(36, 52, "October 13, 2017", PartialDate(2017, 10, 13))
    assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It joined on October 13, 2017.", [("October 13, 2017", "2017-10-13")]),
        ("It joined on 13 October 2017.", [("13 October 2017", "2017-10-13")]),
        ("It joined on the 13th of October, 2017.", [("the 13th of October, 2017", "2017-10-13")]),
        ("Filed 2017-10-13 in Delaware.", [("2017-10-13", "2017-10-13")]),
        ("It joined on Oct. 13, 2017.", [("Oct. 13, 2017", "2017-10-13")]),
        ("It joined on Sept 3 2018.", [("Sept 3 2018", "2018-09-03")]),
        ("In November 2018, the firm left.", [("November 2018", "2018-11")]),
        ("It was formed in May 1998.", [("May 1998", "1998-05")]),
        ("since Dec. 2016", [("Dec. 2016", "2016-12")]),
        ("It was set up in 2006.", [("2006", "2006")]),
    ],
)
def test_absolute_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert values(text) == expected


def test_day_and_month_without_year_takes_the_nearest_year() -> None:
    assert values("The members met on Oct. 13.") == [("Oct. 13", "2019-10-13")]
    # an upcoming event a few weeks ahead stays in the published year
    assert values("The launch is set for Nov. 5.") == [("Nov. 5", "2019-11-05")]
    # late December seen from early January is last year
    assert values("It joined on December 30.", dt.date(2020, 1, 3)) == [
        ("December 30", "2019-12-30")
    ]
    assert values("It joined on 3 January.", dt.date(2019, 12, 20)) == [("3 January", "2020-01-03")]


def test_month_alone_is_the_latest_not_after_the_published_month() -> None:
    assert values("The group was set up in June.") == [("June", "2019-06")]
    assert values("It joined in October.") == [("October", "2019-10")]
    assert values("It joined in November.") == [("November", "2018-11")]
    assert values("Talks began in early March.", dt.date(2020, 5, 1)) == [
        ("early March", "2020-03")
    ]
    assert values("It left in mid-October.") == [("mid-October", "2019-10")]
    assert values("by the end of September") == [("the end of September", "2019-09")]
    assert values("between June and August") == [("June", "2019-06"), ("August", "2019-08")]


def test_month_names_that_are_words_need_a_cue() -> None:
    assert values("May I ask? Prices may fall. Troops march. In May the firm left.") == [
        ("May", "2019-05")
    ]
    assert values("March Networks and Jan Koum") == []
    assert values("Oct was the code name.") == []


# --- years -----------------------------------------------------------------------------


def test_years_in_date_contexts() -> None:
    text = "Since 2017 and the 2017 crackdown, 2017's growth has slowed."
    assert values(text) == [("2017", "2017"), ("2017", "2017"), ("2017's", "2017")]
    assert values("in early 2016 and late 2015") == [("early 2016", "2016"), ("late 2015", "2015")]


@pytest.mark.parametrize(
    "text",
    [
        "It has 2,000 members and 700,000 users.",
        "The fund holds 2019.5 tonnes.",
        "Series 7 and Series 2000 phones",
        "It employs 2000 people and 1999 members.",
        "Version 2010 shipped; see RFC 2045.",
        "Revenue rose to $2019 million.",
        "The 1990s were different.",
        "Call 1-800-2019 now.",
        "Its 1800 stores",
    ],
)
def test_numbers_that_are_not_years(text: str) -> None:
    assert values(text) == []


# --- relative to the published date ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Huobi joined on Sunday.", MON_2019_12_02, ("Sunday", "2019-12-01")),
        ("It joined on Thursday.", FRI_2019_11_29, ("Thursday", "2019-11-28")),
        ("It joined on Friday.", FRI_2019_11_29, ("Friday", "2019-11-29")),
        ("It joined on Monday.", FRI_2019_11_29, ("Monday", "2019-11-25")),
        ("It joined last Friday.", FRI_2019_11_29, ("last Friday", "2019-11-22")),
        ("It will join next Monday.", FRI_2019_11_29, ("next Monday", "2019-12-02")),
        ("It will join next Friday.", FRI_2019_11_29, ("next Friday", "2019-12-06")),
        ("It joins this Saturday.", FRI_2019_11_29, ("this Saturday", "2019-11-30")),
    ],
)
def test_weekdays(text: str, published: dt.date, expected: tuple[str, str]) -> None:
    assert values(text, published) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It joined yesterday.", ("yesterday", "2019-12-01")),
        ("It joins today.", ("today", "2019-12-02")),
        ("It joins tomorrow.", ("tomorrow", "2019-12-03")),
        ("It joined two weeks ago.", ("two weeks ago", "2019-11-18")),
        ("It joined a week ago.", ("a week ago", "2019-11-25")),
        ("It joined three days ago.", ("three days ago", "2019-11-29")),
        ("It joined 10 days ago.", ("10 days ago", "2019-11-22")),
        ("It joined two months ago.", ("two months ago", "2019-10")),
        ("It joined five years ago.", ("five years ago", "2014")),
        ("It joined last month.", ("last month", "2019-11")),
        ("It joined earlier this month.", ("earlier this month", "2019-12")),
        ("It joins this month.", ("this month", "2019-12")),
        ("It joins next month.", ("next month", "2020-01")),
        ("It joined last year.", ("last year", "2018")),
        ("It joined late last year.", ("late last year", "2018")),
        ("It joins this year.", ("this year", "2019")),
        ("It joins next year.", ("next year", "2020")),
        ("It joins early next year.", ("early next year", "2020")),
    ],
)
def test_relative_to_publication(text: str, expected: tuple[str, str]) -> None:
    assert values(text, MON_2019_12_02) == [expected]


def test_weeks_resolve_to_the_month_or_year_that_covers_them() -> None:
    # the week of Mon 2019-11-18 lies in November
    assert values("It joined last week.", dt.date(2019, 11, 27)) == [("last week", "2019-11")]
    # the week of Mon 2019-11-25 runs into December: only the year is sure
    assert values("It joined last week.", MON_2019_12_02) == [("last week", "2019")]
    assert values("It joined this week.", dt.date(2019, 6, 19)) == [("this week", "2019-06")]
    assert values("It joins next week.", dt.date(2019, 6, 19)) == [("next week", "2019-06")]


def test_month_arithmetic_crosses_years() -> None:
    assert values("It joined last month.", dt.date(2020, 1, 10)) == [("last month", "2019-12")]


# --- relative to the previous date in the text -----------------------------------------


def test_later_counts_from_the_previous_date() -> None:
    text = "On June 18, Microsoft joined. A week later, IBM did; two days later, Intel."
    assert values(text) == [
        ("June 18", "2019-06-18"),
        ("A week later", "2019-06-25"),
        ("two days later", "2019-06-27"),
    ]


def test_later_from_a_coarse_anchor_is_covered() -> None:
    assert values("In May 2018 it began; two months later it joined.") == [
        ("May 2018", "2018-05"),
        ("two months later", "2018-07"),
    ]
    assert values("In 2015 it began; a year later it joined.") == [
        ("2015", "2015"),
        ("a year later", "2016"),
    ]


def test_relative_without_anchor_is_skipped_or_uses_the_given_anchor() -> None:
    assert values("A week later, IBM joined.") == []
    [mention] = find_dates("The next day IBM joined.", OCT_2019, anchor=PartialDate(2019, 8, 12))
    assert (mention.text, mention.value.lexical) == ("The next day", "2019-08-13")


def test_resolve_relative() -> None:
    anchor = PartialDate(2019, 10, 4)
    assert resolve_relative("a week later", anchor) == PartialDate(2019, 10, 11)
    assert resolve_relative("three days earlier", anchor) == PartialDate(2019, 10, 1)
    assert resolve_relative("the previous day", anchor) == PartialDate(2019, 10, 3)
    assert resolve_relative("two years later", PartialDate(2017)) == PartialDate(2019)
    assert resolve_relative("two weeks later", PartialDate(2019, 6)) == PartialDate(2019)
    assert resolve_relative("several days later", anchor) is None
    assert resolve_relative("in October", anchor) is None


def test_overlaps_keep_the_longest() -> None:
    assert values("It joined on Monday, December 2, 2019.") == [
        ("Monday, December 2, 2019", "2019-12-02")
    ]
    assert values("It joined on Tuesday 3 December.", MON_2019_12_02) == [
        ("Tuesday 3 December", "2019-12-03")
    ]


def test_rules_are_cached_and_read_from_yaml() -> None:
    rules = load_date_rules()
    assert rules is load_date_rules()
    assert rules.months["Sept"] == 9
    assert rules.weekdays["Sunday"] == 6
