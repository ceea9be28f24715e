"""A conversation per figure: a return is answered in the app, and only then does an
unchanged figure go back for approval; messages are mailed to the other side and seen only
by whoever may see the figure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests import factory
from tracker.figures import workflow, writes
from tracker.figures.history import change_log
from tracker.figures.import_rows import FigureRow
from tracker.models import FigureMessage, Profile, ProgressEntry, SentMail

YEAR = 2025
SCREENSHOT = "请附统计公报截图"
ANSWER = "截图已上传，见公报第3页"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="lingyuan-14th")


@pytest.fixture
def tongji(department):
    return factory.make_user(
        "tongji", role="reporter", departments=[department], email="tongji@example.org"
    )


@pytest.fixture
def chief(db):
    return factory.make_user("chief", role="admin", email="chief@example.org")


@pytest.fixture
def caizheng(other_department):
    return factory.make_user(
        "caizheng", role="reporter", departments=[other_department], email="cz@example.org"
    )


@pytest.fixture
def gdp(plan, department):
    return factory.make_target(plan, code="GDP", name="地区生产总值", lead_department=department)


@pytest.fixture
def income(plan, department):
    return factory.make_target(
        plan, code="INCOME-GROWTH", name="居民收入增长", unit="%", lead_department=department
    )


@pytest.fixture
def submitted(gdp, income, tongji):
    return {
        target.code: factory.make_entry(
            target, YEAR, value, state="submitted", entered_by=tongji, quality="preliminary"
        )
        for target, value in ((gdp, "160.2"), (income, "110.5"))
    }


def entry_url(plan):
    return reverse("tracker:data-entry", args=[plan.slug, YEAR])


def page_data(response, action: str, **changed) -> dict:
    """What the browser sends back from the entry page: every row's fields as shown, with
    `changed` ({"t12-value": "170"}) typed over them."""
    data = {action: "1"}
    for row in response.context["rows"]:
        if row.lock:
            continue
        form = row.form
        for name in form.fields:
            if name in ("evidence", "confirm"):
                continue
            value = form[name].value()
            if value is not None:
                data[f"{form.prefix}-{name}"] = value
    data.update(changed)
    return data


def notices(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def return_it(client, entry, reason=SCREENSHOT):
    return client.post(
        reverse("tracker:return-entry", args=[entry.pk]),
        {"reason": reason, "version": entry.version},
    )


def test_a_return_is_answered_in_the_app_before_the_figure_goes_back(
    client, plan, gdp, income, submitted, tongji, chief, django_capture_on_commit_callbacks
):
    # 1. The administrator returns INCOME-GROWTH 2025, asking for the bulletin's screenshot.
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        return_it(client, submitted["INCOME-GROWTH"])
    returned = ProgressEntry.objects.get(pk=submitted["INCOME-GROWTH"].pk)
    assert returned.state == "returned"
    message = FigureMessage.objects.get(entry=returned)
    assert (message.kind, message.text, message.author) == ("return", SCREENSHOT, chief)
    assert [m.to for m in mail.outbox] == [["tongji@example.org"]]  # the return notice
    assert SCREENSHOT in mail.outbox[0].body

    # 2. tongji changes only GDP and presses 提交审核: the returned figure is left alone.
    client.force_login(tongji)
    shown = client.get(entry_url(plan))
    text = shown.content.decode()
    assert SCREENSHOT in text and "chief" in text
    assert "须答复退回意见后才能重新提交" in text
    gdp_entry = ProgressEntry.objects.get(pk=submitted["GDP"].pk)
    # GDP was submitted: locked? No, a submitted figure may still be changed by its reporter.
    data = page_data(shown, "submit", **{f"t{gdp.pk}-value": "161.0"})
    response = client.post(entry_url(plan), data, follow=True)
    said = " ".join(notices(response))
    assert "居民收入增长" in said
    assert "未重新提交" in said, said
    returned.refresh_from_db()
    assert (
        returned.state == "returned" and returned.version == submitted["INCOME-GROWTH"].version + 1
    )
    gdp_entry.refresh_from_db()
    assert gdp_entry.value == Decimal("161.0") and gdp_entry.state == "submitted"

    # 3. tongji answers in the row and submits: now it goes back, unchanged.
    mail.outbox.clear()
    shown = client.get(entry_url(plan))
    data = page_data(shown, "submit", **{f"t{income.pk}-answer": ANSWER})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(entry_url(plan), data, follow=True)
    returned.refresh_from_db()
    assert returned.state == "submitted", notices(response)
    assert returned.value == Decimal("110.5")
    answer = FigureMessage.objects.get(entry=returned, kind="answer")
    assert (answer.text, answer.author) == (ANSWER, tongji)
    # The administrators hear of the answer.
    assert [m.to for m in mail.outbox] == [["chief@example.org"]]
    assert ANSWER in mail.outbox[0].body and "居民收入增长" in mail.outbox[0].subject
    assert SentMail.objects.filter(kind="message", user=chief).exists()

    # 4. The administrator sees the answer on the approvals page, with who and when.
    client.force_login(chief)
    approvals = client.get(reverse("tracker:approvals")).content.decode()
    assert ANSWER in approvals and SCREENSHOT in approvals
    assert reverse("tracker:figure-messages", args=[returned.pk]) in approvals

    # 5. And in the figure's history.
    log = change_log(income, chief)
    assert any(ANSWER in change.reason and change.who == tongji for change in log)
    assert any(SCREENSHOT in change.reason for change in log)  # as the return itself


def test_a_changed_figure_may_go_back_without_an_answer(
    client, plan, income, submitted, tongji, chief
):
    workflow.return_entry(
        submitted["INCOME-GROWTH"],
        by=chief,
        reason=SCREENSHOT,
        version=submitted["INCOME-GROWTH"].version,
    )
    client.force_login(tongji)
    shown = client.get(entry_url(plan))
    data = page_data(shown, "submit", **{f"t{income.pk}-value": "111.0"})
    response = client.post(entry_url(plan), data, follow=True)
    entry = ProgressEntry.objects.get(pk=submitted["INCOME-GROWTH"].pk)
    assert entry.state == "submitted" and entry.value == Decimal("111.0"), notices(response)


def test_the_workflow_refuses_an_unchanged_unanswered_resubmission(
    income, submitted, chief, tongji
):
    entry = workflow.return_entry(
        submitted["INCOME-GROWTH"],
        by=chief,
        reason=SCREENSHOT,
        version=submitted["INCOME-GROWTH"].version,
    )
    with pytest.raises(workflow.Refused, match="请先答复退回意见"):
        workflow.save(
            entry,
            by=tongji,
            figure=entry.value,
            quality=entry.quality,
            version=entry.version,
            submit=True,
        )
    workflow.post_message(entry, by=tongji, kind="answer", text=ANSWER)
    workflow.save(
        entry,
        by=tongji,
        figure=entry.value,
        quality=entry.quality,
        version=entry.version,
        submit=True,
    )
    assert ProgressEntry.objects.get(pk=entry.pk).state == "submitted"


def test_a_question_is_posted_on_the_figures_page_and_mailed_to_its_reporters(
    client, income, submitted, tongji, chief, caizheng, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=tongji, language="en")
    entry = submitted["INCOME-GROWTH"]
    url = reverse("tracker:figure-messages", args=[entry.pk])
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "question", "text": "口径是否为可比价？"}, follow=True)
    assert "口径是否为可比价？" in response.content.decode()
    # The reporter of the responsible department, in their language; nobody else.
    assert [m.to for m in mail.outbox] == [["tongji@example.org"]]
    assert "Question" in mail.outbox[0].subject and "口径是否为可比价？" in mail.outbox[0].body
    # The reporter answers on the same page.
    client.force_login(tongji)
    assert 'value="answer"' in client.get(url).content.decode()
    client.post(url, {"kind": "answer", "text": "是"})
    assert FigureMessage.objects.filter(entry=entry, kind="answer", author=tongji).exists()


def test_another_departments_reporter_never_sees_the_thread_of_a_draft(
    client, plan, income, tongji, chief, caizheng
):
    draft = factory.make_entry(income, YEAR, "6.5", state="draft", entered_by=tongji)
    workflow.post_message(draft, by=tongji, kind="comment", text="草稿：待核实口径")
    client.force_login(caizheng)
    url = reverse("tracker:figure-messages", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "comment", "text": "看看"}).status_code == 404
    assert "待核实口径" not in client.get(income.get_absolute_url()).content.decode()
    api = client.get(reverse("tracker:api-plan", args=[plan.slug])).content.decode()
    assert "待核实口径" not in api
    assert all("草稿" not in change.reason for change in change_log(income, caizheng))
    # Those who may see the draft see its thread.
    client.force_login(tongji)
    assert "待核实口径" in client.get(url).content.decode()
    assert "待核实口径" in client.get(income.get_absolute_url()).content.decode()


def test_once_approved_the_thread_is_read_by_anyone_but_written_by_its_sides(
    client, income, submitted, tongji, chief, caizheng
):
    entry = submitted["INCOME-GROWTH"]
    workflow.post_message(entry, by=tongji, kind="comment", text="数据来源：统计公报")
    workflow.approve(entry, by=chief, version=entry.version)
    client.force_login(caizheng)
    url = reverse("tracker:figure-messages", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "数据来源：统计公报" in page and 'name="text"' not in page
    refused = client.post(url, {"kind": "comment", "text": "外人留言"})
    assert refused.status_code == 403
    assert "居民收入增长 2025" in refused.content.decode()
    assert "不能在此留言" in refused.content.decode()
    assert not FigureMessage.objects.filter(text="外人留言").exists()


@pytest.mark.parametrize(("language", "approved"), [("zh-hans", "已审核"), ("en", "Approved")])
def test_a_message_row_in_the_history_does_not_take_on_todays_state(
    client, income, submitted, tongji, chief, language, approved
):
    """An answer written while the figure was submitted does not read "approved" once the
    figure is approved: a message row has no state of its own."""
    entry = submitted["INCOME-GROWTH"]
    workflow.post_message(entry, by=tongji, kind="comment", text=ANSWER)
    workflow.approve(entry, by=chief, version=entry.version)
    (row,) = [change for change in change_log(income, chief) if ANSWER in change.reason]
    assert row.state == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(chief)
    page = client.get(income.get_absolute_url(), {"year": YEAR}).content.decode()
    history = page[page.index('<table class="table history">') :]
    history = history[: history.index("</table>")]
    rows = history.split("<tr>")
    (line,) = [row for row in rows if ANSWER in row]
    assert approved not in line
    assert any(approved in row for row in rows)  # the approval's own row says it


def test_a_refused_message_says_why_in_english(client, income, submitted, tongji, chief, caizheng):
    entry = submitted["INCOME-GROWTH"]
    workflow.approve(entry, by=chief, version=entry.version)
    client.force_login(caizheng)
    client.cookies["django_language"] = "en"
    url = reverse("tracker:figure-messages", args=[entry.pk])
    refused = client.post(url, {"kind": "comment", "text": "a word"})
    assert refused.status_code == 403
    assert "but not write on them" in refused.content.decode()
    assert not FigureMessage.objects.filter(entry=entry).exists()


def test_messages_are_kept_when_their_author_leaves(income, submitted, tongji, chief):
    entry = submitted["INCOME-GROWTH"]
    tongji.first_name = "统计员"
    tongji.save()
    workflow.post_message(entry, by=tongji, kind="comment", text="留言")
    tongji.delete()
    message = FigureMessage.objects.get()
    assert message.author is None and message.shown_author == "统计员"


def test_a_file_does_not_send_back_a_returned_figure_with_only_its_note_changed(
    plan, income, submitted, chief, tongji
):
    entry = workflow.return_entry(
        submitted["INCOME-GROWTH"],
        by=chief,
        reason=SCREENSHOT,
        version=submitted["INCOME-GROWTH"].version,
    )
    row = FigureRow(
        sheet="填报",
        cell="E5",
        code=income.code,
        year=YEAR,
        target_id=income.pk,
        entry_id=entry.pk,
        version=entry.version,
        value="110.5",
        achieved=None,
        quality=entry.quality,
        note="截图见附件",
        status="changed",
    )
    upload = dict(plan=plan, user=tongji, file_name="f.xlsx", sha256="0" * 64, submit=True)
    with pytest.raises(writes.ImportRefused, match="请先答复退回意见"):
        writes.apply_import(rows=[row], **upload)
    assert ProgressEntry.objects.get(pk=entry.pk).state == "returned"
    workflow.post_message(entry, by=tongji, kind="answer", text=ANSWER)
    writes.apply_import(rows=[row], **upload)
    assert ProgressEntry.objects.get(pk=entry.pk).state == "submitted"


def test_in_english_the_page_names_what_it_left_alone_and_why(
    client, plan, income, submitted, tongji, chief
):
    entry = submitted["INCOME-GROWTH"]
    workflow.return_entry(entry, by=chief, reason=SCREENSHOT, version=entry.version)
    client.force_login(tongji)
    client.cookies["django_language"] = "en"
    shown = client.get(entry_url(plan))
    assert "it is not submitted again until you answer the return" in shown.content.decode()
    response = client.post(entry_url(plan), page_data(shown, "submit"), follow=True)
    said = " ".join(notices(response))
    assert "Not submitted again: 居民收入增长" in said and "answer to the return" in said
