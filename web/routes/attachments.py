"""Giấy tờ scan: a dossier's scanned papers uploaded (type from the content, size-limited) and
served only inside the dossier's scope."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
