"""``okr-coach kpis``: KPI suggestions for a KR or an OKR file, the catalog, and team KPIs."""

from __future__ import annotations

import argparse
import difflib
from typing import TYPE_CHECKING, Any

from coach.cli.context import CliContext
from coach.errors import InputError

if TYPE_CHECKING:
    from coach.kpis import Catalog, Kpi, KpiMatch, KpiSuggestion, TeamKpi

_LABELS = {
    "en": {
        "role": {"leading": "leading", "lagging": "lagging", "counter": "counter"},
        "none": "no KPI suggestions (empty text)",
        "level": {"strong": "strong", "partial": "partial", "linked": "linked", "counter": "guard"},
        "no_match": 'no close match in the catalog for "{measured}" (best match {best:.2f}, '
        "needs {floor:.2f})",
        "record_hint": "if your team measures it, record it once and it is suggested next time: "
        'okr-coach kpis --record "KPI name" --for "{text}"',
        "recorded": "recorded team KPI {id} ({name}) in {path}",
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
        "level": {"strong": "stark", "partial": "delvis", "linked": "kopplad", "counter": "skydd"},
        "no_match": 'inget nyckeltal i katalogen ligger nära "{measured}" (bästa matchning '
        "{best:.2f}, kräver {floor:.2f})",
        "record_hint": "mäter ert team det, registrera det en gång så föreslås det nästa gång: "
        'okr-coach kpis --record "Nyckeltalets namn" --for "{text}"',
        "recorded": "registrerade teamets nyckeltal {id} ({name}) i {path}",
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
    "societal": "samhälle",
    "education": "utbildning",
    "public_services": "kommunal service",
    "care": "vård och omsorg",
    "climate": "klimat och energi",
    "nonprofit": "ideell sektor",
    "community": "öppen källkod och community",
    "content": "innehåll och läsare",
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
        description="Suggest KPIs for a KR text or every KR in an OKR file: the KPI that "
        "measures the KR, its leading drivers and a counter-metric for growth KRs, each with "
        "its match strength; or 'no close match' when the catalog has none. Browse the catalog, "
        "or record the team's own KPI so it is suggested next time.",
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
        help="with --list: a category (financial, operational, customer, employee, societal) or "
        "a domain (finance, sales, marketing, support, product, engineering, people, project, "
        "education, public_services, care, climate, nonprofit, community, content)",
    )
    p.add_argument(
        "--record",
        metavar="NAME",
        help="record a team KPI the catalog lacks (in <workspace>/team-kpis.yaml)",
    )
    p.add_argument(
        "--id", dest="kpi_id", metavar="ID", help="with --record: its id (default: from the name)"
    )
    p.add_argument("--unit", metavar="UNIT", help="with --record: its unit")
    p.add_argument(
        "--for",
        dest="for_kr",
        metavar="KR",
        help="with --record: a KR it measures; the KR's measured words become another name for it",
    )
    p.add_argument("--show", metavar="ID", help="show one catalog KPI in full")
    p.add_argument(
        "--no-team", action="store_true", help="ignore KPIs defined in the workspace's cycle files"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_kpis)


def cmd_kpis(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.kpis import load_catalog

    modes = [bool(args.text), bool(args.file), args.list, bool(args.show), bool(args.record)]
    if sum(modes) != 1:
        raise InputError(
            "give exactly one of: a KR text, --file PATH, --list, --show ID or --record NAME"
        )
    if args.category and not args.list:
        raise InputError("--category works with --list")
    if (args.kpi_id or args.unit or args.for_kr) and not args.record:
        raise InputError("--id, --unit and --for work with --record")
    if not 1 <= args.k <= 10:
        raise InputError(f"-k must be between 1 and 10 (got {args.k})")
    catalog = load_catalog()
    if args.list:
        return _list(args, ctx, catalog)
    if args.show:
        return _show(args, ctx, catalog)
    if args.record:
        return _record(args, ctx)
    if args.file:
        return _for_file(args, ctx)
    return _for_text(args, ctx)


# ---------------------------------------------------------------------------- suggestions


def _team_kpis(args: argparse.Namespace, ctx: CliContext) -> list[TeamKpi]:
    if args.no_team:
        return []
    from coach.kpis import team_kpis_from_workspace

    root = ctx.settings.workspace
    return team_kpis_from_workspace(root) if root.is_dir() else []


def _suggestion_json(s: KpiSuggestion) -> dict[str, Any]:
    return s.model_dump(mode="json")


def _match_json(m: KpiMatch) -> dict[str, Any]:
    return {
        "measured": m.measured,
        "no_match": m.no_match,
        "best_match": m.best_match,
        "suggestions": [_suggestion_json(s) for s in m.suggestions],
    }


def _for_text(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.kpis import match_kr
    from coach.parse import detect_language

    text_lang = detect_language(args.text)
    lang = ctx.lang(text_lang)
    match = match_kr(args.text, lang, args.k, ctx.settings, _team_kpis(args, ctx))
    if args.format == "json":
        ctx.out_json({"text": args.text, "language": text_lang, **_match_json(match)})
        return 0
    if not args.text.strip():
        ctx.out(_LABELS[lang]["none"])
        return 0
    _print_match(ctx, match, args.text, lang, indent="")
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
                        **_match_json(match),
                    }
                    for oi, ki, kr, match in results
                ],
            }
        )
        return 0
    labels = _LABELS[lang]
    current = None
    for oi, ki, kr, match in results:
        if oi != current:
            current = oi
            ctx.out(f"{oi + 1}. {cycle.objectives[oi].title}")
        ref = f" [{kr.id}]" if kr.id else ""
        ctx.out(f"  {labels['kr']} {oi + 1}.{ki + 1}{ref}: {kr.text}")
        _print_match(ctx, match, kr.text, lang, indent="    ", attached=set(kr.kpis))
    return 0


