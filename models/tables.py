"""Table models. They store; input models (workflow/inputs/) validate.

Enumerated values are stored as their identifiers (docs/glossary.md) in plain text columns,
so the schema is the same on SQLite and PostgreSQL and a new value needs no migration.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from models.canonical import canonical_json


class AwareDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps stored as UTC ISO-8601 text (SQLite has no tz type)."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Any) -> datetime | None:
        return datetime.fromisoformat(value) if value is not None else None


class ChainedJSON(TypeDecorator[str]):
    """An audit event's data: the canonical JSON text the hash covers, in Python. Stored as
    TEXT on SQLite and as JSONB on PostgreSQL (queryable there); read back on both as the
    same canonical text, so the chain verifies the same way."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: str | None, dialect: Any) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        return json.loads(value)  # JSONB's own processor sends it

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return canonical_json(value)


def _ts() -> Any:
    return Field(sa_type=AwareDateTime)


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    sort_key: str | None = Field(default=None, max_length=2000)  # vntext.order_text(name)
    kind: str = Field(max_length=30)
    sector: str = Field(max_length=30)
    parent_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    has_doan: bool = True
    has_cong_doan: bool = False
    # a đảng ủy cơ sở authorised to decide admission itself (R-VOTE-DU, HD 06 §3.7.a)
    decides_admission: bool = False
    created_at: datetime = _ts()
    # an organization lives from valid_from to valid_to (both inclusive; None: open) and,
    # once ended, hands on to its successors (OrgSuccession): the 2025 reform merged,
    # split, renamed and moved organizations (issue 18)
    valid_from: date | None = None
    valid_to: date | None = None
    # the formal heading name on documents ("ĐẢNG ỦY XÃ LẠC DƯƠNG"), separate from the
    # short name lists show, and the superior body's heading line ("ĐẢNG BỘ TỈNH LÂM ĐỒNG")
    heading_name: str | None = Field(default=None, max_length=300)
    superior_heading: str | None = Field(default=None, max_length=300)


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=120)
    name_key: str = Field(max_length=120, index=True)
    birth_date: date
    sex: str = Field(max_length=5)
    ethnicity: str = Field(max_length=40)
    religion: str = Field(max_length=40)
    cccd: str = Field(max_length=12, unique=True)
    education: str = Field(max_length=20)
    edu_exception: str = Field(max_length=20, default="khong")
    occupation: str = Field(max_length=30)
    doan_member: bool = False
    cong_doan_member: bool = False
    residence: str = Field(default="", max_length=200)
    org_id: int = Field(foreign_key="organization.id", index=True)
    # Vietnamese order as plain text (workflow.text.vntext.sort_text): lists page by it
    sort_key: str | None = Field(default=None, max_length=2000, index=True)
    created_at: datetime = _ts()


class AwarenessClass(SQLModel, table=True):
    """Lớp bồi dưỡng nhận thức về Đảng: opened by a political centre for many candidates."""

    __tablename__ = "awareness_class"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    organizer: str = Field(max_length=200)
    opened_on: date
    closed_on: date | None = None
    created_at: datetime = _ts()


class ClassLearner(SQLModel, table=True):
    """A person in a class; the certificate, once issued, is the person's (Certificate)."""

    __tablename__ = "class_learner"
    __table_args__ = (UniqueConstraint("class_id", "candidate_id", name="uq_class_learner"),)

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="awareness_class.id", index=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)


class Certificate(SQLModel, table=True):
    """Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng; belongs to the person."""

    __tablename__ = "certificate"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    number: str = Field(max_length=40)
    issued_on: date
    issuer: str = Field(max_length=200)
    class_id: int | None = Field(default=None, foreign_key="awareness_class.id")


