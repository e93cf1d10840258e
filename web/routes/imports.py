"""Nhập bảng tính: an xlsx or csv uploaded, its dry run shown (every error by sheet, row and
column), then confirmed; the same all-or-nothing import as the CLI's, with its progress on a
long file; the templates to download."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
