"""The API speaks the language the client asks for.

Pages choose their language by URL prefix (Chinese at ``/``, English at ``/en/``), and
Django's LocaleMiddleware then ignores ``Accept-Language`` for un-prefixed paths. The API has
no prefix, so for ``/api/`` the request's ``Accept-Language`` (or language cookie) decides.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ApiLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        with translation.override(language):
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
