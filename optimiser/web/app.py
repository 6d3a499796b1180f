"""The web page: upload a workbook, see its problems or its best plan, download the result, try a what-if.

Routes only: a run goes through :func:`optimiser.pipeline.run` in the
worker pool (:mod:`optimiser.web.jobs`), is kept under an unguessable id
(:mod:`optimiser.web.store`), and is shown by :mod:`optimiser.web.views`.
Every page is rendered on the server, in Dutch, without script.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from optimiser import pipeline
from optimiser.texts import number
from optimiser.web import views
from optimiser.web.guard import BodyLimit, SecurityHeaders
from optimiser.web.jobs import DONE, FAILED, Job, Pool, QueueFull
from optimiser.web.store import Entry, Store, new_id
from optimiser.web.whatif import form, from_form, from_text, run_whatifs
from optimiser.whatif_input import DefinitionError

HERE = Path(__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILE = "invoersjabloon.xlsx"
MAX_WHATIFS = 100
"""What-if requests kept per upload; each holds its outcomes in memory until the upload expires."""
MAX_TYPED = 10
"""What-ifs one typed request may hold (one a line)."""
WHATIF_FIELDS = ("vorm", "tekst", "onderwerp", "grootheid", "van_jaar", "tot_jaar", "budgetregel", "bewerking",
                 "waarde")
MESSAGES = {
    400: ("Dat ging niet", "Het verzoek kon niet worden gelezen."),
    404: ("Niet gevonden", "Deze berekening bestaat niet (meer). Een upload wordt na een tijd verwijderd; "
                           "upload de werkmap opnieuw."),
    405: ("Niet toegestaan", "Deze pagina kan zo niet worden gebruikt."),
}


@dataclass(frozen=True)
class Config:
    """How the server runs."""

    max_upload: int = 10 * 1024 * 1024
    """Bytes a request may carry."""
    workers: int = 2
    queue: int = 8
    keep_seconds: float = 3600.0
    """How long an upload and its results are kept."""
    time_limit: float | None = None
    """Seconds per run; ``None`` keeps the workbook's own (Instellingen)."""
    data_dir: Path | None = None
    """Where results are written; ``None``: a temporary folder removed at shutdown."""
    refresh_seconds: int = 1
    """How often a waiting page reloads itself."""


def solve_upload(content: bytes, name: str, options: pipeline.RunOptions, target: Path) -> pipeline.Run:
    """The CLI's ``run``: the pipeline, then the result workbook when the input had no errors."""
    outcome = pipeline.run(content, options, name)
    if not outcome.errors:
        pipeline.write(outcome, target, Path(name))
    return outcome


