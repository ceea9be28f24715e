"""Mail: deadline reminders to reporters, review notices, the administrators' weekly digest.

Every mail is rendered in its recipient's language (their profile) with a plain-text and
an HTML part, links absolute from settings.SITE_URL, and recorded as a SentMail. Reminders
are recorded before they are sent, in the same transaction, so two runs on one day cannot
both send one: the database keeps one reminder a day per person.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.figures.rights import ADMINISTRATORS, is_admin
from tracker.models import (
    Department,
    FigureMessage,
    Plan,
    Profile,
    ProgressEntry,
    SentMail,
    Target,
    display_user,
    localized,
)
from tracker.reminders import deadlines

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """A link people can open from their mail client."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "SITE_URL must be set (e.g. https://tracker.example.org): links in mail use it."
        )
    return settings.SITE_URL + path


@dataclass
class Mail:
    """One mail to one person, rendered and ready to send."""

    kind: str
    user: object
    language: str
    subject: str
    text: str
    html: str
    covers: list = field(default_factory=list)
    summary: str = ""

    @property
    def address(self) -> str:
        return self.user.email

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject,
            self.text,
            settings.DEFAULT_FROM_EMAIL,
            [self.address],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(self.html, "text/html")
        return message

    def __str__(self) -> str:
        kind = SentMail.Kind(self.kind).label
        who = f"{self.user.username} <{self.address}> [{self.language}]"
        return f"{kind} → {who}: {self.summary or self.subject}"


def _render(kind: str, user, template: str, subject, context: dict, **fields) -> Mail:
    """Render `template` (.txt and .html) and the subject in the user's language."""
    language = Profile.of(user).language
    with translation.override(language):
        context = {
            "name": display_user(user),
            "profile_link": absolute(reverse("tracker:profile")),
            "site_link": absolute("/"),
            **{k: v() if callable(v) else v for k, v in context.items()},
        }
        return Mail(
            kind=kind,
            user=user,
            language=language,
            subject=str(subject() if callable(subject) else subject),
            text=render_to_string(f"tracker/mail/{template}.txt", context),
            html=render_to_string(f"tracker/mail/{template}.html", context),
            **fields,
        )


def _reachable(user, choice: str) -> str | None:
    """Why `user` gets no mail of this kind, or None when they do."""
    if not user.is_active:
        return _("account inactive")
    if not user.email:
        return _("no email address")
    if not getattr(Profile.of(user), choice):
        return _("turned this mail off")
    return None


# -- reminders ---------------------------------------------------------------------------


