"""The bundled KPI catalog validates, and a broken catalog is reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import InputError
from coach.kpis import (
    Catalog,
    Indicator,
    KpiCategory,
    KpiDomain,
    default_catalog_path,
    load_catalog,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_catalog_is_large_and_covers_every_domain_and_category(catalog: Catalog) -> None:
    assert len(catalog) >= 300
    assert {k.domain for k in catalog.kpis} == set(KpiDomain)
    assert {k.category for k in catalog.kpis} == set(KpiCategory)
    assert {k.indicator for k in catalog.kpis} == set(Indicator)
    for domain in KpiDomain:
        assert len([k for k in catalog.kpis if k.domain is domain]) >= 10, domain


def test_ids_unique_and_every_link_resolves(catalog: Catalog) -> None:
    ids = [k.id for k in catalog.kpis]
    assert len(ids) == len(set(ids))
    for kpi in catalog.kpis:
        for ref in [*kpi.related, *kpi.counter_metrics]:
            assert ref in catalog and ref != kpi.id, (kpi.id, ref)


def test_both_languages_are_written_not_copied(catalog: Catalog) -> None:
    for kpi in catalog.kpis:
        for lang in ("en", "sv"):
            assert kpi.name.in_lang(lang).strip()
            assert kpi.definition.in_lang(lang).strip()
            assert kpi.synonyms.in_lang(lang)
        # A Swedish definition that equals the English one was never translated.
        assert kpi.definition.sv != kpi.definition.en, kpi.id


def test_well_known_kpis_are_present_with_sound_attributes(catalog: Catalog) -> None:
    expect = {
        "nps": ("higher_is_better", "customer"),
        "csat": ("higher_is_better", "customer"),
        "ces": ("higher_is_better", "customer"),
        "customer_churn_rate": ("lower_is_better", "customer"),
        "arr": ("higher_is_better", "financial"),
        "mrr": ("higher_is_better", "financial"),
        "cac": ("lower_is_better", "financial"),
        "ltv": ("higher_is_better", "financial"),
        "first_contact_resolution": ("higher_is_better", "customer"),
        "deployment_frequency": ("higher_is_better", "operational"),
        "lead_time_for_changes": ("lower_is_better", "operational"),
        "change_failure_rate": ("lower_is_better", "operational"),
        "time_to_restore": ("lower_is_better", "operational"),
        "enps": ("higher_is_better", "employee"),
        "employee_turnover_rate": ("lower_is_better", "employee"),
        "cycle_time": ("lower_is_better", "operational"),
        "budget_variance": ("target_range", "financial"),
    }
    for kpi_id, (direction, category) in expect.items():
        kpi = catalog.get(kpi_id)
        assert kpi is not None, kpi_id
        assert (kpi.direction.value, kpi.category.value) == (direction, category), kpi_id
    assert "promoter" in catalog.get("nps").definition.en.lower()
    assert catalog.get("missing_id") is None


def test_filter_by_category_or_domain(catalog: Catalog) -> None:
    people = catalog.filter("people")
    assert people and all(k.domain is KpiDomain.people for k in people)
    employee = catalog.filter("Employee")
    assert employee and all(k.category is KpiCategory.employee for k in employee)
    assert len(catalog.filter(None)) == len(catalog)


def test_load_is_cached_and_digest_is_the_file_hash(catalog: Catalog) -> None:
    import hashlib

    assert load_catalog() is catalog
    assert catalog.digest == hashlib.sha256(default_catalog_path().read_bytes()).hexdigest()


# ------------------------------------------------------------------------ broken catalogs

ENTRY = """\
- id: {id}
  name: {{en: Thing, sv: Sak}}
  synonyms: {{en: [thing], sv: [sak]}}
  definition: {{en: A thing., sv: En sak.}}
  formula: count
  unit: count
  direction: {direction}
  indicator: leading
  category: customer
  domain: sales
  data_source: CRM
  cadence: weekly
  related: [{related}]
  counter_metrics: []
"""


def _write(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text("schema_version: 1\nkpis:\n" + "".join(entries), encoding="utf-8")
    return path


def test_small_valid_catalog_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        ENTRY.format(id="a", direction="higher_is_better", related="b"),
        ENTRY.format(id="b", direction="lower_is_better", related=""),
    )
    cat = load_catalog(path)
    assert [k.id for k in cat.kpis] == ["a", "b"]
    assert cat.get("a").related == ["b"]


def test_bad_direction_names_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        ENTRY.format(id="a", direction="higher_is_better", related=""),
        ENTRY.format(id="b", direction="upwards", related=""),
    )
    with pytest.raises(InputError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert str(path) in msg and "direction" in msg and "(b)" in msg
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[err.value.line - 1].strip() == "direction: upwards"


def test_unknown_related_id_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(id="a", direction="higher_is_better", related="nope"))
    with pytest.raises(InputError, match="unknown id 'nope'"):
        load_catalog(path)


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        ENTRY.format(id="a", direction="higher_is_better", related=""),
        ENTRY.format(id="a", direction="higher_is_better", related=""),
    )
    with pytest.raises(InputError, match="duplicate KPI id 'a'"):
        load_catalog(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text("kpis:\n- id: a\n  name: {en: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_catalog(path)
    assert str(path) in str(err.value) and err.value.line is not None


def test_unknown_field_is_an_error(tmp_path: Path) -> None:
    entry = ENTRY.format(id="a", direction="higher_is_better", related="") + "  colour: red\n"
    with pytest.raises(InputError, match="colour"):
        load_catalog(_write(tmp_path, entry))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the KPI catalog"):
        load_catalog(tmp_path / "absent.yaml")
