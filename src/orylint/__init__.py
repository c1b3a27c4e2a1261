"""orylint: lint Terraform ``ory_oauth2_client`` resources before Ory rejects them."""

__version__ = "0.1.0"
