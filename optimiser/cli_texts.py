"""Every sentence the command line prints itself, in one place (so that it can be translated as a whole).

Sentences about a run's outcome come from :mod:`optimiser.texts`; these are
the command line's own: help texts, argument errors and its short reports.
argparse's built-in English messages are rewritten by :data:`ARGPARSE`:
pairs of a regular expression over argparse's message and its Dutch
replacement.
"""

from __future__ import annotations

import re

DESCRIPTION = "Optimale inzet van het Participatiebudget."
USAGE_PREFIX = "gebruik: "
SECTIONS = {"positional arguments": "argumenten", "options": "opties", "optional arguments": "opties"}
HELP = {
    "help": "toon deze hulp en stop",
    "version": "toon het versienummer en stop",
    "commands": "opdracht",
    "template": "schrijf een leeg invoersjabloon",
    "template_file": "naam van het nieuwe .xlsx-bestand",
    "force": "overschrijf een bestaand bestand",
    "check": "controleer een invoerwerkmap en meld alle fouten",
    "file": "de invoerwerkmap (.xlsx)",
    "run": "bereken het optimale plan en schrijf een resultaatwerkmap",
    "output": "resultaatbestand (.xlsx; standaard: outputs/<naam>-resultaat.xlsx)",
    "json": "druk een samenvatting als JSON af (ook bij invoerfouten)",
    "options": "rekenopties (gaan voor het blad Instellingen)",
    "objective": "doelstelling",
    "time_limit": "rekentijd in seconden voor de hele berekening",
    "integer": "gehele aantallen waar een instrument dat vraagt",
    "mip_gap": "relatieve afstand tot het optimum waarbij HiGHS mag stoppen, bijv. 0,01%%",
    "threads": "aantal threads voor HiGHS",
    "solver_log": "schrijf het logboek van HiGHS hierheen",
    "taal": "taal van de resultaatwerkmap en de meldingen (de invoer blijft Nederlands)",
    "write_model": "schrijf het model zoals HiGHS het krijgt, om buiten de tool na te rekenen",
    "whatifs": "wat-als en gevoeligheid",
    "wat_als": 'een wat-als naast het basisplan, bijv. "Participatiebudget 2023 *0,9" of '
               '"Krap: BUIG -5%%; Beschut werk max_volume =40" (mag vaker)',
    "reeks": 'één getal over een bereik, bijv. "Algemene middelen +0 tot 1000000"',
    "punten": "punten van de reeks",
    "speelruimte": "laagste en hoogste volume per instrument binnen deze afstand tot het optimum (standaard 2%%)",
    "analyse": "antwoordrapport, gevoeligheid met kostenbereiken en 'waarom', ook voor grote modellen",
    "serve": "start de webpagina op deze computer",
    "host": "adres (standaard 127.0.0.1: alleen deze computer)",
    "port": "poort (standaard 8000)",
    "workers": "berekeningen tegelijk (standaard 2)",
    "queue": "wachtende berekeningen (standaard 8)",
    "max_upload_mb": "grootste upload in MB (standaard 10)",
    "keep_minutes": "hoe lang een upload en zijn uitkomst bewaard blijven (standaard 60)",
    "serve_time_limit": "rekentijd per berekening (gaat voor het blad Instellingen)",
}

NOT_WHOLE = "'{text}' is geen geheel getal"
NEGATIVE = "'{text}' mag niet negatief zijn"
PORT_BUSY = "Kan niet luisteren op {host}:{port} ({reason}); kies een andere poort met --port."
SERVING = "Open http://{host}:{port}/ in uw browser (stoppen: Ctrl-C)."

NOT_A_NUMBER = "'{text}' is geen geldig getal"
NOT_POSITIVE = "'{text}' moet groter dan 0 zijn"
NOT_FINITE = "'{text}' moet een eindig getal zijn"
NOT_A_GAP = "'{text}' is geen getal (bijvoorbeeld 0,01% of 0.0001)"
GAP_RANGE = "'{text}' moet tussen 0 en 100% liggen"
MODEL_SUFFIX = "'{text}': kies een bestandsnaam op .lp of .mps"
USAGE_ERROR = "{prog}: fout: {message}\nZie '{prog} --help' voor de mogelijkheden."
INTERRUPTED = "Afgebroken door de gebruiker (Ctrl-C); er is niets overschreven."
TERMINATED = "Afgebroken (het proces werd gestopt); er is niets overschreven."
INTERNAL = "Interne fout ({kind}). Er is niets overschreven. Meld dit met het invoerbestand erbij."
TEMPLATE_EXISTS = "'{file}' bestaat al; kies een andere naam of gebruik --force."
TEMPLATE_WRITTEN = "Sjabloon geschreven: {target}"
ERRORS_FOUND = "{count} fout(en) gevonden in '{name}'."
INPUT_ERRORS = "{count} fout(en) in de invoer."
CHECK_OK = ("'{name}' is in orde: {instruments} instrumenten, {lines} budgetregels, {years} jaren ({first}-{last}), "
            "{requirements} eisen.")
# The lines reporting a run's outcome (objective, scenario, files written) follow the run's language
# (``--taal``) and are in optimiser/texts.csv as cli.objective, cli.scenario, cli.model_written, cli.result_written.

ARGPARSE: list[tuple[re.Pattern, str]] = [(re.compile(pattern), dutch) for pattern, dutch in (
    (r"^the following arguments are required: (.*)$", r"deze argumenten ontbreken: \1"),
    (r"^argument (.*?): invalid choice: (.*) \(choose from (.*)\)$", r"argument \1: ongeldige keuze \2 (kies uit \3)"),
    (r"^invalid choice: (.*) \(choose from (.*)\)$", r"ongeldige keuze \1 (kies uit \2)"),
    (r"^argument (.*?): invalid \S+ value: (.*)$", r"argument \1: ongeldige waarde \2"),
    (r"^argument (.*?): expected one argument$", r"argument \1: verwacht één waarde"),
    (r"^argument (.*?): expected at most one argument$", r"argument \1: verwacht hoogstens één waarde"),
    (r"^argument (.*?): expected at least one argument$", r"argument \1: verwacht minstens één waarde"),
    (r"^argument (.*?): expected (\d+) arguments?$", r"argument \1: verwacht \2 waarde(n)"),
    (r"^argument (.*?): ignored explicit argument (.*)$", r"argument \1: waarde \2 wordt niet verwacht"),
    (r"^argument (.*?): not allowed with argument (.*)$", r"argument \1: niet samen met \2"),
    (r"^unrecognized arguments: (.*)$", r"onbekende argumenten: \1"),
    (r"^ambiguous option: (.*) could match (.*)$", r"optie \1 is niet eenduidig: kan \2 zijn"),
    (r"^one of the arguments (.*) is required$", r"één van deze argumenten is nodig: \1"),
    (r"^argument (.*?): (.*)$", r"argument \1: \2"),
)]


def argparse_message(message: str) -> str:
    """Argparse's English message in Dutch (our own argument checks are Dutch already)."""
    for pattern, dutch in ARGPARSE:
        if pattern.match(message):
            return pattern.sub(dutch, message)
    return message
