"""APScheduler 3.11 as a stateless driver of the scan (4.x is still alpha).

The scheduler holds nothing that matters: one interval job in a memory job store, which
runs ``scan`` then ``deliver``. Everything they decide lives in the database, so the same
work can run from cron (``ketnap scan``) or from a test with a fixed clock, and a restart
loses nothing. The job options are explicit: ``coalesce`` (runs missed while the machine
slept collapse into one), ``max_instances=1`` (a slow scan is never overlapped by the next)
and ``misfire_grace_time`` (APScheduler's default of 1 s would silently drop a run that
starts late).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import FrameType

from workflow.usecases.clock import VN_TZ

log = logging.getLogger("ketnap.scheduler")


@dataclass(frozen=True)
class DriverOptions:
    interval_seconds: int = 300
    misfire_grace_seconds: int = 3600


class Driver:
    """A small adapter around BackgroundScheduler: start, stop, and nothing else."""

    def __init__(self, job: Callable[[Callable[[], bool]], None], options: DriverOptions) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._stopping = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=VN_TZ,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": options.misfire_grace_seconds,
            },
        )
        self._scheduler.add_job(
            self._run,
            "interval",
            args=[job],
            seconds=options.interval_seconds,
            id="ketnap-scan",
            name="Quét nhắc việc và gửi thư",
            next_run_time=datetime.now(VN_TZ),  # first run at once, then every interval
            replace_existing=True,
        )

    def _run(self, job: Callable[[Callable[[], bool]], None]) -> None:
        try:
            job(self._stopping.is_set)
        except Exception:  # logged, and the next interval tries again
            log.exception("Lần quét lỗi; sẽ thử lại ở lần sau.")

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        """Ask a running scan to stop after its current batch, and wait for it."""
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)


def run_until_signalled(driver: Driver) -> None:
    """Foreground daemon: run until SIGINT or SIGTERM, then stop cleanly."""
    done = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("Nhận tín hiệu %s; dừng sau lô đang chạy.", signal.Signals(signum).name)
        done.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        driver.start()
        log.info("Bộ lập lịch đã chạy; Ctrl+C hoặc SIGTERM để dừng.")
        done.wait()
    finally:
        driver.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("Bộ lập lịch đã dừng.")
