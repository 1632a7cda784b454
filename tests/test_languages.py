"""Pages in a second language (SPEC 10): /es/ twins of every page, hreflang and a switcher,
links that stay in the language, texts that fall back to English marked as such, Spanish
dates and numbers, one search index per language, the translation files' errors, and a
catalog of one language built exactly as before.

The catalog is the small hand-written one with ``languages: [en, es]`` and a few
translations (``two_languages``), built once for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from catalog_factory import tree, write_catalog, write_outcomes
from selectolax.lexbor import LexborHTMLParser
from test_programs import PROGRAMS, with_programs

from site_builder.build import build
from site_builder.catalog import load_catalog
from site_builder.content import load_content
from site_builder.errors import CatalogInvalid
from site_builder.inputs import LINK_MESSAGE
from site_builder.paths import CONTENT_DIR, PROJECT_ROOT
from site_builder.site import i18n
from site_builder.site.environment import long_date, money, points, usd

CRED = "catalog/credentials"
#: SOURCE_DATE_EPOCH of the builds: 2023-11-14 (UTC)
EPOCH = "1700000000"

NET_PRO_ES = """\
---
summary: Una certificación de redes para técnicos.
certifies:
  - Instalar y mantener redes pequeñas
---
Una descripción en español.
"""

ABOUT_ES = """\
---
title: Acerca de este sitio
description: Qué es este catálogo y para quién es.
---
Este sitio enumera credenciales. Vea [cómo funcionan los puntos](/how-points-work/).
"""


#: the name of site.yml's first program, translated (the second's is not)
EXAM_FEE_MAP = "    name: {en: Exam-fee reimbursement, es: Reembolso de tarifas de examen}\n"


def two_languages(root: Path) -> Path:
    """The small catalog in English and Spanish, with outcome data, a credential translation,
    language maps in career-fields.yml, a pathway and site.yml's programs, and a translated
    content page."""
    catalog = with_programs(write_catalog(root))
    write_outcomes(catalog)
    site = catalog / "site.yml"
    site.write_text(
        site.read_text().replace("    name: Exam-fee reimbursement\n", EXAM_FEE_MAP) + "languages: [en, es]\n"
    )
    fields = catalog / "career-fields.yml"
    fields.write_text(
        fields.read_text().replace(
            "  name: Health Science\n", "  name: {en: Health Science, es: Ciencias de la salud}\n"
        )
    )
    pathway = catalog / "pathways" / "networking.yml"
    pathway.write_text(
        pathway.read_text().replace(
            "name: Networking from scratch\n",
            "name:\n  en: Networking from scratch\n  es: Redes desde cero\n",
        )
    )
    (catalog / "credentials" / "net-pro.es.md").write_text(NET_PRO_ES)
    (root / "content").mkdir()
    (root / "content" / "about.es.md").write_text(ABOUT_ES)
    # every bundled page has its Spanish: the catalog's own page has none
    (root / "content" / "guide.md").write_text(
        "---\ntitle: A guide for counselors\ndescription: How to use the catalog with students.\n---\nStart with the career fields.\n"
    )
    return catalog


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("two-languages")
    catalog = two_languages(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setenv("CREDSITE_NO_CACHE", "1")
        patch.chdir(root)
        build(catalog, root / "public")
    yield root / "public"


def page(out: Path, path: str) -> LexborHTMLParser:
    file = out / path.lstrip("/")
    if path.endswith("/"):
        file = file / "index.html"
    return LexborHTMLParser(file.read_text(encoding="utf-8"))


def english_pages(out: Path) -> list[str]:
    """The URL path of every English page (HTML files outside /es/, /pagefind/ and /static/)."""
    paths = []
    for file in sorted(out.rglob("*.html")):
        relative = file.relative_to(out).as_posix()
        if relative.split("/", 1)[0] in ("es", "pagefind", "static"):
            continue
        paths.append("/" + relative.removesuffix("index.html"))
    return paths


def text(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return " ".join(node.text().split())


# --- the pages -----------------------------------------------------------------------------


def test_every_english_page_has_a_spanish_twin(site: Path) -> None:
    paths = english_pages(site)
    assert "/reports/2024/" in paths and "/schools/100001/" in paths and "/data/" in paths
    for path in paths:
        assert page(site, path).css_first("html").attributes["lang"] == "en", path
        twin = page(site, "/es" + path)
        assert twin.css_first("html").attributes["lang"] == "es", path
    spanish = {
        "/" + f.relative_to(site).as_posix().removesuffix("index.html") for f in (site / "es").rglob("*.html")
    }
    assert spanish == {"/es" + path for path in paths}


def test_files_of_every_language_are_written_once(site: Path) -> None:
    assert (site / "data" / "catalog.json").is_file() and (site / "es" / "data" / "index.html").is_file()
    assert sorted(path.name for path in (site / "es" / "data").iterdir()) == ["index.html"]
    assert not (site / "es" / "static").exists() and not (site / "es" / "pagefind").exists()
    assert not (site / "es" / "changes" / "feed.xml").exists()
    # the Spanish /data/ page lists the same files, at their one address
    links = [node.attributes["href"] for node in page(site, "/es/data/").css("tr[data-download] th a")]
    assert "/data/catalog.json" in links and "/data/attainment-2024.csv" in links


@pytest.mark.parametrize("path", ["/", "/credentials/net-pro/", "/reports/2024/", "/404.html", "/search/"])
def test_hreflang_alternates_both_ways_and_x_default(site: Path, path: str) -> None:
    base = "https://creds.northland.example"
    for shown in (path, "/es" + path):
        links = {
            node.attributes["hreflang"]: node.attributes["href"]
            for node in page(site, shown).css('head link[rel="alternate"][hreflang]')
        }
        assert links == {"en": base + path, "es": base + "/es" + path, "x-default": base + path}, shown


@pytest.mark.parametrize("path", ["/", "/career-fields/it/", "/schools/100001/", "/contribute/"])
def test_the_switcher_links_to_the_twin_in_its_own_language(site: Path, path: str) -> None:
    for shown, other, name in ((path, "/es" + path, "Español"), ("/es" + path, path, "English")):
        switches = page(site, shown).css("header a.language-switch")
        assert len(switches) == 1, shown
        switch = switches[0]
        language = "es" if other.startswith("/es/") else "en"
        assert switch.attributes["href"] == other
        assert switch.attributes["lang"] == switch.attributes["hreflang"] == language
        assert switch.text() == name


def test_links_in_spanish_pages_stay_in_spanish(site: Path) -> None:
    shared = ("/es/", "/static/", "/data/", "/pagefind/")
    strays = set()
    for file in sorted((site / "es").rglob("*.html")):
        tree = LexborHTMLParser(file.read_text(encoding="utf-8"))
        for node in tree.css("body [href], body [action], body [data-search-action]"):
            if "language-switch" in (node.attributes.get("class") or ""):
                continue
            for attribute in ("href", "action", "data-search-action"):
                value = node.attributes.get(attribute)
                if value and value.startswith("/") and not value.startswith(shared):
                    strays.add((file.relative_to(site).as_posix(), value))
    # /data.json is the open data's catalog entry, a file like those under /data/
    assert {value for _, value in strays} <= {"/data.json", "/credentials/filters.css"}, sorted(strays)[:10]
    links = {node.attributes["href"] for node in page(site, "/es/schools/100001/").css("main a[href]")}
    assert any(link.startswith("/es/reports/") for link in links)


def test_the_interface_is_in_spanish(site: Path) -> None:
    home = page(site, "/es/")
    assert [node.text() for node in home.css("nav.site-nav a")][:3] == [
        "Credenciales",
        "Campos profesionales",
        "Rutas",
    ]
    assert text(home, "#fields-title") == "Explorar por campo profesional"
    assert text(page(site, "/es/career-fields/"), "title").startswith("Campos profesionales |")
    assert text(page(site, "/es/404.html"), "h1") == "Página no encontrada"
    assert text(page(site, "/es/pathways/networking/"), ".step-total") == "Puntos hasta aquí: 3 de 12"


def test_an_untranslated_summary_is_marked_english(site: Path) -> None:
    lead = page(site, "/es/credentials/net-basics/").css_first("main p.lead")
    marked = lead.css_first('span[lang="en"]')
    assert marked is not None and marked.text() == "Summary of Network Basics."
    body = page(site, "/es/credentials/net-basics/").css_first('main div[lang="en"]')
    assert body is not None and "A short description." in body.text()
    # in English nothing is marked
    assert page(site, "/credentials/net-basics/").css_first('main p.lead span[lang="en"]') is None


def test_a_translated_credential_is_in_spanish(site: Path) -> None:
    tree = page(site, "/es/credentials/net-pro/")
    lead = tree.css_first("main p.lead")
    assert lead.text() == "Una certificación de redes para técnicos." and lead.css_first("[lang]") is None
    assert "Instalar y mantener redes pequeñas" in tree.css_first("main").text()
    assert "Una descripción en español." in tree.css_first("main").text()
    assert "Una descripción" not in page(site, "/credentials/net-pro/").css_first("main").text()
    # the texts it does not translate fall back, marked
    facts = tree.css_first('section[aria-labelledby="for-employers"]')
    assert facts.css_first('span[lang="en"]').text() == "One written exam"


def test_quality_evidence_in_spanish_with_the_names_marked(site: Path) -> None:
    rows = page(site, "/es/credentials/net-pro/").css("table.criteria tbody tr")
    shown = {row.attributes["data-criterion"]: row for row in rows}
    assert [" ".join(row.css_first("th").text().split()) for row in rows] == [
        "Demanda en el mercado laboral",
        "Verificación independiente",
        "Portabilidad",
        "Conexión con la educación postsecundaria",
        "Salarios y progreso profesional",
    ]
    evidence = {key: " ".join(row.css("td")[1].text().split()) for key, row in shown.items()}
    assert evidence == {
        "labor-market demand": "Ocupación de alta demanda: Computer Network Support Specialists (15-1231).",
        "third-party verification": "La otorga NetCo (empresa proveedora); los empleadores pueden verificar "
        "en línea quién la tiene.",
        "portability": "La reconocen empleadores de todo el país.",
        "postsecondary connection": "Otorga 3 horas de crédito universitario.",
        "wages and advancement": "El salario mediano más alto de las ocupaciones relacionadas, $68,000 "
        "(Computer Network Support Specialists, 2024), es igual o mayor que el salario digno de $40,000.",
    }
    # the names inside stay in the catalog's language, marked; the English page marks nothing
    marked = [
        (span.text(), span.attributes["lang"]) for span in shown["wages and advancement"].css("td span[lang]")
    ]
    assert marked == [("Computer Network Support Specialists", "en")]
    assert shown["third-party verification"].css_first("td span[lang]").text() == "NetCo"
    english = page(site, "/credentials/net-pro/").css_first("table.criteria tbody")
    assert english.css_first("[lang]") is None
    assert "Issued by NetCo (vendor); employers can verify holders online." in english.text()


def test_names_are_marked_in_the_catalog_language_on_spanish_pages(site: Path) -> None:
    """Names are never translated (SPEC 10): on a page of another language they are marked
    with the site's default language, wherever they are shown."""
    credential = page(site, "/es/credentials/net-pro/")
    h1 = credential.css_first("main h1 span")
    assert (h1.attributes["lang"], h1.text()) == ("en", "Network Professional")
    issuer = credential.css_first('main dd [data-pagefind-meta="issuer"] span[lang="en"]')
    assert issuer is not None and issuer.text() == "NetCo"
    overview = " ".join(credential.css_first('section[aria-labelledby="overview"]').text().split())
    assert "(empresa proveedora)" in overview and "Reconocida Nacional" in overview
    job = credential.css_first('section[aria-labelledby="jobs"] tbody th span[lang="en"]')
    assert job is not None and job.text() == "Computer Network Support Specialists"
    table = page(site, "/es/credentials/").css_first("table.credential-table tbody")
    assert {span.text() for span in table.css('th a span[lang="en"]')} >= {
        "Network Professional",
        "Network Basics",
    }
    steps = page(site, "/es/pathways/networking/")
    assert steps.css_first('#pathway-steps a span[lang="en"]') is not None
    diagram = steps.css_first("svg.diagram")
    assert {node.attributes.get("lang") for node in diagram.css("text.box-name")} == {"en"}
    assert "Puntos hasta aquí: 3 de 12" in diagram.text() and "Paso 1" in diagram.text()
    assert text(steps, "svg.diagram title").startswith("Diagrama de la ruta Redes desde cero")
    # in English nothing is marked
    english = page(site, "/credentials/net-pro/")
    assert english.css_first("main h1 [lang]") is None
    assert (
        page(site, "/pathways/networking/").css_first("svg.diagram text.box-name").attributes.get("lang")
        is None
    )


