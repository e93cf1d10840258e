"""The web application: one FastAPI app over one database, its routers (one per area of
the office), the static files (htmx vendored, no CDN), the security headers every answer
carries, and the barrier that turns any fault into a Vietnamese page with an error id."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from web import errors
from web.routes import (
    admin_mail,
    admin_orgs,
    admin_settings,
    admin_users,
    agenda,
    attachments,
    auth,
    dossiers,
    facts,
    imports,
    inspection,
    life,
    office,
    planning,
    reports,
)
from workflow.usecases.clock import Clock
from workflow.usecases.context import open_context
from workflow.usecases.installation import installation_facts

STATIC = Path(__file__).parent / "static"

# No inline script or style: htmx is a file of ours, its configuration a meta tag.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class Guard(BaseHTTPMiddleware):
    """Security headers on every answer; no page is cached (they hold personal data); a
    fault becomes the error page (and is not re-raised into the server's log)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        try:
            response = await call_next(request)
        except Exception as exc:  # the last barrier: nothing reaches the visitor raw
            response = errors.fault_page(request, exc)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def create_app(db: str | None, clock: Clock) -> FastAPI:
    """The application on database ``db`` (as ``--db`` takes it), with ``clock``."""
    base = open_context(db, "web", clock)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.base = base
    app.state.rehearsal = installation_facts(base)["rehearsal"]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard)
    errors.install(app)
    areas = (auth, agenda, dossiers, facts, office, imports, reports, inspection, planning)
    areas += (life, attachments, admin_users, admin_orgs, admin_settings, admin_mail)
    for area in areas:
        app.include_router(area.router)

    @app.get("/san-sang", include_in_schema=False)
    def ready() -> PlainTextResponse:
        """A constant answer: the server is up (and the bench's baseline)."""
        return PlainTextResponse("sẵn sàng")

    return app


def app_from_environment() -> FastAPI:
    """The application as a worker process builds it (``ketnap serve --workers``): the
    database from KETNAP_DB, the clock from the environment (checked by the parent)."""
    import os

    from web.serve import _quiet
    from workflow.usecases.clock import clock_from_env

    _quiet()
    return create_app(os.environ.get("KETNAP_DB"), clock_from_env())
