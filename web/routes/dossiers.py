"""Hồ sơ: the list of my scope (filtered, searched without accents, paged by the database,
in Vietnamese order) with one step for several at once; a dossier's page (the person with
the CCCD masked, the step bar, what the next step needs, the steps as buttons, deadlines,
timeline); a step taken; the CCCD revealed (audited); a new candidate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.forms import FACTS, errors_by_field, fields_of, form_link, posted
from web.identity import Visitor, form_of, values, visitor
from web.pages import page
from workflow.domain.catalogue import BY_ID
from workflow.domain.errors import BadInput, BatchRefused, Conflict, Refused
from workflow.domain.process import Event, Stage
from workflow.domain.vocabulary import OrgKind
from workflow.inputs.dossier import CandidateIn
from workflow.usecases.access import Action, permits
from workflow.usecases.advancing import advance, advance_many
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.organizations import orgs_in_scope
from workflow.usecases.views import (
    DUE_STATES,
    DossierFilter,
    dossier_page,
    history,
    next_steps,
    show,
)

router = APIRouter()
Me = Annotated[Visitor, Depends(visitor)]


def _filter(
    q: str | None, stage: str | None, org: str | None, due: str | None, number: str | None = None
) -> tuple[DossierFilter, int]:
    """The list's filters and page as the address gives them; every bad one named at once."""
    problems = []
    if stage and stage not in Stage.__members__:
        problems.append(("Bước", f"'{stage[:40]}' không có"))
    if due and due not in DUE_STATES:
        problems.append(("Tình trạng hạn", f"chọn một trong: {', '.join(DUE_STATES.values())}"))
    page_number = 1
    if number:
        if number.isascii() and number.isdigit() and len(number) <= 7:
            page_number = int(number)
        else:
            problems.append(("Trang", "phải là số trang từ 1 đến 1.000.000"))
    if problems:
        raise BadInput(problems)
    f = DossierFilter(q or None, Stage(stage) if stage else None, org or None, due or None)
    return f, page_number