def test_evidence_and_shared_file_texts_said_per_language() -> None:
    """The site layer says the rules' evidence and the descriptor's English texts in the page's
    language: numbers and money in its formats, names marked with the catalog's language."""
    from markupsafe import Markup

    from site_builder.catalog.models import Occupation
    from site_builder.reports.download_format import outcome_tables
    from site_builder.rules.quality import wages_and_advancement
    from site_builder.site.environment import evidence

    job = Occupation(
        soc="15-1231", title="Network Specialists", median_wage_usd=Decimal(68000), wage_year=2024,
        in_demand=True, source="t",
    )  # fmt: skip
    said = wages_and_advancement([job], Decimal(90000)).evidence
    i18n.configure(("en", "es"))
    try:
        assert evidence(said) == Markup(
            "Best linked median wage $68,000 (Network Specialists, 2024) is at least 75% of the living wage of $90,000."
        )
        table = outcome_tables(10)["attainment"]
        with i18n.in_language("es"):
            assert evidence(said) == Markup(
                "El salario mediano más alto de las ocupaciones relacionadas, $68,000 "
                '(<span lang="en">Network Specialists</span>, 2024), es al menos el 75% del salario digno de $90,000.'
            )
            assert i18n.translated(table.title) == "Credenciales obtenidas por escuela y credencial"
            earned = next(column for column in table.columns if column.name == "earned")
            assert i18n.translated(earned.description).startswith(
                "Estudiantes que obtuvieron la credencial. Un número, o '<10' (entre 1 y 9 estudiantes"
            )
            # a text with no translation yet stays English, marked
            missing = i18n.translated(i18n.Phrase("Not a message %(n)s", n=1))
            assert (missing, getattr(missing, "language", None)) == ("Not a message 1", "en")
    finally:
        i18n.configure(("en",))


