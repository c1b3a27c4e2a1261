terraform {
  required_providers {
    ory = {
      source = "ory/ory"
    }
  }
}

variable "name" {
  type = string
}

variable "scope" {
  type = string
}

resource "ory_oauth2_client" "this" {
  client_name                = var.name
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "client_secret_basic"
  scope                      = var.scope

  client_credentials_grant_access_token_lifespan = "15m"
}

output "client_id" {
  value = ory_oauth2_client.this.client_id
}

output "client_secret" {
  value = ory_oauth2_client.this.client_secret
}