def create_app(config: Config | None = None, clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The application; ``clock`` decides when uploads expire."""
    config = config or Config()
    own_root = config.data_dir is None
    root = Path(tempfile.mkdtemp(prefix="optimiser-web-")) if own_root else Path(config.data_dir)
    store = Store(root, config.keep_seconds, clock)
    pool = Pool(config.workers, config.queue)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["nl"] = number
    template_lock = threading.Lock()
    options = pipeline.RunOptions(time_limit=config.time_limit)

    def page(request: Request, template: str, context: dict, code: int = 200) -> Response:
        return templates.TemplateResponse(request, template, context, status_code=code)

    def message(request: Request, code: int, title: str, text: str) -> Response:
        return page(request, "message.html", {"title": title, "text": text}, code)

    def too_large() -> Response:
        limit = f"{number(config.max_upload / 1024 / 1024, 1)} MB"
        html = templates.get_template("message.html").render(
            title="Bestand te groot", text=f"Het bestand is groter dan {limit}. Een budgetwerkmap is meestal veel "
                                           "kleiner; controleer of u het juiste bestand koos.")
        return HTMLResponse(html, status_code=413, headers={"connection": "close"})

    def entry_or_none(request: Request) -> Entry | None:
        return store.get(request.path_params["id"])

    async def home(request: Request) -> Response:
        return page(request, "upload.html", {"max_upload": f"{number(config.max_upload / 1024 / 1024, 1)} MB"})

    async def template_file(request: Request) -> Response:
        target = root / TEMPLATE_FILE

        def write() -> None:
            from optimiser.template import write_template

            with template_lock:
                if not target.exists():
                    write_template(target)

        await run_in_threadpool(write)
        return FileResponse(target, media_type=XLSX, filename=TEMPLATE_FILE)

    async def upload(request: Request) -> Response:
        async with request.form(max_files=1, max_fields=1) as form:
            file = form.get("werkmap")
            if not isinstance(file, UploadFile) or not file.filename:
                return message(request, 400, "Geen bestand", "Kies eerst een werkmap (.xlsx) en klik dan op "
                                                             "'Berekenen'.")
            content = await file.read()
            client_name = file.filename
        entry = store.add(client_name)
        try:
            entry.job = pool.submit(partial(solve_upload, content, entry.name, options, entry.result_file))
        except QueueFull:
            store.forget(entry)
            return busy(request)
        return RedirectResponse(f"/berekening/{entry.id}", status_code=303)

    def busy(request: Request) -> Response:
        return message(request, 503, "Het is even te druk", "Alle rekenplaatsen en de wachtrij zijn bezet. "
                                                            "Probeer het over een minuut opnieuw.")

    def waiting(request: Request, job: Job, what: str) -> Response:
        position = pool.position(job)
        return page(request, "wait.html", {"what": what, "position": position, "seconds": number(job.seconds, 0),
                                           "refresh": config.refresh_seconds})

    def failed(request: Request) -> Response:
        return message(request, 500, "Interne fout", "De berekening is onverwacht mislukt. Er is niets bewaard "
                                                     "behalve het logboek van de server; meld dit met de werkmap "
                                                     "erbij.")

    async def run_page(request: Request) -> Response:
        entry = entry_or_none(request)
        if entry is None:
            raise HTTPException(404)
        job = entry.job
        if job.state == FAILED:
            return failed(request)
        if job.state != DONE:
            return waiting(request, job, f"Werkmap '{entry.name}'")
        outcome: pipeline.Run = job.value  # done: solve_upload wrote the workbook, so the comparison is there
        if outcome.errors:
            return page(request, "problems.html", views.problems_view(outcome))
        return page(request, "result.html", {"id": entry.id, "form": form(outcome) if outcome.session else None,
                                             **views.result_view(outcome)})

    async def download(request: Request) -> Response:
        entry = entry_or_none(request)
        if entry is None or entry.job.state != DONE or not entry.result_file.exists():
            raise HTTPException(404)
        stem = Path(entry.name).stem or "werkmap"
        return FileResponse(entry.result_file, media_type=XLSX, filename=f"{stem}-resultaat.xlsx")

    def done_run(request: Request) -> tuple[Entry, pipeline.Run]:
        entry = entry_or_none(request)
        if entry is None or entry.job.state != DONE or entry.job.value.session is None:
            raise HTTPException(404)
        return entry, entry.job.value

    async def whatif(request: Request) -> Response:
        entry, outcome = done_run(request)
        async with request.form(max_files=0, max_fields=len(WHATIF_FIELDS)) as submitted:
            fields = {name: str(submitted.get(name, "")) for name in WHATIF_FIELDS}
        try:
            if fields["vorm"] == "tekst":
                definitions = from_text(outcome, fields["tekst"])
            else:
                definitions = [from_form(outcome, fields)]
        except DefinitionError as error:
            return message(request, 400, "Deze wat-als kan niet", f"{error}.")
        if len(definitions) > MAX_TYPED:
            return message(request, 400, "Te veel wat-als-regels", f"Typ er ten hoogste {MAX_TYPED} tegelijk.")
        if len(entry.whatifs) >= MAX_WHATIFS:
            return message(request, 400, "Te veel wat-als-berekeningen", "Upload de werkmap opnieuw om verder te "
                                                                         "rekenen.")

        def work():
            with entry.session_lock:
                return run_whatifs(outcome, definitions)

        try:
            job = pool.submit(work)
        except QueueFull:
            return busy(request)
        whatif_id = new_id()
        entry.whatifs[whatif_id] = job
        return RedirectResponse(f"/berekening/{entry.id}/wat-als/{whatif_id}", status_code=303)

    async def whatif_page(request: Request) -> Response:
        entry = entry_or_none(request)
        wanted = request.path_params["whatif"]
        job = entry.whatifs.get(wanted) if entry is not None else None
        if job is None:
            raise HTTPException(404)
        if job.state == FAILED:
            return failed(request)
        if job.state != DONE:
            return waiting(request, job, "Wat-als-berekening")
        ids = list(entry.whatifs)
        earlier = [entry.whatifs[k] for k in ids[:ids.index(wanted) + 1]]
        batches = [j.value for j in earlier if j.state == DONE]
        run: pipeline.Run = entry.job.value
        view = views.whatifs_view(run, batches)
        return page(request, "whatif.html", {"id": entry.id, "form": form(run), **view})

    async def http_error(request: Request, error: HTTPException) -> Response:
        title, text = MESSAGES.get(error.status_code, ("Fout", "Er ging iets mis."))
        return message(request, error.status_code, title, text)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        async def purge_now_and_then() -> None:
            while True:
                await asyncio.sleep(min(60.0, max(config.keep_seconds / 4, 1.0)))
                store.purge()

        task = asyncio.create_task(purge_now_and_then())
        try:
            yield
        finally:
            task.cancel()
            await run_in_threadpool(pool.shutdown)
            if own_root:
                shutil.rmtree(root, ignore_errors=True)

    routes = [
        Route("/", home),
        Route("/sjabloon", template_file),
        Route("/upload", upload, methods=["POST"]),
        Route("/berekening/{id}", run_page),
        Route("/berekening/{id}/resultaat.xlsx", download),
        Route("/berekening/{id}/wat-als", whatif, methods=["POST"]),
        Route("/berekening/{id}/wat-als/{whatif}", whatif_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit, limit=config.max_upload, too_large=too_large)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error},
                    lifespan=lifespan)
    app.state.store, app.state.pool, app.state.root = store, pool, root
    return app
