"""Proven identities: passwords, sessions as rows with idle and absolute timeouts, sign-in
throttling with a capped audit, sessions ended by revocation, the clock only pinned in a
rehearsal, and the channel every audit event records."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import NOW, make_context
from tests.databases import TestDB, new_db
from workflow.domain.errors import BadInput, NotSignedIn
from workflow.usecases.clock import FixedClock
from workflow.usecases.context import Context
from workflow.usecases.sessions import (
    LOCK_AFTER,
    check_clock,
    prove,
    resolve,
    sign_in,
    sign_out,
)
from workflow.usecases.users import add_user, grant, revoke, set_password

PASSWORD = "mot-mat-khau-dai"


@pytest.fixture
def users(ctx: Context) -> Context:
    add_user(ctx, "Admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    return admin


def at(ctx: Context, later: timedelta, **kw: object) -> Context:
    return replace(ctx, clock=FixedClock(NOW + later), **kw)  # type: ignore[arg-type]


def events(db: TestDB, kind: str) -> list[tuple[str, str]]:
    rows = db.sql("SELECT event, actor FROM audit_event WHERE kind = :k ORDER BY id", {"k": kind})
    return [(r[0], r[1]) for r in rows]


def test_usernames_are_matched_case_insensitively(users: Context) -> None:
    done = sign_in(users, "ADMIN", PASSWORD)
    assert done.username == "admin"
    assert prove(users, done.token, "Admin", pinned_clock=False) == "admin"


def test_a_wrong_password_says_nothing_of_which_part_was_wrong(users: Context) -> None:
    with pytest.raises(NotSignedIn) as wrong:
        sign_in(users, "lan", "khong-phai-mat-khau")
    with pytest.raises(NotSignedIn) as nobody:
        sign_in(users, "khong_co_ai", "khong-phai-mat-khau")
    assert str(wrong.value) == str(nobody.value) and wrong.value.exit_code == 4


def test_repeated_failures_lock_the_sign_in_and_the_audit_stays_bounded(
    users: Context, db: TestDB
) -> None:
    for _ in range(LOCK_AFTER + 20):
        with pytest.raises(NotSignedIn):
            sign_in(users, "lan", "sai-mat-khau-nhe")
    with pytest.raises(NotSignedIn, match="tạm khóa"):
        sign_in(users, "lan", PASSWORD)  # the right password too, while locked
    signins = events(db, "signin")
    assert signins.count(("dang_nhap_sai", "lan")) == LOCK_AFTER - 1
    assert signins.count(("khoa_dang_nhap", "lan")) == 1
    assert len(signins) == LOCK_AFTER  # 26 attempts, 5 events
    assert sign_in(at(users, timedelta(minutes=16)), "lan", PASSWORD).username == "lan"


def test_a_session_ends_when_idle_too_long_at_its_absolute_end_and_on_sign_out(
    users: Context,
) -> None:
    web = replace(users, channel="web", client="127.0.0.1")
    done = sign_in(web, "lan", PASSWORD)
    assert resolve(at(web, timedelta(minutes=59)), done.token) is not None
    assert resolve(at(web, timedelta(minutes=59 + 61)), done.token) is None  # idle
    kept = sign_in(web, "lan", PASSWORD)
    for step in range(1, 15):  # used every 50 minutes: still ends after 12 hours
        assert resolve(at(web, timedelta(minutes=50 * step)), kept.token)
    assert resolve(at(web, timedelta(hours=12)), kept.token) is None
    third = sign_in(web, "lan", PASSWORD)
    assert sign_out(web, third.token) and resolve(web, third.token) is None


def test_revoking_or_changing_a_role_or_password_ends_the_sessions(users: Context) -> None:
    first = sign_in(users, "lan", PASSWORD)
    grant(users, "lan", "chuyen_vien", "DB")
    assert resolve(users, first.token) is None
    second = sign_in(users, "lan", PASSWORD)
    set_password(replace(users, actor="lan"), "lan", "mat-khau-moi-hon", current=PASSWORD)
    assert resolve(users, second.token) is None
    third = sign_in(users, "lan", "mat-khau-moi-hon")
    revoke(users, "lan")
    assert resolve(users, third.token) is None
    with pytest.raises(NotSignedIn):
        sign_in(users, "lan", "mat-khau-moi-hon")


def test_a_password_policy_and_a_wrong_current_password(users: Context) -> None:
    for weak in ("ngan", "minh-la-toi-day", "aaaaaaaaaaaa"):
        with pytest.raises(BadInput) as refused:
            add_user(users, "minh", "Lê Minh", "kiem_tra", password=weak)
        assert weak not in str(refused.value)
    lan = replace(users, actor="lan")
    with pytest.raises(BadInput, match="Mật khẩu hiện tại"):
        set_password(lan, "lan", "mat-khau-moi-hon", current="sai-roi-nhe-ban")


def test_without_a_session_nobody_acts_and_as_cannot_name_someone_else(users: Context) -> None:
    with pytest.raises(NotSignedIn):
        prove(users, None, "admin", pinned_clock=False)
    lan = sign_in(users, "lan", PASSWORD)
    with pytest.raises(NotSignedIn, match="--as"):
        prove(users, lan.token, "admin", pinned_clock=False)  # KETNAP_USER=admin … refused


def test_the_clock_is_pinned_only_in_a_rehearsal(tmp_path: object, users: Context) -> None:
    with pytest.raises(BadInput, match="KETNAP_NOW"):
        check_clock(users, True)
    real = new_db(tmp_path, "that")  # type: ignore[arg-type]
    ctx = make_context(real)  # no users yet: single-user mode pins freely
    check_clock(ctx, True)
    rehearsal = new_db(tmp_path, "dien_tap")  # type: ignore[arg-type]
    from workflow.usecases.installation import initialise, installation_facts

    practice = make_context(rehearsal, rehearse=True)
    assert initialise(practice, key=rehearsal.key) is False
    assert installation_facts(practice)["rehearsal"]
    add_user(practice, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    check_clock(replace(practice, actor="admin"), True)


def test_audit_events_record_the_user_the_channel_and_the_client(
    users: Context, db: TestDB
) -> None:
    web = replace(users, channel="web", client="10.0.0.7")
    sign_in(web, "lan", PASSWORD)
    row = db.sql(
        "SELECT actor, channel, client FROM audit_event WHERE event = 'dang_nhap' ORDER BY id"
    )[-1]
    assert tuple(row) == ("lan", "web", "10.0.0.7")
    from workflow.usecases.trust import verify_audit

    assert verify_audit(users).ok
    db.sql("UPDATE audit_event SET client = '10.0.0.8' WHERE event = 'dang_nhap'")
    assert not verify_audit(users).ok  # the channel and address are hashed
