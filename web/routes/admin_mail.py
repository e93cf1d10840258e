"""Quản trị — nhắc việc và thư: reminder policies, mail contacts, the outbox (queued, failed
and why, resend one)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
