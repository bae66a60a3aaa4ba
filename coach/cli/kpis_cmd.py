"""``okr-coach kpis``: KPI suggestions for a KR, an OKR file, and a browsable catalog."""

from __future__ import annotations

import argparse
import difflib
from typing import TYPE_CHECKING, Any

from coach.cli.context import CliContext
from coach.errors import InputError

if TYPE_CHECKING:
    from coach.kpis import Catalog, Kpi, KpiSuggestion
    from coach.models import KpiRef

_LABELS = {
    "en": {
        "role": {"leading": "leading", "lagging": "lagging", "counter": "counter"},
        "none": "no KPI suggestions (empty text)",
        "kr": "KR",
        "definition": "Definition",
        "formula": "Formula",
        "unit": "Unit",
        "direction": "Direction",
        "indicator": "Indicator",
        "category": "Category / domain",
        "source": "Data source",
        "cadence": "Cadence",
        "synonyms": "Also called",
        "related": "Related",
        "counter": "Counter-metrics",
        "attached": "already attached",
        "count": "{n} KPIs",
    },
    "sv": {
        "role": {"leading": "ledande", "lagging": "släpande", "counter": "motmått"},
        "none": "inga nyckeltalsförslag (tom text)",
        "kr": "KR",
        "definition": "Definition",
        "formula": "Formel",
        "unit": "Enhet",
        "direction": "Riktning",
        "indicator": "Indikator",
        "category": "Kategori / område",
        "source": "Datakälla",
        "cadence": "Mätfrekvens",
        "synonyms": "Även kallat",
        "related": "Relaterade",
        "counter": "Motmått",
        "attached": "redan kopplat",
        "count": "{n} nyckeltal",
    },
}


_SV_WORDS = {
    "higher_is_better": "högre är bättre",
    "lower_is_better": "lägre är bättre",
    "target_range": "inom ett målintervall",
    "financial": "finansiell",
    "operational": "operativ",
    "customer": "kund",
    "employee": "medarbetare",
    "finance": "ekonomi",
    "sales": "försäljning",
    "marketing": "marknadsföring",
    "support": "kundtjänst",
    "product": "produkt",
    "engineering": "utveckling och drift",
    "people": "personal",
    "project": "projekt",
    "daily": "dagligen",
    "weekly": "varje vecka",
    "monthly": "varje månad",
    "quarterly": "varje kvartal",
    "yearly": "varje år",
    "sprint": "varje sprint",
    "build": "varje bygge",
}


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]
    p = sub.add_parser(
        "kpis",
        parents=common,
        help="suggest KPIs for a key result or an OKR file; browse the KPI catalog",
        description="Suggest 3-5 KPIs (leading, lagging and a counter-metric for growth KRs) "
        "for a KR text or every KR in an OKR file, or browse the bundled catalog.",
    )
    p.add_argument("text", nargs="?", help="KR or objective text to suggest KPIs for")
    p.add_argument("--file", metavar="PATH", help="OKR file: suggest KPIs for every KR in it")
    p.add_argument(
        "-k", type=int, default=5, metavar="N", help="suggestions per KR (1-10, default 5)"
    )
    p.add_argument("--list", action="store_true", help="list the catalog")
    p.add_argument(
        "--category",
        metavar="NAME",
        help="with --list: a category (financial, operational, customer, employee) or a domain "
        "(finance, sales, marketing, support, product, engineering, people, project)",
    )
    p.add_argument("--show", metavar="ID", help="show one catalog KPI in full")
    p.add_argument(
        "--no-team", action="store_true", help="ignore KPIs defined in the workspace's cycle files"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_kpis)


