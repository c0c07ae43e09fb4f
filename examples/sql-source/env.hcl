# The desired schema is plain SQL (schema.sql): strata runs it in a scratch database and reads
# it back, so it compares in PostgreSQL's canonical form like HCL does.
#
#   strata --env dev migrate diff add_something   # write migrations/<timestamp>_add_something.sql
#   strata --env dev migrate lint                 # check the newest file
#   strata --env dev migrate apply                # run pending files on DATABASE_URL
#   strata --env dev migrate status               # 0 up to date, 3 pending, 4 failed, 5 mismatch

variable "database_url" {
  type    = string
  default = getenv("DATABASE_URL")
}

variable "dev_url" {
  type    = string
  default = getenv("STRATA_DEV_URL") # empty: strata's private cluster
}

env "dev" {
  url = var.database_url
  dev = var.dev_url
  src = ["schema.sql"]
  migration {
    dir = "migrations"
  }
}
