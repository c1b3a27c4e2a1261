terraform {
  required_version = ">= 1.5"
  required_providers {
    ory = {
      source = "ory/ory"
    }
  }
}
