"""Special additional deductions (专项附加扣除) for monthly withholding, 2023 standards.

The amounts are those of 国发〔2023〕13号, in force from 2023-01-01 (children's education and
infant care 2,000 per child, elderly support 3,000); the rules for sharing and combining them
are those of 国发〔2018〕41号 and its 2022 infant-care addition (国发〔2022〕8号).

What is not here, on purpose:

- Serious illness (大病医疗) is claimed only in the annual settlement (汇算清缴): the self-paid
  part above 15,000, up to 80,000 a year. It never enters monthly withholding.
- The vocational certificate (职业资格继续教育) is a one-off 3,600 in the year the certificate
  is obtained, not a monthly amount: add :data:`VOCATIONAL_CERTIFICATE_DEDUCTION` to the
  additional deductions of the month it is claimed in, or leave it to the annual settlement.
- Duration limits (degree education at most 48 months, loan interest at most 240 months) are
  checked where the claim's dates are known, not in this monthly figure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from renshi.core.i18n import gettext_noop
from renshi.core.iit import IitInputError, NegativeAmountError, NotAnAmountError
from renshi.core.money import ZERO, round_cent

STANDARDS_SOURCE = "国发〔2023〕13号; 国发〔2018〕41号; 国发〔2022〕8号"

CHILD_EDUCATION_PER_CHILD = Decimal("2000")  # 子女教育, 国发〔2023〕13号
INFANT_CARE_PER_CHILD = Decimal("2000")  # 3岁以下婴幼儿照护, 国发〔2023〕13号
ELDERLY_SUPPORT_ONLY_CHILD = Decimal("3000")  # 赡养老人, 独生子女, 国发〔2023〕13号
ELDERLY_SUPPORT_SHARE_CAP = Decimal("1500")  # 非独生子女 each share at most, 国发〔2023〕13号
CONTINUING_EDUCATION_DEGREE = Decimal("400")  # 学历（学位）继续教育, 国发〔2018〕41号 art. 8
VOCATIONAL_CERTIFICATE_DEDUCTION = Decimal("3600")  # once, the year obtained; art. 8
HOUSING_LOAN_INTEREST = Decimal("1000")  # 住房贷款利息, first home, 国发〔2018〕41号 art. 14

SHARES = (100, 50)  # percent: one parent takes it all, or each parent half

INVALID_SHARE = gettext_noop("{field}: a share is 100 or 50 percent, not {value}")
NEGATIVE_COUNT = gettext_noop("{field}: {value} must not be negative")
RENT_WITH_LOAN_INTEREST = gettext_noop(
    "{field}: housing rent and housing loan interest cannot be deducted in the same month"
)
ELDERLY_SHARE_OVER_CAP = gettext_noop(
    "{field}: {value} is over the 1,500 a month a sibling may take of the 3,000"
)
ELDERLY_SHARE_FOR_ONLY_CHILD = gettext_noop(
    "{field}: an only child deducts the full 3,000 and shares nothing, not {value}"
)


class NegativeCountError(IitInputError):
    template = NEGATIVE_COUNT


class InvalidShareError(IitInputError):
    template = INVALID_SHARE


class RentWithLoanInterestError(IitInputError):
    template = RENT_WITH_LOAN_INTEREST


class ElderlyShareOverCapError(IitInputError):
    template = ELDERLY_SHARE_OVER_CAP


class ElderlyShareForOnlyChildError(IitInputError):
    template = ELDERLY_SHARE_FOR_ONLY_CHILD


class RentTier(enum.Enum):
    """Housing rent deduction by the city of work (国发〔2018〕41号 art. 17)."""

    # 直辖市、省会（首府）城市、计划单列市以及国务院确定的其他城市
    MAJOR_CITY = Decimal("1500")
    # 市辖区户籍人口超过100万的城市
    LARGE_CITY = Decimal("1100")
    # 市辖区户籍人口不超过100万的城市
    OTHER_CITY = Decimal("800")


@dataclass(frozen=True, slots=True)
class AdditionalDeductionClaim:
    """What an employee declared to the employer for monthly withholding.

    Shares are percentages, 100 or 50. ``elderly_support_share`` is the monthly amount a
    non-only child takes of the siblings' 3,000 (at most 1,500); an only child supporting a
    parent aged 60 or over sets ``is_only_child_supporting_elderly`` and leaves the share at
    zero. ``housing_loan_interest_share`` is 50 only when each spouse deducts a home bought
    before marriage.
    """

    children_in_education: int = 0
    children_in_education_share: int = 100
    infants_under_3: int = 0
    infants_under_3_share: int = 100
    is_only_child_supporting_elderly: bool = False
    elderly_support_share: Decimal = ZERO
    is_continuing_education_degree: bool = False
    is_housing_loan_interest: bool = False
    housing_loan_interest_share: int = 100
    housing_rent_tier: RentTier | None = None

    def __post_init__(self) -> None:
        for field in ("children_in_education", "infants_under_3"):
            count = getattr(self, field)
            if count < 0:
                raise NegativeCountError(field=field, value=count)
        for field in (
            "children_in_education_share",
            "infants_under_3_share",
            "housing_loan_interest_share",
        ):
            share = getattr(self, field)
            if share not in SHARES:
                raise InvalidShareError(field=field, value=share)
        self._check_elderly_support()
        if self.is_housing_loan_interest and self.housing_rent_tier is not None:
            raise RentWithLoanInterestError(
                field="housing_rent_tier",
                value=self.housing_rent_tier.value,
            )

    def _check_elderly_support(self) -> None:
        share = self.elderly_support_share
        field = "elderly_support_share"
        if not isinstance(share, Decimal) or not share.is_finite():
            raise NotAnAmountError(field=field, value=share)
        if share < ZERO:
            raise NegativeAmountError(field=field, value=share)
        if self.is_only_child_supporting_elderly and share:
            raise ElderlyShareForOnlyChildError(field=field, value=share)
        if share > ELDERLY_SUPPORT_SHARE_CAP:
            raise ElderlyShareOverCapError(field=field, value=share)


def _share(amount: Decimal, percent: int) -> Decimal:
    return amount * percent / 100


def additional_deduction_monthly(claim: AdditionalDeductionClaim) -> Decimal:
    """The month's special additional deductions for withholding (serious illness excluded)."""
    total = (
        _share(
            CHILD_EDUCATION_PER_CHILD * claim.children_in_education,
            claim.children_in_education_share,
        )
        + _share(INFANT_CARE_PER_CHILD * claim.infants_under_3, claim.infants_under_3_share)
        + (
            ELDERLY_SUPPORT_ONLY_CHILD
            if claim.is_only_child_supporting_elderly
            else claim.elderly_support_share
        )
    )
    if claim.is_continuing_education_degree:
        total += CONTINUING_EDUCATION_DEGREE
    if claim.is_housing_loan_interest:
        total += _share(HOUSING_LOAN_INTEREST, claim.housing_loan_interest_share)
    if claim.housing_rent_tier is not None:
        total += claim.housing_rent_tier.value
    return round_cent(total)