def last_reminder_day(due: date, on: date, before: int | None = None) -> date | None:
    """The latest day at or before `on` a reminder about `due` is scheduled for.

    Reminders go `before` days ahead of the deadline, on it, then every seven days while it
    is overdue: due 2026-03-31, before 7 -> 03-24, 03-31, 04-07, 04-14, ...
    On 2026-04-10 that is 04-07; on 2026-03-20 there is none yet.
    """
    before = settings.REMINDER_DAYS_BEFORE if before is None else before
    if on < due - timedelta(days=before):
        return None
    if on < due:
        return due - timedelta(days=before)
    return due + timedelta(days=7 * ((on - due).days // 7))


def _items_by_user(items) -> dict:
    """Each person the outstanding figures fall to, with theirs: the rule of the entry page
    (`Target.objects.reported_by`: reporters of the lead department, and of co-departments
    where the target lets those enter), asked of every member of a department concerned."""
    target_ids = {item.target.pk for item in items}
    concerned = Q(departments__led_targets__in=target_ids) | Q(
        departments__co_targets__in=target_ids
    )
    by_user = {}
    for user in get_user_model().objects.filter(concerned).distinct():
        mine = set(
            Target.objects.filter(pk__in=target_ids).reported_by(user).values_list("pk", flat=True)
        )
        if mine:
            by_user[user] = [item for item in items if item.target.pk in mine]
    return by_user


def _already_reminded(user, items, on: date) -> bool:
    """Whether every figure's latest scheduled reminder has gone out already."""
    points = {(i.target.pk, i.year): last_reminder_day(i.due, on) for i in items}
    since = min(points.values())
    sent = SentMail.objects.filter(user=user, kind=SentMail.Kind.REMINDER, sent_on__gte=since)
    covered = defaultdict(set)
    for sent_on, covers in sent.values_list("sent_on", "covers"):
        for target_id, year in covers:
            covered[(target_id, year)].add(sent_on)
    return all(any(day >= point for day in covered[key]) for key, point in points.items())


def plan_reminders(
    *, on: date, plan: Plan | None = None, year: int | None = None
) -> tuple[list[Mail], list[str]]:
    """The reminders to send on `on`, and a line for each person passed over and why.

    Scheduled: each figure is in its reminder window (from REMINDER_DAYS_BEFORE days ahead of
    its deadline); a person is mailed when one of their figures reached a scheduled day since
    their last reminder naming it. With both `plan` and `year`: that year's outstanding
    figures, whatever the schedule. Never a second reminder to a person on one day.
    """
    forced = plan is not None and year is not None
    items = []
    for each in [plan] if plan else Plan.objects.filter(deadlines__isnull=False).distinct():
        found = deadlines.outstanding(each, [year] if year else None, on=on)
        if not forced:
            found = [i for i in found if i.due and last_reminder_day(i.due, on) is not None]
        items += found
    mails, skipped = [], []
    today_sent = set(
        SentMail.objects.filter(kind=SentMail.Kind.REMINDER, sent_on=on).values_list(
            "user", flat=True
        )
    )
    for user, mine in sorted(_items_by_user(items).items(), key=lambda pair: pair[0].username):
        why = _reachable(user, "reminders")
        if why is None and user.pk in today_sent:
            why = _("already reminded today")
        if why is None and not forced and _already_reminded(user, mine, on):
            continue
        if why:
            skipped.append(f"{user.username}: {why}")
            continue
        mails.append(_reminder(user, mine, on))
    return mails, skipped


@dataclass
class Reminded:
    """What "remind now" did: who was mailed (with how many figures), who was passed over
    and why, and which departments had nobody to mail."""

    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    nobody: list = field(default_factory=list)


def remind_now(plan: Plan, year: int, departments, *, on: date) -> Reminded:
    """Remind the members of `departments` of their outstanding `year` figures of `plan`
    (missing, in draft or returned; of the targets each department leads), now, whatever
    the schedule; an administrator asked for it from the departments page.

    The rules of the scheduled reminders hold: a person is asked only for figures they may
    enter (`_items_by_user`), and gets at most one reminder a day (`deliver`).
    """
    chosen = {department.pk: department for department in departments}
    led = dict(
        Target.objects.filter(plan=plan, lead_department__in=list(chosen)).values_list(
            "pk", "lead_department"
        )
    )
    items = [item for item in deadlines.outstanding(plan, [year], on=on) if item.target.pk in led]
    members = set(
        get_user_model().objects.filter(departments__in=list(chosen)).values_list("pk", flat=True)
    )
    by_user = {u: mine for u, mine in _items_by_user(items).items() if u.pk in members}
    done = Reminded()
    reached = {department for user in by_user for department in user.departments.all()}
    asked = {led[item.target.pk] for item in items}
    done.nobody = [d for pk, d in chosen.items() if pk in asked and d not in reached]
    today_sent = set(
        SentMail.objects.filter(kind=SentMail.Kind.REMINDER, sent_on=on).values_list(
            "user", flat=True
        )
    )
    for user, mine in sorted(by_user.items(), key=lambda pair: pair[0].username):
        why = _reachable(user, "reminders")
        if why is None and user.pk in today_sent:
            why = _("already reminded today")
        if why is None:
            why = _send_now(_reminder(user, mine, on), on)
        if why:
            done.skipped.append((user, why))
        else:
            done.sent.append((user, len(mine)))
    return done


def _send_now(mail: Mail, on: date) -> str | None:
    """Send a reminder asked for now; None when sent, else why not."""
    try:
        sent = deliver(mail, on=on)
    except OSError:  # smtplib's errors are OSErrors; the next try may work
        logger.exception("reminder to %s not sent", mail.address)
        return _("the mail could not be sent")
    return None if sent else _("already reminded today")


def _reminder(user, items, on: date) -> Mail:
    # A reason for return is the figure's, shown only to whoever may see it unapproved.
    sees = set(
        Target.objects.filter(pk__in={item.target.pk for item in items})
        .editable_by(user)
        .values_list("pk", flat=True)
    )

    def groups():
        grouped = defaultdict(list)
        for item in items:
            grouped[(item.target.plan, item.year)].append(item)
        return [
            {
                "plan": plan.display_name,
                "year": year,
                "due": deadlines.describe(mine[0].due, on),
                "overdue": any(i.overdue(on) for i in mine),
                "link": absolute(reverse("tracker:data-entry", args=[plan.slug, year])),
                "items": [
                    {
                        "name": item.target.display_name,
                        "code": item.target.code,
                        "state": item.state_text,
                        "reason": item.return_reason if item.target.pk in sees else "",
                        "own_due": deadlines.describe(item.due, on)
                        if item.due != mine[0].due
                        else "",
                    }
                    for item in mine
                ],
            }
            for (plan, year), mine in sorted(grouped.items(), key=lambda g: (g[0][0].pk, g[0][1]))
        ]

    overdue = any(item.overdue(on) for item in items)
    count = len(items)

    def subject():
        if overdue:
            return ngettext(
                "Overdue: %(n)d figure still to report",
                "Overdue: %(n)d figures still to report",
                count,
            ) % {"n": count}
        return ngettext(
            "Reminder: %(n)d figure to report", "Reminder: %(n)d figures to report", count
        ) % {"n": count}

    codes = ", ".join(f"{i.target.plan.slug} {i.year} {i.target.code}" for i in items)
    return _render(
        SentMail.Kind.REMINDER,
        user,
        "reminder",
        subject,
        {"groups": groups},
        covers=[[i.target.pk, i.year] for i in items],
        summary=codes,
    )


def deliver(mail: Mail, *, on: date) -> bool:
    """Record and send `mail` in one transaction; False when a reminder went out already today.

    A failed send rolls the record back, so the next run tries again.
    """
    try:
        with transaction.atomic():
            SentMail.objects.create(
                kind=mail.kind,
                user=mail.user,
                address=mail.address,
                sent_on=on,
                subject=mail.subject[:255],
                covers=mail.covers,
            )
            mail.message().send()
    except IntegrityError:
        return False
    return True


# -- the administrators' weekly digest ---------------------------------------------------


def _administrators(region_id: int | None = None):
    """The administrators of every region, and with `region_id` those of that region
    (`rights.administers`); without it, of any region."""
    users = get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATORS))
    if region_id is not None:
        users = users.filter(
            Q(is_superuser=True) | Q(profile__region__isnull=True) | Q(profile__region=region_id)
        )
    return users.distinct().order_by("username")


