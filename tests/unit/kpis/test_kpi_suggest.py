"""KPI matching on the KR's measured thing: strength, floor, specific reasons, team KPIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.errors import InputError
from coach.kpis import (
    MATCH_FLOOR,
    Indicator,
    MatchLevel,
    Role,
    load_catalog,
    load_team_file,
    match_kr,
    rank_kpis,
    read_kr,
    record_team_kpi,
    suggest_kpis,
    team_kpis_from_workspace,
)
from coach.models import KpiRef

LABELS = Path(__file__).parents[2] / "fixtures" / "kpi_labels.jsonl"
REAL = Path(__file__).parents[3] / "bench" / "kpi_real" / "krs.jsonl"


def _ids(suggestions) -> list[str]:
    return [s.kpi_id for s in suggestions]


def test_kr_whose_metric_is_a_kpi_gets_it_first_with_its_leading_drivers() -> None:
    m = match_kr("Raise NPS from 32 to 45 by end of Q2", lang="en")
    assert not m.no_match and m.measured == "NPS"
    first = m.suggestions[0]
    assert first.kpi_id == "nps" and first.role is Role.lagging
    assert first.match_level is MatchLevel.strong and first.match == pytest.approx(1.0)
    drivers = [s for s in m.suggestions if s.match_level is MatchLevel.linked]
    nps = load_catalog().get("nps")
    assert drivers and all(s.indicator is Indicator.leading for s in drivers)
    assert {s.kpi_id for s in drivers} <= set(nps.related) | {
        k.id for k in load_catalog().kpis if "nps" in k.related
    }


def test_reasons_name_the_krs_measured_thing_and_why_this_kpi() -> None:
    m = match_kr("Minska handläggningstiden för bygglov från 8 till 5 veckor", lang="sv")
    first = m.suggestions[0]
    assert first.kpi_id == "case_processing_time"
    assert f'"{m.measured}"' in first.reason and first.name in first.reason
    assert "Handläggningstid" in first.reason
    for s in m.suggestions:
        assert "Close in meaning" not in s.reason and "Ligger nära" not in s.reason
    driver = next(s for s in m.suggestions if s.match_level is MatchLevel.linked)
    assert first.name in driver.reason  # "Leading indicator for <the matched KPI>: …"


def test_growth_kr_gets_a_counter_metric_that_says_what_it_guards() -> None:
    out = suggest_kpis("Grow ARR from 4.2 MSEK to 6 MSEK", lang="en")
    counters = [s for s in out if s.role is Role.counter]
    assert len(counters) == 1 and counters[0].match_level is MatchLevel.counter
    assert counters[0].kpi_id in load_catalog().get("arr").counter_metrics
    assert '"ARR" up' in counters[0].reason


def test_reduction_kr_gets_no_counter_metric() -> None:
    out = suggest_kpis("Reduce monthly customer churn from 3.1% to 2%", lang="en")
    assert out[0].kpi_id == "customer_churn_rate"
    assert all(s.role is not Role.counter for s in out)


@pytest.mark.parametrize(
    ("text", "lang", "never"),
    [
        ("Handle 95% of incoming tickets within 4 hours", "en", {"average_handle_time"}),
        ("Keep the help centre open on weekends", "en", {"email_open_rate"}),
        ("Öka andelen som cyklar till jobbet", "sv", {"sales_cycle_length"}),
        ("Get the new billing service deployed in all regions", "en", {"deployment_frequency"}),
        ("Öka andelen nöjda brukare i hemtjänsten", "sv", {"tech_debt_ratio"}),
        ("Öka måluppfyllelsen i grundskolan", "sv", {"quota_attainment"}),
        ("Reduce pod restarts from 40 to 5 per week", "en",
         {"latency_p95", "discount_rate", "gross_margin"}),
    ],
)  # fmt: skip
def test_single_words_of_the_text_do_not_pull_in_unrelated_kpis(text, lang, never) -> None:
    assert not set(_ids(suggest_kpis(text, lang=lang))) & never


def test_hyphenated_and_compound_words_match_their_parts() -> None:
    assert _ids(suggest_kpis("Reduce time-to-value from 7 days to 2 days"))[0] == "time_to_value"
    sv = suggest_kpis("Hålla insamlings- och förvaltningskostnaderna under 25 %", lang="sv")
    assert _ids(sv)[0] == "fundraising_cost_ratio"


def test_cost_kr_gets_a_cost_kpi_not_revenue() -> None:
    out = suggest_kpis("Cut delivery cost as a share of revenue from 18% to 12%", lang="en")
    assert out[0].kpi_id == "cost_to_income_ratio"
    assert "revenue_growth_rate" not in _ids(out)


def test_uncovered_domain_gets_no_close_match_not_a_wrong_kpi() -> None:
    for text in (
        "Reduce the violent crime rate per 100k by 5% year over year",
        "Reach a farebox recovery ratio of 25%",
        "Reduce pod restarts from 40 to 5 per week",
    ):
        m = match_kr(text, lang="en")
        assert m.no_match and m.suggestions == [], (text, _ids(m.suggestions))
        assert m.best_match < MATCH_FLOOR
    assert suggest_kpis("Reach a farebox recovery ratio of 25%") == []


def test_recorded_team_kpi_is_suggested_next_time(workspace: Path) -> None:
    kr = "Reduce pod restarts from 40 to 5 per week"
    assert match_kr(kr, team_kpis=team_kpis_from_workspace(workspace)).no_match
    reading = read_kr(kr)
    kpi = record_team_kpi(workspace, "Pod restarts per week", also_called=[reading.measured])
    assert kpi.id == "pod_restarts_per_week"
    assert "Team KPIs" in (workspace / "team-kpis.yaml").read_text(encoding="utf-8")
    m = match_kr("Halve pod restarts in the payments cluster",
                 team_kpis=team_kpis_from_workspace(workspace))  # fmt: skip
    assert not m.no_match
    assert m.suggestions[0].kpi_id == "pod_restarts_per_week"
    assert m.suggestions[0].source == "team" and "Pod restarts per week" in m.suggestions[0].reason
    # Recording again extends the same KPI instead of adding a second one.
    record_team_kpi(workspace, "Pod restarts per week", also_called=["container restarts"])
    (only,) = load_team_file(workspace)
    assert only.also_called == ["pod restarts", "container restarts"]


def test_recording_refuses_a_catalog_id_and_a_bad_team_file_is_named(workspace: Path) -> None:
    with pytest.raises(InputError, match="already a catalog KPI"):
        record_team_kpi(workspace, "NPS", kpi_id="nps")
    bad = workspace / "team-kpis.yaml"
    bad.write_text("kpis:\n  - {id: x}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_team_file(workspace)
    assert str(bad) in str(e.value) and "name" in str(e.value)


def test_team_kpis_from_cycle_files_rank_beside_catalog_kpis() -> None:
    team = [
        KpiRef(id="demo_requests_web", name="Demo requests from the website form"),
        KpiRef(id="nps", name="NPS (already in the catalog: ignored as a team KPI)"),
    ]
    out = suggest_kpis("Double the demo requests from the website form", lang="en", team_kpis=team)
    assert out[0].kpi_id == "demo_requests_web" and out[0].source == "team"
    assert sum(s.kpi_id == "nps" for s in out) <= 1
    assert "demo_requests_web" in [
        c.key for c in rank_kpis("Double demo requests", team_kpis=team)[:3]
    ]


def test_names_and_reasons_follow_the_requested_language() -> None:
    sv = suggest_kpis("Raise NPS from 32 to 45", lang="sv")
    en = suggest_kpis("Raise NPS from 32 to 45", lang="en")
    assert _ids(sv) == _ids(en)
    cat = load_catalog()
    assert [s.name for s in sv] == [cat.get(i).name.sv for i in _ids(sv)]
    assert sv[0].reason != en[0].reason
    auto = suggest_kpis("Minska kundbortfallet från 3,1 % till 2 %")
    assert auto[0].name == cat.get(auto[0].kpi_id).name.sv


def test_k_limits_the_list_and_scores_are_in_range() -> None:
    out = suggest_kpis("Raise NPS from 32 to 45", k=1)
    assert _ids(out) == ["nps"]
    out = suggest_kpis("Grow ARR from 4.2 MSEK to 6 MSEK", k=5)
    assert all(0.0 <= s.score <= 1.0 and 0.0 <= s.match <= 1.0 for s in out)
    assert suggest_kpis("   ") == [] and match_kr("").no_match


def test_a_cycle_files_metric_field_is_the_measured_thing() -> None:
    m = match_kr("Make our help centre something customers love", metric="CSAT")
    assert m.measured == "CSAT" and m.suggestions[0].kpi_id == "csat"


def test_real_benchmark_is_labelled_bilingual_split_by_source_and_uses_real_ids() -> None:
    rows = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    assert min(sum(r["lang"] == lang for r in rows) for lang in ("en", "sv")) >= 40
    assert sum(not r["covered"] for r in rows) >= 20
    catalog = load_catalog()
    split_of: dict[str, str] = {}
    for r in rows:
        assert r["source"].startswith("http"), r["id"]
        assert split_of.setdefault(r["source"], r["split"]) == r["split"], r["source"]
        assert all(i in catalog for i in r["relevant"]), r["id"]
        assert bool(r["relevant"]) == r["covered"], r["id"]
        assert "RESERVED" not in r["source"]


def test_author_labelled_set_uses_real_ids() -> None:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    catalog = load_catalog()
    assert all(r["ids"] and all(i in catalog for i in r["ids"]) for r in rows)
