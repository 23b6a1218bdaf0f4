"""The 催缴函 for the seed story: 王芳 owes 1500.00 of the 3500.00 advanced, asked for by a
letter whose PDF reads back with poppler, shows ink, and is the same bytes every time."""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import _missing_service

from renshi.core.money import MoneyError
from renshi.core.months import MonthFormatError
from renshi.notices.letters import (
    CIVIL_CODE_ART_985,
    DEADLINE_NOT_AFTER_ISSUE,
    HOUSING_FUND_REGULATION_ART_19,
    ID_NOT_MASKED,
    NEGATIVE_CAPITALS,
    NO_LINES,
    NOT_CENTS,
    NOTHING_OWED,
    OFFSET_NOT_NEGATIVE,
    SOCIAL_INSURANCE_LAW_ART_60,
    TOTAL_MISMATCH,
    UNKNOWN_ITEM,
    DemandLetter,
    DemandLetterError,
    LetterLine,
    PaymentInstructions,
    amount_in_capitals,
    letter_lines_from_items,
    render_demand_letter_html,
    render_demand_letter_pdf,
)

# The seed story (renshi.demo, tests/payroll/test_seed_story.py): June's pay covered pension,
# medical, unemployment and 563.02 of the 851.00 housing fund, so 287.98 of the housing fund
# was advanced; July and August were advanced in full (Beijing's 7162 floor from 2025-07).
FULL_MONTH = {
    "pension": "572.96",
    "medical": "146.24",
    "unemployment": "35.81",
    "housing_fund": "851.00",
}
SEED_LINES = (
    *letter_lines_from_items("2025-06", {"housing_fund": "287.98"}),
    *letter_lines_from_items("2025-07", FULL_MONTH),
    *letter_lines_from_items("2025-08", FULL_MONTH),
)
SETTLEMENT_OFFSET = ("2025-09 离职结算抵扣", Decimal("-2000.00"))


