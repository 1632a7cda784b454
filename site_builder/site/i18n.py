"""The language a page is drawn in (SPEC 10): its interface strings, its URLs, its dates and numbers.

The site's first language (``site.yml`` ``languages``, or ``language`` alone) is drawn at
the usual paths; every other one under ``/<lang>/``. Pages are drawn one language at a
time: ``in_language`` makes a language the active one, and everything below reads it:

- ``gettext`` (``_``) and ``ngettext``: the interface strings, from
  ``site_builder/locale/<lang>/LC_MESSAGES/messages.po``, compiled by Babel in memory when
  first needed (no ``.mo`` file is kept). The Jinja environment of each language has the
  same catalog installed (``environment.make_environment``). English is the language of the
  strings themselves, so it needs no catalog.
- ``url``: a page's path in the active language (``/credentials/`` -> ``/es/credentials/``);
  files (``/data/catalog.json``, ``/static/...``, ``/pagefind/...``) are the same for every
  language and keep their path.
- ``long_date``, ``money`` and the other display filters of ``environment``: English as
  always; a language that has an interface catalog gets Babel's formats for it, as spoken
  in the United States where Babel knows that variant (es_US: "1 de julio de 2024",
  "$1,234.50").

The renderers (``site.render_pages``) set the active language of each page before making
and drawing it, so pages made in a forked worker process get theirs too.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from site_builder.catalog.translations import Untranslated
from site_builder.phrases import Phrase

#: the gettext catalogs: ``<lang>/LC_MESSAGES/messages.po`` and the template ``messages.pot``
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
#: the language the interface strings are written in (the msgids)
SOURCE_LANGUAGE = "en"


@dataclass
class _State:
    #: the site's languages, the default first
    languages: tuple[str, ...] = (SOURCE_LANGUAGE,)
    #: the language of the page being made
    active: str = SOURCE_LANGUAGE


_state = _State()


def configure(languages: Sequence[str]) -> None:
    """The site's languages, the default first; the default becomes the active language."""
    _state.languages = tuple(languages)
    _state.active = _state.languages[0]


def site_languages() -> tuple[str, ...]:
    return _state.languages


def default_language() -> str:
    return _state.languages[0]


def active_language() -> str:
    return _state.active


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Make ``language`` the active one within the block."""
    before = _state.active
    _state.active = language
    try:
        yield
    finally:
        _state.active = before


# --- interface strings ---------------------------------------------------------------------


def catalog_file(language: str) -> Path:
    return LOCALE_DIR / language.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def has_interface(language: str) -> bool:
    """Whether credsite's interface is translated into ``language`` (English always is)."""
    return language == SOURCE_LANGUAGE or catalog_file(language).is_file()


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The interface strings of ``language``, compiled from its ``.po`` file by Babel (fuzzy
    entries left out); English, or a language without a catalog, keeps the strings as written."""
    path = catalog_file(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language.replace("-", "_"))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return translations(_state.active).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message for ``count``, in the active language (format
    the count in afterwards: ``ngettext("%(n)s step", "%(n)s steps", n) % {"n": n}``)."""
    return translations(_state.active).ngettext(singular, plural, count)


_ = gettext


def in_english(text: str) -> str:
    """A text credsite has only in English (a column's meaning in the published files) as a
    page of the active language shows it: marked as English (``Untranslated``) on the pages
    of another language."""
    return text if _state.active == SOURCE_LANGUAGE else Untranslated(text, SOURCE_LANGUAGE)


#: a named value in a message of the interface
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def translated(text: str) -> str:
    """A text of the interface that the shared files hold in English (a ``Phrase``, or a
    message marked with ``N_``) as a page of the active language shows it: translated, or,
    while a part of it has no translation yet, in English marked as such (``in_english``)."""
    if _state.active == SOURCE_LANGUAGE:
        return text
    said = _said(text)
    return said if said is not None else Untranslated(text, SOURCE_LANGUAGE)


def _said(text: str) -> str | None:
    """``text`` in the active language; None when a part of it has no translation."""
    message = text.message if isinstance(text, Phrase) else str(text)
    words = gettext(message)
    if words == message and any(char.isalpha() for char in PLACEHOLDER.sub("", message)):
        return None
    if not isinstance(text, Phrase):
        return words
    values = {}
    for key, value in text.values.items():
        values[key] = _said(value) if isinstance(value, Phrase) else value
        if values[key] is None:
            return None
    return words % values


def as_written(text: str | None) -> str | None:
    """A text no language but the catalog's own has (SPEC 10 translates no name: a
    credential's or an issuer's name, an occupation's title, a note in a credential's history)
    as a page of the active language shows it: on the pages of another language, an
    ``Untranslated`` text of the site's default language, which the templates' ``lang_marked``
    marks with its ``lang`` (the templates' ``as_written`` filter does both)."""
    if text is None or isinstance(text, Untranslated) or _state.active == default_language():
        return text
    return Untranslated(text, default_language())


# --- URLs ----------------------------------------------------------------------------------


def prefix(language: str) -> str:
    """'' for the default language, '/es' for Spanish."""
    return "" if language == _state.languages[0] else f"/{language}"


def neutral_path(path: str) -> str:
    """``path`` without its language prefix: '/es/credentials/' -> '/credentials/'."""
    for language in _state.languages[1:]:
        if path.startswith(f"/{language}/"):
            return path[len(language) + 1 :]
    return path


def is_page(path: str) -> bool:
    """A page ('/about/', '/schools/#north', '/404.html') has a copy in every language; a file
    ('/data/catalog.json', '/static/site.css', '/changes/feed.xml') is the same for all."""
    bare = path.split("#", 1)[0].split("?", 1)[0]
    return (
        path.startswith("/") and not path.startswith("//") and (bare.endswith("/") or bare.endswith(".html"))
    )


def path_in(path: str, language: str) -> str:
    """The same page in ``language`` (a file keeps its path)."""
    if not is_page(path):
        return path
    return prefix(language) + neutral_path(path)


def url(path: str) -> str:
    """``path`` in the active language: every link to a page of the site goes through here
    (the templates' ``url()``, and the page contexts' ``credential_url`` and friends)."""
    return path_in(path, _state.active)


# --- names and formats ---------------------------------------------------------------------


@cache
def babel_locale(language: str) -> str | None:
    """The Babel locale whose dates and numbers a language's pages use: None (the English
    formats credsite always wrote) unless the interface is translated into it; the US
    variant where Babel has one (the site is a US state's: es_US writes $1,234.50)."""
    if language == SOURCE_LANGUAGE or not has_interface(language):
        return None
    code = language.replace("-", "_")
    if "_" not in code:
        try:
            Locale.parse(f"{code}_US")
            return f"{code}_US"
        except (UnknownLocaleError, ValueError):
            pass
    return code


def active_locale() -> str | None:
    return babel_locale(_state.active)


def language_name_in(language: str) -> str:
    """``language``'s name in the active language, as a sentence says it ("Spanish", "español")."""
    active = _state.active.replace("-", "_")
    try:
        return Locale.parse(language.replace("-", "_")).get_display_name(active) or language
    except (UnknownLocaleError, ValueError):
        return language


@cache
def language_name(language: str) -> str:
    """The language's name in itself, as a switcher shows it: 'English', 'Español'."""
    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        name = None
    name = name or language
    return name[:1].upper() + name[1:]
