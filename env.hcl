# Environments for strata's own example schema.

variable "database_url" {
  type    = string
  default = getenv("DATABASE_URL")
}

# A private PostgreSQL cluster in .strata/, started on first use: needs only PostgreSQL's
# server programs (initdb, pg_ctl), no configured server and no Docker.
env "local" {
  url = "local://app"
  src = ["schema.hcl"]
}

# Any server you point DATABASE_URL at; scratch databases for normalization are created on
# the same server.
env "dev" {
  url = var.database_url
  dev = var.database_url
  src = ["schema.hcl"]
}