class Dossier(SQLModel, table=True):
    """One admission case. ``version`` gives optimistic concurrency."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_org_stage", "org_id", "stage"),
        # reports count admissions by decision date, per organization (reports/progress.py)
        Index("ix_dossier_joined_org", "party_joined_on", "org_id"),
        # … under the organization that admitted them (a moved dossier keeps its count)
        Index("ix_dossier_joined_admitted", "party_joined_on", "admitted_org_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    org_id: int = Field(foreign_key="organization.id")
    stage: str = Field(max_length=20, index=True)
    version: int = 1
    rule_set_id: str | None = Field(default=None, max_length=60)
    returned_reason: str | None = Field(default=None, sa_column=Column(Text))
    closed_reason: str | None = Field(default=None, sa_column=Column(Text))
    party_joined_on: date | None = None
    # who was admitted, as reports count them (workflow/domain/profile.py), fixed at the decision
    admitted_profile: int | None = None
    official_effective_on: date | None = None
    # the organization that admitted the person, fixed at the decision: reports count the
    # admission there however the dossier moves later (a transfer, a merge: issue 18)
    admitted_org_id: int | None = Field(default=None, foreign_key="organization.id")
    # a candidate transferred to another chi bộ: the papers that chi bộ must redo count
    # only when dated on or after this day (L-TRANSFER, workflow/domain/transfer.py)
    transferred_on: date | None = None
    opened_on: date
    updated_at: datetime = _ts()


class Introducer(SQLModel, table=True):
    __tablename__ = "introducer"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    full_name: str = Field(max_length=120)
    official: bool
    months_together: int
    introduced_on: date


class Document(SQLModel, table=True):
    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    kind: str = Field(max_length=30)
    form: str = Field(max_length=10)
    dated: date
    number: str = Field(default="", max_length=40)


class Verification(SQLModel, table=True):
    """Thẩm tra lý lịch, certified by the base committee (R-VERIFY)."""

    __tablename__ = "verification"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    certified_on: date
    certified_by: str = Field(max_length=200)


class Relative(SQLModel, table=True):
    __tablename__ = "relative"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    relation: str = Field(max_length=20)
    full_name: str = Field(max_length=120)
    party_member: bool = False
    history_declared: bool = False
    abroad: bool = False
    verified_on: date | None = None
    confirmed_abroad_on: date | None = None  # through the Party committee abroad


class Resolution(SQLModel, table=True):
    """A resolution with its vote: chi bộ (6-KNĐ), đảng ủy (8-KNĐ), or for recognition."""

    __tablename__ = "resolution"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    kind: str = Field(max_length=30)
    round: int = 1
    dated: date
    number: str = Field(default="", max_length=40)
    official_members: int
    probationary_members: int = 0
    exempted: int = 0
    agree: int
    against: int = 0


class Decision(SQLModel, table=True):
    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    kind: str = Field(max_length=20)
    number: str = Field(max_length=40)
    signed_on: date
    received_on: date
    approve: bool = True
    ground: str | None = Field(default=None, max_length=30)  # xóa tên's ground (L-XOA-TEN)


class Consent(SQLModel, table=True):
    __tablename__ = "consent"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    kind: str = Field(max_length=20)
    number: str = Field(max_length=40)
    dated: date
    issuer: str = Field(default="", max_length=200)
    ground: str | None = Field(default=None, max_length=30)  # R-AGE-60


class Ceremony(SQLModel, table=True):
    __tablename__ = "ceremony"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", unique=True)
    held_on: date


class PriorMembership(SQLModel, table=True):
    """A former member applying again (R-REJOIN)."""

    __tablename__ = "prior_membership"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", unique=True)
    left_on: date
    cause: str = Field(max_length=20)
    readmitted_before: bool = False
    record_cleared_on: date | None = None


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained. ``at`` and ``data`` are kept as the exact text hashed."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("hash", name="uq_audit_event_hash"),)

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: str = Field(max_length=40)
    actor: str = Field(max_length=80)
    dossier_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=20)
    event: str = Field(max_length=40)
    from_stage: str | None = Field(default=None, max_length=20)
    to_stage: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    rule_set_id: str | None = Field(default=None, max_length=60)
    data: str = Field(sa_column=Column(ChainedJSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # how the actor came in (web, cli, scheduler, import) and, for the web, from where;
    # hashed when set (events from before they existed hash as they always did)
    channel: str | None = Field(default=None, max_length=12)
    client: str | None = Field(default=None, max_length=64)


class CalendarOverride(SQLModel, table=True):
    """A day the government or the province adds as a day off, or makes a working day."""

    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    working: bool
    note: str = Field(default="", max_length=200)
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


class RuleOverride(SQLModel, table=True):
    """An installation's value for a local parameter of the rule sets, from a day on, for
    the rule sets it names (comma-separated); never replaced, only superseded (audited)."""

    __tablename__ = "rule_override"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, index=True)
    value: str = Field(max_length=40)
    effective_from: date
    rule_sets: str = Field(max_length=400)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


# --- planning cycle, deadlines and reminders (issue 3) ---------------------------------------


class Target(SQLModel, table=True):
    """Chỉ tiêu of an organization for a year ("2026") or a term ("2025-2030")."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("org_id", "period", "kind", name="uq_target"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    period: str = Field(max_length=9)
    kind: str = Field(max_length=30)
    value: int
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


