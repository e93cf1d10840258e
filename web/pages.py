"""Rendering: the Jinja2 environment (autoescaped), the filters pages use (dd/mm/yyyy,
numbers with the dot, Vietnamese labels), and ``page``, which every route answers with."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from workflow.domain.process import MAIN_LINE, Stage
from workflow.domain.vocabulary import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    ExitCause,
    Labelled,
    OrgKind,
    Relation,
    ResolutionKind,
)
from workflow.text.vntext import count
from workflow.usecases.access import Action, permits
from workflow.usecases.clock import local
from workflow.usecases.event_names import event_label

TEMPLATES = Path(__file__).parent / "templates"


def vn_date(value: Any) -> str:
    """An ISO date or a date as dd/mm/yyyy ('—' for none)."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def vn_time(value: Any) -> str:
    """A timestamp (ISO text or aware datetime) in Vietnam's time, 'dd/mm/yyyy HH:MM'."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{local(value):%d/%m/%Y %H:%M}"


def vn_number(value: int) -> str:
    """1905 → '1.905': the thousands separator Vietnamese uses."""
    return count(value)


def label_of(value: str | None, enum: type[Labelled]) -> str:
    """A stored identifier's Vietnamese label ('—' for none)."""
    if not value:
        return "—"
    try:
        return enum(value).label
    except ValueError:
        return value


def org_options(orgs: list[dict[str, Any]], selected: str | None) -> Markup:
    """The organization tree as <option>s, indented by depth (a province's thousand: built
    here in one pass, it costs a fraction of a template loop)."""
    parts = []
    for o in orgs:
        code = escape(o["code"])
        mark = " selected" if o["code"] == selected else ""
        parts.append(
            f'<option value="{code}"{mark}>{"· " * o["depth"]}{escape(o["name"])}</option>'
        )
    return Markup("".join(parts))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(vn_date=vn_date, vn_time=vn_time, vn_number=vn_number, label_of=label_of)
    env.globals.update(
        MAIN_LINE=MAIN_LINE,
        Stage=Stage,
        event_text=event_label,  # an audit event as the timeline says it
        org_options=org_options,
        DocumentKind=DocumentKind,
        ResolutionKind=ResolutionKind,
        DecisionKind=DecisionKind,
        ConsentKind=ConsentKind,
        Relation=Relation,
        ExitCause=ExitCause,
        OrgKind=OrgKind,
        may=may,
    )
    return env


def may(me: Any, action: str) -> bool:
    """Whether the signed-in user's role may ``action`` at all: a menu shows only what
    they can do (the use case still checks role and scope)."""
    return me is not None and permits(me.proven.role, Action(action))


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A template rendered for this request: the signed-in user and the installation's
    facts (a rehearsal banner) come from the request's state."""
    data = {
        "request": request,
        "me": getattr(request.state, "visitor", None),
        "rehearsal": request.app.state.rehearsal,
        **context,
    }
    html = environment().get_template(template).render(data)
    return HTMLResponse(html, status_code=status)
