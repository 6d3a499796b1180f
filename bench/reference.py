"""The minimal reference a run is measured against: read the workbook, solve the same LP, write the plan.

    python bench/reference.py WORKBOOK.xlsx MODEL.npz OUT.xlsx

Reads every cell of the workbook with openpyxl (read-only), passes the LP
that ``optimiser`` builds for it (saved beforehand as arrays, see
``bench/bench.py``) straight to highspy, and writes the column values into a
new workbook with openpyxl (write-only). No checks, no prices, no report:
the least any tool must do with the same input and output.
"""

from __future__ import annotations

import sys

import highspy
import numpy as np
import openpyxl


def main(workbook: str, model: str, out: str) -> float:
    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    cells = sum(1 for ws in book.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
    book.close()
    arrays = np.load(model)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(arrays["num_col"]), int(arrays["num_row"])
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = arrays["cost"], arrays["col_lower"], arrays["col_upper"]
    lp.row_lower_, lp.row_upper_ = arrays["row_lower"], arrays["row_upper"]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = arrays["start"], arrays["index"], arrays["value"]
    if arrays["integer"].any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                           for k in arrays["integer"]]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    highs.run()
    values = highs.getSolution().col_value
    result = openpyxl.Workbook(write_only=True)
    sheet = result.create_sheet("Plan")
    for k, value in enumerate(values):
        sheet.append([k, value])
    result.save(out)
    return highs.getInfo().objective_function_value + 0 * cells


if __name__ == "__main__":
    print(main(*sys.argv[1:4]))
