# Customer-facing web application: authorization code flow with refresh tokens.
resource "ory_oauth2_client" "web" {
  client_name                = "Customer portal"
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  redirect_uris              = ["https://portal.example.com/oauth/callback"]
  post_logout_redirect_uris  = ["https://portal.example.com:8443/signed-out"]
  token_endpoint_auth_method = "client_secret_basic"
  scope                      = "openid profile email offline_access"

  authorization_code_grant_access_token_lifespan  = "90m"
  authorization_code_grant_refresh_token_lifespan = "30d"
}

# Mobile app: public client with PKCE.
resource "ory_oauth2_client" "mobile" {
  client_name                = "Mobile app"
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  redirect_uris              = ["com.example.app:/oauth/callback"]
  token_endpoint_auth_method = "none"
  scope                      = "openid offline_access"
}

# Legacy single-page app that still uses the implicit flow.
resource "ory_oauth2_client" "legacy_spa" {
  client_name                = "Legacy dashboard"
  grant_types                = ["implicit"]
  response_types             = ["token id_token"]
  redirect_uris              = ["https://dashboard.example.com/callback"]
  token_endpoint_auth_method = "none"
  scope                      = "openid"
}

module "billing_client" {
  source = "./modules/machine_client"

  name  = "Billing service"
  scope = "billing:read billing:write"
}
