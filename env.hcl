# Environments for strata's own example schema.

variable "database_url" {
  type    = string
  default = getenv("DATABASE_URL")
}

# strata's private PostgreSQL cluster (~/.cache/strata), started on first use: needs only PostgreSQL's
# server programs (initdb, pg_ctl), no configured server and no Docker.
env "local" {
  url = "local://app"
  src = ["schema.hcl"]
}

# Any server you point DATABASE_URL at. Normalization needs a database of its own (never the
# target): strata's private cluster here, or set `dev` to an empty database on any server.
env "dev" {
  url = var.database_url
  src = ["schema.hcl"]
}
