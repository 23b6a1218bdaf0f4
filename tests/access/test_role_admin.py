"""The back office's roles page."""

from __future__ import annotations

import pytest
from django.test import Client

from renshi.access.models import Role, RoleAssignment


@pytest.fixture
def admin_client_(make_user) -> Client:
    client = Client()
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
def test_the_roles_page_lists_and_filters_by_company_and_role(
    admin_client_, make_user, grant, company
):
    grant(make_user(), company, Role.HR)

    listed = admin_client_.get("/admin/access/roleassignment/")
    filtered = admin_client_.get(
        f"/admin/access/roleassignment/?company__id__exact={company.pk}&role__exact=finance"
    )

    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 1
    assert filtered.status_code == 200
    assert len(filtered.context["cl"].result_list) == 0


@pytest.mark.django_db
def test_a_manager_is_given_a_department_of_the_same_company(
    admin_client_, make_user, make_company, make_department, company
):
    user = make_user()
    theirs = make_department(make_company())
    ours = make_department(company)
    form = {"user": user.pk, "company": company.pk, "role": Role.MANAGER}

    foreign = admin_client_.post(
        "/admin/access/roleassignment/add/", {**form, "department": theirs.pk}
    )
    missing = admin_client_.post("/admin/access/roleassignment/add/", form)
    granted = admin_client_.post(
        "/admin/access/roleassignment/add/", {**form, "department": ours.pk}
    )

    assert foreign.status_code == missing.status_code == 200
    assert "department" in foreign.context["adminform"].form.errors
    assert "department" in missing.context["adminform"].form.errors
    assert granted.status_code == 302
    assert RoleAssignment.objects.get().department == ours


@pytest.mark.django_db
def test_only_a_manager_is_given_a_department(admin_client_, make_user, make_department, company):
    form = {
        "user": make_user().pk,
        "company": company.pk,
        "role": Role.HR,
        "department": make_department(company).pk,
    }

    response = admin_client_.post("/admin/access/roleassignment/add/", form)

    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.exists()
