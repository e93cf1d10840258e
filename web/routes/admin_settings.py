"""Quản trị — quy định và lịch: the rule set and local overrides with their preview, the
calendar's year view with its overrides."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
