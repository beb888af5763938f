"""Language of a request (zh-CN first, English with one switch) and the Babel catalogues."""

from __future__ import annotations

import contextvars
import functools
import gettext as _gettext
import io
from pathlib import Path

from starlette.requests import Request

from claimdesk.config import get_settings

SUPPORTED = ("zh-CN", "en")


def normalise(language: str | None) -> str | None:
    if not language:
        return None
    language = language.strip().lower()
    if language.startswith("zh"):
        return "zh-CN"
    if language.startswith("en"):
        return "en"
    return None


def request_language(request: Request, user_language: str | None = None) -> str:
    """Explicit ``?lang=`` wins, then the language cookie, the user's setting, the
    browser's Accept-Language, and finally the ``default_language`` setting."""
    for candidate in (
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        user_language,
    ):
        found = normalise(candidate)
        if found:
            return found
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        found = normalise(part.split(";")[0])
        if found:
            return found
    return default_language()


def default_language() -> str:
    """The ``default_language`` setting: the language nobody chose."""
    return get_settings().default_language


# -- Babel catalogues ------------------------------------------------------------------
#
# msgids are English; zh-CN translations live in locales/zh_CN/LC_MESSAGES/<domain>.po,
# one domain per team ("workbench", "admin", ...). Every .po is read at start-up and the
# domains are merged into one catalogue per language, so there is no compile step and a
# template never needs to know which domain a string came from.

LOCALES_DIR = Path(__file__).parent / "locales"
# Our language codes and the locale directory each one is read from.
_LOCALE_DIRS = {"zh-CN": "zh_CN"}

# The language of the code running now: set by the pages layer per request (render),
# read by ``_()`` in Python code and by the templates' gettext.
current_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "claimdesk_language", default="zh-CN"
)


def catalogue_files(language: str = "zh-CN") -> list[Path]:
    directory = _LOCALE_DIRS.get(language)
    if directory is None:
        return []
    return sorted((LOCALES_DIR / directory / "LC_MESSAGES").glob("*.po"))


@functools.cache
def translations(language: str) -> _gettext.NullTranslations:
    """One merged catalogue per language; English (the msgids) needs none."""
    # Babel's catalogue tools (a quarter of a second) only when a language is first read.
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    files = catalogue_files(language)
    if not files:
        return _gettext.NullTranslations()
    merged = Catalog(locale=_LOCALE_DIRS[language])
    for path in files:
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=_LOCALE_DIRS[language], domain=path.stem)
        for message in catalogue:
            # Untranslated or fuzzy entries fall back to the English msgid.
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string)
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer)


def reload_translations() -> None:
    """Forget the loaded catalogues (tests that edit a .po, a future admin reload)."""
    translations.cache_clear()


def gettext(message: str, language: str | None = None) -> str:
    return translations(language or current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    return translations(language or current_language.get()).ngettext(singular, plural, n)


def _(message: str, **params: object) -> str:
    """Translate ``message`` into the current request's language; ``%(name)s`` params."""
    text = gettext(message)
    return text % params if params else text
