"""The upload page through Starlette's test client and a real uvicorn server on a loopback port."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
import threading
from dataclasses import replace

import httpx2
import openpyxl
import pytest
from starlette.testclient import TestClient

from models.solve import solve
from optimiser import pipeline
from optimiser.cli import main
from optimiser.report import conflict_rows, infeasibility_rows
from optimiser.texts import conflict_text, relaxation_text
from optimiser.web.app import Config, create_app
from optimiser.web.charts import ticks
from optimiser.web.jobs import Pool, QueueFull
from optimiser.web.store import ID_PATTERN, safe_name
from tests.webtools import EXAMPLE, bad_workbook, finished, live_server

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Clock:
    """A clock the test moves by hand, to expire uploads without waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def base():
    """The example run by the pipeline directly, as the CLI does: what the page must show."""
    return pipeline.run(EXAMPLE)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def client(clock):
    with TestClient(create_app(Config(max_upload=300_000, keep_seconds=600), clock=clock)) as test_client:
        yield test_client


def upload(client, content: bytes, name: str = "steenwijkerland.xlsx"):
    return client.post("/upload", files={"werkmap": (name, content, XLSX)}, follow_redirects=False)


def upload_example(client) -> str:
    response = upload(client, EXAMPLE.read_bytes())
    assert response.status_code == 303
    return response.headers["location"]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_example_upload_shows_the_pipelines_plan_and_downloads_its_workbook(client, base):
    location = upload_example(client)
    assert ID_PATTERN.fullmatch(location.rsplit("/", 1)[1])
    page = finished(client.get, location)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Optimaal: dit is het beste plan" in text
    # The headline numbers are the pipeline's, in Dutch notation: 2.337,84 person-years.
    persons = base.result.totals["person_years"]
    assert f"{persons:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") in text
    # Both sides changed this line: the page shows the raadsvoorstel's comparison, which issue 8 made honest.
    # The optimum's 135 person-years need €59k more than the chosen plan; within the chosen plan's money
    # (per line and year) no plan meets the 2021 taakstelling. The page says both.
    assert "Binnen dezelfde budgetten kunnen 135 persoonsjaren meer meedoen" in text
    assert "geen plan mogelijk dat aan alle eisen voldoet" in text
    # Charts: participation per year, chosen against optimal, and one per budget line.
    assert page.text.count("<svg") == 2 + len({line for line, _ in base.data.budgets})
    assert "Wat knelt" in text and "Participatiebudget" in text
    download = client.get(location + "/resultaat.xlsx")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="steenwijkerland-resultaat.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    summary = {row[0]: row[1] for row in workbook["Samenvatting"].iter_rows(min_row=2, values_only=True)}
    assert summary["Invoerbestand"] == "steenwijkerland.xlsx"  # the name only, never a server path
    assert summary["Persoonsjaren"] == pytest.approx(persons)


def test_no_server_path_script_or_inline_style_in_any_page(client):
    location = upload_example(client)
    root = str(client.app.state.root)
    pages = [client.get("/"), finished(client.get, location)]
    whatif = client.post(location + "/wat-als", data=form_fields(onderwerp="budget-0", waarde="5.000.000"))
    pages.append(finished(client.get, str(whatif.url)))
    for page in pages:
        assert page.status_code == 200
        assert root not in page.text and "/tmp" not in page.text
        assert "<script" not in page.text and "style=" not in page.text and " on" + "click" not in page.text


def test_security_headers_on_pages_and_errors(client):
    for response in (client.get("/"), client.get("/berekening/" + "x" * 32), upload(client, b"x" * 400_000)):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_bad_workbook_shows_each_problem_with_sheet_and_cell(client):
    response = upload(client, bad_workbook(), "fouten.xlsx")
    page = finished(client.get, response.headers["location"])
    rows = re.findall(r'<tr class="fout"><td>fout</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', page.text)
    where = {(sheet, cell) for sheet, cell, _ in rows}
    assert ("Budgetten", "C4") in where and ("Instrumenten", "F4") in where
    assert "De werkmap heeft 2 fouten" in page.text
    assert client.get(response.headers["location"] + "/resultaat.xlsx").status_code == 404


def test_not_a_workbook_is_refused_by_the_same_checks_as_the_cli(client):
    content = b"naam;bedrag\nBUIG;100\n"
    page = finished(client.get, upload(client, content, "budget.xlsx").headers["location"])
    _, problems = pipeline.read(content, "budget.xlsx")
    assert problems and all(p.message.replace("'", "&#39;") in page.text for p in problems)


