"""What Terraform files and documents say.

Discovery, source decoding, HCL and ``.tf.json`` loading, plan and state JSON, the format-neutral
document, the values of expressions and the provider's resource schema.

This is the stage that reads; it may import only :mod:`orylint.golang`. The evaluator (variables,
locals, functions) belongs here, since it answers "what would Terraform compute".
"""
