from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "renshi.attendance"
    verbose_name = _("Time and leave")
