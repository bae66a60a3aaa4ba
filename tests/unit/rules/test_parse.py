"""Parsing shared by the checks: numbers, units, from→to, multipliers, periods, language."""

from __future__ import annotations

import pytest

from coach.parse import analyse_kr, detect_language, parse_kr
from coach.parse.numbers import find_quantities, to_float
from coach.parse.periods import find_periods
from coach.parse.text import clean


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,200", 1200.0), ("2,5", 2.5), ("20 000", 20000.0), ("1.2", 1.2), ("99,9", 99.9)],
)
def test_to_float_reads_both_decimal_styles(raw: str, value: float) -> None:
    assert to_float(raw) == value


@pytest.mark.parametrize(
    ("text", "lang", "value", "unit"),
    [
        ("reach 45k users", "en", 45000.0, "users"),
        ("arr of $1.8m", "en", 1.8e6, "USD"),
        ("sek 3m revenue", "en", 3e6, "SEK"),
        ("omsättning 12 msek", "sv", 12e6, "SEK"),
        ("intäkter på 450 tkr", "sv", 450e3, "SEK"),
        ("300 000 kr i månaden", "sv", 300000.0, "SEK"),
        ("99,9 % tillgänglighet", "sv", 99.9, "percent"),
        ("up 3 percentage points", "en", 3.0, "pp"),
        ("€65 per order", "en", 65.0, "EUR"),
        ("under 60 seconds", "en", 60.0, "s"),
        ("tio minuter", "sv", 10.0, "min"),
    ],
)
def test_quantities_with_units_and_scales(text: str, lang: str, value: float, unit: str) -> None:
    q = find_quantities(text, lang)[0]
    assert q.value == pytest.approx(value)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "baseline", "target", "direction"),
    [
        ("Lift trial-to-paid conversion from 8% to 12% by end of Q3", 8.0, 12.0, "up"),
        ("Öka konverteringsgraden från 3 % till 5 %", 3.0, 5.0, "up"),
        ("Cut cost per order from $4.10 to $3.20", 4.10, 3.20, "down"),
        ("Signups up from 300 to 450 a month", 300.0, 450.0, "up"),
        ("Reduce onboarding time to 3 days (currently 14)", 14.0, 3.0, "down"),
        ("Page views reach 50k (current is 125k)", 125000.0, 50000.0, "down"),
        ("eNPS går från 5 till 25 till årets slut", 5.0, 25.0, "up"),
    ],
)
def test_from_to_pairs(text: str, baseline: float, target: float, direction: str) -> None:
    p = parse_kr(text)
    assert (p.baseline, p.target, p.direction) == (
        pytest.approx(baseline),
        pytest.approx(target),
        direction,
    )


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("Double the number of qualified leads", "×2"),
        ("Halvera ledtiden", "×0.5"),
        ("Fördubbla antalet prenumeranter", "×2"),
        ("Speed up complex text by a factor of 3", "×3"),
        ("Increase win rate by 10%", "+10 %"),
        ("Minska kundklagomål med 20%", "-20 %"),
    ],
)
def test_relative_changes_and_multipliers(text: str, change: str) -> None:
    assert parse_kr(text).change == change


@pytest.mark.parametrize(
    ("text", "lang", "kind"),
    [
        ("raise nps to 45 by q3", "en", "deadline"),
        ("senast 30 juni", "sv", "deadline"),
        ("visitors per month", "en", "rate"),
        ("budgetavvikelsen under året", "sv", "deadline"),
        ("revenue in h2", "en", "deadline"),
        ("profit in fy25", "en", "deadline"),
        ("answer within 2 hours", "en", "window"),
        ("uppringda inom 2 arbetsdagar", "sv", "window"),
        ("within 12 months", "en", "deadline"),
        ("inom de närmaste tre månaderna", "sv", "deadline"),
        ("twice as many as last year", "en", "reference"),
        ("before black friday", "en", "deadline"),
        ("till årsskiftet", "sv", "deadline"),
        ("100k site visitors/month", "en", "rate"),
    ],
)
def test_periods(text: str, lang: str, kind: str) -> None:
    assert [s.kind for s in find_periods(text, lang)] == [kind]