class Submission(SQLModel, table=True):
    """A plan or report an organization has sent up (kế hoạch tạo nguồn, báo cáo quý …)."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("org_id", "year", "kind", name="uq_submission"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    year: int
    kind: str = Field(max_length=30)
    submitted_on: date
    number: str = Field(default="", max_length=40)
    recorded_by: str = Field(max_length=80)
    recorded_at: datetime = _ts()


class Setting(SQLModel, table=True):
    """An installation's setting of the planning cycle (dates, shares), audited."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


class ReminderPolicy(SQLModel, table=True):
    """Lead times and recipients for one kind of deadline (defaults live in the code)."""

    __tablename__ = "reminder_policy"

    kind: str = Field(primary_key=True, max_length=30)
    leads: str = Field(max_length=60)
    overdue_every: int
    roles: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


class Contact(SQLModel, table=True):
    """Who holds a role in an organization, and where e-mail reaches them."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("org_id", "role", "email", name="uq_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    role: str = Field(max_length=20)
    name: str = Field(max_length=120)
    email: str = Field(max_length=200)


class Deadline(SQLModel, table=True):
    """A deadline as data, recomputed in the transaction of the change that moves it.

    ``subject`` is ``dossier:<id>`` or ``org:<id>:<year>``. ``next_fire_on`` is the day the
    next reminder step falls due, so a scan reads only the rows whose day has come.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("subject", "kind", name="uq_deadline_subject_kind"),
        Index("ix_deadline_next_fire_on", "next_fire_on"),
        Index("ix_deadline_org_due", "org_id", "due"),
        Index("ix_deadline_due", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=40)
    kind: str = Field(max_length=30)
    rule_id: str = Field(max_length=20)
    dossier_id: int | None = Field(default=None, foreign_key="dossier.id", index=True)
    org_id: int = Field(foreign_key="organization.id")
    label: str = Field(sa_column=Column(Text, nullable=False))
    start: date
    due: date
    done_on: date | None = None
    milestone: bool = False
    target: int | None = None
    last_step: int | None = None
    next_fire_on: date | None = None
    created_on: date
    updated_at: datetime = _ts()