def seed_letter(**changes: object) -> DemandLetter:
    fields: dict[str, object] = {
        "letter_number": "HX-催-2025-0001",
        "company_name": "华夏精密制造有限公司",
        "company_address": "北京市朝阳区建国路88号",
        "company_phone": "010-65001234",
        "company_credit_code": "91110105MA01ABCD2X",
        "employee_name": "王芳",
        "employee_number": "HX0001",
        "employee_id_masked": "**************152X",
        "employee_address": "北京市海淀区中关村大街1号院3号楼502室",
        "lines": SEED_LINES,
        "offsets": [SETTLEMENT_OFFSET],
        "total_owed": Decimal("1500.00"),
        "deadline": datetime.date(2025, 11, 5),
        "payment": PaymentInstructions(
            bank_name="中国工商银行北京建国路支行",
            account_name="华夏精密制造有限公司",
            account_number="0200001234567890123",
            reference="HX-催-2025-0001 王芳",
        ),
        "contact_person": "李娜（人力资源部）",
        "contact_phone": "010-65001235",
        "issue_date": datetime.date(2025, 10, 20),
    }
    fields.update(changes)
    return DemandLetter(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def poppler() -> None:
    for tool in ("pdftotext", "pdftoppm", "pdfinfo"):
        if shutil.which(tool) is None:
            _missing_service(tool, "install Debian's poppler-utils")


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("letter") / "HX-催-2025-0001.pdf"
    path.write_bytes(render_demand_letter_pdf(seed_letter()))
    return path


def _run(*args: str | Path) -> str:
    return subprocess.run(
        [str(arg) for arg in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def _compact(text: str) -> str:
    """Layout mode spreads spaced-out headings and table cells; compare without whitespace."""
    return "".join(text.split())


# --- The seed story's letter -------------------------------------------------------------------


def test_the_seed_lines_add_up_to_the_3500_advanced() -> None:
    letter = seed_letter()

    assert letter.advanced_total == Decimal("3500.00")
    assert letter.months == ("2025-06", "2025-07", "2025-08")
    assert [line.amount for line in letter.lines if line.month == "2025-06"] == [Decimal("287.98")]
    assert sum(line.amount for line in letter.lines if line.month == "2025-07") == Decimal(
        "1606.01"
    )


def test_the_seed_letter_reads_back_from_the_pdf(poppler: None, seed_pdf: Path) -> None:
    text = _compact(_run("pdftotext", "-layout", seed_pdf, "-"))

    for expected in (
        "催缴函",
        "华夏精密制造有限公司",
        "统一社会信用代码：91110105MA01ABCD2X",
        "王芳",
        "HX0001",
        "**************152X",
        "3500.00",
        "-2000.00",
        "1500.00",
        "壹仟伍佰元整",
        "2025年11月5日",  # the deadline
        "2025年10月20日",  # the issue date
        "2025年6月",
        "2025年7月",
        "2025年8月",
        "287.98",
        "1606.01",
        "住房公积金（个人部分）",
        "养老保险（个人部分）",
        "社会保险法》第六十条",
        "住房公积金管理条例》第十九条",
        "民法典》第九百八十五条",
        "劳动争议仲裁",
        "0200001234567890123",
        "盖章",
    ):
        assert expected in text, expected


def test_the_pdf_is_a4_and_dated_by_the_issue_date(poppler: None, seed_pdf: Path) -> None:
    lines = _run("pdfinfo", "-isodates", seed_pdf).splitlines()
    info = dict((key, value.strip()) for key, _, value in (line.partition(":") for line in lines))

    assert info["Page size"].endswith("(A4)")
    assert info["CreationDate"].startswith("2025-10-20")
    assert info["ModDate"].startswith("2025-10-20")
    assert info["Title"] == "催缴函 HX-催-2025-0001"


def test_page_one_renders_with_ink_on_it(poppler: None, seed_pdf: Path, tmp_path: Path) -> None:
    page_one = ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile"]
    _run(*page_one, "-png", seed_pdf, tmp_path / "page")
    _run(*page_one, "-gray", seed_pdf, tmp_path / "page")  # no -png: a binary PGM

    png = (tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000
    width, height, pixels = _read_pgm((tmp_path / "page.pgm").read_bytes())
    assert (round(width / 50 * 25.4), round(height / 50 * 25.4)) == (210, 297)  # A4 in mm
    dark = sum(1 for value in pixels if value < 128)
    assert dark / (width * height) > 0.01


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5) as pdftoppm writes it: header tokens, one space, 8-bit pixels."""
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert (magic, maxval) == (b"P5", b"255")
    return int(width), int(height), pixels[: int(width) * int(height)]


def test_the_same_letter_renders_to_the_same_bytes() -> None:
    first = render_demand_letter_pdf(seed_letter())
    second = render_demand_letter_pdf(seed_letter())

    assert first[:5] == b"%PDF-"
    assert first == second


def test_a_blank_postal_address_leaves_the_line_out() -> None:
    with_address = render_demand_letter_html(seed_letter())
    without = render_demand_letter_html(seed_letter(employee_address=""))

    assert "送达地址" in with_address
    assert "送达地址" not in without


def test_names_are_escaped_and_the_letter_refers_to_nothing_outside_itself() -> None:
    html = render_demand_letter_html(seed_letter(employee_name="王芳<script>"))

    assert "王芳&lt;script&gt;" in html
    assert "<script>" not in html
    assert "http" not in html
    assert "url(" not in html


# --- What a letter may say -----------------------------------------------------------------


def test_a_letter_s_errors_are_value_errors() -> None:
    assert issubclass(DemandLetterError, ValueError)


def test_a_total_that_is_not_the_lines_plus_the_offsets_is_refused() -> None:
    with pytest.raises(DemandLetterError, match="total owed 1600.00") as error:
        seed_letter(total_owed=Decimal("1600.00"))

    assert error.value.template == TOTAL_MISMATCH
    assert error.value.params["expected"] == Decimal("1500.00")


def test_forgetting_the_offset_is_refused() -> None:
    with pytest.raises(DemandLetterError, match="total owed") as error:
        seed_letter(offsets=())

    assert error.value.template == TOTAL_MISMATCH


@pytest.mark.parametrize(
    ("changes", "template"),
    [
        ({"lines": ()}, NO_LINES),
        (
            {
                "offsets": [SETTLEMENT_OFFSET, ("2025-10 已还款", Decimal("-1500.00"))],
                "total_owed": Decimal("0.00"),
            },
            NOTHING_OWED,
        ),
        ({"offsets": [("抵扣", Decimal("2000.00"))]}, OFFSET_NOT_NEGATIVE),
        ({"total_owed": Decimal("1500.001")}, NOT_CENTS),
        ({"employee_id_masked": "11010519491231152X"}, ID_NOT_MASKED),
        ({"deadline": datetime.date(2025, 10, 20)}, DEADLINE_NOT_AFTER_ISSUE),
    ],
)
def test_a_letter_that_cannot_be_sent_is_refused(changes: dict[str, object], template: str) -> None:
    with pytest.raises(DemandLetterError) as error:
        seed_letter(**changes)

    assert error.value.template == template


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(DemandLetterError) as error:
        LetterLine("2025-06", "住房公积金（个人部分）", 287.98)  # type: ignore[arg-type]

    assert error.value.template == NOT_CENTS


def test_a_line_month_must_be_written_yyyy_mm() -> None:
    with pytest.raises(MonthFormatError):
        LetterLine("2025年6月", "住房公积金（个人部分）", Decimal("287.98"))


def test_a_letter_is_immutable() -> None:
    letter = seed_letter()

    with pytest.raises(dataclasses.FrozenInstanceError):
        letter.total_owed = Decimal("1")  # type: ignore[misc]
    assert isinstance(letter.lines, tuple)
    assert isinstance(letter.offsets, tuple)


# --- Lines from the arrears ledger's items ---------------------------------------------------


def test_an_advance_s_items_become_lines_in_the_order_of_the_payslip() -> None:
    lines = letter_lines_from_items(
        "2025-07", {"housing_fund": "851.00", "pension": "572.96", "unemployment": "0.00"}
    )

    assert lines == (
        LetterLine("2025-07", "养老保险（个人部分）", Decimal("572.96")),
        LetterLine("2025-07", "住房公积金（个人部分）", Decimal("851.00")),
    )


def test_an_item_without_an_employee_share_is_refused() -> None:
    with pytest.raises(DemandLetterError) as error:
        letter_lines_from_items("2025-07", {"work_injury": "12.00"})

    assert error.value.template == UNKNOWN_ITEM


def test_a_float_in_the_items_is_refused() -> None:
    with pytest.raises(MoneyError):
        letter_lines_from_items("2025-07", {"pension": 572.96})


# --- Legal basis ------------------------------------------------------------------------------


def test_the_seed_letter_cites_social_insurance_housing_fund_and_civil_code() -> None:
    basis = seed_letter().legal_basis

    assert basis is not None
    assert SOCIAL_INSURANCE_LAW_ART_60 in basis
    assert HOUSING_FUND_REGULATION_ART_19 in basis
    assert basis[-1] == CIVIL_CODE_ART_985


def test_a_housing_fund_only_letter_does_not_cite_the_social_insurance_law() -> None:
    june = letter_lines_from_items("2025-06", {"housing_fund": "287.98"})
    letter = seed_letter(lines=june, offsets=(), total_owed=Decimal("287.98"))

    assert letter.legal_basis == (HOUSING_FUND_REGULATION_ART_19, CIVIL_CODE_ART_985)
    assert "您个人缴纳的住房公积金。" in render_demand_letter_html(letter)


def test_a_lawyer_s_own_citations_replace_the_defaults() -> None:
    letter = seed_letter(legal_basis=["《劳动合同法》第三十条"])

    assert letter.legal_basis == ("《劳动合同法》第三十条",)
    assert "《劳动合同法》第三十条" in render_demand_letter_html(letter)


# --- Amounts in capitals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # Written by 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》.
        ("1500.00", "壹仟伍佰元整"),
        ("1606.01", "壹仟陆佰零陆元零壹分"),  # 角 is 0 and 分 is not: 零 after 元
        ("287.98", "贰佰捌拾柒元玖角捌分"),
        ("3500.00", "叁仟伍佰元整"),
        ("2000.00", "贰仟元整"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("10.00", "壹拾元整"),  # 壹 is written before 拾
        ("100.10", "壹佰元壹角"),
        ("10010.50", "壹万零壹拾元伍角"),
        ("100000.07", "壹拾万元零柒分"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("0.00", "零元整"),
    ],
)
def test_amounts_in_capitals(amount: str, capitals: str) -> None:
    assert amount_in_capitals(Decimal(amount)) == capitals


@pytest.mark.parametrize(
    ("amount", "template"),
    [
        ("1.005", NOT_CENTS),  # cn2an would silently print 壹元整
        ("-5.00", NEGATIVE_CAPITALS),
    ],
)
def test_amounts_in_capitals_refuses_what_cannot_be_written(amount: str, template: str) -> None:
    with pytest.raises(DemandLetterError) as error:
        amount_in_capitals(Decimal(amount))

    assert error.value.template == template
