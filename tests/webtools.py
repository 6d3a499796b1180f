"""Helpers for the web tests: a real server on a loopback port, workbooks to upload, waiting for a run."""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from pathlib import Path

import openpyxl
import uvicorn

from optimiser.web.app import Config, create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "steenwijkerland.xlsx"
ARTEFACTS = ROOT / "tests" / "artefacts"
"""Screenshots of every page the browser tests visit (git-ignored)."""


def bad_workbook() -> bytes:
    """The example with two mistakes: text where an amount belongs, and a retention rate above 1."""
    workbook = openpyxl.load_workbook(EXAMPLE)
    workbook["Budgetten"]["C4"] = "veel geld"
    workbook["Instrumenten"]["F4"] = 1.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@contextlib.contextmanager
def live_server(config: Config | None = None):
    """``optimiser serve``'s app under uvicorn on a free loopback port; yields its base URL and the app."""
    app = create_app(config)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def finished(get, url: str, seconds: float = 30.0):
    """GET ``url`` until it is no longer the waiting page."""
    deadline = time.monotonic() + seconds
    while True:
        response = get(url)
        if "Even geduld" not in response.text or time.monotonic() > deadline:
            return response
        time.sleep(0.05)
