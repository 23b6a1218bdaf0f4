"""Who may do what in which company: a role per user and company (and department, for
managers). An employee's own access comes from ``Employee.user``, not from a role row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.people.models import Company, Department


class Role(models.TextChoices):
    HR = "hr", _("HR")
    FINANCE = "finance", _("finance")
    SI_CLERK = "si_clerk", _("social insurance clerk")
    MANAGER = "manager", _("department manager")
    AUDITOR = "auditor", _("auditor")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="renshi_roles",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="managers",
        help_text=_("Managers only: the department they manage (and its sub-departments)."),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["company", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company", "role"],
                condition=models.Q(department__isnull=True),
                name="role_assignment_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "company", "role", "department"],
                condition=models.Q(department__isnull=False),
                name="role_assignment_unique_department",
            ),
            models.CheckConstraint(
                condition=models.Q(role="manager", department__isnull=False)
                | (~models.Q(role="manager") & models.Q(department__isnull=True)),
                name="role_assignment_department_for_managers_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.company.code}"