class Reminder(SQLModel, table=True):
    """One reminder, raised once: the unique key makes a second raise a no-op.

    It is also the in-app inbox item (open until marked done), written in the scan's
    transaction, so the inbox can neither miss nor double it.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("subject", "kind", "due", "step", name="uq_reminder_key"),
        Index("ix_reminder_open", "done_at", "fire_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=40)
    kind: str = Field(max_length=30)
    due: date
    step: int
    rule_id: str = Field(max_length=20)
    dossier_id: int | None = Field(default=None, index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    fire_on: date
    raised_on: date
    raised_at: datetime = _ts()
    late: bool = False
    message: str = Field(sa_column=Column(Text, nullable=False))
    recipients: str = Field(max_length=400)
    done_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    done_by: str | None = Field(default=None, max_length=80)


class Outbox(SQLModel, table=True):
    """A message to deliver after commit; claimed, sent once per key, retried with back-off."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("reminder_id", "channel", "recipient", name="uq_outbox_key"),
        Index("ix_outbox_pending", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id")
    channel: str = Field(max_length=10)
    recipient: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class AppUser(SQLModel, table=True):
    """A person who uses ketnap, with one role and the organization their role covers."""

    __tablename__ = "app_user"

    username: str = Field(primary_key=True, max_length=80)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=20)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    active: bool = True
    created_by: str = Field(max_length=80)
    created_at: datetime = _ts()
    password_hash: str | None = Field(default=None, max_length=200)  # argon2id
    password_set_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class UserSession(SQLModel, table=True):
    """A signed-in session (web or CLI): only the token's SHA-256 is stored, so a copy of
    the table signs nobody in; several servers behind one database share these rows."""

    __tablename__ = "user_session"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_user_session_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    username: str = Field(foreign_key="app_user.username", max_length=80, index=True)
    channel: str = Field(max_length=12)
    client: str | None = Field(default=None, max_length=64)
    csrf: str = Field(max_length=64)
    created_at: datetime = _ts()
    last_seen_at: datetime = _ts()
    expires_at: datetime = _ts()
    ended_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    end_reason: str | None = Field(default=None, max_length=40)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins counted per key (a username, a client address) in a window: the
    throttle, and the cap on how many of them the audit log records."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=120)
    window_start: datetime = _ts()
    count: int = 0


class Installation(SQLModel, table=True):
    """Facts of the installation fixed at its creation (is it a rehearsal database)."""

    __tablename__ = "installation"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class SignedHead(SQLModel, table=True):
    """The chain's head as each unit of work that appended events left it, signed with the
    installation key that the database does not hold (models/audit.py ``seal``): someone
    who can write the database but not read the key can neither append a forged event
    nor cut the tail without verify seeing it."""

    __tablename__ = "audit_head"

    length: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    head_hash: str = Field(max_length=64)
    at: str = Field(max_length=40)
    key_id: str = Field(max_length=16)
    signature: str = Field(max_length=128)


class Checkpoint(SQLModel, table=True):
    """A checkpoint issued to the witnesses (a folder outside the database, the inspection
    committee's mailboxes): its signed note and minisign signature, and where it went."""

    __tablename__ = "audit_checkpoint"

    length: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    head_hash: str = Field(max_length=64)
    at: str = Field(max_length=40)
    note: str = Field(sa_column=Column(Text, nullable=False))
    minisig: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(max_length=40)


class Recompute(SQLModel, table=True):
    """What a setting change left to recompute (issue 17), one row per scope: ``deadlines``
    (every open dossier's deadline rows: a calendar day, a rule override) or
    ``next_fire:<kind>`` (the next reminder day of one kind of deadline: a policy). Written
    by the setting's unit of work (``after_id`` 0), moved on by each batch (the last id it
    recomputed), cleared by the last (``after_id`` NULL: nothing pending), so a recompute
    interrupted by a crash is resumed where its last committed batch left it."""

    __tablename__ = "recompute"

    scope: str = Field(primary_key=True, max_length=40)
    after_id: int | None = None
    cause: str = Field(max_length=40)  # the audit event of the setting that asked for it
    requested_by: str = Field(max_length=80)
    requested_at: datetime = _ts()
    rows: int = 0  # dossiers (or deadlines) recomputed since it was asked for
    moved: int = 0  # deadline rows those batches wrote (inserted, changed or removed)
    batches: int = 0
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


# --- a dossier's life beyond the straight path (issue 18) --------------------------------------


