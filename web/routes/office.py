"""Tổ chức and Nhật ký: the organization tree of my scope (the administrator adds to it), and
the audit chain's verification, which anyone who reads may run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.forms import errors_by_field, fields_of, posted
from web.identity import Visitor, form_of, values, visitor
from web.pages import page
from workflow.domain.errors import BadInput
from workflow.inputs.organization import OrgIn
from workflow.usecases.access import Action, permits
from workflow.usecases.organizations import add_org, orgs_in_scope
from workflow.usecases.trust import verify_audit

router = APIRouter()
Me = Annotated[Visitor, Depends(visitor)]
_ORG_FIELDS = fields_of(OrgIn)


async def _orgs_page(
    request: Request,
    me: Visitor,
    given: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    added: str | None = None,
) -> Response:
    orgs = await run_in_threadpool(orgs_in_scope, me.ctx)
    # the banner names an organization of the tree, never text taken from the address
    made = next((o for o in orgs if added and o["code"] == added), None)
    context = {
        "orgs": orgs,
        "added": made,
        "fields": _ORG_FIELDS,
        "values": given,
        "errors": errors,
        "can_admin": permits(me.proven.role, Action.admin),
    }
    return page(request, "organizations.html", context, status)


@router.get("/to-chuc")
async def organizations(request: Request, me: Me, xong: str | None = None) -> Response:
    return await _orgs_page(request, me, {}, {}, 200, added=xong)


@router.post("/to-chuc")
async def organization_add(request: Request, me: Me) -> Response:
    form = await form_of(request, me)
    data = posted(_ORG_FIELDS, values(form))
    try:
        made = await run_in_threadpool(add_org, me.ctx, data)
    except BadInput as exc:
        return await _orgs_page(request, me, data, errors_by_field(_ORG_FIELDS, exc.problems), 422)
    return RedirectResponse(f"/to-chuc?xong={made['code']}", status_code=303)


@router.get("/nhat-ky")
async def audit_chain(request: Request, me: Me) -> Response:
    report = await run_in_threadpool(verify_audit, me.ctx)
    return page(request, "audit.html", {"report": report}, 200 if report.ok else 409)
