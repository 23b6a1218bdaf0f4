from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from renshi.core.policy import UnknownCity
from renshi.policies.presenters import city_detail, city_summary
from renshi.policies.selectors import policy_library


def policy_list(request: HttpRequest) -> HttpResponse:
    cities = [city_summary(p) for _, p in sorted(policy_library().cities.items())]
    return render(request, "policies/list.html", {"cities": cities})


def policy_detail(request: HttpRequest, city: str) -> HttpResponse:
    try:
        policy = policy_library().city(city)
    except UnknownCity:
        raise Http404(city) from None
    return render(
        request,
        "policies/detail.html",
        {"policy": city_detail(policy)},
    )
