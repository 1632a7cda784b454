"""The Jinja environment: always autoescaped, strict about undefined names, with display filters.

One environment per language of the site (SPEC 10): each has Jinja's i18n extension with that
language's interface strings installed (``{% trans %}``, ``_()``, ``ngettext``), and a ``url()``
that gives a page's path in that language. The display filters write dates and numbers in the
active language (``i18n.in_language``): English exactly as before, other languages by Babel.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from site_builder.catalog.translations import Untranslated
from site_builder.phrases import N_
from site_builder.reports.published import Count, Dollars
from site_builder.rules.quality import Evidence, Name, Share, Value, Word
from site_builder.site import i18n
from site_builder.site.i18n import _, active_locale, ngettext

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

RATING_LABELS = {
    "meets": N_("Meets"),
    "partial": N_("Partially meets"),
    "does-not-meet": N_("Does not meet"),
    "not-enough-evidence": N_("Not enough evidence"),
}


#: the catalog's words for a credential's type and status and its overall quality, as pages show them
WORDS = {
    "certification": N_("certification"),
    "license": N_("license"),
    "certificate": N_("certificate"),
    "badge": N_("badge"),
    "approved": N_("approved"),
    "sunsetting": N_("sunsetting"),
    "retired": N_("retired"),
    "High": N_("High"),
    "Moderate": N_("Moderate"),
    "Limited": N_("Limited"),
    "Not yet rated": N_("Not yet rated"),
    # a credential of the outcome reports the catalog no longer has (report_pages.NOT_IN_CATALOG)
    "No longer in the catalog": N_("No longer in the catalog"),
    # an issuer's kind (the overview shows it without the hyphens: "industry association")
    "industry-association": N_("industry-association"),
    "vendor": N_("vendor"),
    "government-licensing": N_("government-licensing"),
    "postsecondary": N_("postsecondary"),
    "other": N_("other"),
    # where a credential is recognized
    "national": N_("national"),
    "multi-state": N_("multi-state"),
    "state": N_("state"),
    "regional": N_("regional"),
}


def word(value: str) -> str:
    """One of the catalog's fixed words (``WORDS``) in the active language; any other text as it is."""
    return _(WORDS[value]) if value in WORDS else value


def money(amount: Decimal | int | None) -> str:
    """$1,234 for whole dollars, $1,234.50 otherwise; 'Unknown' when there is no amount."""
    if amount is None:
        return _("Unknown")
    value = Decimal(amount)
    locale = active_locale()
    if value == value.to_integral_value():
        if locale is not None:
            return format_currency(
                value, "USD", format=_whole_dollars(locale), locale=locale, currency_digits=False
            )
        return f"${value:,.0f}"
    return usd(value)


@cache
def _whole_dollars(locale: str) -> str:
    """The locale's currency pattern without cents ('¤#,##0')."""
    return Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")


def usd(amount: Decimal) -> str:
    """$1,234.50: payments are always shown to the cent."""
    locale = active_locale()
    if locale is not None:
        return format_currency(amount, "USD", locale=locale)
    return f"${amount:,.2f}"


def number(value: int | Decimal) -> str:
    """1,234: a whole number (or a decimal) with the active language's digit grouping."""
    locale = active_locale()
    return _decimal(value, locale) if locale is not None else f"{value:,}"


@lru_cache(maxsize=8192)
def _decimal(value: int | Decimal, locale: str) -> str:
    # Babel takes a tenth of a millisecond a number; a state's school pages repeat the same counts
    return format_decimal(value, locale=locale)


def percent(share: Decimal | float, digits: int = 0) -> str:
    """45%: a share of 1 as a percentage in the active language."""
    locale = active_locale()
    if locale is not None:
        return format_percent(
            share, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=locale
        )
    return f"{Decimal(str(share)) * 100:,.{digits}f}%"


#: the codes a published number may show in its place, as pages say them (the downloads keep English)
CODES = {"suppressed": N_("suppressed")}


def shown_code(text: str) -> str:
    """A code that replaces a hidden number (``suppressed``) in the active language; '<10' as it is."""
    return _(CODES[text]) if text in CODES else text


