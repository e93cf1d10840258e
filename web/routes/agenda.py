"""Việc của tôi: the reminders and the open or overdue deadlines in my scope, coloured by
working days left, each linked to its dossier; a reminder marked done in place (htmx)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.identity import Visitor, form_of, visitor
from web.pages import page
from workflow.usecases.access import Action, permits
from workflow.usecases.agenda import deadlines, reminder_done, reminders
from workflow.usecases.findings import agenda_findings
from workflow.usecases.views import SOON

router = APIRouter()
Me = Annotated[Visitor, Depends(visitor)]
AMBER = 5  # working days left from which a deadline turns amber


def colour(d: dict[str, Any]) -> str:
    """Red when overdue, amber within ``AMBER`` working days, green otherwise."""
    if d.get("overdue"):
        return "do"
    left = d.get("remaining_working_days", d.get("remaining"))
    return "vang" if left is not None and left <= AMBER else "xanh"


@router.get("/")
async def my_work(request: Request, me: Me) -> Response:
    due = await run_in_threadpool(deadlines, me.ctx, None, SOON, 200)
    inbox = await run_in_threadpool(reminders, me.ctx, None, None, False, 200)
    found = await run_in_threadpool(agenda_findings, me.ctx)  # inspector, administrator
    for d in due:
        d["colour"] = colour(d)
    return page(
        request,
        "agenda.html",
        {
            "deadlines": due,
            "reminders": inbox,
            "findings": found,
            "soon": SOON,
            "can_mark": permits(me.proven.role, Action.plan),
        },
    )


@router.post("/nhac-viec/{reminder_id}/xong")
async def mark_done(request: Request, reminder_id: int, me: Me) -> Response:
    form = await form_of(request, me)
    await run_in_threadpool(reminder_done, me.ctx, reminder_id, str(form.get("note") or ""))
    if not request.headers.get("hx-request"):  # without JavaScript: the page again
        return RedirectResponse("/", status_code=303)
    return page(request, "_reminder_done.html", {"reminder_id": reminder_id})