def test_language_maps_and_their_fallbacks(site: Path) -> None:
    assert text(page(site, "/es/career-fields/health/"), "h1") == "Ciencias de la salud"
    assert text(page(site, "/career-fields/health/"), "h1") == "Health Science"
    untranslated = page(site, "/es/career-fields/it/").css_first("h1 span")
    assert untranslated.attributes["lang"] == "en" and untranslated.text() == "Information Technology"
    assert text(page(site, "/es/pathways/networking/"), "h1") == "Redes desde cero"


def test_program_names_in_the_page_language(site: Path) -> None:
    """site.yml's programs take language maps: a translated name is shown on every Spanish
    page that names the program; one not yet translated stays English, marked."""
    year = page(site, "/es/reimbursement/2024/")
    translated = year.css_first("section#program-exam-fee h2")
    assert translated.text() == "Reembolso de tarifas de examen" and translated.css_first("[lang]") is None
    untranslated = year.css_first("section#program-bonus h2 span")
    assert (untranslated.attributes["lang"], untranslated.text()) == ("en", "Workforce incentive")
    assert text(page(site, "/reimbursement/2024/"), "section#program-exam-fee h2") == "Exam-fee reimbursement"
    assert page(site, "/reimbursement/2024/").css_first("main section.program [lang]") is None
    labels = [" ".join(a.text().split()) for a in page(site, "/es/reimbursement/").css("main td a")]
    assert labels == ["Workforce incentive", "Reembolso de tarifas de examen"]  # by id
    school = page(site, "/es/schools/100001/").css_first('tr[data-program="exam-fee"] th a')
    assert school.text() == "Reembolso de tarifas de examen" and school.css_first("[lang]") is None
    assert (
        text(page(site, "/schools/100001/"), 'tr[data-program="exam-fee"] th a') == "Exam-fee reimbursement"
    )
    programs = page(site, "/es/credentials/net-pro/").css("#qualifies-for li")
    assert [text(item, "a, span") for item in programs] == [
        "Reembolso de tarifas de examen",
        "Workforce incentive",
    ]
    assert programs[0].css_first("[lang]") is None
    assert programs[1].css_first('span[lang="en"]').text() == "Workforce incentive"
    options = [node.text() for node in page(site, "/es/credentials/").css("#filter-program option")][1:]
    assert options == ["Reembolso de tarifas de examen", "Workforce incentive"]
    # /contribute/ lists what is not yet translated of each program
    rows = page(site, "/contribute/").css("section#translations-es tr[data-translation]")
    missing = {
        text(row, "th"): [item.text() for item in row.css("ul.missing-texts li")]
        for row in rows
        if row.attributes["data-translation"] == "catalog/site.yml"
    }
    assert missing == {
        "Northland Credential Catalog": ["title", "description"],
        "Exam-fee reimbursement": ["description"],
        "Workforce incentive": ["name", "description"],
    }


