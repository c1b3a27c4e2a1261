"""Running rules and everything that happens to a finding afterwards.

The registry, findings, rule metadata, severities and selection, suppressions, baselines, fixes
and fingerprints.

The engine loads the rule package (:mod:`orylint.checks`) by name, as a plugin, so that rules may
import the engine's registry and finding types while the engine has no static import of them.
It may import :mod:`orylint.model`, :mod:`orylint.terraform` and :mod:`orylint.golang`.
"""
