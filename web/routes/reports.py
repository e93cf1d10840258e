"""Báo cáo tiến độ: the form (organisation, period, as-of date, number, place, signer), the
HTML preview and the xlsx, docx and chart downloads, all from one computation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