def test_content_pages_translated_or_marked(site: Path) -> None:
    about = page(site, "/es/about/")
    assert (
        text(about, "main h1") == "Acerca de este sitio"
        and "lang" not in about.css_first("main h1").attributes
    )
    # a link in the Markdown goes to the page in the same language
    assert about.css_first('main .prose a[href="/es/how-points-work/"]') is not None
    guide = page(site, "/es/guide/")
    assert guide.css_first("main h1").attributes["lang"] == "en"
    assert guide.css_first("main .prose").attributes["lang"] == "en"


def test_dates_and_numbers_on_spanish_pages(site: Path) -> None:
    footer = page(site, "/es/").css_first("footer time")
    assert footer.text() == "14 de noviembre de 2023" and footer.attributes["datetime"] == "2023-11-14"
    assert page(site, "/").css_first("footer time").text() == "November 14, 2023"
    assert "1 de julio de 2020" in page(site, "/es/credentials/net-pro/").css_first("main").text()
    assert "July 1, 2020" in page(site, "/credentials/net-pro/").css_first("main").text()


def test_formats_per_language() -> None:
    day = dt.date(2024, 7, 1)
    assert (long_date(day), money(Decimal(1234)), usd(Decimal("1234.5")), points(1)) == (
        "July 1, 2024",
        "$1,234",
        "$1,234.50",
        "1 point",
    )
    with i18n.in_language("es"):
        assert (long_date(day), money(Decimal(1234)), usd(Decimal("1234.5")), points(1), points(3)) == (
            "1 de julio de 2024",
            "$1,234",
            "$1,234.50",
            "1 punto",
            "3 puntos",
        )
        assert money(None) == "Desconocido"


