"""'Optimaal' must mean optimal (issue 8, point 6): the MIP gap, its report, and capacity by organisation."""

import io

import pytest

from models.data import Instrument
from models.highs import DEFAULT_MIP_GAP, SolverOptions
from models.session import Session
from models.solve import OPTIMAL, Result, solve
from optimiser.template import build_workbook
from optimiser.texts import status_text
from optimiser.validate import check_bytes
from tests.helpers import case


def test_default_mip_gap_is_tight_and_set_explicitly():
    data = case([Instrument("A", retention=0, integer=True)], {("A", "PB"): 3}, {"PB": 10})
    session = Session(data)
    assert session.highs.highs.getOptionValue("mip_rel_gap")[1] == DEFAULT_MIP_GAP
    assert DEFAULT_MIP_GAP * 1e8 <= 0.5  # an objective of €100 mln is exact to the euro
    asked = Session(data, SolverOptions(mip_gap=0.01))
    assert asked.highs.highs.getOptionValue("mip_rel_gap")[1] == 0.01


def test_a_mip_that_stopped_at_its_gap_says_how_close():
    """Whole A at €3 from €10: 3 units; the gap reached is reported, and a non-zero gap is named."""
    data = case([Instrument("A", retention=0, integer=True)], {("A", "PB"): 3}, {"PB": 10})
    result = solve(data)
    assert result.status == OPTIMAL and result.objective_value == pytest.approx(3)
    assert result.gap == pytest.approx(0, abs=1e-9)
    assert status_text(result).startswith("Optimaal: dit is het beste plan")
    stopped = Result(status=OPTIMAL, objective_name="participatie", gap=0.00012)
    assert status_text(stopped).startswith("Optimaal binnen 0,012% van het optimum")


def test_capacity_counts_every_instrument_of_its_organisation_whatever_the_case():
    """A (organisation 'NWG') and B ('nwg') at €1, €100: capacity NWG <= 10 holds for both together.

    With B left out (the old exact-case match) A + B could reach 100; counted right, A + B = 10.
    """
    sheets = {
        "Instellingen": [{"naam": "capaciteit", "eerste_jaar": 2030, "laatste_jaar": 2030,
                          "gehele_aantallen": "nee"}],
        "Budgetten": [{"budgetregel": "PB", "jaar": 2030, "beschikbaar": 100}],
        "Instrumenten": [{"instrument": "A", "blijfkans": 0, "organisatie": "NWG"},
                         {"instrument": "B", "blijfkans": 0, "organisatie": "nwg"}],
        "Kosten": [{"instrument": "A", "budgetregel": "PB", "kosten_per_eenheid": 1},
                   {"instrument": "B", "budgetregel": "PB", "kosten_per_eenheid": 1}],
        "Eisen": [{"eis": "bezetting", "soort": "capaciteit", "organisatie": "NWG", "waarde": 10}],
    }
    buffer = io.BytesIO()
    build_workbook(sheets).save(buffer)
    data, problems = check_bytes(buffer.getvalue(), "capaciteit.xlsx")
    assert data is not None, [str(p) for p in problems]
    [requirement] = data.requirements
    assert dict(requirement.terms) == {"A": 1.0, "B": 1.0}
    assert solve(data).objective_value == pytest.approx(10)
