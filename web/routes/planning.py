"""Kế hoạch: targets, the planning cycle, the open deadlines, the reminder inbox and the list
exports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
