"""Writes to a company's people: structure, onboarding (增员), leaving (减员), enrolment changes,
contracts, training, and re-encryption under a new key.

Every service is keyword-only, checks the actor's permission first (``actor=None`` is the system)
and writes inside one transaction. Bad data raises a ``PeopleError`` naming the field and, for
an employee, the employee number. Every change of an enrolment leaves an ``EnrolmentChange``;
hiring, leaving and the bureau's confirmations are also written to the evidence log in the same
transaction (``people.evidence``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renshi.access.checks import Perm, department_subtree, recorded_user, require
from renshi.core.months import Month
from renshi.evidence.services import EvidenceRecord, evidence_append_many
from renshi.people import crypto
from renshi.people.errors import (
    AccountTakenError,
    BadChoiceError,
    DateOrderError,
    DepartmentCycleError,
    DuplicateCodeError,
    EmployeeStateError,
    EnrolmentStateError,
    NotInCompanyError,
    OpenEndedContractEndError,
    RequiredValueError,
    UnknownFieldError,
    choice_label,
)
from renshi.people.evidence import (
    enrolment_confirmed_record,
    onboarded_record,
    resigned_record,
)
from renshi.people.models import (
    ENROLMENT_BASE_FIELDS,
    Company,
    Contract,
    ContractType,
    Department,
    Employee,
    EmployeeStatus,
    EmploymentType,
    Enrolment,
    EnrolmentAction,
    EnrolmentChange,
    EnrolmentState,
    Position,
    TrainingRecord,
)
from renshi.people.validation import (
    EMPLOYEE_CHANGEABLE,
    CleanEmployee,
    CompanyIndex,
    EmployeeInput,
    check_employee,
    clean_amount,
    clean_choice,
    clean_text,
    company_values,
    employee_updates,
    enrolment_updates,
)
from renshi.people.validation import (
    EnrolmentInput as EnrolmentInput,  # part of employee_onboard's signature
)
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor

OPEN_STATES = (EnrolmentState.PENDING_ADD, EnrolmentState.ACTIVE, EnrolmentState.PENDING_REMOVE)
ENROLMENT_CHANGEABLE = (
    *ENROLMENT_BASE_FIELDS,
    "work_injury_class",
)


# --- employees ---------------------------------------------------------------------------


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def _record(
    enrolment: Enrolment,
    *,
    action: str,
    from_state: str,
    changes: dict[str, tuple[object, object]],
    actor: Actor,
    reason: str = "",
) -> EnrolmentChange:
    return EnrolmentChange.objects.create(
        enrolment=enrolment,
        action=action,
        from_state=from_state,
        to_state=enrolment.state,
        changes={
            name: {"old": _as_text(old), "new": _as_text(new)}
            for name, (old, new) in changes.items()
        },
        reason=reason[:300],
        actor=recorded_user(actor),
    )


def onboard_clean(
    clean: CleanEmployee, *, actor: Actor, index: CompanyIndex, source: str
) -> tuple[Employee, EvidenceRecord]:
    """Save checked data: the employee and, when given, a pending 增员. Call inside atomic.

    Returns the employee and the ``employee.onboarded`` record for the caller to append in the
    same transaction (one append for a whole spreadsheet)."""
    resident = clean.resident_id
    employee = Employee.objects.create(
        company=index.company,
        id_number_encrypted=crypto.encrypt(resident.number, purpose=crypto.ID_NUMBER_PURPOSE),
        id_number_hash=crypto.lookup_hash(resident.number),
        id_number_last4=resident.last4,
        bank_account_encrypted=crypto.encrypt(
            clean.bank_account, purpose=crypto.BANK_ACCOUNT_PURPOSE
        )
        if clean.bank_account
        else "",
        bank_account_last4=clean.bank_account[-4:],
        status=EmployeeStatus.ACTIVE,
        **clean.fields,
    )
    index.remember(employee)
    enrolment = None
    if clean.enrolment is not None:
        enrolment = Enrolment.objects.create(
            employee=employee, state=EnrolmentState.PENDING_ADD, **clean.enrolment
        )
        _record(
            enrolment,
            action=EnrolmentAction.ADD,
            from_state="",
            changes={name: (None, value) for name, value in clean.enrolment.items()},
            actor=actor,
        )
    return employee, onboarded_record(employee, enrolment=enrolment, actor=actor, source=source)


def employee_onboard(
    *,
    actor: Actor,
    company: Company,
    number: str,
    name: str,
    id_number: str,
    hire_date: datetime.date,
    phone: str = "",
    email: str = "",
    bank_name: str = "",
    bank_account: str = "",
    department: Department | None = None,
    position: Position | None = None,
    employment_type: str = EmploymentType.FULL_TIME,
    work_city: str = "",
    enrolment: EnrolmentInput | None = None,
) -> Employee:
    """Hire someone: check everything, derive gender and birth date from the resident ID,
    encrypt the ID and bank account, and open a pending 增员 from the hire month (or the
    enrolment's ``start_month``). A blank work city is the company's default city.

    Raises the first ``PeopleError`` found; nothing is written then.
    """
    require(actor, Perm.PEOPLE_EDIT, company=company)
    if enrolment is not None:
        require(actor, Perm.ENROLMENT_EDIT, company=company)
    data = EmployeeInput(
        number=number,
        name=name,
        id_number=id_number,
        hire_date=hire_date,
        phone=phone,
        email=email,
        bank_name=bank_name,
        bank_account=bank_account,
        department=department,
        position=position,
        employment_type=employment_type,
        work_city=work_city,
        enrolment=enrolment,
    )
    with transaction.atomic():
        index = CompanyIndex.load(company)
        clean, errors = check_employee(data, index)
        if errors:
            raise errors[0]
        assert clean is not None
        employee, record = onboard_clean(clean, actor=actor, index=index, source="form")
        evidence_append_many(records=[record])
    return employee


def employee_update(*, actor: Actor, employee: Employee, **fields: Any) -> Employee:
    """Correct an employee's details (``EMPLOYEE_CHANGEABLE``). A new resident ID gives new
    gender and birth date; a blank ``id_number`` or ``bank_account`` means unchanged."""
    company = employee.company
    require(actor, Perm.PEOPLE_EDIT, company=company, employee=employee)
    number = employee.number
    for name in fields:
        if name not in EMPLOYEE_CHANGEABLE:
            raise UnknownFieldError(
                field=name, number=number, allowed=", ".join(EMPLOYEE_CHANGEABLE)
            )
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=employee.pk)
        index = CompanyIndex.load(company)
        index.exclude_pk = employee.pk
        updates = employee_updates(employee, fields, index)
        for name, value in updates.items():
            setattr(employee, name, value)
        if updates:
            employee.save(update_fields=[*updates, "updated_at"])
    return employee


def _next_month_start(month: Month) -> datetime.date:
    following = month.add(1)
    return datetime.date(following.year, following.month, 1)


def _open_enrolments(employee: Employee) -> models.QuerySet[Enrolment]:
    return Enrolment.objects.filter(employee=employee, state__in=OPEN_STATES)


def employee_resign(
    *, actor: Actor, employee: Employee, leave_date: datetime.date, reason: str = ""
) -> Employee:
    """Record the last working day and request the 减员.

    The leave month is still contributed, so the enrolment's last month is the leave month and
    the 减员 is due from the first day of the following month (``removal_due_date``). An
    enrolment whose first month comes after the leave month never started: it is cancelled.
    """
    company = employee.company
    require(actor, Perm.PEOPLE_EDIT, company=company, employee=employee)
    number = employee.number
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=employee.pk)
        if employee.status != EmployeeStatus.ACTIVE:
            raise EmployeeStateError(
                field="leave_date",
                number=number,
                status=choice_label(employee.status),
                expected=choice_label(EmployeeStatus.ACTIVE),
            )
        if leave_date < employee.hire_date:
            raise DateOrderError(
                field="leave_date",
                number=number,
                value=leave_date.isoformat(),
                other_field="hire_date",
                other=employee.hire_date.isoformat(),
            )
        reason = clean_text(reason, field="leave_reason", number=number, limit=200, required=False)
        to_end = list(
            _open_enrolments(employee)
            .exclude(state=EnrolmentState.PENDING_REMOVE)
            .select_for_update()
        )
        if to_end:
            require(actor, Perm.ENROLMENT_EDIT, company=company, employee=employee)
        last_month = Month(leave_date.year, leave_date.month)
        removals = []
        for enrolment in to_end:
            action = _request_removal(enrolment, last_month=last_month, actor=actor, reason=reason)
            removals.append((action, enrolment))
        employee.leave_date = leave_date
        employee.leave_reason = reason
        employee.status = EmployeeStatus.LEAVING
        employee.save(update_fields=["leave_date", "leave_reason", "status", "updated_at"])
        evidence_append_many(records=[resigned_record(employee, removals=removals, actor=actor)])
    return employee


def _request_removal(enrolment: Enrolment, *, last_month: Month, actor: Actor, reason: str) -> str:
    """End the enrolment with the leave month; the action taken (a 减员, or a cancellation)."""
    before_state, before_end, before_due = (
        enrolment.state,
        enrolment.end_month,
        enrolment.removal_due_date,
    )
    if last_month < Month.parse(enrolment.start_month):
        enrolment.state = EnrolmentState.ENDED
        enrolment.end_month = str(last_month)
        enrolment.removal_due_date = None
        action = EnrolmentAction.CANCEL
    else:
        enrolment.end_month = str(last_month)
        enrolment.removal_due_date = _next_month_start(last_month)
        # A 增员 not yet confirmed stays pending; confirming it then leads on to the 减员.
        if enrolment.state == EnrolmentState.ACTIVE:
            enrolment.state = EnrolmentState.PENDING_REMOVE
        action = EnrolmentAction.REMOVE
    enrolment.save(update_fields=["state", "end_month", "removal_due_date", "updated_at"])
    _record(
        enrolment,
        action=action,
        from_state=before_state,
        changes={
            "end_month": (before_end, enrolment.end_month),
            "removal_due_date": (before_due, enrolment.removal_due_date),
        },
        actor=actor,
        reason=reason,
    )
    return action


def _locked_enrolment(actor: Actor, enrolment: Enrolment) -> Enrolment:
    employee = enrolment.employee
    require(actor, Perm.ENROLMENT_EDIT, company=employee.company, employee=employee)
    return Enrolment.objects.select_for_update().select_related("employee").get(pk=enrolment.pk)


def _require_state(enrolment: Enrolment, expected: str) -> None:
    if enrolment.state != expected:
        raise EnrolmentStateError(
            field="state",
            number=enrolment.employee.number,
            state=choice_label(enrolment.state),
            expected=choice_label(expected),
        )


def enrolment_confirm_add(*, actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """The bureau accepted the 增员: active, or on to a pending 减员 if the employee has left."""
    with transaction.atomic():
        enrolment = _locked_enrolment(actor, enrolment)
        _require_state(enrolment, EnrolmentState.PENDING_ADD)
        enrolment.state = (
            EnrolmentState.PENDING_REMOVE if enrolment.end_month else EnrolmentState.ACTIVE
        )
        enrolment.save(update_fields=["state", "updated_at"])
        _record(
            enrolment,
            action=EnrolmentAction.ADD_CONFIRMED,
            from_state=EnrolmentState.PENDING_ADD,
            changes={},
            actor=actor,
            reason=reason,
        )
        record = enrolment_confirmed_record(
            enrolment,
            action=EnrolmentAction.ADD_CONFIRMED,
            from_state=EnrolmentState.PENDING_ADD,
            reason=reason,
            actor=actor,
        )
        evidence_append_many(records=[record])
    return enrolment


def enrolment_confirm_remove(
    *, actor: Actor, enrolment: Enrolment, reason: str = "", today: datetime.date | None = None
) -> Enrolment:
    """The bureau accepted the 减员: the enrolment ends, and an employee whose last working day
    has passed, with nothing else open, has left."""
    today = today or timezone.localdate()
    with transaction.atomic():
        enrolment = _locked_enrolment(actor, enrolment)
        _require_state(enrolment, EnrolmentState.PENDING_REMOVE)
        enrolment.state = EnrolmentState.ENDED
        enrolment.save(update_fields=["state", "updated_at"])
        _record(
            enrolment,
            action=EnrolmentAction.REMOVE_CONFIRMED,
            from_state=EnrolmentState.PENDING_REMOVE,
            changes={},
            actor=actor,
            reason=reason,
        )
        has_left = _mark_left(Employee.objects.filter(pk=enrolment.employee_id), today) > 0
        record = enrolment_confirmed_record(
            enrolment,
            action=EnrolmentAction.REMOVE_CONFIRMED,
            from_state=EnrolmentState.PENDING_REMOVE,
            reason=reason,
            actor=actor,
            has_left=has_left,
        )
        evidence_append_many(records=[record])
    return enrolment


def _mark_left(employees: models.QuerySet[Employee], today: datetime.date) -> int:
    still_enrolled = Enrolment.objects.filter(state__in=OPEN_STATES).values("employee_id")
    return (
        employees.filter(status=EmployeeStatus.LEAVING, leave_date__lt=today)
        .exclude(pk__in=still_enrolled)
        .update(status=EmployeeStatus.LEFT, updated_at=timezone.now())
    )


def employee_account_link(*, actor: Actor, employee: Employee, user: Any) -> Employee:
    """Give the employee a sign-in account for their own records (payslips, what they owe).

    One account belongs to one employee; former employees keep theirs, read-only by role.
    """
    require(actor, Perm.PEOPLE_EDIT, company=employee.company, employee=employee)
    other = Employee.objects.filter(user=user).exclude(pk=employee.pk).first()
    if other is not None:
        raise AccountTakenError(
            field="user", number=employee.number, value=user.get_username(), other=other.number
        )
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    return employee


def employees_mark_left(
    *, actor: Actor, company: Company, today: datetime.date | None = None
) -> int:
    """Scheduled work: employees past their last working day with no open enrolment have left."""
    require(actor, Perm.PEOPLE_EDIT, company=company)
    with transaction.atomic():
        return _mark_left(Employee.objects.filter(company=company), today or timezone.localdate())


def enrolment_change(
    *, actor: Actor, enrolment: Enrolment, reason: str = "", **fields: Any
) -> Enrolment:
    """Change bases, the housing fund rate or the industry class; the old and new values are
    kept in the change record. ``None`` clears a per-item base (it falls back to ``base``)."""
    number = enrolment.employee.number
    for name in fields:
        if name not in ENROLMENT_CHANGEABLE:
            raise UnknownFieldError(
                field=name, number=number, allowed=", ".join(ENROLMENT_CHANGEABLE)
            )
    with transaction.atomic():
        enrolment = _locked_enrolment(actor, enrolment)
        if enrolment.state == EnrolmentState.ENDED:
            raise EnrolmentStateError(
                field="state",
                number=number,
                state=choice_label(enrolment.state),
                expected=choice_label("not_ended"),
            )
        updates = enrolment_updates(enrolment, fields, number)
        changes = {
            name: (getattr(enrolment, name), value)
            for name, value in updates.items()
            if getattr(enrolment, name) != value
        }
        if not changes:
            return enrolment
        for name, (_old, new) in changes.items():
            setattr(enrolment, name, new)
        enrolment.save(update_fields=[*changes, "updated_at"])
        _record(
            enrolment,
            action=EnrolmentAction.CHANGE,
            from_state=enrolment.state,
            changes=changes,
            actor=actor,
            reason=reason,
        )
    return enrolment


# --- contracts and training --------------------------------------------------------------


def _check_order(
    first: datetime.date | None,
    then: datetime.date | None,
    *,
    field: str,
    first_field: str,
    number: str,
) -> None:
    if first is not None and then is not None and then < first:
        raise DateOrderError(
            field=field,
            number=number,
            value=then.isoformat(),
            other_field=first_field,
            other=first.isoformat(),
        )


def contract_add(
    *,
    actor: Actor,
    employee: Employee,
    contract_type: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    probation_end_date: datetime.date | None = None,
    signed_date: datetime.date | None = None,
    number: str = "",
    attachment: File[Any] | None = None,
    note: str = "",
) -> Contract:
    """File a labour contract. A fixed-term contract needs an end date; an open-ended one has
    none; probation ends within the contract."""
    require(actor, Perm.PEOPLE_EDIT, company=employee.company, employee=employee)
    who = employee.number
    clean_choice(contract_type, ContractType, field="contract_type", number=who)
    if contract_type == ContractType.FIXED_TERM and end_date is None:
        raise RequiredValueError(field="end_date", number=who)
    if contract_type == ContractType.OPEN_ENDED and end_date is not None:
        raise OpenEndedContractEndError(field="end_date", number=who)
    _check_order(start_date, end_date, field="end_date", first_field="start_date", number=who)
    _check_order(
        start_date,
        probation_end_date,
        field="probation_end_date",
        first_field="start_date",
        number=who,
    )
    _check_order(
        probation_end_date, end_date, field="end_date", first_field="probation_end_date", number=who
    )
    with transaction.atomic():
        contract = Contract(
            employee=employee,
            contract_type=contract_type,
            number=clean_text(number, field="number", number=who, limit=60, required=False),
            start_date=start_date,
            end_date=end_date,
            probation_end_date=probation_end_date,
            signed_date=signed_date,
            note=clean_text(note, field="note", number=who, limit=500, required=False),
        )
        if attachment is not None:
            contract.attachment.save(attachment.name or "contract", attachment, save=False)
        contract.save()
    return contract


def training_add(
    *,
    actor: Actor,
    employee: Employee,
    training_type: str,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    hours: Decimal | str | None = None,
    provider: str = "",
    attachment: File[Any] | None = None,
    note: str = "",
) -> TrainingRecord:
    """Record a training (with its certificate or sign-in sheet as an attachment)."""
    require(actor, Perm.PEOPLE_EDIT, company=employee.company, employee=employee)
    who = employee.number
    _check_order(start_date, end_date, field="end_date", first_field="start_date", number=who)
    with transaction.atomic():
        record = TrainingRecord(
            employee=employee,
            training_type=clean_text(
                training_type, field="training_type", number=who, limit=60, required=True
            ),
            title=clean_text(title, field="title", number=who, limit=200, required=True),
            start_date=start_date,
            end_date=end_date,
            hours=None
            if hours in (None, "")
            else clean_amount(
                hours, field="hours", number=who, step=Decimal("0.1"), below=Decimal("1e5")
            ),
            provider=clean_text(provider, field="provider", number=who, limit=200, required=False),
            note=clean_text(note, field="note", number=who, limit=500, required=False),
        )
        if attachment is not None:
            record.attachment.save(attachment.name or "training", attachment, save=False)
        record.save()
    return record


# --- company structure -------------------------------------------------------------------


def _require_system(actor: Actor) -> None:
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator may create a company."))


def company_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    default_city: str,
    payday: int = 10,
    credit_code: str = "",
    address: str = "",
    phone: str = "",
) -> Company:
    """A new company (only the system or a superuser: no role reaches beyond its company)."""
    _require_system(actor)
    code = clean_text(code, field="code", number=None, limit=40, required=True)
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        raise BadChoiceError(field="code", value=code, choices="a-z 0-9 - _")
    values = company_values(
        {
            "name": name,
            "default_city": default_city,
            "payday": payday,
            "credit_code": credit_code,
            "address": address,
            "phone": phone,
        },
        policy_library(),
    )
    with transaction.atomic():
        if Company.objects.filter(code=code).exists():
            raise DuplicateCodeError(field="code", value=code)
        return Company.objects.create(code=code, **values)


def company_update(*, actor: Actor, company: Company, **fields: Any) -> Company:
    """Change a company's name, credit code, default city, payday, address or phone."""
    require(actor, Perm.SETTINGS_EDIT, company=company)
    allowed = ("name", "credit_code", "default_city", "payday", "address", "phone")
    for name in fields:
        if name not in allowed:
            raise UnknownFieldError(field=name, allowed=", ".join(allowed))
    values = company_values(fields, policy_library())
    with transaction.atomic():
        for name, value in values.items():
            setattr(company, name, value)
        if values:
            company.save(update_fields=list(values))
    return company


def _unit_code(model: type[Department] | type[Position], company: Company, code: str) -> str:
    code = clean_text(code, field="code", number=None, limit=40, required=True)
    if model.objects.filter(company=company, code=code).exists():
        raise DuplicateCodeError(field="code", value=code)
    return code


def _check_parent(
    company: Company, parent: Department | None, department: Department | None
) -> None:
    if parent is None:
        return
    if parent.company_id != company.pk:
        raise NotInCompanyError(field="parent", value=str(parent))
    if department is not None and parent.pk in department_subtree([department.pk]):
        raise DepartmentCycleError(field="parent")


def department_create(
    *, actor: Actor, company: Company, code: str, name: str, parent: Department | None = None
) -> Department:
    require(actor, Perm.SETTINGS_EDIT, company=company)
    with transaction.atomic():
        code = _unit_code(Department, company, code)
        _check_parent(company, parent, None)
        return Department.objects.create(
            company=company,
            code=code,
            name=clean_text(name, field="name", number=None, limit=200, required=True),
            parent=parent,
        )


def department_update(*, actor: Actor, department: Department, **fields: Any) -> Department:
    """Rename a department (``name``) or move it under another (``parent``), never under
    itself or one of its own sub-departments."""
    require(actor, Perm.SETTINGS_EDIT, company=department.company)
    for name in fields:
        if name not in ("name", "parent"):
            raise UnknownFieldError(field=name, allowed="name, parent")
    with transaction.atomic():
        if "name" in fields:
            department.name = clean_text(
                fields["name"], field="name", number=None, limit=200, required=True
            )
        if "parent" in fields:
            _check_parent(department.company, fields["parent"], department)
            department.parent = fields["parent"]
        if fields:
            department.save(update_fields=list(fields))
    return department


def position_create(*, actor: Actor, company: Company, code: str, name: str) -> Position:
    require(actor, Perm.SETTINGS_EDIT, company=company)
    with transaction.atomic():
        return Position.objects.create(
            company=company,
            code=_unit_code(Position, company, code),
            name=clean_text(name, field="name", number=None, limit=200, required=True),
        )


def position_update(*, actor: Actor, position: Position, name: str) -> Position:
    require(actor, Perm.SETTINGS_EDIT, company=position.company)
    with transaction.atomic():
        position.name = clean_text(name, field="name", number=None, limit=200, required=True)
        position.save(update_fields=["name"])
    return position


# --- keys --------------------------------------------------------------------------------

# Every encrypted column and the purpose it was encrypted for.
ENCRYPTED_FIELDS: tuple[tuple[type[models.Model], str, str], ...] = (
    (Employee, "id_number_encrypted", crypto.ID_NUMBER_PURPOSE),
    (Employee, "bank_account_encrypted", crypto.BANK_ACCOUNT_PURPOSE),
)


def people_keys_rotate(*, batch_size: int = 1000) -> int:
    """Re-encrypt every value still under an older key with the current one; how many changed.

    Batches of ``batch_size`` rows, each in its own transaction, so a large table is not locked
    at once and an interrupted run resumes where it stopped. A value under a key no longer in
    the ring raises ``UnknownKeyError``: keep old keys until this has run.
    """
    kid = crypto.current_kid()
    prefix = f"{crypto.VERSION}:{kid}:"
    count = 0
    for model, column, purpose in ENCRYPTED_FIELDS:
        current = Q(**{column: ""}) | Q(**{f"{column}__startswith": prefix})
        stale = model._default_manager.exclude(current)
        last_pk = 0
        while True:
            with transaction.atomic():
                rows = list(
                    stale.filter(pk__gt=last_pk).order_by("pk").select_for_update()[:batch_size]
                )
                if not rows:
                    break
                for row in rows:
                    clear = crypto.decrypt(getattr(row, column), purpose=purpose)
                    setattr(row, column, crypto.encrypt(clear, purpose=purpose))
                model._default_manager.bulk_update(rows, [column])
            count += len(rows)
            last_pk = rows[-1].pk
    return count
