"""Prints the application's models as PostgreSQL DDL (standard library only).

strata runs this program (data "external_schema" in env.hcl) and treats its output as the
desired schema. Change MODELS, then run `strata --env dev migrate diff NAME`.
"""

MODELS = {
    "customers": {
        "columns": {
            "id": "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "email": "text NOT NULL",
            "created_at": "timestamptz NOT NULL DEFAULT now()",
        },
        "unique": [["email"]],
    },
    "orders": {
        "columns": {
            "id": "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "customer_id": "bigint NOT NULL REFERENCES customers (id)",
            "total_cents": "integer NOT NULL CHECK (total_cents >= 0)",
        },
        "indexes": [["customer_id"]],
    },
}


def ddl(models):
    out = []
    for table, model in models.items():
        parts = [f"  {name} {spec}" for name, spec in model["columns"].items()]
        parts += [f"  UNIQUE ({', '.join(cols)})" for cols in model.get("unique", [])]
        out.append(f"CREATE TABLE {table} (\n" + ",\n".join(parts) + "\n);")
        for cols in model.get("indexes", []):
            name = f"{table}_{'_'.join(cols)}_idx"
            out.append(f"CREATE INDEX {name} ON {table} ({', '.join(cols)});")
    return "\n".join(out)


if __name__ == "__main__":
    print(ddl(MODELS))
