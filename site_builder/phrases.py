"""A sentence of the interface kept with what it is made of, so that any language can say it.

A ``Phrase`` is the English text itself (a ``str``, written as it is wherever every language
shares one text: the Frictionless descriptor, the rules' evidence) and also its ``message``,
a sentence marked for translation (``N_``) with ``%(name)s`` placeholders, and the named
``values`` that fill them, some of them phrases too. A page of another language translates
the message and fills it with the values said its own way (``site.i18n.translated``,
``site.environment.evidence``). It lives below both the rules and the site, which use it.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a string of the interface for translation where it is shown, not where it is
    written (a constant): Babel's extraction finds it (``babel.cfg``), the site translates it."""
    return message


class Phrase(str):
    message: str
    values: dict[str, object]

    def __new__(cls, message: str, **values: object) -> Phrase:
        made = super().__new__(cls, message % {key: cls.english(value) for key, value in values.items()})
        made.message = message
        made.values = values
        return made

    @classmethod
    def english(cls, value: object) -> object:
        """How a value reads in the English text (as it is, unless a kind of phrase says)."""
        return value

    def __reduce__(self) -> tuple:
        return (_remade, (type(self), self.message, self.values))


def _remade(kind: type[Phrase], message: str, values: dict[str, object]) -> Phrase:
    return kind(message, **values)