def test_versions_years_and_standards_are_not_targets() -> None:
    for text in (
        "Migrate the database to Postgres 17",
        "multistream 2.0 is implemented",
        "Get SOC 2 Type II certification",
        "Halvera olyckorna jämfört med 2025",
    ):
        assert analyse_kr(text).targets == [] or analyse_kr(text).multiplier, text


def test_placeholders_are_found() -> None:
    assert analyse_kr("Claims increase by X%").placeholder
    assert analyse_kr("minska reklamationerna med si eller så mycket", "sv").placeholder
    assert not analyse_kr("Få 12 nya kunder i segment X detta kvartal", "sv").placeholder


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Öka kundnöjdheten från 70 till 80", "sv"),
        ("Raise NPS from 30 to 40", "en"),
        ("Minska antalet driftstörningar", "sv"),
        ("VI SKA ÖKA KUNDNÖJDHETEN MED 20%", "sv"),
        ("Launch the new onboarding flow", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_clean_strips_markup_owners_and_tags() -> None:
    c = clean("- [ ] **KR1:** Raise [NPS](https://x.io/nps) to 45 <b>now</b> [p1] – Maria Berg")
    assert c.text == "Raise NPS to 45 now"
    assert c.owner == "Maria Berg"
    c = clean('Improve fingerprinting – <TeamMember name="Ana Ruiz" /> 🚀')
    assert (c.text, c.owner) == ("Improve fingerprinting", "Ana Ruiz")
    assert clean("@sara: Cut churn to 2%").owner == "sara"
    shouted = clean("FÖRKORTA TELEFONKÖN MED TIO MINUTER")
    assert shouted.shouted and shouted.text == "förkorta telefonkön med tio minuter"


def test_metric_extraction() -> None:
    assert parse_kr("Raise NPS from 32 to 45 by the end of Q2").metric == "NPS"
    assert parse_kr("Cut median first-response time from 9 h to 2 h").metric == (
        "median first-response time"
    )
    assert parse_kr("Win 15 new customers in the mid-market segment").metric == "new customers"
    assert parse_kr("App load time").metric == "App load time"
    assert parse_kr("Resolve 80% of tickets at first contact").metric == "share of tickets"


def test_progress_notes_are_not_targets() -> None:
    for text in (
        "Ship the new API (70%)",
        "Launch feature X [done]",
        "Improve docs. Status: at risk",
    ):
        assert analyse_kr(text).targets == [], text
    assert clean("Raise NPS from 30 to 40 – score 0.6").text == "Raise NPS from 30 to 40"
    assert clean("Reach 80% (from 60%)").text == "Reach 80% (from 60%)"


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        # a generic head is completed by the group it counts
        ("Increase the number of students completing Algebra I by the end of grade 9",
         "number of students completing Algebra I"),
        ("Öka andelen elever i åk 9 som är behöriga till yrkesprogram (utfall 2018: 84 %)",
         "andelen elever i åk 9 som är behöriga till yrkesprogram"),
        # a lead-in adverbial is not the metric
        ("By 2023, high school graduation rates will increase from 74% to 80%.",
         "high school graduation rates"),
        ("Under programperioden ska de geografiska växthusgasutsläppen minska med 25 %",
         "geografiska växthusgasutsläppen"),
        # the object, not the subject, when the subject raises "its" measure
        ("Våra säljare ökar sin kundnöjdhet med 20 %", "kundnöjdhet"),
        # Swedish hyphen coordination and "time to X" stay whole
        ("Minska sjuk- och frånvarodagarna med 10 %", "sjuk- och frånvarodagarna"),
        ("Reduce mean time to review", "mean time to review"),
        # an unknown word before a number is a verb, not the metric
        ("Handle 73,566 total calls for service", "total calls for service"),
    ],
)  # fmt: skip
def test_metric_is_the_measured_thing(text: str, metric: str) -> None:
    assert parse_kr(text).metric == metric


@pytest.mark.parametrize(
    "text",
    [
        "Increase the number by 10 %",  # a lone generic word is no metric
        "År 2020 har kommunen en fossilbränslefri fordonsflotta.",  # auxiliary-led clause
    ],
)
def test_no_metric_when_unsure(text: str) -> None:
    assert parse_kr(text).metric is None