class OrgSuccession(SQLModel, table=True):
    """An ended organization's successor: a merge (several to one), a split (one to several),
    a rename or a move to another parent, from ``effective_on``, by a decision."""

    __tablename__ = "org_succession"
    __table_args__ = (UniqueConstraint("org_id", "successor_id", name="uq_org_succession"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    successor_id: int = Field(foreign_key="organization.id", index=True)
    kind: str = Field(max_length=20)  # sap_nhap | chia_tach | doi_ten | chuyen_truc_thuoc
    effective_on: date
    decision: str = Field(default="", max_length=60)
    set_by: str = Field(max_length=80)
    set_at: datetime = _ts()


class Transfer(SQLModel, table=True):
    """A dossier moving to another chi bộ (L-TRANSFER): sent by one side, received by the
    other (the same unit of work when one committee covers both)."""

    __tablename__ = "transfer"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    from_org_id: int = Field(foreign_key="organization.id")
    to_org_id: int = Field(foreign_key="organization.id", index=True)
    letter_number: str = Field(default="", max_length=40)
    letter_on: date
    status: str = Field(max_length=12)  # dang_chuyen | da_nhan | huy
    redo: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list
    reason: str = Field(sa_column=Column(Text, nullable=False))
    sent_by: str = Field(max_length=80)
    sent_at: datetime = _ts()
    received_on: date | None = None
    received_by: str | None = Field(default=None, max_length=80)


class Annulment(SQLModel, table=True):
    """The deciding committee annulled its admission decision (L-ANNUL); what the dossier
    held before, so that reports can say which year's count lost it."""

    __tablename__ = "annulment"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    number: str = Field(max_length=40)
    signed_on: date
    by_org_id: int = Field(foreign_key="organization.id")
    outcome: str = Field(max_length=12)  # xoa_ten | lam_lai
    reason: str = Field(sa_column=Column(Text, nullable=False))
    previous_stage: str = Field(max_length=20)
    previous_joined_on: date | None = None
    previous_org_id: int | None = Field(default=None, foreign_key="organization.id")
    previous_profile: int | None = None
    previous_official_on: date | None = None
    recorded_by: str = Field(max_length=80)
    recorded_at: datetime = _ts()


class Designation(SQLModel, table=True):
    """Where the candidate's place has no Party member or organization, the superior
    committee designates the chi bộ that helps them (L-NO-MEMBER)."""

    __tablename__ = "designation"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    chi_bo_id: int = Field(foreign_key="organization.id")
    by_org_id: int = Field(foreign_key="organization.id")
    number: str = Field(max_length=40)
    signed_on: date
    place: str = Field(max_length=200)
    recorded_by: str = Field(max_length=80)
    recorded_at: datetime = _ts()


class Finding(SQLModel, table=True):
    """Something the committee must look at (a correction that makes a step already taken
    unlawful, …): raised with the change that caused it, closed with a conclusion; never a
    silent rewrite of history."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_open", "closed_at", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int | None = Field(default=None, foreign_key="dossier.id", index=True)
    org_id: int = Field(foreign_key="organization.id")
    kind: str = Field(max_length=20)  # dinh_chinh | …
    rule_id: str = Field(max_length=20)
    step: str | None = Field(default=None, max_length=40)  # the event already taken
    message: str = Field(sa_column=Column(Text, nullable=False))
    cause_event: int | None = None  # the audit event that raised it
    raised_on: date
    raised_by: str = Field(max_length=80)
    raised_at: datetime = _ts()
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    closed_by: str | None = Field(default=None, max_length=80)
    conclusion: str | None = Field(default=None, sa_column=Column(Text))


class Attachment(SQLModel, table=True):
    """A scanned paper of a dossier (giấy tờ scan): the file itself lives in the file store
    (workflow/usecases/file_store.py) under its SHA-256, never under the uploaded name; the
    row says what it is and the audit event that attached it holds the same hash. Removing
    one marks it removed (audited); the row and the file stay for the inspection."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    kind: str = Field(max_length=30)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    media_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64, index=True)
    attached_by: str = Field(max_length=80)
    attached_at: datetime = _ts()
    removed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    removed_by: str | None = Field(default=None, max_length=80)
    removed_reason: str | None = Field(default=None, sa_column=Column(Text))
