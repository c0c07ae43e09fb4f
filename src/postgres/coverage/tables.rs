//! Tables and their parts: namespaces, relations, columns, defaults, constraints, indexes,
//! inheritance and partitioning.

use super::*;

pub(super) const PG_NAMESPACE: Relation = Relation {
    name: "pg_namespace",
    columns: &[
        ("oid", OID),
        ("nspname", M("Schema.name")),
        ("nspowner", OWNER),
        ("nspacl", GRANTS),
    ],
};

pub(super) const PG_CLASS: Relation = Relation {
    name: "pg_class",
    columns: &[
        ("oid", OID),
        (
            "relname",
            M("Table.name, View.name, Sequence.name, Index.name"),
        ),
        (
            "relnamespace",
            M("Table.schema, View.schema, Sequence.schema"),
        ),
        (
            "reltype",
            I("the row type PostgreSQL creates with the relation"),
        ),
        (
            "reloftype",
            w(
                "typed tables (CREATE TABLE … OF type) are not modeled",
                "typed table OF",
            ),
        ),
        ("relowner", OWNER),
        (
            "relam",
            M(
                "Index.method (indexes); tables and materialized views: warned \"access method\" unless heap",
            ),
        ),
        ("relfilenode", I("storage file")),
        (
            "reltablespace",
            w("tablespaces are not modeled", "tablespace"),
        ),
        ("relpages", I("planner statistics")),
        ("reltuples", I("planner statistics")),
        ("relallvisible", I("planner statistics")),
        (
            "reltoastrelid",
            I("TOAST table; its storage parameters are warned as \"storage parameter\" toast.*"),
        ),
        ("relhasindex", I("follows from the indexes")),
        ("relisshared", I("shared catalogs only")),
        (
            "relpersistence",
            M(
                "Table.unlogged; unlogged sequences: warned \"persistence\" unless owned by an unlogged table's column (they follow the table)",
            ),
        ),
        (
            "relkind",
            M("which model kind: Table, View (View.materialized), Sequence, Index"),
        ),
        ("relnatts", I("counter")),
        ("relchecks", I("counter")),
        (
            "relhasrules",
            I("follows from pg_rewrite, whose rules are warned"),
        ),
        ("relhastriggers", I("follows from pg_trigger")),
        ("relhassubclass", I("follows from pg_inherits")),
        ("relrowsecurity", M("Table.rls_enabled")),
        ("relforcerowsecurity", M("Table.rls_forced")),
        ("relispopulated", M("View.with_data")),
        ("relreplident", M("Table.replica_identity")),
        ("relispartition", M("Table.partition_of")),
        ("relrewrite", I("set only during a table rewrite")),
        ("relfrozenxid", I("vacuum bookkeeping")),
        ("relminmxid", I("vacuum bookkeeping")),
        ("relacl", GRANTS),
        (
            "reloptions",
            M(
                "View.check_option, View.security_barrier, View.security_invoker (views); Table.storage_params, View.storage_params (materialized views), Index.storage_params; constraint indexes and TOAST tables: warned \"storage parameter\"",
            ),
        ),
        ("relpartbound", M("PartitionOf.bound")),
    ],
};

