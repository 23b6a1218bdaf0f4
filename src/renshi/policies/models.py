"""Policy files imported by HR: each import is kept; the newest active one per city is used."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyFile(models.Model):
    city = models.CharField(_("city code"), max_length=40, db_index=True)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.TextField(_("file content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_active = models.BooleanField(_("in use"), default=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("policy file")
        verbose_name_plural = _("policy files")
        ordering = ["city", "-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=models.Q(is_active=True),
                name="policy_file_one_active_per_city",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city} ({self.filename})"