def test_the_sitemap_lists_both_languages_with_alternates(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text()
    base = "https://creds.northland.example"
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{base}/credentials/net-pro/" in locations and f"{base}/es/credentials/net-pro/" in locations
    assert len(locations) == len(set(locations)) and len(
        [loc for loc in locations if "/es/" in loc]
    ) * 2 == len(locations)
    entry = re.search(rf"<url><loc>{base}/es/about/</loc>(.*?)</url>", sitemap)
    assert entry is not None
    assert re.findall(r'hreflang="([^"]+)" href="([^"]+)"', entry.group(1)) == [
        ("en", f"{base}/about/"),
        ("es", f"{base}/es/about/"),
    ]


def test_each_language_has_its_own_search_index(site: Path) -> None:
    for bundle in ("pagefind", "pagefind/reports"):
        entry = json.loads((site / bundle / "pagefind-entry.json").read_text())
        counts = {language: index["page_count"] for language, index in entry["languages"].items()}
        assert set(counts) == {"en", "es"} and counts["en"] == counts["es"] > 0, bundle
        for index in entry["languages"].values():
            assert (site / bundle / f"pagefind.{index['hash']}.pf_meta").is_file()
    # pagefind.js searches the index of the page's <html lang>: /es/search/ is a Spanish page
    assert page(site, "/es/search/").css_first("html").attributes["lang"] == "es"
    assert page(site, "/search/").css_first("html").attributes["lang"] == "en"


def test_contribute_lists_missing_spanish_texts(site: Path) -> None:
    for path in ("/contribute/", "/es/contribute/"):
        section = page(site, path).css_first("section#translations-es")
        assert section is not None, path
        rows = {
            row.attributes["data-translation"]: [item.text() for item in row.css("ul.missing-texts li")]
            for row in section.css("tr[data-translation]")
        }
        assert rows[f"{CRED}/net-pro.es.md"] == ["assessment", "prerequisites", "renewal"]
        assert rows[f"{CRED}/net-basics.es.md"] == [
            "summary",
            "certifies",
            "assessment",
            "prerequisites",
            "renewal",
            "description",
        ]
        assert rows["catalog/pathways/networking.yml"] == ["summary"]
        assert rows["content/guide.es.md"] == ["title", "description", "text"]
        assert "content/about.es.md" not in rows
    heading = text(page(site, "/contribute/"), "section#translations-es h2")
    assert heading == "Texts not yet in Spanish"
    assert (
        text(page(site, "/es/contribute/"), "section#translations-es h2")
        == "Textos que aún no están en español"
    )


def test_a_catalog_of_one_language_has_no_other(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte for byte as before is checked by hand against the code before languages; here: no
    trace of a second language anywhere."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    out = small_catalog.parent / "public"
    build(small_catalog, out)
    assert not (out / "es").exists()
    for path in english_pages(out):
        tree = page(out, path)
        assert tree.css_first("html").attributes["lang"] == "en"
        assert tree.css_first("a.language-switch") is None and tree.css_first("link[hreflang]") is None
        assert tree.css_first("section#translations-es") is None
    assert "xhtml" not in (out / "sitemap.xml").read_text()
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]


def test_forked_renderers_draw_each_page_in_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages made and drawn in worker processes (``render_pages``) come out as in one process."""
    import site_builder.site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    monkeypatch.chdir(tmp_path)
    catalog = two_languages(tmp_path)
    build(catalog, tmp_path / "one")
    monkeypatch.setattr(site_builder.site, "PARALLEL_PAGES", 10)
    monkeypatch.setattr(site_builder.site.os, "cpu_count", lambda: 2)
    build(catalog, tmp_path / "two")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_the_pages_cache_keys_on_the_translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Report pages copied from an earlier build are never those of another translation."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("CREDSITE_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    catalog = two_languages(tmp_path)
    out = tmp_path / "public"
    build(catalog, out)
    said: list[str] = []
    build(catalog, out, said.append)  # nothing changed: the report pages are copied
    assert any(line.startswith("reused ") for line in said)
    assert "Ciencias de la salud" in page(out, "/es/reports/2024/").css_first("main").text()
    fields = catalog / "career-fields.yml"
    fields.write_text(fields.read_text().replace("es: Ciencias de la salud", "es: Salud"))
    said.clear()
    build(catalog, out, said.append)
    assert not any(line.startswith("reused ") for line in said)
    report = page(out, "/es/reports/2024/").css_first("main").text()
    assert "Salud" in report and "Ciencias de la salud" not in report
    assert "Health Science" in page(out, "/reports/2024/").css_first("main").text()


# --- the translation files' errors ---------------------------------------------------------


def errors_of(catalog: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(catalog)
    return [str(error) for error in raised.value.errors]


@pytest.fixture
def bilingual(small_catalog: Path) -> Path:
    site = small_catalog / "site.yml"
    site.write_text(site.read_text() + "languages: [en, es]\n")
    (small_catalog / "credentials" / "net-pro.es.md").write_text(NET_PRO_ES)
    return small_catalog


def test_the_bilingual_catalog_loads(bilingual: Path) -> None:
    catalog = load_catalog(bilingual)
    assert catalog.languages == ("en", "es")
    spanish = catalog.in_language("es")
    assert spanish.credentials["net-pro"].summary == "Una certificación de redes para técnicos."
    assert spanish.credentials["net-pro"].assessment.language == "en"  # type: ignore[union-attr]
    assert spanish.credentials["net-pro"].missing_facts() == catalog.credentials["net-pro"].missing_facts()
    assert catalog.in_language("en") is catalog


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        (
            "net-pro.es.md",
            "---\nsummary: Resumen.\npoints: 3\n---\n",
            f"{CRED}/net-pro.es.md:3: 'points' is not a text to translate: a translation holds only "
            "summary, certifies, assessment, prerequisites, renewal and the body; the other facts come from net-pro.md",
        ),
        (
            "net-pro.fr.md",
            "---\nsummary: Résumé.\n---\n",
            f"{CRED}/net-pro.fr.md:1: 'fr' is not one of the site's languages (en, es): add it to languages "
            "in site.yml, or rename the file",
        ),
        (
            "net-pro.en.md",
            "---\nsummary: Again.\n---\n",
            f"{CRED}/net-pro.en.md:1: 'en' is the default language, whose texts are in net-pro.md; "
            "a translation is for one of the other languages",
        ),
        (
            "ghost.es.md",
            "---\nsummary: Fantasma.\n---\n",
            f"{CRED}/ghost.es.md:1: a translation of 'ghost', but there is no credential file ghost.md",
        ),
        (
            "net-pro.es.md",
            "---\nsummary: [sin cerrar\n---\n",
            f"{CRED}/net-pro.es.md:3:1: invalid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "net-pro.es.md",
            "---\ncertifies: Una sola\n---\n",
            f"{CRED}/net-pro.es.md:2: certifies: input should be a valid list (got 'Una sola')",
        ),
        (
            "Net-Pro.es.md",
            "---\nsummary: Resumen.\n---\n",
            f"{CRED}/Net-Pro.es.md:1: file name 'Net-Pro.es.md' must be a credential id plus '.md' "
            "(like 'comptia-a-plus.md'), or plus a language code for a translation (like 'comptia-a-plus.es.md')",
        ),
        (
            "net-pro.es.extra.md",
            "---\nsummary: Resumen.\n---\n",
            f"{CRED}/net-pro.es.extra.md:1: file name 'net-pro.es.extra.md' must be a credential id plus '.md' "
            "(like 'comptia-a-plus.md'), or plus a language code for a translation (like 'comptia-a-plus.es.md')",
        ),
    ],
)
def test_a_bad_translation_file_is_one_clear_error(bilingual: Path, name: str, text: str, error: str) -> None:
    (bilingual / "credentials" / "net-pro.es.md").unlink()
    (bilingual / "credentials" / name).write_text(text)
    assert errors_of(bilingual) == [error]


def test_a_translation_that_is_a_link_is_refused(bilingual: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\nsummary: SECRET-TEXT\n---\n")
    (bilingual / "credentials" / "net-pro.es.md").unlink()
    (bilingual / "credentials" / "net-pro.es.md").symlink_to(outside)
    errors = errors_of(bilingual)
    assert errors == [f"{CRED}/net-pro.es.md:1: {LINK_MESSAGE}"]
    assert "SECRET-TEXT" not in " ".join(errors)


def test_a_translation_of_the_body_alone(bilingual: Path) -> None:
    (bilingual / "credentials" / "net-pro.es.md").write_text("---\n---\nSolo la descripción.\n")
    catalog = load_catalog(bilingual)
    assert catalog.translations.bodies["es"]["net-pro"] == "Solo la descripción.\n"
    assert catalog.in_language("es").credentials["net-pro"].summary.language == "en"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("written", "error"),
    [
        (
            "  name: {en: Health Science, fr: Sciences de la santé}\n",
            "catalog/career-fields.yml:2: name: 'fr' is not one of the site's languages (en, es)",
        ),
        (
            "  name: {es: Ciencias de la salud}\n",
            "catalog/career-fields.yml:2: name: the text in the default language is missing: a language map "
            "needs 'en: ...' (a plain text is the default language's alone)",
        ),
        ("  name: {en: Health Science, es: ''}\n", "catalog/career-fields.yml:2: name.es: must not be empty"),
        ("  name: {en: Health Science, es: [a]}\n", "catalog/career-fields.yml:2: name.es: must be text"),
    ],
)
def test_a_bad_language_map_is_one_clear_error(bilingual: Path, written: str, error: str) -> None:
    fields = bilingual / "career-fields.yml"
    fields.write_text(fields.read_text().replace("  name: Health Science\n", written))
    assert errors_of(bilingual) == [error]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            "    name: Exam-fee reimbursement\n",
            "    name: {en: Exam-fee reimbursement, fr: Remboursement}\n",
            "catalog/site.yml:12: name: 'fr' is not one of the site's languages (en, es)",
        ),
        (
            "    description: A flat amount for each credential earned.\n",
            "    description:\n      es: Un monto fijo por cada credencial obtenida.\n",
            "catalog/site.yml:19: description: the text in the default language is missing: a language "
            "map needs 'en: ...' (a plain text is the default language's alone)",
        ),
    ],
)
def test_a_bad_language_map_of_a_program_is_one_clear_error(
    bilingual: Path, old: str, new: str, error: str
) -> None:
    site = bilingual / "site.yml"
    site.write_text(site.read_text() + PROGRAMS.replace(old, new))
    assert errors_of(bilingual) == [error]


def test_program_texts_by_language(bilingual: Path) -> None:
    site = bilingual / "site.yml"
    site.write_text(
        site.read_text()
        + PROGRAMS.replace(
            "    description: A flat amount for each credential earned.\n",
            "    description:\n      en: A flat amount for each credential earned.\n      es: Un monto fijo.\n",
        )
    )
    catalog = load_catalog(bilingual)
    assert [program.description for program in catalog.site.programs] == [
        "Pays back the exam fees schools paid.",
        "A flat amount for each credential earned.",
    ]
    spanish = catalog.in_language("es").site.programs
    assert [(program.name, program.description) for program in spanish] == [
        ("Exam-fee reimbursement", "Pays back the exam fees schools paid."),
        ("Workforce incentive", "Un monto fijo."),
    ]
    assert [getattr(program.name, "language", None) for program in spanish] == ["en", "en"]
    assert getattr(spanish[1].description, "language", None) is None


def test_program_maps_leave_a_site_of_one_language_as_it_was(
    small_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program's name and description written as a map of the default language alone build
    the site byte for byte as the plain texts do."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    with_programs(small_catalog)
    write_outcomes(small_catalog)
    build(small_catalog, tmp_path / "plain")
    site = small_catalog / "site.yml"
    site.write_text(
        site.read_text()
        .replace("name: Exam-fee reimbursement\n", "name: {en: Exam-fee reimbursement}\n")
        .replace(
            "    description: A flat amount for each credential earned.\n",
            "    description:\n      en: A flat amount for each credential earned.\n",
        )
    )
    build(small_catalog, tmp_path / "maps")
    plain, maps = tree(tmp_path / "plain"), tree(tmp_path / "maps")
    assert sorted(plain) == sorted(maps)
    assert [name for name in plain if plain[name] != maps[name]] == []


def test_a_language_map_needs_the_language_in_the_site(small_catalog: Path) -> None:
    """On a site of one language a map may hold that language alone."""
    fields = small_catalog / "career-fields.yml"
    fields.write_text(
        fields.read_text().replace("  name: Health Science\n", "  name: {en: Health Science}\n")
    )
    assert load_catalog(small_catalog).career_fields["health"].name == "Health Science"
    fields.write_text(fields.read_text().replace("{en: Health Science}", "{en: Health Science, es: Salud}"))
    assert errors_of(small_catalog) == [
        "catalog/career-fields.yml:2: name: 'es' is not one of the site's languages (en)"
    ]


@pytest.mark.parametrize(
    ("languages", "error"),
    [
        (
            "[en, sp]",
            "catalog/site.yml:9: languages: 'sp' is not a language code (ISO 639-1, like 'es' or 'es-MX')",
        ),
        ("[en, es, en]", "catalog/site.yml:9: languages: 'en' is listed twice"),
        ("[]", "catalog/site.yml:9: languages: list should have at least 1 item after validation, not 0"),
    ],
)
def test_bad_languages_in_site_yml(small_catalog: Path, languages: str, error: str) -> None:
    site = small_catalog / "site.yml"
    site.write_text(site.read_text() + f"languages: {languages}\n")
    assert errors_of(small_catalog) == [error]


def test_language_must_be_the_first_of_languages(small_catalog: Path) -> None:
    site = small_catalog / "site.yml"
    site.write_text(site.read_text() + "language: es\nlanguages: [en, es]\n")
    assert errors_of(small_catalog) == [
        "catalog/site.yml:10: languages: must start with language 'es' (the default), or leave language out"
    ]


def test_content_translations(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "about.md").write_text("---\ntitle: About\ndescription: What it is.\n---\nText.\n")
    (folder / "about.es.md").write_text("---\ntitle: Acerca de\ndescription: Qué es.\n---\nTexto.\n")
    pages = load_content([folder], ("en", "es"))
    assert pages[0].translations["es"].title == "Acerca de"
    for name, text_, error in [
        (
            "about.fr.md",
            "---\ntitle: À propos\ndescription: Quoi.\n---\n",
            "'fr' is not one of the site's languages",
        ),
        (
            "ghost.es.md",
            "---\ntitle: Fantasma\ndescription: No.\n---\n",
            "a translation of 'ghost', but there is no",
        ),
        ("about.es.md", "---\ntitle: Acerca de\n---\n", "missing required key 'description'"),
        (
            "es.md",
            "---\ntitle: Página\ndescription: Choca.\n---\n",
            "'/es/' holds the site's pages in that language",
        ),
    ]:
        (folder / "about.es.md").write_text("---\ntitle: Acerca de\ndescription: Qué es.\n---\nTexto.\n")
        (folder / name).write_text(text_)
        with pytest.raises(CatalogInvalid) as raised:
            load_content([folder], ("en", "es"))
        assert [error in str(found) for found in raised.value.errors] == [True], (name, raised.value.errors)
        if name != "about.es.md":
            (folder / name).unlink()


def test_a_later_content_folder_replaces_a_page_and_its_translations(tmp_path: Path) -> None:
    own = tmp_path / "content"
    own.mkdir()
    (own / "about.md").write_text("---\ntitle: Our about\ndescription: Ours.\n---\nOurs.\n")
    # the bundled about.es.md, if there is one, translates the bundled about.md, not this one
    pages = {page.stem: page for page in load_content([CONTENT_DIR, own], ("en", "es"))}
    assert pages["about"].translations == {}
    (own / "about.es.md").write_text("---\ntitle: Nuestro\ndescription: Nuestro.\n---\nNuestro.\n")
    pages = {page.stem: page for page in load_content([CONTENT_DIR, own], ("en", "es"))}
    assert pages["about"].translations["es"].title == "Nuestro"


def test_fuzzed_translations_fail_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """test_fuzz's hostile edits, on the translation files and language maps."""
    import test_fuzz

    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    base = tmp_path / "base"
    (base / "secret").mkdir(parents=True)
    (base / "secret" / "token.txt").write_text(f"{test_fuzz.CANARY}\n")
    two_languages(base / "case")
    targets = [
        Path("catalog/credentials/net-pro.es.md"),
        Path("catalog/career-fields.yml"),
        Path("catalog/pathways/networking.yml"),
        Path("content/about.es.md"),
    ]
    rng = random.Random(20261207)
    names = sorted(test_fuzz.MUTATIONS)
    for number in range(len(names) * 2):
        name = names[number % len(names)]
        folder = tmp_path / f"{number:03d}"
        shutil.copytree(base, folder, symlinks=True)
        target = folder / "case" / targets[number % len(targets)]
        test_fuzz.MUTATIONS[name](rng, folder / "case" / "catalog", target)
        monkeypatch.chdir(folder / "case")
        with test_fuzz.time_limit(test_fuzz.SECONDS_PER_CASE):
            code, output = test_fuzz._run(["validate", "--catalog", "catalog", "--quiet"])
        test_fuzz._check_output(output, code, f"case {number} ({name} on {target.name})")
        shutil.rmtree(folder)


# --- the interface catalogs ----------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def test_every_interface_string_has_a_spanish_translation_with_its_placeholders() -> None:
    from babel.messages.pofile import read_po

    template = read_po((i18n.LOCALE_DIR / "messages.pot").open("rb"))
    spanish = read_po(i18n.catalog_file("es").open("rb"), locale="es")
    assert spanish.num_plurals == 2
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id)
        assert translated is not None and not translated.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        assert all(strings), message.id
        for string in strings:
            assert sorted(set(PLACEHOLDER.findall(string))) == sorted(set(PLACEHOLDER.findall(ids[-1]))), (
                string
            )
    assert {message.id for message in spanish if message.id} == {
        message.id for message in template if message.id
    }


def test_the_template_of_interface_strings_is_up_to_date(tmp_path: Path) -> None:
    """messages.pot holds exactly the strings marked in the code and templates (babel.cfg):
    after marking a string, run the extraction in babel.cfg's header and translate it."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    extracted = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "N_", "--no-location",
         "--sort-output", "--omit-header", "-o", str(extracted), str(PROJECT_ROOT)]
    )  # fmt: skip
    now = {message.id for message in read_po(extracted.open("rb")) if message.id}
    committed = {
        message.id for message in read_po((i18n.LOCALE_DIR / "messages.pot").open("rb")) if message.id
    }
    assert sorted(map(str, now - committed)) == [] and sorted(map(str, committed - now)) == []


def test_a_site_in_one_language_takes_the_bundled_pages_without_their_translations() -> None:
    """The bundled pages come in Spanish too; an English-only site neither fails on nor shows them."""
    assert sorted(CONTENT_DIR.glob("*.es.md"))  # the case this guards
    pages = load_content([CONTENT_DIR], ("en",))
    assert pages and all(not page.translations for page in pages)
    assert all(page.translations.keys() == {"es"} for page in load_content([CONTENT_DIR], ("en", "es")))
