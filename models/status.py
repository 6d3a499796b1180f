"""Outcomes of a solve, as the words the result and the JSON use.

Kept apart from the solver layer so that code which only reads or checks a
workbook can name them without importing Pyomo or HiGHS.
"""

OPTIMAL = "optimaal"
INFEASIBLE = "onhaalbaar"
UNBOUNDED = "onbegrensd"
TIME_LIMIT = "tijdslimiet"
ERROR = "fout"
NUMERICAL = "numeriek_probleem"
INFEASIBLE_OR_UNBOUNDED = "onhaalbaar_of_onbegrensd"  # internal: resolved before a result is returned
