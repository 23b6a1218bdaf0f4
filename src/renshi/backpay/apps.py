from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackpayConfig(AppConfig):
    name = "renshi.backpay"
    verbose_name = _("Back-payment requests")
