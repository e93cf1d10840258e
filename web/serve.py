"""`ketnap serve`: the web application on uvicorn, in one process or several (``--workers``:
sessions live in the database, so the processes share them). It prints, in Vietnamese, the
address once it listens and a line when it stops; uvicorn's own English log lines are
silenced (only its errors are kept, and those go to the server log)."""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Annotated, Any

import typer
import uvicorn


class Server(uvicorn.Server):
    """uvicorn's server, saying in Vietnamese where it listens."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            where = f"http://{self.config.host}:{self.config.port}"
            print(f"Đang phục vụ tại {where} (Ctrl+C để dừng).", flush=True)


def _quiet() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("ketnap").setLevel(logging.INFO)  # ours only: no library's English
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)


def _serve(db: str | None, host: str, port: int, workers: int) -> None:
    from web.app import create_app
    from workflow.domain.errors import KetnapError
    from workflow.usecases.clock import clock_from_env
    from workflow.usecases.sessions import check_clock

    _quiet()
    try:  # refuse a bad database or clock here, before any process starts
        app = create_app(db, clock_from_env())
        check_clock(app.state.base, bool(os.environ.get("KETNAP_NOW")))
    except KetnapError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "log_level": "error",
        "access_log": False,
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        "server_header": False,
    }
    if workers == 1:
        Server(uvicorn.Config(app, **options)).run()
    else:
        from uvicorn.supervisors import Multiprocess

        app.state.base.engine.dispose()
        if db is not None:
            os.environ["KETNAP_DB"] = db  # the workers build the app from the environment
        config = uvicorn.Config(
            "web.app:app_from_environment", factory=True, workers=workers, **options
        )
        sock = config.bind_socket()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted ones inherit it
        sock.listen(config.backlog)  # listening now: requests wait for the workers
        print(
            f"Đang phục vụ tại http://{host}:{port} ({workers} tiến trình; Ctrl+C để dừng).",
            flush=True,
        )
        Multiprocess(config, sockets=[sock]).run()
    print("Đã dừng máy chủ web.", flush=True)


def serve(
    invocation: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Số tiến trình phục vụ (mặc định: số lõi CPU, nhiều nhất 4; tối đa 32).",
            min=1,
            max=32,  # each holds its own connections: more would exhaust the database
            show_default=False,
        ),
    ] = None,
) -> None:
    """Chạy ứng dụng web cho chuyên viên (trình duyệt), dừng bằng Ctrl+C."""
    count = workers or min(os.cpu_count() or 1, 4)
    _serve(invocation.find_root().params.get("db"), host, port, count)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
