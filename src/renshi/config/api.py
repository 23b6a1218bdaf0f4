"""The versioned REST API (``/api/v1/``); every capability adds its router here."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from renshi.calc.api import router as calc_router
from renshi.core.errors import CoreError
from renshi.policies.api import router as policies_router

api = NinjaAPI(
    title="Renshi API",
    version="1",
    description="人事 Renshi: policy library and calculators. Amounts are decimal strings.",
    urls_namespace="api-v1",
)
api.add_router("/calc", calc_router)
api.add_router("/policies", policies_router)


@api.exception_handler(CoreError)
def core_error(request: HttpRequest, error: CoreError) -> HttpResponse:
    """Bad input: 422 with the field at fault and the message in the request's language."""
    return api.create_response(
        request,
        {"field": error.field, "message": error.render(gettext), "code": type(error).__name__},
        status=422,
    )
