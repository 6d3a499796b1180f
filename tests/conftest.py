import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "steenwijkerland.xlsx"


def _example_source():
    spec = importlib.util.spec_from_file_location("steenwijkerland_source", ROOT / "inputs" / "steenwijkerland.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example_source():
    """The readable source the example workbook is generated from."""
    return _example_source()


@pytest.fixture
def example_content(example_source):
    """A fresh copy of the example's sheets, to change in a test."""
    return example_source.content()
