"""What the employee owes, how to pay it, and their notices: read in the portal, acknowledged
there (with its evidence, once), and never anybody else's; former employees keep all of it."""

from __future__ import annotations

import datetime
import re

import pytest
from tests.portal.records_fixtures import PASSWORD, at, build_story, make_notice

from renshi.evidence.selectors import evidence_entries, evidence_entry_document
from renshi.notices.models import Acknowledgement, NoticeState
from renshi.payroll.models import Payslip

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(settings):
    return build_story(settings)


def _signed_in(client, username="wangfang"):
    assert client.login(username=username, password=PASSWORD)
    return client


def _acknowledged_entries(employee):
    return list(evidence_entries(employee=employee, kinds=["notice.acknowledged"]))


def test_the_owed_page_says_how_much_since_when_and_how_to_pay(client, story):
    response = _signed_in(client).get("/me/owed/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="owed-balance">¥1506.00<' in html
    # March was settled first (FIFO): what is left dates from April.
    assert "2025-04" in re.search(r'id="owed-since">([^<]*)<', html).group(1)
    assert "中国工商银行北京朝阳支行" in html
    assert 'id="account-number">0200 0012 3456 7890<' in html
    assert "李娜" in html
    assert "010-8888 6666" in html
    assert 'id="deduction-note"' in html  # still employed: future pay may recover it
    assert html.count('class="list-group-item ledger-row"') == 4
    assert f'href="/me/notices/{story.notice.pk}/"' in html
    assert f'href="/me/notices/{story.other_notice.pk}/"' not in html


def test_someone_who_owes_nothing_is_told_so(client, story):
    response = _signed_in(client, "liming").get("/me/owed/")

    html = response.content.decode()
    assert 'id="owed-balance">¥0.00<' in html
    assert 'id="nothing-owed"' in html
    assert 'id="how-to-pay"' not in html


def test_the_notice_page_shows_the_full_text_and_the_button(client, story):
    response = _signed_in(client).get(f"/me/notices/{story.notice.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert story.notice.body_text in html
    assert f'action="/me/notices/{story.notice.pk}/acknowledge/"' in html


def test_acknowledging_records_it_with_its_evidence_once(client, story, settings):
    settings.RENSHI_SIMULATED_NOW = at("2025-07-15T20:30")
    _signed_in(client)
    url = f"/me/notices/{story.notice.pk}/acknowledge/"

    first = client.post(url, HTTP_USER_AGENT="Mobile Safari", REMOTE_ADDR="10.1.2.3", follow=True)
    second = client.post(url, follow=True)

    assert first.redirect_chain == [(f"/me/notices/{story.notice.pk}/", 302)]
    acknowledgement = Acknowledgement.objects.get(notice=story.notice)
    assert acknowledgement.user == story.wang.user
    assert acknowledgement.at == at("2025-07-15T20:30")
    assert acknowledgement.ip == "10.1.2.3"
    assert acknowledgement.user_agent == "Mobile Safari"
    assert acknowledgement.text_shown == story.notice.body_text
    story.notice.refresh_from_db()
    assert story.notice.state == NoticeState.ACKNOWLEDGED
    entries = _acknowledged_entries(story.wang)
    assert len(entries) == 1
    assert evidence_entry_document(entries[0])["data"]["notice"] == story.notice.pk
    # Twice is once: the second press changes nothing and says so.
    assert Acknowledgement.objects.filter(notice=story.notice).count() == 1
    assert [m.level_tag for m in second.context["messages"]] == ["info"]
    html = second.content.decode()
    assert 'id="acknowledged"' in html
    assert 'id="acknowledge-form"' not in html


def test_someone_elses_notice_is_not_found_to_read_or_acknowledge(client, story):
    _signed_in(client, "liming")

    page = client.get(f"/me/notices/{story.notice.pk}/")
    press = client.post(f"/me/notices/{story.notice.pk}/acknowledge/")

    assert page.status_code == 404
    assert press.status_code == 404
    assert not Acknowledgement.objects.filter(notice=story.notice).exists()
    assert _acknowledged_entries(story.wang) == []


def test_acknowledging_takes_a_post(client, story):
    response = _signed_in(client).get(f"/me/notices/{story.notice.pk}/acknowledge/")

    assert response.status_code == 405
    assert not Acknowledgement.objects.filter(notice=story.notice).exists()


def test_a_former_employee_reads_every_page_and_may_acknowledge(client, story):
    story.wang.status = "left"
    story.wang.leave_date = datetime.date(2025, 6, 30)
    story.wang.save(update_fields=["status", "leave_date"])
    later = make_notice(
        story.wang, subject="第二次通知", amount="1506.00", created="2025-07-10T09:00"
    )
    payslip = Payslip.objects.get(employee=story.wang, month="2025-05", run__state="approved")
    _signed_in(client)

    for url in (
        "/me/payslips/",
        f"/me/payslips/{payslip.pk}/",
        f"/me/payslips/{payslip.pk}/pdf/",
        "/me/insurance/",
        "/me/owed/",
        f"/me/notices/{later.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    owed = client.get("/me/owed/").content.decode()
    assert 'id="deduction-note"' not in owed  # no more pay to deduct it from
    assert 'id="former-banner"' in owed

    response = client.post(f"/me/notices/{later.pk}/acknowledge/")

    assert response.status_code == 302
    assert Acknowledgement.objects.filter(notice=later).exists()
    assert len(_acknowledged_entries(story.wang)) == 1


def test_the_notices_list_shows_state_amount_deadline_and_acknowledgement(client, story):
    _signed_in(client).post(f"/me/notices/{story.notice.pk}/acknowledge/")

    html = client.get("/me/owed/").content.decode()

    row = html.split(f'data-notice="{story.notice.pk}"', 1)[1].split("</a>", 1)[0]
    assert "¥1506.00" in row
    assert "2025-07-31" in row
    assert "2025-07-15" in row  # acknowledged on the simulated day


def test_a_leaver_past_the_last_day_is_not_offered_deduction_from_pay(client, story):
    # Still "leaving" until the 减员 is confirmed, but past the last working day: no more pay.
    story.wang.status = "leaving"
    story.wang.leave_date = datetime.date(2025, 6, 30)
    story.wang.save(update_fields=["status", "leave_date"])

    html = _signed_in(client).get("/me/owed/").content.decode()

    assert 'id="how-to-pay"' in html
    assert 'id="deduction-note"' not in html
