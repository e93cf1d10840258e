"""Quản trị — người dùng: add, deactivate, reset a password, role and scope, end sessions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
