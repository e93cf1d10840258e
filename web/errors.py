"""What a visitor sees when something goes wrong: a Vietnamese page for every case (the
frameworks' own English messages never reach them), and for a fault an error id to quote;
the server log gets that id with where it happened, never the exception's message or any
value (they may hold personal data)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.identity import BadCsrf, NeedsSignIn
from web.pages import page
from workflow.domain.errors import BadInput, Forbidden, KetnapError, NotSignedIn
from workflow.usecases.faults import fault_id, where

log = logging.getLogger("ketnap.web")

_STATUS_TEXT = {
    404: ("Không có trang này", "Địa chỉ không đúng, hoặc trang đã được chuyển đi."),
    405: ("Không thực hiện được", "Trang này không nhận yêu cầu kiểu đó."),
}


def error_page(request: Request, status: int, title: str, text: str, **extra: object) -> Response:
    return page(
        request, "error.html", {"status": status, "title": title, "text": text, **extra}, status
    )


def to_sign_in(request: Request) -> Response:
    """Back to the sign-in page, then here again (a full page for htmx requests too)."""
    target = "/dang-nhap?tiep=" + quote(request.url.path, safe="/")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def install(app: FastAPI) -> None:
    """Every handler the application needs, registered once."""

    @app.exception_handler(NeedsSignIn)
    async def _sign_in(request: Request, exc: NeedsSignIn) -> Response:
        return to_sign_in(request)

    @app.exception_handler(NotSignedIn)
    async def _not_signed(request: Request, exc: NotSignedIn) -> Response:
        return to_sign_in(request)

    @app.exception_handler(BadCsrf)
    async def _csrf(request: Request, exc: BadCsrf) -> Response:
        return error_page(
            request,
            403,
            "Biểu mẫu không hợp lệ",
            "Yêu cầu thiếu mã chống giả mạo, hoặc mã đã hết hạn: không ghi gì. Hãy tải lại "
            "trang rồi làm lại.",
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(
            request,
            403,
            "Không có quyền",
            f"{exc} Việc truy cập này đã được ghi vào nhật ký.",
        )

    @app.exception_handler(BadInput)
    async def _bad(request: Request, exc: BadInput) -> Response:
        if exc.problems and exc.problems[0][0] in {"Mã hồ sơ", "Mã nhắc việc"}:
            return error_page(request, 404, "Không có hồ sơ này", exc.problems[0][1] + ".")
        return error_page(request, 400, "Dữ liệu không hợp lệ", "", problems=list(exc.problems))

    @app.exception_handler(KetnapError)
    async def _ours(request: Request, exc: KetnapError) -> Response:
        return error_page(request, 400, "Không thực hiện được", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title, text = _STATUS_TEXT.get(
            exc.status_code, ("Không thực hiện được", "Yêu cầu không hợp lệ.")
        )
        return error_page(request, exc.status_code, title, text)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        title, text = _STATUS_TEXT[404]
        return error_page(request, 404, title, text)


def fault_page(request: Request, exc: Exception) -> Response:
    """A fault's page and log line: an id to quote; in the log that id, the route and the
    frames, never the exception's message or a value (they may hold personal data)."""
    error_id = fault_id()
    route = getattr(request.scope.get("route"), "path", "?")
    log.error("lỗi %s: %s %s: %s", error_id, request.method, route, where(exc))
    return error_page(
        request,
        500,
        "Đã có lỗi",
        "Hệ thống gặp lỗi và không ghi gì. Hãy thử lại; nếu lỗi lặp lại, báo cho quản trị viên "
        "mã lỗi dưới đây.",
        error_id=error_id,
    )
