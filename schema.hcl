# strata's own example schema: a small multi-tenant task tracker.
# Plan it against the private cluster with: strata --env local plan

schema "public" {}

enum "task_status" {
  schema = schema.public
  values = ["todo", "doing", "done"]
}

table "orgs" {
  schema  = schema.public
  comment = "customer organisations"
  column "id" {
    type = bigint
    identity {
      generated = ALWAYS
    }
  }
  column "slug" {
    type = text
  }
  column "created_at" {
    type    = timestamptz
    default = sql("now()")
  }
  primary_key {
    columns = [column.id]
  }
  unique "orgs_slug_key" {
    columns = [column.slug]
  }
  check "slug_format" {
    expr = "slug ~ '^[a-z0-9-]+$'"
  }
}

table "users" {
  schema = schema.public
  column "id" {
    type = bigint
    identity {
      generated = ALWAYS
    }
  }
  column "org_id" {
    type = bigint
  }
  column "email" {
    type = text
  }
  column "name" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "users_org_fk" {
    columns     = [column.org_id]
    ref_columns = [table.orgs.column.id]
    on_delete   = CASCADE
  }
  index "users_email_idx" {
    unique = true
    on {
      expr = "lower(email)"
    }
  }
  index "users_org_idx" {
    columns = [column.org_id]
  }
}

table "tasks" {
  schema = schema.public
  column "id" {
    type = bigint
    identity {
      generated = ALWAYS
    }
  }
  column "org_id" {
    type = bigint
  }
  column "assignee_id" {
    type = bigint
    null = true
  }
  column "title" {
    type = text
  }
  column "status" {
    type    = enum.task_status
    default = "todo"
  }
  column "due_on" {
    type = date
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "tasks_org_fk" {
    columns     = [column.org_id]
    ref_columns = [table.orgs.column.id]
    on_delete   = CASCADE
  }
  foreign_key "tasks_assignee_fk" {
    columns     = [column.assignee_id]
    ref_columns = [table.users.column.id]
    on_delete   = SET_NULL
  }
  index "tasks_open_idx" {
    columns = [column.org_id, column.due_on]
    where   = "status <> 'done'"
  }
}
