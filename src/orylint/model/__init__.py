"""What rules see.

Clients, outputs, locals, module calls and their instances, plan values mapped onto sources, the
settings, Hydra's effective view of a client and the flow of its secret.

Built from :mod:`orylint.terraform` documents; may import :mod:`orylint.terraform` and
:mod:`orylint.golang`, never the engine, the checks or the reporters.
"""
