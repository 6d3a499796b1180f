"""The upload page in a real headless Chromium (Debian's), driven by Playwright; a screenshot of every page.

Screenshots go to ``tests/artefacts/`` (git-ignored). Any console error,
such as a content-security-policy violation, fails the test. Without a
browser these tests are skipped, except under ``CI=true``, where that is a
failure.
"""

from __future__ import annotations

import os
import shutil

import openpyxl
import pytest
from playwright.sync_api import sync_playwright

from optimiser.web.app import Config
from tests.webtools import ARTEFACTS, EXAMPLE, bad_workbook, live_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--no-first-run", "--disable-domain-reliability"]
MAX_UPLOAD = 1024 * 1024


def _chromium() -> str:
    found = next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)
    if found is None:
        message = "Chromium ontbreekt: installeer Debian's pakket 'chromium' (zie de testopdracht in README.md)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server():
    with live_server(Config(max_upload=MAX_UPLOAD)) as (url, _):
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(f"{message.text} ({message.location.get('url')})")
              if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    yield opened
    context.close()


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def upload(page, server: str, path, screenshot: str | None = None) -> None:
    page.goto(server + "/")
    if screenshot:
        shot(page, screenshot)
    page.set_input_files("#werkmap", str(path))
    page.click("button[type=submit]")
    page.wait_for_selector("h1:not(:text('Even geduld'))", timeout=30_000)


def test_example_result_whatif_and_download(page, server, tmp_path):
    upload(page, server, EXAMPLE, screenshot="1-upload")
    assert page.inner_text("h1") == "Resultaat voor 'steenwijkerland.xlsx'"
    assert "Optimaal" in page.inner_text(".status")
    assert page.locator("svg.chart").count() >= 3
    assert page.locator("table").first.is_visible()
    shot(page, "2-resultaat")

    page.select_option("#onderwerp", label="LKS regulier")
    page.select_option("#grootheid", label="max volume")
    page.select_option("#bewerking", value="=")
    page.fill("#waarde", "60")
    page.click(".whatif form:first-of-type button[type=submit]")
    page.wait_for_selector("h1:text('Wat als')", timeout=30_000)
    assert page.inner_text("h1") == "Wat als: LKS regulier max_volume =60"
    statuses = page.locator("table.side-by-side tbody tr").first.inner_text()
    assert statuses.split("\t")[1:] == ["optimaal", "optimaal"]
    page.fill("#tekst", "Participatiebudget 2021 =0")
    page.click(".whatif form:nth-of-type(2) button[type=submit]")
    page.wait_for_selector("h1:text('Participatiebudget 2021 =0')", timeout=30_000)
    statuses = page.locator("table.side-by-side tbody tr").first.inner_text()
    assert statuses.split("\t")[1:] == ["optimaal", "optimaal", "onhaalbaar"]
    assert "Participatiebudget 2021: €5.311.778 tekort" in page.inner_text("main")
    shot(page, "3-wat-als")
    page.click("text=Terug naar het resultaat")
    with page.expect_download() as info:
        page.click("a.button[download]")
    download = info.value
    assert download.suggested_filename == "steenwijkerland-resultaat.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    workbook = openpyxl.load_workbook(target, read_only=True)
    assert {"Samenvatting", "Plan", "Budgetgebruik"} <= set(workbook.sheetnames)
    assert page.errors == []


def test_bad_workbook_shows_its_problems(page, server, tmp_path):
    path = tmp_path / "fouten.xlsx"
    path.write_bytes(bad_workbook())
    upload(page, server, path)
    assert page.inner_text("h1") == "De werkmap heeft 2 fouten"
    cells = page.locator("table.problems tbody tr").all_inner_texts()
    assert any("Budgetten\tC4" in row for row in cells) and any("Instrumenten\tF4" in row for row in cells)
    shot(page, "4-fouten")
    assert page.errors == []


def test_too_large_file_gets_the_dutch_page(page, server, tmp_path):
    path = tmp_path / "groot.xlsx"
    path.write_bytes(b"\0" * (3 * MAX_UPLOAD))
    upload(page, server, path)
    assert page.inner_text("h1") == "Bestand te groot"
    shot(page, "5-te-groot")
