"""The audit trail a controller can file with a result: what ran, on what, with which software."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from importlib import metadata
from pathlib import Path

from models.data import ProblemData
from models.solve import Result

PACKAGES = ("participatie-optimiser", "pyomo", "highspy", "pandas", "openpyxl", "xlsxwriter", "defusedxml")


def file_hash(path: Path) -> str:
    """SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "(niet geïnstalleerd)"


def audit_rows(source: Path, data: ProblemData, result: Result, seconds: float) -> dict[str, object]:
    """Label (Dutch) to value, in the order the audit sheet shows them."""
    settings = data.settings
    rows: dict[str, object] = {
        "Tijdstip (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "Invoerbestand": str(Path(source).resolve()),
        "SHA-256 van het invoerbestand": file_hash(source),
        "Python": platform.python_version(),
    }
    rows.update({f"Versie {p}": _version(p) for p in PACKAGES})
    rows.update({
        "Rekenmachine": result.solver,
        "Doelstelling": settings.objective,
        "Tijdslimiet (s)": settings.time_limit,
        "Gehele aantallen": "ja" if settings.integer_volumes else "nee",
        "Tolerantie lexicografisch": settings.lexicographic_tolerance,
        "Status": result.status,
        "MIP": "ja" if result.is_mip else "nee",
        "MIP-gap": result.gap,
        "Rekentijd optimalisatie (s)": round(result.solve_seconds, 3),
        "Totale looptijd (s)": round(seconds, 3),
    })
    return rows
