"""Policies: an organisation's own rules, written as data (YAML and JSON Schema).

They sit beside :mod:`orylint.checks`, at the level of the rules: a policy judges the same model
clients the built-in rules judge, with the same derived facts, and produces the same findings, so
configuration, suppressions, baselines and every output format treat the two alike.
"""