def cmd_kpis(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.kpis import load_catalog

    modes = [bool(args.text), bool(args.file), args.list, bool(args.show)]
    if sum(modes) != 1:
        raise InputError("give exactly one of: a KR text, --file PATH, --list or --show ID")
    if args.category and not args.list:
        raise InputError("--category works with --list")
    if not 1 <= args.k <= 10:
        raise InputError(f"-k must be between 1 and 10 (got {args.k})")
    catalog = load_catalog()
    if args.list:
        return _list(args, ctx, catalog)
    if args.show:
        return _show(args, ctx, catalog)
    if args.file:
        return _for_file(args, ctx)
    return _for_text(args, ctx)


# ---------------------------------------------------------------------------- suggestions


def _team_kpis(args: argparse.Namespace, ctx: CliContext) -> list[KpiRef]:
    if args.no_team:
        return []
    from coach.kpis import team_kpis_from_workspace

    root = ctx.settings.workspace
    return team_kpis_from_workspace(root) if root.is_dir() else []


def _suggestion_json(s: KpiSuggestion) -> dict[str, Any]:
    return s.model_dump(mode="json")


def _for_text(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.kpis import suggest_kpis
    from coach.parse import detect_language

    text_lang = detect_language(args.text)
    lang = ctx.lang(text_lang)
    sugg = suggest_kpis(args.text, lang, args.k, ctx.settings, _team_kpis(args, ctx))
    if args.format == "json":
        ctx.out_json(
            {
                "text": args.text,
                "language": text_lang,
                "suggestions": [_suggestion_json(s) for s in sugg],
            }
        )
        return 0
    if not sugg:
        ctx.out(_LABELS[lang]["none"])
        return 0
    _print_suggestions(ctx, sugg, lang, indent="")
    return 0


def _for_file(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.files import read_okr_file
    from coach.kpis import suggest_for_cycle

    loaded = read_okr_file(args.file)
    for note in loaded.notes:
        ctx.err(f"note: {note}")
    cycle = loaded.cycle
    file_lang = cycle.language.value if cycle.language.value in ("en", "sv") else None
    lang = ctx.lang(file_lang)
    results = suggest_for_cycle(cycle, lang, args.k, ctx.settings, _team_kpis(args, ctx))
    if args.format == "json":
        ctx.out_json(
            {
                "path": str(args.file),
                "krs": [
                    {
                        "objective_index": oi,
                        "kr_index": ki,
                        "kr_id": kr.id,
                        "text": kr.text,
                        "attached": kr.kpis,
                        "suggestions": [_suggestion_json(s) for s in sugg],
                    }
                    for oi, ki, kr, sugg in results
                ],
            }
        )
        return 0
    labels = _LABELS[lang]
    current = None
    for oi, ki, kr, sugg in results:
        if oi != current:
            current = oi
            ctx.out(f"{oi + 1}. {cycle.objectives[oi].title}")
        ref = f" [{kr.id}]" if kr.id else ""
        ctx.out(f"  {labels['kr']} {oi + 1}.{ki + 1}{ref}: {kr.text}")
        _print_suggestions(ctx, sugg, lang, indent="    ", attached=set(kr.kpis))
    return 0


def _print_suggestions(
    ctx: CliContext,
    sugg: list[KpiSuggestion],
    lang: str,
    indent: str,
    attached: set[str] | None = None,
) -> None:
    labels = _LABELS[lang]
    width = max((len(s.name) for s in sugg), default=0)
    for n, s in enumerate(sugg, 1):
        role = labels["role"][s.role.value]
        mark = f"  ({labels['attached']})" if attached and s.kpi_id in attached else ""
        ctx.out(f"{indent}{n}. {s.name:<{width}}  {role:<9} {s.kpi_id}{mark}")
        ctx.out(f"{indent}   {s.reason}")


# -------------------------------------------------------------------------------- catalog


def _list(args: argparse.Namespace, ctx: CliContext, catalog: Catalog) -> int:
    from coach.kpis import GROUP_NAMES

    if args.category and args.category.lower() not in GROUP_NAMES:
        raise InputError(f"unknown category {args.category!r}; use one of {', '.join(GROUP_NAMES)}")
    lang = ctx.lang()
    kpis = catalog.filter(args.category)
    if args.format == "json":
        ctx.out_json([k.model_dump(mode="json") for k in kpis])
        return 0
    width = max((len(k.id) for k in kpis), default=0)
    for k in kpis:
        ctx.out(
            f"{k.id:<{width}}  {k.indicator.value:<7}  {k.category.value:<11} "
            f"{k.domain.value:<11}  {k.name.in_lang(lang)}"
        )
    ctx.out(_LABELS[lang]["count"].format(n=len(kpis)))
    return 0


def _show(args: argparse.Namespace, ctx: CliContext, catalog: Catalog) -> int:
    kpi = catalog.get(args.show)
    if kpi is None:
        close = difflib.get_close_matches(args.show, [k.id for k in catalog.kpis], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see okr-coach kpis --list"
        raise InputError(f"no KPI with id {args.show!r} in the catalog{hint}")
    if args.format == "json":
        ctx.out_json(kpi.model_dump(mode="json"))
        return 0
    _print_kpi(ctx, kpi, catalog, ctx.lang())
    return 0


def _print_kpi(ctx: CliContext, kpi: Kpi, catalog: Catalog, lang: str) -> None:
    labels = _LABELS[lang]

    def names(ids: list[str]) -> str:
        return (
            ", ".join(f"{catalog.get(i).name.in_lang(lang)} ({i})" for i in ids if catalog.get(i))
            or "-"
        )

    def word(value: str) -> str:  # the catalog's enum words, in the reader's language
        return (
            _SV_WORDS.get(value, value.replace("_", " "))
            if lang == "sv"
            else value.replace("_", " ")
        )

    ctx.out(f"{kpi.name.in_lang(lang)}  [{kpi.id}]")
    rows = [
        (labels["definition"], kpi.definition.in_lang(lang)),
        (labels["formula"], kpi.formula),
        (labels["unit"], kpi.unit),
        (labels["direction"], word(kpi.direction.value)),
        (labels["indicator"], labels["role"][kpi.indicator.value]),
        (labels["category"], f"{word(kpi.category.value)} / {word(kpi.domain.value)}"),
        (labels["source"], kpi.data_source),
        (labels["cadence"], word(kpi.cadence)),
        (labels["synonyms"], ", ".join(kpi.synonyms.in_lang(lang))),
        (labels["related"], names(kpi.related)),
        (labels["counter"], names(kpi.counter_metrics)),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        ctx.out(f"  {label:<{width}}  {value}")
