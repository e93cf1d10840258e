"""Notices of the audit's own checks (a checkpoint issued, the state differing from the
log): an item in the in-app inbox (a reminder row) and one e-mail per contact of the roles
concerned, queued in the outbox of the same transaction, so each goes out once, after the
commit, like every reminder (scheduler/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.bulk import insert_rows
from models.tables import Contact, Organization, Outbox, Reminder
from workflow.domain.vocabulary import Role


@dataclass(frozen=True)
class Notice:
    subject: str
    kind: str
    rule_id: str
    message: str
    roles: tuple[Role, ...]
    mail_subject: str
    mail_body: str


def raise_notice(
    s: Session, notice: Notice, now: datetime, day: date, *, mail_only: bool = False
) -> int:
    """The notice on the top organization's inbox (the checks are of the whole
    installation), raised at most once a day per subject; the e-mails queued. With
    ``mail_only`` (a checkpoint: nothing to act on in the inbox) nothing is raised when
    nobody has an address to mail it to."""
    root = s.exec(select(Organization.id).order_by(col(Organization.id)).limit(1)).first()
    emails = sorted(
        set(
            s.exec(
                select(Contact.email).where(col(Contact.role).in_([r.value for r in notice.roles]))
            )
        )
    )
    if root is None or (mail_only and not emails):
        return 0
    key = {"subject": notice.subject, "kind": notice.kind, "due": day, "step": 0}
    row = {
        **key,
        "rule_id": notice.rule_id,
        "dossier_id": None,
        "org_id": root,
        "fire_on": day,
        "raised_on": day,
        "raised_at": now,
        "late": False,
        "message": notice.message,
        "recipients": ", ".join(r.label for r in notice.roles),
    }
    if not insert_rows(s.connection(), Reminder, [row], skip_existing=True):
        return 0
    reminder = s.exec(
        select(Reminder.id).where(
            Reminder.subject == notice.subject,
            Reminder.kind == notice.kind,
            Reminder.due == day,
            Reminder.step == 0,
        )
    ).one()
    rows = [
        {
            "reminder_id": reminder,
            "channel": "email",
            "recipient": email,
            "subject": notice.mail_subject,
            "body": notice.mail_body,
            "status": "cho_gui",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for email in emails
    ]
    return insert_rows(s.connection(), Outbox, rows, skip_existing=True) if rows else 0