def plan_digests(*, on: date) -> tuple[list[Mail], list[str]]:
    """The digests to send on `on`: on DIGEST_WEEKDAY, to each administrator not sent one
    in the last six days, when anything of the plans they administer waits for them."""
    if on.weekday() != settings.DIGEST_WEEKDAY:
        return [], []
    waiting = list(
        ProgressEntry.objects.filter(state=ProgressEntry.State.SUBMITTED)
        .values("series__targets__plan", "year", "series__targets__lead_department")
        .annotate(n=Count("id"))
        .order_by("series__targets__plan", "year", "series__targets__lead_department__name")
    )
    overdue = []
    for plan in Plan.objects.filter(deadlines__isnull=False).distinct():
        late = defaultdict(list)
        for item in deadlines.outstanding(plan, on=on):
            if item.overdue(on):
                late[(item.year, item.target.lead_department)].append(item.due)
        for (year, dept), dues in sorted(
            late.items(), key=lambda pair: (pair[0][0], str(pair[0][1]))
        ):
            overdue.append((plan, year, dept, len(dues), min(dues)))
    if not waiting and not overdue:
        return [], []
    recent = set(
        SentMail.objects.filter(
            kind=SentMail.Kind.DIGEST, sent_on__gt=on - timedelta(days=7)
        ).values_list("user", flat=True)
    )
    plans = Plan.objects.in_bulk({row["series__targets__plan"] for row in waiting})
    departments = Department.objects.in_bulk(
        {row["series__targets__lead_department"] for row in waiting}
    )
    mails, skipped = [], []
    for user in _administrators():
        why = _reachable(user, "reminders")
        if why is None and user.pk in recent:
            continue
        if why:
            skipped.append(f"{user.username}: {why}")
            continue
        mine = set(Plan.objects.administered_by(user).values_list("pk", flat=True))
        my_waiting = [row for row in waiting if row["series__targets__plan"] in mine]
        my_overdue = [late for late in overdue if late[0].pk in mine]
        if not my_waiting and not my_overdue:
            continue
        context = {
            "waiting": lambda waiting=my_waiting: [
                {
                    "plan": plans[row["series__targets__plan"]].display_name,
                    "year": row["year"],
                    "department": departments[row["series__targets__lead_department"]].display_name
                    if row["series__targets__lead_department"]
                    else "—",
                    "n": row["n"],
                }
                for row in waiting
            ],
            "overdue": lambda overdue=my_overdue: [
                {
                    "plan": plan.display_name,
                    "year": year,
                    "department": dept.display_name,
                    "n": n,
                    "due": deadlines.describe(due, on),
                    "link": absolute(reverse("tracker:departments", args=[plan.slug])),
                }
                for plan, year, dept, n, due in overdue
            ],
            "approvals_link": absolute(reverse("tracker:approvals")),
        }
        submitted = sum(row["n"] for row in my_waiting)
        mails.append(
            _render(
                SentMail.Kind.DIGEST,
                user,
                "digest",
                lambda n=submitted: (
                    ngettext(
                        "Weekly digest: %(n)d figure awaits approval",
                        "Weekly digest: %(n)d figures await approval",
                        n,
                    )
                    % {"n": n}
                ),
                context,
                summary=f"{submitted} submitted, {len(my_overdue)} overdue department-years",
            )
        )
    return mails, skipped


