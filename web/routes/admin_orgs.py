"""Quản trị — cây tổ chức: add, rename, move, end with successors."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
