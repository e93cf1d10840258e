"""Ghi nhận: a form for every fact the CLI records (certificate, papers, introducers,
relatives, verification, votes, decisions, ceremony, consents, former membership), each
through its input model; the errors beside their fields, the values kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.forms import FACTS, FactForm, errors_by_field, fields_of, posted
from web.identity import Visitor, form_of, values, visitor
from web.pages import page
from workflow.domain.errors import BadInput, Conflict, RecordRefused
from workflow.usecases.recording import may_record, record_fact
from workflow.usecases.views import show

router = APIRouter()
VERSION = "Phiên bản hồ sơ"
Me = Annotated[Visitor, Depends(visitor)]


def _kind(slug: str) -> FactForm:
    if slug not in FACTS:
        raise StarletteHTTPException(404)
    return FACTS[slug]


async def _form_page(
    request: Request,
    me: Visitor,
    dossier_id: int,
    fact: FactForm,
    given: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> Response:
    d = await run_in_threadpool(show, me.ctx, dossier_id)
    context = {"d": d, "fact": fact, "fields": fields_of(fact.model), "values": given, **extra}
    return page(request, "fact_form.html", context, status)


@router.get("/ho-so/{dossier_id}/ghi/{slug}")
async def fact_form(request: Request, dossier_id: int, slug: str, me: Me) -> Response:
    preset = {k: v for k, v in request.query_params.items() if k == "kind"}
    fact = _kind(slug)
    await run_in_threadpool(may_record, me.ctx, dossier_id, fact.model, preset)
    return await _form_page(request, me, dossier_id, _kind(slug), preset, errors={})


@router.post("/ho-so/{dossier_id}/ghi/{slug}")
async def record(request: Request, dossier_id: int, slug: str, me: Me) -> Response:
    fact = _kind(slug)
    form = await form_of(request, me)
    given = values(form)
    version = given.pop("version", "")
    data = posted(fields_of(fact.model), given)
    try:
        if not (version.isascii() and version.isdigit()):  # the page always sends it
            raise BadInput.one(VERSION, "biểu mẫu thiếu phiên bản hồ sơ: hãy tải lại trang")
        await run_in_threadpool(
            lambda: record_fact(me.ctx, dossier_id, fact.model, data, expected_version=int(version))
        )
    except BadInput as exc:
        errors = errors_by_field(fields_of(fact.model), exc.problems)
        return await _form_page(request, me, dossier_id, fact, data, 422, errors=errors)
    except RecordRefused as exc:
        return await _form_page(request, me, dossier_id, fact, data, 422, errors={}, refused=exc)
    except Conflict as exc:
        return await _form_page(
            request, me, dossier_id, fact, data, 409, errors={}, conflict=str(exc)
        )
    return RedirectResponse(f"/ho-so/{dossier_id}?xong={slug}", status_code=303)