# -- notices when a figure is approved or returned ----------------------------------------

_queue = threading.local()


def reviewed(entry: ProgressEntry) -> None:
    """Tell the figure's reporter it was approved or returned, once the change is committed.

    Figures reviewed in one transaction (a page of approvals) make one mail per reporter.
    """
    if not hasattr(_queue, "items"):
        _queue.items = []
    _queue.items.append((entry.pk, entry.state, entry.version))
    transaction.on_commit(send_notices, robust=True)


def send_notices() -> list[Mail]:
    """Send the queued notices whose change the database holds; drop the rest (rolled back)."""
    queued = set(getattr(_queue, "items", []))
    _queue.items = []
    if not queued:
        return []
    committed = [
        entry
        for entry in ProgressEntry.objects.filter(pk__in={pk for pk, _s, _v in queued})
        .select_related("series__indicator", "entered_by", "reviewed_by")
        .with_targets()
        if (entry.pk, entry.state, entry.version) in queued
    ]
    committed.sort(key=lambda e: (e.target.plan_id, e.year, e.target.area.order, e.target.order))
    by_user = defaultdict(list)
    for entry in committed:
        reporter = entry.entered_by
        if reporter and reporter != entry.reviewed_by and _reachable(reporter, "notices") is None:
            by_user[reporter].append(entry)
    mails = []
    for user, entries in by_user.items():
        # Only figures the reporter may still see: one returned after they left the
        # department is no longer theirs to read.
        visible = set(
            ProgressEntry.objects.filter(pk__in=[e.pk for e in entries])
            .visible_to(user)
            .values_list("pk", flat=True)
        )
        entries = [e for e in entries if e.pk in visible]
        if entries:
            mails.append(_notice(user, entries))
    _deliver_notices(mails, "review notice")
    return mails


