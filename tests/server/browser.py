"""Headless Chromium (Debian's chromium + chromedriver) through Selenium, and a live server in a thread."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: JavaScript: per drawn Plotly chart of the page, [traces + layout shapes + annotations (a diagram may have
#: no trace), number of SVG layers drawn].
CHARTS = (
    "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ["
    "(d.data || []).length + ((d._fullLayout || {}).shapes || []).length"
    " + ((d._fullLayout || {}).annotations || []).length,"
    " d._fullLayout ? d.querySelectorAll('.main-svg').length : 0])"
)

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000",
)


def require_browser() -> None:
    """Skip the calling test with the reason when Selenium or Chromium is not available."""
    pytest.importorskip("selenium", reason="needs the 'test' extra (selenium)")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            pytest.skip(f"{path} missing: run scripts/install_browser.sh (as root) or 'make test'")


@contextmanager
def chromium(profile: Path) -> Iterator:
    """A headless Chromium with a fresh profile, its console log readable with ``console_errors``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, timeout: float = 30):
    """Poll ``condition(driver)`` until it is truthy; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def log_in(driver, base_url: str, token: str, path: str) -> None:
    """Open ``path``, get sent to the login form, log in with ``token`` and land on ``path`` again."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + path)
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "login").click()
    wait(driver, lambda d: d.current_url.endswith(path))


def drawn_charts(driver, expected: int) -> list[list[int]]:
    """Wait until at least ``expected`` charts are drawn with content (see ``CHARTS``)."""

    def drawn(d):
        charts = d.execute_script(CHARTS)
        return [charts] if len(charts) >= expected and all(all(c) for c in charts) else False

    return wait(driver, drawn)[0]


def console_errors(driver) -> list[str]:
    """Console messages of level SEVERE since the last call (JS errors, CSP violations, failed loads)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` with Uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