def shown_count(published: Count) -> str:
    """1,234 for a published count; otherwise the text that replaces it (<10, suppressed)."""
    return number(published.value) if published.value is not None else shown_code(published.text)


def shown_dollars(published: Dollars) -> str:
    return usd(published.value) if published.value is not None else shown_code(published.text)


def long_date(day: dt.date | None) -> str:
    """June 1, 2024 — spelled out without the system's locale, so every machine builds the
    same bytes; in another language by Babel's own data ("1 de junio de 2024")."""
    if day is None:
        return ""
    locale = active_locale()
    if locale is not None:
        return format_date(day, format="long", locale=locale)
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def points(count: int) -> str:
    return ngettext("%(count)s point", "%(count)s points", count) % {"count": count}


def points_range(low: int, high: int) -> str:
    """'7 points' or '7–12 points' when the choices along the way differ."""
    return points(low) if low == high else _("%(low)s–%(high)s points") % {"low": low, "high": high}


def number_range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def rating_label(rating: str) -> str:
    return _(RATING_LABELS[rating])


def lang_marked(text: object) -> object:
    """A catalog text as a page shows it: one not yet translated into the page's language
    (``Untranslated``) is wrapped in ``<span lang="..">`` so that screen readers and
    translation tools read it in its own language; any other text is left as it is."""
    if isinstance(text, Untranslated):
        return Markup('<span lang="%s">%s</span>') % (text.language, text)
    return text


def as_written(text: object) -> object:
    """A name the catalog has in its own language alone (``i18n.as_written``), marked with that
    language on the pages of another: ``{{ credential.name|as_written }}``."""
    if isinstance(text, Markup) or not isinstance(text, str):
        return text
    return lang_marked(i18n.as_written(text))


def evidence(text: str) -> Markup:
    """The evidence of a quality criterion (``quality.Evidence``) in the active language: its
    sentence translated, its dollars, counts and shares in the language's formats, its fixed
    words translated and the catalog's names marked with their language (``as_written``)."""
    if not isinstance(text, Evidence):
        return escape(text)
    values = {key: _evidence_value(value) for key, value in text.values.items()}
    return Markup(escape(_(text.message))) % values


def _evidence_value(value: Value) -> object:
    if isinstance(value, Share):
        return percent(value)
    if isinstance(value, Decimal):
        return money(value.to_integral_value())
    if isinstance(value, tuple):
        return Markup(", ").join(Markup("%s (%s)") % (as_written(title), soc) for title, soc in value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, Word):
        return word(value)
    if isinstance(value, Name):
        return as_written(value)
    return value


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


class SharedTemplates(BytecodeCache):
    """The compiled templates, in memory, for the environments of every language: they differ
    only in what they look up as they render (the strings, ``url``), so a template compiled
    for one is the same code for the others (compiling them all took a second per language)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def make_environment(
    templates_dir: Path, language: str | None = None, compiled: SharedTemplates | None = None
) -> Environment:
    """Autoescape is on for every HTML, XML and SVG template and cannot be turned off per call.

    ``language``: the interface strings installed and the language of ``url()``; None, the
    active language's (``i18n.url``). ``compiled``: templates compiled by the environment of
    another language, with the same settings."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=compiled,
    )
    # {% trans %} blocks written over several lines are one sentence for the translator
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(language or i18n.SOURCE_LANGUAGE), newstyle=True
    )
    if language is None:
        env.globals["url"] = i18n.url
    else:
        env.globals["url"] = lambda path: i18n.path_in(path, language)
    env.filters.update(
        money=money,
        usd=usd,
        shown_count=shown_count,
        shown_dollars=shown_dollars,
        long_date=long_date,
        points=points,
        points_range=points_range,
        number_range=number_range,
        rating_label=rating_label,
        sentence_case=sentence_case,
        number=number,
        percent=percent,
        lang_marked=lang_marked,
        as_written=as_written,
        evidence=evidence,
        word=word,
    )
    return env