def _notice(user, entries) -> Mail:
    returned = [e for e in entries if e.state == ProgressEntry.State.RETURNED]
    approved = [e for e in entries if e.state == ProgressEntry.State.APPROVED]

    def rows(chosen):
        return lambda: [
            {
                "plan": e.target.plan.display_name,
                "year": e.year,
                "name": e.target.display_name,
                "code": e.target.code,
                "value": e.display_value,
                "unit": localized(e.target, "unit"),
                "reason": e.return_reason,
                "by": display_user(e.reviewed_by),
                "link": absolute(
                    reverse("tracker:data-entry", args=[e.target.plan.slug, e.year])
                    + f"#row-{e.target.code}"
                ),
            }
            for e in chosen
        ]

    def subject():
        if returned:
            return ngettext(
                "%(n)d figure returned to you", "%(n)d figures returned to you", len(returned)
            ) % {"n": len(returned)}
        return ngettext("%(n)d figure approved", "%(n)d figures approved", len(approved)) % {
            "n": len(approved)
        }

    return _render(
        SentMail.Kind.NOTICE,
        user,
        "notice",
        subject,
        {"returned": rows(returned), "approved": rows(approved)},
        covers=[[e.target.pk, e.year] for e in entries],
        summary=", ".join(f"{e.target.code} {e.year} {e.state}" for e in entries),
    )


# -- notices of messages on a figure ------------------------------------------------------


def message_posted(message) -> None:
    """Tell the other side of a figure's conversation, once the message is committed."""
    pk = message.pk
    transaction.on_commit(lambda: send_message_notices([pk]), robust=True)


def _readers_of(message) -> list:
    """Who hears of `message`: a reporter's goes to the administrators, an administrator's
    to the reporters the figure falls to (`Target.objects.reported_by`); never its author,
    and only people who may see the figure in its state."""
    entry = message.entry
    author = message.author
    if author is not None and is_admin(author):
        targets = Target.objects.filter(series=entry.series_id)
        concerned = Q(departments__led_targets__in=targets) | Q(departments__co_targets__in=targets)
        people = [
            user
            for user in get_user_model().objects.filter(concerned).distinct().order_by("username")
            if targets.reported_by(user).exists()
        ]
    else:
        people = list(_administrators(entry.series.region_id))
    readers = []
    for user in people:
        if user == author or _reachable(user, "notices") is not None:
            continue
        if ProgressEntry.objects.filter(pk=entry.pk).visible_to(user).exists():
            readers.append(user)
    return readers


def send_message_notices(pks) -> list[Mail]:
    """Send the notices of these messages, those the database holds."""
    found = FigureMessage.objects.filter(pk__in=pks).select_related(
        "author", "entry__series__indicator"
    )
    mails = []
    for message in found.order_by("created", "pk"):
        for user in _readers_of(message):
            mails.append(_message_notice(user, message))
    _deliver_notices(mails, "message notice")
    return mails


def _deliver_notices(mails: list[Mail], kind: str) -> None:
    """Deliver notices of something already committed: a mail server being down must not
    undo it, so a failure is logged and the others still go."""
    today = deadlines.today()
    for mail in mails:
        try:
            deliver(mail, on=today)
        except Exception:
            logger.exception("%s to %s not sent", kind, mail.address)


def _message_notice(user, message) -> Mail:
    entry = message.entry
    target = entry.target

    def context():
        return {
            "plan": target.plan.display_name,
            "year": entry.year,
            "target": target.display_name,
            "code": target.code,
            "kind": message.get_kind_display(),
            "author": message.shown_author,
            "text": message.text,
            "state": entry.get_state_display(),
            "link": absolute(reverse("tracker:figure-messages", args=[entry.pk])),
        }

    def subject():
        return _("%(kind)s on %(target)s %(year)s from %(author)s") % {
            "kind": message.get_kind_display(),
            "target": target.display_name,
            "year": entry.year,
            "author": message.shown_author,
        }

    return _render(
        SentMail.Kind.MESSAGE,
        user,
        "message",
        subject,
        {"message": context},
        covers=[[target.pk, entry.year]],
        summary=f"{target.code} {entry.year} {message.kind}",
    )