async def _list_page(
    request: Request,
    me: Visitor,
    f: DossierFilter,
    number: int,
    result: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    listed = await run_in_threadpool(dossier_page, me.ctx, f, number)
    orgs = await run_in_threadpool(orgs_in_scope, me.ctx)
    context = {
        "listed": listed,
        "filter": f,
        "orgs": orgs,
        "due_states": DUE_STATES,
        "events": list(Event),
        "result": result,
        "can_advance": permits(me.proven.role, Action.advance),
    }
    if request.headers.get("hx-target") == "ket-qua":
        # htmx swaps in the results only, and only 2xx answers: a refusal is shown there
        return page(request, "_dossier_rows.html", context)
    return page(request, "dossiers.html", context, status)


@router.get("/ho-so")
async def dossier_list(
    request: Request,
    me: Me,
    q: str | None = None,
    giai_doan: str | None = None,
    to_chuc: str | None = None,
    han: str | None = None,
    trang: str | None = None,
) -> Response:
    return await _list_page(request, me, *_filter(q, giai_doan, to_chuc, han, trang))


@router.post("/ho-so/buoc-nhieu")
async def advance_several(request: Request, me: Me) -> Response:
    """One step for every dossier ticked: all written, or none with every refusal listed."""
    form = await form_of(request, me)
    ids = [int(str(x)) for x in form.getlist("ids") if str(x).isascii() and str(x).isdigit()]
    event = str(form.get("event") or "")
    f, number = _filter(
        str(form.get("q") or ""),
        str(form.get("giai_doan") or ""),
        str(form.get("to_chuc") or ""),
        str(form.get("han") or ""),
        str(form.get("trang") or ""),
    )
    # a refusal keeps what was chosen, so the clerk unticks one dossier and tries again
    kept = {"chosen": set(ids), "event_value": event, "reason": str(form.get("reason") or "")}
    result: dict[str, Any]
    try:
        if event not in Event.__members__:
            raise BadInput.one("Sự kiện", "hãy chọn một bước")
        if not ids:
            raise BadInput.one("Hồ sơ", "chưa chọn hồ sơ nào")
        done = await run_in_threadpool(
            lambda: advance_many(
                me.ctx, ids, Event(event), reason=str(form.get("reason") or "") or None
            )
        )
        result = {"done": done}
        status = 200
    except BatchRefused as exc:
        result = {"refused": exc.refused, "event": Event(event), **kept}
        status = 422
    except BadInput as exc:
        result = {"problems": exc.problems, **kept}
        status = 422
    return await _list_page(request, me, f, number, result, status)


async def _dossier(request: Request, me: Visitor, dossier_id: int, **extra: Any) -> dict[str, Any]:
    data = await run_in_threadpool(show, me.ctx, dossier_id)
    steps = await run_in_threadpool(next_steps, me.ctx, dossier_id)
    events = await run_in_threadpool(history, me.ctx, dossier_id)
    for step in steps["steps"]:
        for u in step["unmet"]:
            u["wording"] = BY_ID[u["rule_id"]].wording if u["rule_id"] in BY_ID else ""
            u["form"] = form_link(dossier_id, u["rule_id"], step["event"])
    return {
        "d": data,
        "steps": steps,
        "events": events,
        "can_advance": permits(me.proven.role, Action.advance),
        "can_record": permits(me.proven.role, Action.record)
        or permits(me.proven.role, Action.decide),
        "stage": Stage(data["stage"]),
        "printed": me.ctx.clock.now(),  # the printed page says when, and by whom
        **extra,
    }


def _flash(done: str | None) -> str | None:
    """What was just done, from a known word of the redirect (never text of the address)."""
    if done is None:
        return None
    if done in FACTS:
        return f"Đã ghi nhận: {FACTS[done].title}."
    if done in Event.__members__:
        return f"Đã chuyển bước: {Event(done).label}."
    return "Đã mở hồ sơ ở bước Nguồn." if done == "tao_ho_so" else None


@router.get("/ho-so/{dossier_id}")
async def dossier(request: Request, dossier_id: int, me: Me, xong: str | None = None) -> Response:
    context = await _dossier(request, me, dossier_id, flash=_flash(xong))
    return page(request, "dossier.html", context)


@router.post("/ho-so/{dossier_id}/buoc")
async def take_step(request: Request, dossier_id: int, me: Me) -> Response:
    form = await form_of(request, me)
    event, version = str(form.get("event") or ""), str(form.get("version") or "")
    back_to = str(form.get("back_to") or "") or None
    extra: dict[str, Any]
    try:
        if event not in Event.__members__ or not version.isdigit():
            raise BadInput.one("Sự kiện", "không hợp lệ")
        if back_to is not None and back_to not in Stage.__members__:
            raise BadInput.one("Trả về bước", "không hợp lệ")
        done = await run_in_threadpool(
            lambda: advance(
                me.ctx,
                dossier_id,
                Event(event),
                reason=str(form.get("reason") or "") or None,
                back_to=Stage(back_to) if back_to else None,
                expected_version=int(version),
            )
        )
        return RedirectResponse(f"/ho-so/{dossier_id}?xong={done.event.value}", status_code=303)
    except Refused as exc:
        extra, status = {"refused": exc.verdict}, 422
    except Conflict as exc:
        extra, status = {"conflict": str(exc)}, 409
    except BadInput as exc:
        extra, status = {"problems": exc.problems}, 422
    context = await _dossier(request, me, dossier_id, **extra)
    return page(request, "dossier.html", context, status)


@router.post("/ho-so/{dossier_id}/cccd")
async def reveal_cccd(request: Request, dossier_id: int, me: Me) -> Response:
    """The whole CCCD, for the dossier's handlers, each time audited (never in a URL)."""
    await form_of(request, me)
    data = await run_in_threadpool(lambda: show(me.ctx, dossier_id, reveal_cccd=True))
    return page(
        request, "_cccd.html", {"cccd": data["candidate"]["cccd"], "dossier_id": dossier_id}
    )


_CANDIDATE_FIELDS = fields_of(CandidateIn)


async def _cells(me: Visitor) -> list[dict[str, Any]]:
    orgs = await run_in_threadpool(orgs_in_scope, me.ctx)
    return [o for o in orgs if OrgKind(o["kind"]) in {OrgKind.chi_bo, OrgKind.chi_bo_co_so}]


@router.get("/ho-so-moi")
async def candidate_form(request: Request, me: Me) -> Response:
    await run_in_threadpool(me.ctx.require, Action.add_candidate)
    return page(
        request,
        "candidate_form.html",
        {"fields": _CANDIDATE_FIELDS, "cells": await _cells(me), "values": {}, "errors": {}},
    )


@router.post("/ho-so-moi")
async def candidate_add(request: Request, me: Me) -> Response:
    form = await form_of(request, me)
    data = posted(_CANDIDATE_FIELDS, values(form))
    try:
        made = await run_in_threadpool(add_candidate, me.ctx, data)
    except BadInput as exc:
        return page(
            request,
            "candidate_form.html",
            {
                "fields": _CANDIDATE_FIELDS,
                "cells": await _cells(me),
                "values": data,
                "errors": errors_by_field(_CANDIDATE_FIELDS, exc.problems),
            },
            422,
        )
    return RedirectResponse(f"/ho-so/{made['dossier_id']}?xong=tao_ho_so", status_code=303)
