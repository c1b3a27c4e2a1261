output "web_client_id" {
  value = ory_oauth2_client.web.client_id
}

locals {
  web_credentials = {
    id     = ory_oauth2_client.web.client_id
    secret = ory_oauth2_client.web.client_secret
  }
}

# Exposes the secret through a local without `sensitive = true`: terraform plan fails.
output "web_credentials" {
  value = local.web_credentials
}

output "billing_client_secret" {
  value     = module.billing_client.client_secret
  sensitive = true
}
