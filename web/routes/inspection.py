"""Kiểm tra: the inspection committee's read-only pages (the chain verified, with a checkpoint;
a signed bundle of their scope; a dossier's timeline; findings and state inconsistencies)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
