"""``/api/v1/policies/``: the policy library in force, with every figure's source."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from ninja import Router
from ninja.errors import HttpError

from renshi.core.policy import UnknownCity
from renshi.policies.presenters import city_detail, city_summary
from renshi.policies.selectors import policy_library

router = Router(tags=["policy library"])


@router.get("/", summary="Cities in the library, their coverage and confidence counts")
def policy_list(request) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    library = policy_library()
    return [city_summary(p) for _, p in sorted(library.cities.items())]


@router.get("/{city}", summary="One city's periods, figures and sources")
def policy_detail(request, city: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    try:
        policy = policy_library().city(city)
    except UnknownCity as error:
        raise HttpError(404, error.render(gettext)) from None
    return city_detail(policy)
