"""Who is asking: the session cookie proven by the use case, the request's Context, and the
CSRF token every form and htmx request must carry.

The cookie holds a random token (HttpOnly, SameSite=Lax, Secure behind https); the session
row holds its SHA-256 and the CSRF token the pages embed. The sign-in form, before any
session, is protected by a token in a cookie of its own, compared with the form's.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from workflow.usecases.context import Context
from workflow.usecases.sessions import Proven, resolve

COOKIE = "ketnap_phien"
PRE_COOKIE = "ketnap_dang_nhap"  # the sign-in form's CSRF token, before a session exists
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class NeedsSignIn(Exception):
    """No live session: the page sends the visitor to the sign-in page."""


class BadCsrf(Exception):
    """A POST without the session's CSRF token (or with another one): refused."""


@dataclass(frozen=True)
class Visitor:
    ctx: Context
    proven: Proven

    @property
    def csrf(self) -> str:
        return self.proven.csrf


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def base_context(request: Request) -> Context:
    """The application's context for this request: the web channel and the client address,
    nobody proven yet."""
    base: Context = request.app.state.base
    return replace(base, channel="web", client=client_address(request))


async def visitor(request: Request) -> Visitor:
    """The signed-in visitor, or NeedsSignIn; kept on the request for the templates."""
    ctx = base_context(request)
    proven = await run_in_threadpool(resolve, ctx, request.cookies.get(COOKIE))
    if proven is None:
        raise NeedsSignIn()
    found = Visitor(replace(ctx, actor=proven.username), proven)
    request.state.visitor = found
    return found


async def form_of(request: Request, who: Visitor) -> FormData:
    """The POSTed form, once its CSRF token (field or htmx header) matches the session's."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    if not sent or not hmac.compare_digest(sent, who.csrf):
        raise BadCsrf()
    return form


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def keep_pre_token(request: Request, response: Response, token: str) -> None:
    """The sign-in form's CSRF token, in its own cookie (compared with the form's)."""
    response.set_cookie(
        PRE_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/"
    )


def pre_token_ok(request: Request, form: FormData) -> bool:
    sent, kept = str(form.get(CSRF_FIELD) or ""), request.cookies.get(PRE_COOKIE) or ""
    return bool(sent) and hmac.compare_digest(sent, kept)


def values(form: FormData) -> dict[str, Any]:
    """A form's fields as text, the CSRF token and empty fields left out."""
    return {
        k: str(v).strip()
        for k, v in form.multi_items()
        if k != CSRF_FIELD and isinstance(v, str) and str(v).strip() != ""
    }
