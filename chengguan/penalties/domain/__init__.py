"""The Administrative Penalty Law (2021) and Henan's hearing rules as pure functions.

No Django, no database: the penalty-case workflow calls these at every step. The map from
each rule of `data/admin_penalty_procedure_rules.csv` to its function is in `procedure.py`.
"""
