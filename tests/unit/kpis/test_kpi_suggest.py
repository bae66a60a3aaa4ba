"""KPI suggestions with the real wordllama embedder: roles, reasons, team KPIs, vector cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coach.config import load_settings
from coach.kpis import (
    Indicator,
    Role,
    catalog_vectors,
    clear_vector_memory,
    is_activity_kr,
    kr_change,
    load_catalog,
    rank_kpis,
    suggest_kpis,
    vector_cache_dir,
)
from coach.models import KpiRef

LABELS = Path(__file__).parents[2] / "fixtures" / "kpi_labels.jsonl"


def _ids(suggestions) -> list[str]:
    return [s.kpi_id for s in suggestions]


def test_kr_whose_metric_is_a_kpi_gets_it_first_and_its_leading_drivers() -> None:
    out = suggest_kpis("Raise NPS from 32 to 45 by end of Q2", lang="en")
    assert 3 <= len(out) <= 5
    assert out[0].kpi_id == "nps" and out[0].role is Role.lagging
    assert "metric is this KPI itself" in out[0].reason
    drivers = [s for s in out if "drives" in s.reason]
    assert drivers and all(s.indicator is Indicator.leading for s in drivers)
    nps = load_catalog().get("nps")
    assert {s.kpi_id for s in drivers} <= set(nps.related)


def test_every_list_has_a_leading_and_a_lagging_indicator() -> None:
    for text in (
        "Cut average response time to customer emails by 30%",
        "Minska personalomsättningen från 18 % till 12 %",
        "Deploy to production daily instead of every two weeks",
    ):
        out = suggest_kpis(text, k=5)
        roles = {s.role for s in out}
        assert Role.leading in roles and Role.lagging in roles, (text, _ids(out))


def test_growth_kr_gets_a_counter_metric_from_the_catalog() -> None:
    out = suggest_kpis("Grow ARR from 4.2 MSEK to 6 MSEK", lang="en")
    counters = [s for s in out if s.role is Role.counter]
    assert len(counters) == 1
    linked = {c for s in out if (k := load_catalog().get(s.kpi_id)) for c in k.counter_metrics}
    assert counters[0].kpi_id in linked
    assert "Counter-metric" in counters[0].reason


def test_reduction_kr_gets_no_counter_metric() -> None:
    out = suggest_kpis("Reduce monthly customer churn from 3.1% to 2%", lang="en")
    assert out[0].kpi_id == "customer_churn_rate"
    assert all(s.role is not Role.counter for s in out)


def test_activity_kr_is_pointed_at_the_outcomes_it_should_move() -> None:
    out = suggest_kpis("Ringa 100 kalla samtal i veckan", lang="sv")
    assert out[0].kpi_id == "outbound_activities"
    outcomes = [s for s in out if s.role is Role.lagging]
    assert "new_customers" in _ids(outcomes)
    assert all("aktivitet" in s.reason for s in outcomes[:1])


def test_names_and_reasons_follow_the_requested_language() -> None:
    sv = suggest_kpis("Raise NPS from 32 to 45", lang="sv")
    en = suggest_kpis("Raise NPS from 32 to 45", lang="en")
    assert _ids(sv) == _ids(en)
    cat = load_catalog()
    assert [s.name for s in sv] == [cat.get(i).name.sv for i in _ids(sv)]
    assert sv[0].reason != en[0].reason
    # Without a language, the KR's own language is used.
    auto = suggest_kpis("Minska kundbortfallet från 3,1 % till 2 %")
    assert auto[0].name == cat.get(auto[0].kpi_id).name.sv


def test_k_limits_the_list_and_scores_are_in_range() -> None:
    out = suggest_kpis("Increase unique website visitors by 30% this year", k=3)
    assert len(out) == 3
    assert all(0.0 <= s.score <= 1.0 for s in out)
    assert suggest_kpis("   ") == []


def test_activity_and_change_detection() -> None:
    assert is_activity_kr("Launch the new chatbot on the help centre")
    assert is_activity_kr("Publicera 10 blogginlägg")
    assert not is_activity_kr("Deliver 95% of orders on time and in full")
    assert not is_activity_kr("Increase NPS from 30 to 40")
    assert kr_change("Öka NPS från 32 till 45") == "up"
    assert kr_change("DSO from 52 to 40 days") == "down"
    assert kr_change("Halvera ärendekön") == "down"
    assert kr_change("Customer satisfaction above 85%") is None


def test_team_kpis_rank_beside_catalog_kpis() -> None:
    team = [
        KpiRef(id="demo_requests_web", name="Demo requests from the website form"),
        KpiRef(id="nps", name="NPS (already in the catalog: ignored as a team KPI)"),
    ]
    out = suggest_kpis("Double the demo requests from the website form", lang="en", team_kpis=team)
    assert out[0].kpi_id == "demo_requests_web" and out[0].source == "team"
    assert sum(s.kpi_id == "nps" for s in out) <= 1
    ranked = rank_kpis("Double demo requests", team_kpis=team)
    assert any(c.key == "demo_requests_web" for c in ranked[:3])


def test_keyword_only_ranking_works_without_embeddings() -> None:
    ranked = rank_kpis("first contact resolution", use_embeddings=False)
    assert ranked[0].key == "first_contact_resolution"


def test_vectors_are_cached_on_disk_per_catalog_and_embedder(tmp_path: Path, monkeypatch) -> None:
    from coach import embeddings

    ws = tmp_path / "ws"
    ws.mkdir()
    settings = load_settings(ws, env={})
    catalog = load_catalog()
    real = embeddings.get_embedder(settings)
    calls: list[int] = []

    class Counting:
        name = real.name
        dim = real.dim

        def embed(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return real.embed(texts)

    clear_vector_memory()
    first = catalog_vectors(catalog, Counting(), vector_cache_dir(settings))
    files = list((ws / "cache" / "kpis").glob("kpi-vectors-*.npy"))
    assert len(files) == 1 and catalog.digest[:16] in files[0].name
    assert calls == [len(catalog) * 4]

    clear_vector_memory()
    again = catalog_vectors(catalog, Counting(), vector_cache_dir(settings))
    assert calls == [len(catalog) * 4]  # read from disk, nothing re-embedded
    assert np.array_equal(first, again)

    # A damaged cache file is recomputed instead of failing.
    files[0].write_bytes(b"not a numpy file")
    clear_vector_memory()
    catalog_vectors(catalog, Counting(), vector_cache_dir(settings))
    assert len(calls) == 2
    clear_vector_memory()


def test_cache_dir_without_settings_is_the_user_cache(tmp_path: Path) -> None:
    assert "okr-coach" in str(vector_cache_dir(None))
    # A workspace path that does not exist yet is not created just to hold a cache.
    missing = load_settings(tmp_path / "nowhere", env={})
    assert vector_cache_dir(missing) == vector_cache_dir(None)


@pytest.mark.parametrize("subset", ["plain", "paraphrase"])
def test_labelled_set_quality_does_not_regress(subset: str) -> None:
    """A floor under the benchmark (bench/bench_kpis.py reports the full numbers)."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["set"] == subset]
    hits = sum(
        any(i in set(r["ids"]) for i in _ids(suggest_kpis(r["text"], k=5))[:3]) for r in rows
    )
    floor = {"plain": 0.9, "paraphrase": 0.7}[subset]
    assert hits / len(rows) >= floor, f"hit@3 {hits}/{len(rows)}"


def test_labelled_set_is_large_bilingual_and_uses_real_ids() -> None:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 60
    assert {r["lang"] for r in rows} == {"en", "sv"}
    assert min(sum(r["lang"] == lang for r in rows) for lang in ("en", "sv")) >= 30
    catalog = load_catalog()
    for r in rows:
        assert r["ids"] and all(i in catalog for i in r["ids"]), r


def test_broken_embedder_falls_back_to_keywords(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, flags={"embedding.backend": "no-such-backend"}, env={})
    out = suggest_kpis("Raise NPS from 32 to 45", lang="en", settings=settings)
    assert out[0].kpi_id == "nps"
    assert not (tmp_path / "cache").exists()  # nothing was embedded or cached
