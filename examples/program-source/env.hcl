# The desired schema comes from a program: load_models.py prints the DDL of the application's
# models on stdout (Atlas's external_schema data source, with strata spelling).
#
#   strata --env dev migrate diff add_something
#   strata --env dev migrate apply
#   strata --env dev migrate status

variable "database_url" {
  type    = string
  default = getenv("DATABASE_URL")
}

variable "dev_url" {
  type    = string
  default = getenv("STRATA_DEV_URL") # empty: strata's private cluster
}

data "external_schema" "models" {
  program = ["python3", "load_models.py"]
}

env "dev" {
  url = var.database_url
  dev = var.dev_url
  src = data.external_schema.models.url
  migration {
    dir = "migrations"
  }
}