def test_client_file_name_is_a_label_never_a_path(client):
    response = upload(client, EXAMPLE.read_bytes(), "../../etc/..\\geheim plan<1>.xlsx")
    page = finished(client.get, response.headers["location"])
    assert "geheim plan_1_.xlsx" in page.text and "etc" not in text_of(page.text)
    folder = client.app.state.root / response.headers["location"].rsplit("/", 1)[1]
    assert sorted(p.name for p in folder.iterdir()) == ["resultaat.xlsx"]
    assert safe_name("C:\\fakepath\\werkmap.xlsx") == "werkmap.xlsx"
    assert safe_name("..") == "werkmap.xlsx"


def test_oversized_upload_gets_413_and_nothing_is_stored(client):
    response = upload(client, b"x" * 400_000)
    assert response.status_code == 413
    assert "Bestand te groot" in response.text and "0,3 MB" in response.text
    assert len(client.app.state.store) == 0


def asgi_post(app, chunks: list[bytes], declared: int | None):
    """Post ``chunks`` straight to the ASGI app; how many bytes it had read when it sent its status."""
    read = 0
    status = {}
    pending = list(chunks)
    headers = [(b"content-type", b"multipart/form-data; boundary=x")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {"type": "http", "method": "POST", "path": "/upload", "raw_path": b"/upload", "query_string": b"",
             "headers": headers, "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
             "http_version": "1.1", "root_path": "", "asgi": {"version": "3.0"}}

    async def receive():
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        if message["type"] == "http.response.start":
            status.update(code=message["status"], read=read)

    asyncio.run(app(scope, receive, send))
    return status


def test_413_comes_before_the_body_is_read(tmp_path):
    app = create_app(Config(max_upload=100_000, data_dir=tmp_path))
    head = b'--x\r\nContent-Disposition: form-data; name="werkmap"; filename="a.xlsx"\r\n\r\n'
    chunks = [head] + [b"x" * 10_000] * 50  # a file part of 500 kB
    declared = asgi_post(app, chunks, declared=500_000)
    assert declared == {"code": 413, "read": 0}  # the declared length alone decides
    streamed = asgi_post(app, chunks, declared=None)  # no declared length: counted as it is read
    assert streamed["code"] == 413 and 100_000 < streamed["read"] <= 110_000 + len(head)  # the first chunk past it


def test_unknown_malformed_and_expired_ids_are_not_found(client, clock):
    for path in ("/berekening/" + "A" * 32, "/berekening/..%2F..%2Fetc", "/berekening/" + "A" * 32 + "/resultaat.xlsx"):
        response = client.get(path)
        assert response.status_code == 404 and "bestaat niet (meer)" in response.text
    location = upload_example(client)
    assert finished(client.get, location).status_code == 200
    folder = client.app.state.root / location.rsplit("/", 1)[1]
    assert folder.is_dir()
    clock.now += 601  # keep_seconds is 600
    assert client.get(location).status_code == 404
    assert client.get(location + "/resultaat.xlsx").status_code == 404
    assert not folder.exists()


def form_fields(**given: str) -> dict:
    """The dropdown form with defaults: the standard number, all years, every line, '='."""
    return {"vorm": "kiezen", "onderwerp": "", "grootheid": "", "van_jaar": "", "tot_jaar": "", "budgetregel": "",
            "bewerking": "=", "waarde": "", **given}


def dutch(x: float, decimals: int = 2) -> str:
    return f"{x:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def row_of(html: str, label: str) -> list[str]:
    """The cells of the side-by-side table's row ``label``: the base first, then each what-if."""
    row = re.search(r'<tr><th scope="row">' + re.escape(label) + r"</th>(.*?)</tr>", html, re.S)
    assert row, f"no row {label!r}"
    return [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def _budgets(data, years, **fields):
    """``data`` with the Participatiebudget's numbers in ``years`` changed by ``fields`` (name -> function)."""
    budgets = dict(data.budgets)
    for t in years:
        b = budgets["Participatiebudget", t]
        budgets["Participatiebudget", t] = replace(b, **{k: f(getattr(b, k)) for k, f in fields.items()})
    return replace(data, budgets=budgets)


# Each kind of change the form offers, and the same change made by hand on the data for a fresh solve.
KINDS = {
    "beschikbaar": (dict(onderwerp="budget-0", van_jaar="2023", bewerking="+", waarde="100.000"),
                    lambda d: _budgets(d, [2023], available=lambda x: x + 100_000)),
    "besparing": (dict(onderwerp="budget-0", grootheid="besparingstaakstelling", van_jaar="2022", tot_jaar="2024",
                       bewerking="*", waarde="0,5"),
                  lambda d: _budgets(d, [2022, 2023, 2024], savings_target=lambda x: x * 0.5)),
    "vastgelegd": (dict(onderwerp="budget-0", grootheid="vastgelegd", van_jaar="2021", waarde="50.000"),
                   lambda d: _budgets(d, [2021], committed=lambda x: 50_000)),
    "grens instrument": (dict(onderwerp="instrument-4", grootheid="max_volume", waarde="60"),
                         lambda d: replace(d, instruments={**d.instruments, "LKS regulier": replace(
                             d.instruments["LKS regulier"], max_volume=60.0)})),
    "kosten": (dict(onderwerp="instrument-4", grootheid="kosten", bewerking="%", waarde="-10"),
               lambda d: replace(d, cost={k: v * 0.9 if k[0] == "LKS regulier" else v for k, v in d.cost.items()})),
    "eis": (dict(onderwerp="requirement-0", bewerking="+", waarde="-5"),
            lambda d: replace(d, requirements=[replace(r, rhs=r.rhs - 5) if r.name == "Taakstelling beschut werk"
                                               else r for r in d.requirements])),
    "doelgroep": (dict(onderwerp="group-0", bewerking="*", waarde="0,95"),
                  lambda d: replace(d, groups={k: replace(g, size=g.size * 0.95) if k[0] == "Oude Wsw-doelgroep"
                                               else g for k, g in d.groups.items()})),
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_whatif_equals_a_fresh_solve_of_the_changed_data(client, base, kind):
    fields, changed = KINDS[kind]
    location = upload_example(client)
    finished(client.get, location)
    response = client.post(location + "/wat-als", data=form_fields(**fields), follow_redirects=False)
    assert response.status_code == 303
    page = finished(client.get, str(client.base_url.join(response.headers["location"])))
    assert page.status_code == 200
    fresh = solve(changed(base.data))
    assert fresh.has_plan  # each change above keeps the example feasible
    # The fresh solve differs from the base, so the what-if really changed the number it names.
    assert abs(fresh.objective_value - base.result.objective_value) > 0.005
    objective = row_of(page.text, "participatie (gewogen persoonsjaren)")
    assert objective == [dutch(base.result.objective_value), dutch(fresh.objective_value)]
    persons = row_of(page.text, "Persoonsjaren")
    assert persons == [dutch(base.result.totals["person_years"]), dutch(fresh.totals["person_years"])]
    assert row_of(page.text, "Status") == ["optimaal", "optimaal"]
    assert row_of(page.text, "Scenario")[1] == fresh.scenario


def test_fixing_a_scenario_equals_a_fresh_solve_and_explains_why_it_fails(client, base):
    location = upload_example(client)
    finished(client.get, location)
    response = client.post(location + "/wat-als", data=form_fields(onderwerp="scenario-0"))
    page = finished(client.get, str(response.url))
    fixed = replace(base.data, scenarios={k: replace(s, fixed=k == "1 Wsw en beschut werk")
                                          for k, s in base.data.scenarios.items()})
    fresh = solve(fixed)
    # The example's plan needs LKS bij NWG, which scenario 1 does not allow: no plan, as in a fresh solve.
    assert not fresh.has_plan and fresh.status == "onhaalbaar"
    assert row_of(page.text, "Status") == ["optimaal", "onhaalbaar"]
    text = text_of(page.text)
    assert "scenario: vrij -&gt; 1 Wsw en beschut werk" in page.text  # what changed, as the result workbook says
    for row in infeasibility_rows(fresh):
        assert relaxation_text(row) in text
    assert conflict_text(conflict_rows(fresh)) in text


def test_typed_whatifs_run_side_by_side_and_the_session_returns_to_the_base(client, base):
    location = upload_example(client)
    finished(client.get, location)
    typed = "Meer PB: Participatiebudget 2023 +100000\nLKS regulier max_volume =60"
    page = finished(client.get, str(client.post(location + "/wat-als", data={"vorm": "tekst", "tekst": typed}).url))
    # The first line is the form's 'beschikbaar' case above, the second its 'grens instrument' case.
    expected = [solve(KINDS[k][1](base.data)).objective_value for k in ("beschikbaar", "grens instrument")]
    objective = row_of(page.text, "participatie (gewogen persoonsjaren)")
    assert objective == [dutch(base.result.objective_value), *map(dutch, expected)]
    assert "Meer PB" in text_of(page.text) and "LKS regulier max_volume =60" in text_of(page.text)
    # The same number as in the workbook gives the base back: the session was put back after each what-if.
    available = dutch(base.data.budgets["Participatiebudget", 2023].available, 0)
    again = client.post(location + "/wat-als", data=form_fields(onderwerp="budget-0", van_jaar="2023",
                                                                 waarde=available))
    page = finished(client.get, str(again.url))
    objective = row_of(page.text, "participatie (gewogen persoonsjaren)")
    # Earlier what-ifs of the upload stay beside it, the newest last.
    assert objective == [dutch(base.result.objective_value), *map(dutch, expected),
                         dutch(base.result.objective_value)]
    assert row_of(page.text, "Volumes anders dan de basis")[-1] == "0"
    # The form's what-if is named in the command-line form, so it can be typed again.
    assert f"<h1>Wat als: Participatiebudget 2023 ={available}</h1>" in page.text
    assert "Het plan blijft hetzelfde." in page.text


def test_infeasible_upload_shows_its_explanation_and_still_downloads(client):
    workbook = openpyxl.load_workbook(EXAMPLE)
    workbook["Budgetten"]["C4"] = 0  # Participatiebudget 2021: no money at all
    buffer = io.BytesIO()
    workbook.save(buffer)
    location = upload(client, buffer.getvalue()).headers["location"]
    text = text_of(finished(client.get, location).text)
    assert "Onhaalbaar" in text and "Waarom er geen plan is" in text
    # The whole 2021 need of the line (the old Wsw group is 'precies', so its cost stays) plus the €245.000
    # savings target, in euros: a rule given up is priced above the money it saves (issue 8). The same
    # relaxation as the what-if below.
    assert "Participatiebudget 2021: €5.311.778 tekort" in text
    assert client.get(location + "/resultaat.xlsx").status_code == 200


def test_infeasible_whatif_shows_its_explanation(client):
    location = upload_example(client)
    finished(client.get, location)
    response = client.post(location + "/wat-als", data=form_fields(onderwerp="budget-0", van_jaar="2021", waarde="0"))
    page = finished(client.get, str(response.url))
    text = text_of(page.text)
    assert row_of(page.text, "Status") == ["optimaal", "onhaalbaar"]
    assert "Waarom er geen plan is" in text
    assert "Participatiebudget 2021: €5.311.778 tekort" in text
    # Without money the line's own budget rule and the cap on its top-up cannot both hold.
    assert ("Deze regels kunnen niet samen: budget Participatiebudget 2021 (bovengrens); maximale aanvulling "
            "Participatiebudget 2021 (bovengrens)") in text


@pytest.mark.parametrize("form, message", [
    ({"vorm": "tekst", "tekst": "Participatiebudgt 2023 *0,9"},
     "Regel 1 (&#39;Participatiebudgt 2023 *0,9&#39;): Onbekend onderwerp &#39;Participatiebudgt&#39;; bedoelt u "
     "&#39;Participatiebudget&#39;?"),
    ({"vorm": "tekst", "tekst": "Trajecten\nBeschut werk max_volme =40"},
     "Regel 1 (&#39;Trajecten&#39;): Zeg welk getal van instrument &#39;Trajecten&#39; verandert"),
    ({"vorm": "tekst", "tekst": "Beschut werk max_volme =40"}, "Onbekende grootheid &#39;max_volme&#39;; bedoelt u "
                                                                "&#39;max_volume&#39;?"),
    ({"vorm": "tekst", "tekst": "  "}, "Typ een wat-als"),
    (form_fields(onderwerp="budget-0", grootheid="max_volume", waarde="4"),
     "&#39;max_volume&#39; is geen getal van budgetregel &#39;Participatiebudget&#39;"),
    (form_fields(onderwerp="instrument-5", grootheid="max_volume", van_jaar="2023", waarde="4"),
     "&#39;max_volume&#39; geldt voor alle jaren; laat het jaar weg"),
    (form_fields(onderwerp="budget-0", waarde="veel"), "&#39;veel&#39; is geen getal"),
    (form_fields(onderwerp="budget-0", bewerking="*"), "Er ontbreekt een bewerking met een getal"),
    (form_fields(onderwerp="budget-0", van_jaar="2024", tot_jaar="2022", waarde="1"), "ligt vóór het eerste"),
    (form_fields(onderwerp="budget-0", van_jaar="1999", waarde="1"), "Kies een planjaar (2021-2025)"),
    (form_fields(onderwerp="iets-anders", waarde="1"), "Kies een onderwerp"),
])
def test_a_bad_whatif_gets_its_dutch_message_on_the_page(client, form, message):
    location = upload_example(client)
    finished(client.get, location)
    response = client.post(location + "/wat-als", data=form)
    assert response.status_code == 400 and message in response.text
    assert "Traceback" not in response.text and "Error" not in response.text


def test_two_uploads_at_once_both_get_their_own_result():
    with live_server(Config(workers=2, queue=2)) as (url, app):
        responses = [None, None]
        contents = [EXAMPLE.read_bytes(), bad_workbook()]

        def post(k):
            responses[k] = httpx2.post(url + "/upload", files={"werkmap": (f"map{k}.xlsx", contents[k], XLSX)},
                                       follow_redirects=True, timeout=30)

        threads = [threading.Thread(target=post, args=(k,)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pages = [finished(lambda u: httpx2.get(u, timeout=30), str(r.url)) for r in responses]
        assert responses[0].url != responses[1].url
        assert "Resultaat voor 'map0.xlsx'" in pages[0].text and "Optimaal" in pages[0].text
        assert "De werkmap heeft 2 fouten" in pages[1].text


def test_a_full_queue_answers_at_once_in_dutch():
    release = threading.Event()
    with TestClient(create_app(Config(workers=1, queue=0))) as client:  # one worker, no queue
        blocker = client.app.state.pool.submit(release.wait)  # the one worker is busy
        response = upload(client, EXAMPLE.read_bytes())
        assert response.status_code == 503 and "Het is even te druk" in response.text
        assert len(client.app.state.store) == 0
        release.set()
        assert blocker.done.wait(5)
        location = upload_example(client)
        assert "Optimaal" in finished(client.get, location).text


def test_waiting_page_shows_the_queue_position_and_reloads():
    release = threading.Event()
    with TestClient(create_app(Config(workers=1, queue=2))) as client:
        client.app.state.pool.submit(release.wait)
        location = upload_example(client)
        page = client.get(location)
        release.set()
        assert "in de wachtrij, plaats 1" in page.text
        assert '<meta http-equiv="refresh" content="1">' in page.text
        assert "Optimaal" in finished(client.get, location).text


def test_pool_bounds_its_queue_and_reports_positions():
    pool = Pool(workers=1, queue=2)
    release = threading.Event()
    running = pool.submit(release.wait)
    first, second = pool.submit(lambda: 1), pool.submit(lambda: 2)
    with pytest.raises(QueueFull):
        pool.submit(lambda: 3)
    assert pool.position(first) == 1 and pool.position(second) == 2 and pool.position(running) is None
    release.set()
    second.done.wait(5)
    assert (first.value, second.value) == (1, 2)
    pool.shutdown()


def test_template_download_is_the_cli_template(client):
    response = client.get("/sjabloon")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["Uitleg", "Instellingen", "Budgetten"]


def test_ticks_are_round_and_cover_the_values():
    # The step is the smallest of 1, 2, 2.5, 5 x 10^k that is at least a fifth of the span.
    assert ticks(0, 5_337_500) == [0, 2_000_000, 4_000_000, 6_000_000]  # 1.0675e6 -> 2e6
    assert ticks(-250, 900) == [-250, 0, 250, 500, 750, 1000]  # 230 -> 250


def test_serve_prints_where_to_point_the_browser_and_refuses_a_busy_port(capsys):
    with live_server() as (url, _):
        port = url.rsplit(":", 1)[1]
        assert main(["serve", "--port", port]) == 1
        assert "kies een andere poort met --port" in capsys.readouterr().err
    with subprocess.Popen([sys.executable, "-m", "optimiser.cli", "serve", "--port", port], stdout=subprocess.PIPE,
                          text=True) as process:
        try:
            line = process.stdout.readline()
            assert line == f"Open http://127.0.0.1:{port}/ in uw browser (stoppen: Ctrl-C).\n"
            assert "Werkmap uploaden" in httpx2.get(f"http://127.0.0.1:{port}/", timeout=10).text
        finally:
            process.terminate()
