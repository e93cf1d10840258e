"""The audit's daily work, run by the scheduler's scan (``ketnap scan``, the daemon):
a checkpoint to the witnesses at least once a day (AUD-CHECKPOINT), and once a night the
dossiers replayed from the log against their rows (AUD-STATE); a difference is a notice to
the administrator and the inspection committee. Both are safe to run again: the day each
last ran is in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import audit
from models.tables import Installation
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import Role
from workflow.text.vntext import fmt_date
from workflow.usecases import checkpoints
from workflow.usecases.context import Context
from workflow.usecases.notices import Notice, raise_notice
from workflow.usecases.replay import differences

STATE_CHECKED = "state_checked_on"


@dataclass(frozen=True)
class Nightly:
    checkpoint: int | None  # the length of the checkpoint issued, if one was
    state_checked: bool
    differences: int
    problem: str | None = None  # why no checkpoint could be issued (the scan goes on)

    def summary(self) -> str:
        parts = []
        if self.problem:
            parts.append(f"chưa phát hành được điểm kiểm ({self.problem})")
        if self.checkpoint is not None:
            parts.append(f"đã phát hành điểm kiểm {self.checkpoint} sự kiện")
        if self.state_checked:
            parts.append(
                f"đối chiếu trạng thái: {self.differences} chỗ khác"
                if self.differences
                else "đối chiếu trạng thái: khớp nhật ký"
            )
        return "; ".join(parts)


def audit_nightly(ctx: Context, day: date) -> Nightly:
    """A witness folder that cannot be written does not stop the scan: it says so (and the
    next scan tries again, since no checkpoint was issued today)."""
    problem = None
    try:
        issued = checkpoints.daily(ctx, day)
    except BadInput as exc:
        issued, problem = None, "; ".join(f"{f}: {m}" for f, m in exc.problems)
    checked, found = _state(ctx, day)
    return Nightly(issued.length if issued else None, checked, found, problem)


def _state(ctx: Context, day: date) -> tuple[bool, int]:
    with ctx.read() as s:
        row = s.get(Installation, STATE_CHECKED)
        if row is not None and row.value >= day.isoformat():
            return False, 0
        found, dossiers, events = differences(s.connection())
    with ctx.write() as s:
        audit.head(s)  # the chain's lock first: two scanners record one check a night
        row = s.get(Installation, STATE_CHECKED)
        if row is not None and row.value >= day.isoformat():
            return False, 0  # another scanner did it meanwhile
        if row is None:
            s.add(Installation(key=STATE_CHECKED, value=day.isoformat()))
        else:
            row.value = day.isoformat()
            s.add(row)
        now = ctx.clock.now()
        audit.append(
            s,
            at=now,
            actor=ctx.actor,
            kind="inspection",
            event="doi_chieu_trang_thai",
            data={"dossiers": dossiers, "events": events, "differences": len(found)},
        )
        if found:
            sample = "; ".join(d.text() for d in found[:3])
            message = (
                f"Đối chiếu ngày {fmt_date(day)}: {len(found)} chỗ bảng hồ sơ khác với nhật ký "
                f"({sample}). Hãy chạy 'ketnap audit verify --state' và tìm người đã sửa."
            )
            raise_notice(
                s,
                Notice(
                    subject=f"audit:state:{day.isoformat()}",
                    kind="A-STATE",
                    rule_id="AUD-STATE",
                    message=message,
                    roles=(Role.quan_tri, Role.kiem_tra),
                    mail_subject="[ketnap] Trạng thái hồ sơ khác với nhật ký",
                    mail_body=message,
                ),
                now,
                day,
            )
    return True, len(found)