pub(super) const PG_ATTRIBUTE: Relation = Relation {
    name: "pg_attribute",
    columns: &[
        ("attrelid", I("join key: the table")),
        ("attname", M("Column.name")),
        ("atttypid", M("Column.ty")),
        (
            "attstattarget",
            M(
                "Column.statistics (materialized view columns: warned \"statistics target\"; a child's inherited column set on the child alone: warned \"statistics target (not the parent's)\")",
            ),
        ),
        ("attlen", I("follows from the type")),
        ("attnum", M("order of Table.columns")),
        (
            "attndims",
            I("PostgreSQL ignores declared array dimensions (DataType::Array)"),
        ),
        ("attcacheoff", I("always -1 on disk")),
        (
            "atttypmod",
            M("Column.ty (format_type spelling, e.g. varchar(20))"),
        ),
        ("attbyval", I("follows from the type")),
        ("attalign", I("follows from the type")),
        (
            "attstorage",
            M(
                "Column.storage, when it differs from the type's typstorage (materialized view columns: warned \"storage\"; a child's inherited column set on the child alone: warned \"storage (not the parent's)\")",
            ),
        ),
        (
            "attcompression",
            M(
                "Column.compression (materialized view columns: warned \"compression\"; a child's inherited column set on the child alone: warned \"compression (not the parent's)\")",
            ),
        ),
        ("attnotnull", M("Column.nullable")),
        ("atthasdef", I("follows from pg_attrdef (Column.default)")),
        ("atthasmissing", I("fast-default bookkeeping")),
        ("attidentity", M("Column.identity (always / by default)")),
        ("attgenerated", M("Column.generated")),
        ("attisdropped", I("dropped columns are skipped")),
        (
            "attislocal",
            M("Table.columns holds only local columns of inheritance children"),
        ),
        (
            "attinhcount",
            M("Table.columns holds only local columns of inheritance children"),
        ),
        (
            "attcollation",
            M(
                "Column.collation (when it differs from the type's); Composite.collations for composite types' fields",
            ),
        ),
        ("attacl", GRANTS),
        (
            "attoptions",
            w(
                "per-column options n_distinct and n_distinct_inherited (the ones PostgreSQL defines; other keys are ignored) are not modeled; operator class options of plain indexes are (IndexPart.opclass_params), those of key and exclusion constraints' indexes are warned",
                "attribute option / operator class option",
            ),
        ),
        ("attfdwoptions", X("foreign tables are not managed")),
        ("attmissingval", I("fast-default bookkeeping")),
    ],
};

pub(super) const PG_ATTRDEF: Relation = Relation {
    name: "pg_attrdef",
    columns: &[
        ("oid", OID),
        ("adrelid", I("join key: the table")),
        ("adnum", I("join key: the column")),
        (
            "adbin",
            M("Column.default, Column.generated (through pg_get_expr)"),
        ),
    ],
};

pub(super) const PG_CONSTRAINT: Relation = Relation {
    name: "pg_constraint",
    columns: &[
        ("oid", OID),
        (
            "conname",
            M(
                "PrimaryKey.name, Unique.name, Check.name, ForeignKey.name, Exclude.name, Domain.checks",
            ),
        ),
        ("connamespace", I("always the table's or domain's schema")),
        (
            "contype",
            M("which constraint kind: PrimaryKey, Unique, Check, ForeignKey, Exclude"),
        ),
        (
            "condeferrable",
            M("Deferrable (PrimaryKey/Unique/ForeignKey/Exclude.deferrable)"),
        ),
        ("condeferred", M("Deferrable::InitiallyDeferred")),
        ("convalidated", M("Check.not_valid, ForeignKey.not_valid")),
        ("conrelid", I("join key: the table")),
        ("contypid", I("join key: the domain (Domain.checks)")),
        (
            "conindid",
            I("join key: the backing index (include columns, nulls not distinct)"),
        ),
        (
            "conparentid",
            I("partition clones of a parent's constraint are skipped"),
        ),
        ("confrelid", M("ForeignKey.ref_table")),
        ("confupdtype", M("ForeignKey.on_update")),
        ("confdeltype", M("ForeignKey.on_delete")),
        (
            "confmatchtype",
            w(
                "MATCH FULL is not modeled (MATCH SIMPLE is the default)",
                "MATCH",
            ),
        ),
        (
            "conislocal",
            I("inherited constraints are the parent's (Table.inherits)"),
        ),
        ("coninhcount", I("inheritance counter")),
        ("connoinherit", M("Check.no_inherit")),
        ("conkey", M("PrimaryKey/Unique/ForeignKey.columns")),
        ("confkey", M("ForeignKey.ref_columns")),
        (
            "conpfeqop",
            I("equality operators follow from the column types"),
        ),
        (
            "conppeqop",
            I("equality operators follow from the column types"),
        ),
        (
            "conffeqop",
            I("equality operators follow from the column types"),
        ),
        (
            "confdelsetcols",
            w(
                "ON DELETE SET NULL/DEFAULT (columns) is not modeled",
                "ON DELETE SET column list",
            ),
        ),
        ("conexclop", M("Exclude.elements (operators)")),
        (
            "conbin",
            M("Check.expr, Domain.checks (through pg_get_expr / pg_get_constraintdef)"),
        ),
    ],
};

