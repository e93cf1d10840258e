"""`ketnap serve`: the web application on uvicorn. It prints, in Vietnamese, the address
once it listens and a line when it stops; uvicorn's own English log lines are silenced
(only its errors are kept, and those go to the server log)."""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Annotated

import typer


def _serve(db: str | None, host: str, port: int) -> None:
    import uvicorn

    from web.app import create_app
    from workflow.domain.errors import KetnapError
    from workflow.usecases.clock import clock_from_env
    from workflow.usecases.sessions import check_clock

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("ketnap").setLevel(logging.INFO)  # ours only: no library's English
    try:
        app = create_app(db, clock_from_env())
        check_clock(app.state.base, bool(os.environ.get("KETNAP_NOW")))
    except KetnapError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                where = f"http://{host}:{self.config.port}"
                print(f"Đang phục vụ tại {where} (Ctrl+C để dừng).", flush=True)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level="error",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
    )
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    Server(config).run()
    print("Đã dừng máy chủ web.", flush=True)


def serve(
    invocation: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng.", min=1, max=65535)] = 8000,
) -> None:
    """Chạy ứng dụng web cho chuyên viên (trình duyệt), dừng bằng Ctrl+C."""
    _serve(invocation.find_root().params.get("db"), host, port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
