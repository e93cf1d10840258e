"""Đăng nhập, đăng xuất, đổi mật khẩu."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.identity import (
    COOKIE,
    Visitor,
    base_context,
    form_of,
    keep_pre_token,
    pre_token_ok,
    set_session_cookie,
    visitor,
)
from web.pages import page
from workflow.domain.errors import BadInput, NotSignedIn
from workflow.usecases.sessions import ABSOLUTE, sign_in, sign_out
from workflow.usecases.users import set_password

router = APIRouter()
Me = Annotated[Visitor, Depends(visitor)]


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site's)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _form(request: Request, target: str, message: str = "", username: str = "") -> Response:
    """The sign-in page with a fresh form token (kept in its own cookie as well)."""
    token = secrets.token_urlsafe(24)
    context = {"next": target, "message": message, "username": username, "csrf": token}
    response = page(request, "login.html", context, 401 if message else 200)
    keep_pre_token(request, response, token)
    return response


@router.get("/dang-nhap")
def login_page(request: Request, tiep: str | None = None) -> Response:
    return _form(request, _next(tiep))


@router.post("/dang-nhap")
async def login(request: Request) -> Response:
    form = await request.form()
    target = _next(str(form.get("tiep") or ""))
    username = str(form.get("username") or "")
    if not pre_token_ok(request, form):
        return _form(request, target, "Biểu mẫu đã hết hạn; hãy đăng nhập lại.", username)
    try:
        done = await run_in_threadpool(
            sign_in, base_context(request), username, str(form.get("password") or "")
        )
    except (NotSignedIn, BadInput) as exc:
        return _form(request, target, str(exc).removeprefix("Đăng nhập: "), username)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, done.token, int(ABSOLUTE["web"].total_seconds()))
    return response


@router.post("/dang-xuat")
async def logout(request: Request, me: Me) -> Response:
    await form_of(request, me)
    await run_in_threadpool(sign_out, me.ctx, request.cookies.get(COOKIE))
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/mat-khau")
def password_page(request: Request, me: Me) -> Response:
    return page(request, "password.html", {"problems": [], "done": False})


@router.post("/mat-khau")
async def change_password(request: Request, me: Me) -> Response:
    form = await form_of(request, me)
    new, again = str(form.get("new") or ""), str(form.get("again") or "")
    problems: list[tuple[str, str]] = []
    if new != again:
        problems.append(("Nhập lại mật khẩu mới", "không giống mật khẩu mới"))
    else:
        try:
            await run_in_threadpool(
                lambda: set_password(
                    me.ctx, me.proven.username, new, current=str(form.get("current") or "")
                )
            )
        except BadInput as exc:
            problems = list(exc.problems)
    if problems:
        return page(request, "password.html", {"problems": problems, "done": False}, 422)
    # every session of this user ended with the change: sign in again (the page says so,
    # without the menu of a session that no longer exists)
    request.state.visitor = None
    response = page(request, "password.html", {"problems": [], "done": True})
    response.delete_cookie(COOKIE, path="/")
    return response
