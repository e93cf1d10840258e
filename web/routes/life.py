"""A dossier's life beyond its steps: corrections, transfers, annulment, designation, findings
closed."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