pub(super) const PG_INDEX: Relation = Relation {
    name: "pg_index",
    columns: &[
        (
            "indexrelid",
            I("join key: the index relation (its pg_class row)"),
        ),
        ("indrelid", I("join key: the table or materialized view")),
        ("indnatts", I("counter")),
        (
            "indnkeyatts",
            M("split of Index.parts and Index.include (also PrimaryKey/Unique.include)"),
        ),
        ("indisunique", M("Index.unique")),
        (
            "indnullsnotdistinct",
            M("Index.nulls_distinct, Unique.nulls_distinct"),
        ),
        (
            "indisprimary",
            I("primary key indexes belong to PrimaryKey"),
        ),
        ("indisexclusion", I("exclusion indexes belong to Exclude")),
        (
            "indimmediate",
            I("follows from the constraint's deferrability"),
        ),
        (
            "indisclustered",
            w("CLUSTER ON is not modeled", "CLUSTER ON"),
        ),
        ("indisvalid", M("Index.invalid")),
        ("indcheckxmin", I("HOT bookkeeping")),
        ("indisready", I("state of a concurrent build")),
        ("indislive", I("state of a concurrent drop")),
        (
            "indisreplident",
            M("Table.replica_identity (ReplicaIdentity::Index)"),
        ),
        ("indkey", M("Index.parts (IndexKey::Column), Index.include")),
        ("indcollation", M("IndexPart.collation")),
        ("indclass", M("IndexPart.opclass")),
        ("indoption", M("IndexPart.desc, IndexPart.nulls_first")),
        ("indexprs", M("IndexKey::Expr (through pg_get_indexdef)")),
        ("indpred", M("Index.predicate")),
    ],
};

pub(super) const PG_INHERITS: Relation = Relation {
    name: "pg_inherits",
    columns: &[
        ("inhrelid", I("join key: the child")),
        (
            "inhparent",
            M(
                "Table.inherits, PartitionOf.parent; for indexes, attachment to the parent's index (an attached partition index is listed when its name is not PostgreSQL's)",
            ),
        ),
        ("inhseqno", M("order of Table.inherits")),
        (
            "inhdetachpending",
            X("transient state of an interrupted DETACH PARTITION CONCURRENTLY"),
        ),
    ],
};

pub(super) const PG_PARTITIONED_TABLE: Relation = Relation {
    name: "pg_partitioned_table",
    columns: &[
        ("partrelid", I("join key: the table")),
        (
            "partstrat",
            M("PartitionKey.strategy (through pg_get_partkeydef)"),
        ),
        ("partnatts", I("counter")),
        (
            "partdefid",
            I("follows from the partitions' bounds (PartitionOf.bound DEFAULT)"),
        ),
        (
            "partattrs",
            M("PartitionKey.parts (through pg_get_partkeydef)"),
        ),
        (
            "partclass",
            M("PartitionKey.parts: part of the key text pg_get_partkeydef prints"),
        ),
        (
            "partcollation",
            M("PartitionKey.parts: part of the key text pg_get_partkeydef prints"),
        ),
        ("partexprs", M("PartitionKey.parts (IndexKey::Expr)")),
    ],
};
