"""A real `ketnap serve` on 127.0.0.1 over a demo database (a SQLite file, or a PostgreSQL
database in the second pass), and Debian's chromium driven by Playwright (never a browser
Playwright would download: there is no internet)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.databases import TestDB, new_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENV = {"KETNAP_NOW": "25/11/2026 09:00", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}


@dataclass
class Site:
    url: str
    db: TestDB
    passwords: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(db: TestDB, *args: str) -> str:
    env = {**os.environ, **db.env(), **ENV}
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


@contextmanager
def serving(home: Path, name: str) -> Iterator[Site]:
    """A demo database of its own and a `ketnap serve` over it, stopped on exit: the
    session's shared site, or a module's own when its tests change much (a large import)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (apt-get install chromium); .ci/run installs it")
    db = new_db(home, name)
    printed = _cli(db, "demo")
    passwords = dict(re.findall(r"^  (\w+)\s+(\S{14})  ", printed, re.M))
    port = _free_port()
    env = {**os.environ, **db.env(), **ENV}
    log = db.home / "serve.log"  # the server log (read when a test needs it)
    with log.open("wb") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    assert server.stdout is not None
    first = server.stdout.readline().decode()  # blocks until it listens (or dies)
    assert "Đang phục vụ tại" in first, first + log.read_text(encoding="utf-8")
    try:
        yield Site(f"http://127.0.0.1:{port}", db, passwords, log)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
        db.drop()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serving(tmp_path_factory.mktemp("web"), "web") as shared:
        yield shared


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[Callable[[], Page]]:
    """Fresh browser contexts (each its own cookies) on a 1366×768 office screen."""
    yield from pages_on(browser, site)


def pages_on(browser: Browser, site: Site) -> Iterator[Callable[[], Page]]:
    """``new_page`` for any site (a module's own: ``yield from pages_on(browser, mine)``)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, base_url=site.url, locale="vi-VN"
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def sign_in(page: Page, site: Site, user: str) -> None:
    page.goto("/dang-nhap")
    page.fill("#username", user)
    page.fill("#password", site.passwords[user])
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("h1:has-text('Việc của tôi')")
