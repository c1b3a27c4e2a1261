"""Go's semantics where Hydra and the provider use them.

``time.ParseDuration``, ``net/url`` and ``encoding/json``, as Hydra and the provider call them.

These are exact ports, checked against real Go by differential tests, because "Hydra rejects
this" must mean what Go's code does, not what Python's standard library does. They know nothing
about Terraform or Ory and import nothing from orylint.
"""