def _print_match(
    ctx: CliContext,
    match: KpiMatch,
    text: str,
    lang: str,
    indent: str,
    attached: set[str] | None = None,
) -> None:
    from coach.kpis import MATCH_FLOOR

    labels = _LABELS[lang]
    if match.no_match:
        measured = match.measured or text
        ctx.out(
            indent
            + labels["no_match"].format(measured=measured, best=match.best_match, floor=MATCH_FLOOR)
        )
        ctx.out(indent + labels["record_hint"].format(text=text.replace('"', "'")))
        return
    sugg = match.suggestions
    width = max((len(s.name) for s in sugg), default=0)
    for n, s in enumerate(sugg, 1):
        role = labels["role"][s.role.value]
        level = labels["level"][s.match_level.value]
        strength = f" {s.match:.2f}" if s.match_level.value in ("strong", "partial") else ""
        mark = f"  ({labels['attached']})" if attached and s.kpi_id in attached else ""
        ctx.out(
            f"{indent}{n}. {s.name:<{width}}  {role:<9} {s.kpi_id}  " f"[{level}{strength}]{mark}"
        )
        ctx.out(f"{indent}   {s.reason}")


def _record(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.kpis import read_kr, record_team_kpi, team_file

    root = ctx.settings.workspace
    if not root.is_dir():
        raise InputError(f"no workspace at {root}; create one with: okr-coach init {root}")
    also = []
    if args.for_kr:
        reading = read_kr(args.for_kr)
        also.append(reading.measured or args.for_kr)
    kpi = record_team_kpi(root, args.record, args.kpi_id, args.unit, also)
    lang = ctx.lang()
    if args.format == "json":
        ctx.out_json({"recorded": kpi.model_dump(mode="json"), "path": str(team_file(root))})
        return 0
    ctx.out(_LABELS[lang]["recorded"].format(id=kpi.id, name=kpi.name, path=team_file(root)))
    return 0


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
