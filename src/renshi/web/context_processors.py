"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_from_path


def language_neutral_path(request: HttpRequest) -> dict[str, str]:
    """The current path without its language prefix, as the language switch's ``next``.

    ``set_language`` translates ``next`` under the default language; a ``/en/...`` path does
    not resolve there and would send the user back to the English page.
    """
    path = request.get_full_path()
    language = get_language_from_path(request.path_info)
    if language and language != settings.LANGUAGE_CODE:
        path = path[len(language) + 1 :] or "/"
    return {"language_neutral_path": path}
