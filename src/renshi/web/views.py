from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renshi.policies.selectors import policy_library


def home(request: HttpRequest) -> HttpResponse:
    library = policy_library()
    return render(
        request, "web/home.html", {"cities": sorted(library.cities.values(), key=lambda p: p.city)}
    )
