"""Language of a request: zh-CN first, English with one switch."""

from __future__ import annotations

from starlette.requests import Request

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
    browser's Accept-Language, and finally zh-CN."""
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
    return "zh-CN"
