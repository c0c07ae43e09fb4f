//! The catalog-coverage ledger: every column of every catalog relation the inspector reads,
//! each either *modeled* (the model field that holds it) or *not modeled* (why, and what strata
//! does when a database uses a non-default value). `tests/coverage.rs` compares it with the
//! live server's `pg_attribute`, so a column PostgreSQL adds (or one the ledger misnames) fails
//! the build instead of being silently ignored.
//!
//! What "warned" means: the target database's value is reported by
//! [`crate::postgres::inspect::unmanaged`] (a `Warning:` in `plan`, `"warnings"` in JSON, stderr
//! for `inspect`) and left as it is; the attribute named is the one in the warning.

/// How strata treats one catalog column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Read into the model; names the field(s) holding it.
    Modeled(&'static str),
    /// Not modeled: internal or derived (oids, join keys, counters, statistics, values that
    /// follow from modeled ones). Ignored.
    Internal(&'static str),
    /// Not modeled and outside what strata manages (ownership, privileges, kinds strata does not
    /// create); non-default values are ignored. The reason says why.
    Ignored(&'static str),
    /// Not modeled; a non-default value makes inspect report a warning with this attribute.
    Warned {
        reason: &'static str,
        attribute: &'static str,
    },
}

impl Coverage {
    pub fn is_modeled(self) -> bool {
        matches!(self, Coverage::Modeled(_))
    }

    /// One line: what the column is to strata.
    pub fn describe(self) -> String {
        match self {
            Coverage::Modeled(f) => format!("modeled: {f}"),
            Coverage::Internal(r) => format!("not modeled: internal/derived ({r}); ignored"),
            Coverage::Ignored(r) => format!("not modeled: {r}; ignored"),
            Coverage::Warned { reason, attribute } => {
                format!("not modeled: {reason}; warned: \"{attribute}\"")
            }
        }
    }
}

/// One catalog relation and all its columns.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Coverage)],
}

use Coverage::{Ignored as X, Internal as I, Modeled as M};

const fn w(reason: &'static str, attribute: &'static str) -> Coverage {
    Coverage::Warned { reason, attribute }
}

const OID: Coverage = I("row identity, used only to join");
const OWNER: Coverage = X("ownership is not managed");
const ACL: Coverage = X("privileges (GRANT/REVOKE) are not managed");

/// Columns that exist only in some PostgreSQL major versions: `(relation, column, first, last)`.
/// The check skips them on other servers.
pub const VERSIONED: &[(&str, &str, u32, u32)] = &[
    ("pg_attribute", "attcompression", 14, 99),
    ("pg_proc", "prosqlbody", 14, 99),
    ("pg_inherits", "inhdetachpending", 14, 99),
    ("pg_index", "indnullsnotdistinct", 15, 99),
    ("pg_constraint", "confdelsetcols", 15, 99),
    ("pg_publication_rel", "prqual", 15, 99),
    ("pg_publication_rel", "prattrs", 15, 99),
    ("pg_publication_namespace", "oid", 15, 99),
    ("pg_publication_namespace", "pnpubid", 15, 99),
    ("pg_publication_namespace", "pnnspid", 15, 99),
    ("pg_collation", "colliculocale", 15, 16),
    ("pg_collation", "collicurules", 16, 99),
    ("pg_collation", "colllocale", 17, 99),
];

/// The ledger.
pub const LEDGER: &[Relation] = &[
    Relation {
        name: "pg_namespace",
        columns: &[
            ("oid", OID),
            ("nspname", M("Schema.name")),
            ("nspowner", OWNER),
            ("nspacl", ACL),
        ],
    },
    Relation {
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
                I(
                    "TOAST table; its storage parameters are warned as \"storage parameter\" toast.*",
                ),
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
            ("relacl", ACL),
            (
                "reloptions",
                M(
                    "View.check_option, View.security_barrier, View.security_invoker (views); Table.storage_params, View.storage_params (materialized views), Index.storage_params; constraint indexes and TOAST tables: warned \"storage parameter\"",
                ),
            ),
            ("relpartbound", M("PartitionOf.bound")),
        ],
    },
    Relation {
        name: "pg_attribute",
        columns: &[
            ("attrelid", I("join key: the table")),
            ("attname", M("Column.name")),
            ("atttypid", M("Column.ty")),
            (
                "attstattarget",
                M("Column.statistics (materialized view columns: warned \"statistics target\")"),
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
                    "Column.storage, when it differs from the type's typstorage (materialized view columns: warned \"storage\")",
                ),
            ),
            (
                "attcompression",
                M("Column.compression (materialized view columns: warned \"compression\")"),
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
                M("Column.collation (when it differs from the type's)"),
            ),
            ("attacl", ACL),
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
    },
    Relation {
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
    },
    Relation {
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
    },
    Relation {
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
    },
    Relation {
        name: "pg_sequence",
        columns: &[
            ("seqrelid", I("join key: the sequence")),
            (
                "seqtypid",
                M(
                    "Sequence.ty; serial/identity sequences: warned \"… sequence option\" AS type when it differs from the column's",
                ),
            ),
            (
                "seqstart",
                M("Sequence.start, Identity.start; serial sequences: warned"),
            ),
            (
                "seqincrement",
                M("Sequence.increment, Identity.increment; serial sequences: warned"),
            ),
            (
                "seqmax",
                M(
                    "Sequence.max, Identity.max_value; serial sequences: warned \"serial sequence option\"",
                ),
            ),
            (
                "seqmin",
                M(
                    "Sequence.min, Identity.min_value; serial sequences: warned \"serial sequence option\"",
                ),
            ),
            (
                "seqcache",
                M(
                    "Sequence.cache, Identity.cache; serial sequences: warned \"serial sequence option\"",
                ),
            ),
            (
                "seqcycle",
                M(
                    "Sequence.cycle, Identity.cycle; serial sequences: warned \"serial sequence option\"",
                ),
            ),
        ],
    },
    Relation {
        name: "pg_type",
        columns: &[
            ("oid", OID),
            (
                "typname",
                M("Enum.name, Domain.name, Composite.name, DataType::Named"),
            ),
            (
                "typnamespace",
                M("Enum.schema, Domain.schema, Composite.schema"),
            ),
            ("typowner", OWNER),
            (
                "typlen",
                I("base type internals; base types are not managed"),
            ),
            ("typbyval", I("base type internals")),
            (
                "typtype",
                M("which kind: Enum (e), Domain (d), Composite (c)"),
            ),
            ("typcategory", I("base type internals")),
            ("typispreferred", I("base type internals")),
            ("typisdefined", I("shell types are never created by strata")),
            ("typdelim", I("base type internals")),
            (
                "typrelid",
                I("join key: a composite type's attributes (Composite.fields)"),
            ),
            ("typsubscript", M("DataType::Array detection")),
            ("typelem", M("DataType::Array element")),
            ("typarray", I("the array type PostgreSQL creates")),
            (
                "typinput",
                X("base types (CREATE TYPE … INPUT) are not managed"),
            ),
            ("typoutput", X("base types are not managed")),
            ("typreceive", X("base types are not managed")),
            ("typsend", X("base types are not managed")),
            ("typmodin", X("base types are not managed")),
            ("typmodout", X("base types are not managed")),
            ("typanalyze", X("base types are not managed")),
            ("typalign", I("base type internals")),
            (
                "typstorage",
                I("the default a column's attstorage is compared with"),
            ),
            ("typnotnull", M("Domain.not_null")),
            ("typbasetype", M("Domain.base")),
            ("typtypmod", M("Domain.base (typmod)")),
            (
                "typndims",
                I("declared array dimensions of a domain are ignored by PostgreSQL"),
            ),
            (
                "typcollation",
                M("Domain.collation; the default for Column.collation"),
            ),
            ("typdefaultbin", I("parsed form of typdefault")),
            ("typdefault", M("Domain.default")),
            ("typacl", ACL),
        ],
    },
    Relation {
        name: "pg_enum",
        columns: &[
            ("oid", OID),
            ("enumtypid", I("join key: the enum type")),
            ("enumsortorder", M("order of Enum.values")),
            ("enumlabel", M("Enum.values")),
        ],
    },
    Relation {
        name: "pg_proc",
        columns: &[
            ("oid", OID),
            ("proname", M("Function.name")),
            ("pronamespace", M("Function.schema")),
            ("proowner", OWNER),
            ("prolang", M("Function.language")),
            ("procost", M("Function.cost")),
            ("prorows", M("Function.rows")),
            (
                "provariadic",
                I("follows from proargmodes (ArgMode::Variadic)"),
            ),
            (
                "prosupport",
                X("planner support functions need C code; not managed"),
            ),
            (
                "prokind",
                M("Function.kind (aggregates and window functions are not managed)"),
            ),
            ("prosecdef", M("Function.security_definer")),
            ("proleakproof", M("Function.leakproof")),
            ("proisstrict", M("Function.strict")),
            ("proretset", M("Returns::SetOf")),
            ("provolatile", M("Function.volatility")),
            ("proparallel", M("Function.parallel")),
            ("pronargs", I("counter")),
            ("pronargdefaults", I("counter")),
            ("prorettype", M("Function.returns")),
            ("proargtypes", M("FunctionArg.ty")),
            (
                "proallargtypes",
                M("FunctionArg.ty (with OUT arguments), Returns::Table"),
            ),
            ("proargmodes", M("FunctionArg.mode")),
            ("proargnames", M("FunctionArg.name")),
            ("proargdefaults", M("FunctionArg.default")),
            ("protrftypes", X("TRANSFORM FOR TYPE is not managed")),
            ("prosrc", M("Function.body")),
            (
                "probin",
                X("the library file of C functions; C functions come from extensions"),
            ),
            ("prosqlbody", M("Function.body (BEGIN ATOMIC)")),
            ("proconfig", M("Function.config")),
            ("proacl", ACL),
        ],
    },
    Relation {
        name: "pg_trigger",
        columns: &[
            ("oid", OID),
            ("tgrelid", I("join key: the table or view")),
            (
                "tgparentid",
                I("partition clones of a parent's trigger are skipped"),
            ),
            ("tgname", M("Trigger.name")),
            ("tgfoid", M("Trigger.function")),
            (
                "tgtype",
                M("Trigger.timing, Trigger.events, Trigger.for_each_row"),
            ),
            ("tgenabled", M("Trigger.enabled")),
            (
                "tgisinternal",
                I("internal (foreign key) triggers are skipped"),
            ),
            (
                "tgconstrrelid",
                X("FROM referenced_table of constraint triggers is not modeled"),
            ),
            ("tgconstrindid", I("internal (foreign key) triggers only")),
            ("tgconstraint", M("Trigger.constraint")),
            ("tgdeferrable", M("Trigger.deferrable")),
            ("tginitdeferred", M("Trigger.deferrable")),
            ("tgnargs", M("Trigger.args")),
            ("tgattr", M("TriggerEvents.update_of")),
            ("tgargs", M("Trigger.args")),
            ("tgqual", M("Trigger.when (through pg_get_triggerdef)")),
            ("tgoldtable", M("Trigger.old_table")),
            ("tgnewtable", M("Trigger.new_table")),
        ],
    },
    Relation {
        name: "pg_policy",
        columns: &[
            ("oid", OID),
            ("polname", M("Policy.name")),
            ("polrelid", I("join key: the table")),
            ("polcmd", M("Policy.command")),
            ("polpermissive", M("Policy.permissive")),
            ("polroles", M("Policy.roles")),
            ("polqual", M("Policy.using")),
            ("polwithcheck", M("Policy.check")),
        ],
    },
    Relation {
        name: "pg_extension",
        columns: &[
            ("oid", OID),
            ("extname", M("Extension.name")),
            ("extowner", OWNER),
            ("extnamespace", M("Extension.schema")),
            ("extrelocatable", I("from the extension's control file")),
            ("extversion", M("Extension.version")),
            (
                "extconfig",
                I("the extension's configuration tables (for pg_dump)"),
            ),
            (
                "extcondition",
                I("the extension's configuration tables (for pg_dump)"),
            ),
        ],
    },
    Relation {
        name: "pg_collation",
        columns: &[
            ("oid", OID),
            ("collname", M("Collation.name")),
            ("collnamespace", M("Collation.schema")),
            ("collowner", OWNER),
            ("collprovider", M("Collation.provider")),
            ("collisdeterministic", M("Collation.deterministic")),
            (
                "collencoding",
                I("CREATE COLLATION uses the database's encoding"),
            ),
            (
                "collcollate",
                M("Collation.lc_collate (or Collation.locale)"),
            ),
            ("collctype", M("Collation.lc_ctype (or Collation.locale)")),
            ("colliculocale", M("Collation.locale")),
            ("colllocale", M("Collation.locale")),
            ("collicurules", X("ICU tailoring rules are not modeled")),
            (
                "collversion",
                I("the provider's version, recorded by PostgreSQL"),
            ),
        ],
    },
    Relation {
        name: "pg_depend",
        columns: &[
            (
                "classid",
                M("deps::Deps edges, extension membership filter, Sequence.owned_by"),
            ),
            (
                "objid",
                M("deps::Deps edges, extension membership filter, Sequence.owned_by"),
            ),
            ("objsubid", M("deps::Deps edges (column dependencies)")),
            ("refclassid", M("deps::Deps edges, Sequence.owned_by")),
            ("refobjid", M("deps::Deps edges, Sequence.owned_by")),
            (
                "refobjsubid",
                M("deps::Deps edges, Sequence.owned_by (the column)"),
            ),
            (
                "deptype",
                M("deps::Deps (n, a), serial/identity ownership (a, i), extension members (e)"),
            ),
        ],
    },
    Relation {
        name: "pg_inherits",
        columns: &[
            ("inhrelid", I("join key: the child")),
            ("inhparent", M("Table.inherits, PartitionOf.parent")),
            ("inhseqno", M("order of Table.inherits")),
            (
                "inhdetachpending",
                X("transient state of an interrupted DETACH PARTITION CONCURRENTLY"),
            ),
        ],
    },
    Relation {
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
    },
    Relation {
        name: "pg_description",
        columns: &[
            ("objoid", I("join key: the object")),
            ("classoid", I("join key: the object's catalog")),
            ("objsubid", I("join key: the column")),
            (
                "description",
                M("every comment field (Table.comment, Column.comment, …)"),
            ),
        ],
    },
    Relation {
        name: "pg_rewrite",
        columns: &[
            ("oid", OID),
            (
                "rulename",
                w("rules other than a view's _RETURN are not modeled", "rule"),
            ),
            ("ev_class", I("join key: the table or view")),
            (
                "ev_type",
                M("View.query for _RETURN; other rules: warned \"rule\""),
            ),
            (
                "ev_enabled",
                M("View.query for _RETURN; other rules: warned \"rule\""),
            ),
            (
                "is_instead",
                M("View.query for _RETURN; other rules: warned \"rule\""),
            ),
            (
                "ev_qual",
                M("View.query for _RETURN; other rules: warned \"rule\""),
            ),
            (
                "ev_action",
                M("View.query (through pg_get_viewdef); other rules: warned \"rule\""),
            ),
        ],
    },
    Relation {
        name: "pg_am",
        columns: &[
            ("oid", OID),
            ("amname", M("Index.method, Exclude.method")),
            (
                "amhandler",
                I("access methods come from PostgreSQL or extensions"),
            ),
            ("amtype", I("index or table access method")),
        ],
    },
    Relation {
        name: "pg_opclass",
        columns: &[
            ("oid", OID),
            ("opcmethod", I("follows from the index's access method")),
            ("opcname", M("IndexPart.opclass")),
            (
                "opcnamespace",
                M("IndexPart.opclass (schema-qualified outside pg_catalog)"),
            ),
            ("opcowner", OWNER),
            (
                "opcfamily",
                I("operator classes come from PostgreSQL or extensions"),
            ),
            (
                "opcintype",
                I("operator classes come from PostgreSQL or extensions"),
            ),
            (
                "opcdefault",
                M("IndexPart.opclass is None for the type's default"),
            ),
            (
                "opckeytype",
                I("operator classes come from PostgreSQL or extensions"),
            ),
        ],
    },
    Relation {
        name: "pg_language",
        columns: &[
            ("oid", OID),
            ("lanname", M("Function.language")),
            ("lanowner", OWNER),
            ("lanispl", X("languages come from extensions")),
            ("lanpltrusted", X("languages come from extensions")),
            ("lanplcallfoid", X("languages come from extensions")),
            ("laninline", X("languages come from extensions")),
            ("lanvalidator", X("languages come from extensions")),
            ("lanacl", ACL),
        ],
    },
    Relation {
        name: "pg_seclabel",
        columns: &[
            ("objoid", I("join key: the object")),
            ("classoid", I("join key: the object's catalog")),
            ("objsubid", I("join key: the column")),
            (
                "provider",
                w("security labels are not modeled", "security label"),
            ),
            (
                "label",
                w("security labels are not modeled", "security label"),
            ),
        ],
    },
    Relation {
        name: "pg_publication_rel",
        columns: &[
            ("oid", OID),
            (
                "prpubid",
                w("publication membership is not modeled", "publication"),
            ),
            ("prrelid", I("join key: the table")),
            (
                "prqual",
                w("publication membership is not modeled", "publication"),
            ),
            (
                "prattrs",
                w("publication membership is not modeled", "publication"),
            ),
        ],
    },
    Relation {
        name: "pg_publication_namespace",
        columns: &[
            ("oid", OID),
            (
                "pnpubid",
                w("publication membership is not modeled", "publication"),
            ),
            ("pnnspid", I("join key: the schema")),
        ],
    },
    Relation {
        name: "pg_publication",
        columns: &[
            ("oid", OID),
            (
                "pubname",
                w(
                    "publications are not managed; a managed table's or schema's membership is warned",
                    "publication",
                ),
            ),
            ("pubowner", OWNER),
            (
                "puballtables",
                X("FOR ALL TABLES publications cover every table and are not reported per table"),
            ),
            ("pubinsert", X("publications are not managed")),
            ("pubupdate", X("publications are not managed")),
            ("pubdelete", X("publications are not managed")),
            ("pubtruncate", X("publications are not managed")),
            ("pubviaroot", X("publications are not managed")),
        ],
    },
    Relation {
        name: "pg_tablespace",
        columns: &[
            ("oid", OID),
            (
                "spcname",
                w(
                    "tablespaces are not modeled; a non-default one is warned",
                    "tablespace",
                ),
            ),
            ("spcowner", OWNER),
            ("spcacl", ACL),
            ("spcoptions", X("tablespaces are not managed")),
        ],
    },
    Relation {
        name: "pg_operator",
        columns: &[
            ("oid", OID),
            ("oprname", M("Exclude.elements (operators)")),
            (
                "oprnamespace",
                X("operators are not managed; exclusion operators are named unqualified"),
            ),
            ("oprowner", OWNER),
            ("oprkind", X("operators are not managed")),
            ("oprcanmerge", X("operators are not managed")),
            ("oprcanhash", X("operators are not managed")),
            ("oprleft", X("operators are not managed")),
            ("oprright", X("operators are not managed")),
            ("oprresult", X("operators are not managed")),
            ("oprcom", X("operators are not managed")),
            ("oprnegate", X("operators are not managed")),
            ("oprcode", X("operators are not managed")),
            ("oprrest", X("operators are not managed")),
            ("oprjoin", X("operators are not managed")),
        ],
    },
];

/// Compares the ledger with the live columns `(relation, column)` of a server of major version
/// `major`. Every problem is one line naming the relation and the column.
pub fn check(
    ledger: &[Relation],
    live: &[(String, String)],
    major: u32,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let exists_here = |rel: &str, col: &str| {
        VERSIONED
            .iter()
            .find(|(r, c, _, _)| *r == rel && *c == col)
            .is_none_or(|(_, _, lo, hi)| (*lo..=*hi).contains(&major))
    };
    for (rel, col) in live {
        match ledger.iter().find(|r| r.name == rel) {
            None => problems.push(format!("{rel}: relation is not in the ledger")),
            Some(r) if !r.columns.iter().any(|(c, _)| c == col) => problems.push(format!(
                "{rel}.{col}: live column is neither modeled nor listed as not modeled"
            )),
            _ => {}
        }
    }
    for r in ledger {
        let mut seen = std::collections::HashSet::new();
        for (col, _) in r.columns {
            if !seen.insert(*col) {
                problems.push(format!("{}.{col}: listed twice", r.name));
            }
            let live_here = live.iter().any(|(lr, lc)| lr == r.name && lc == col);
            if !live_here && exists_here(r.name, col) {
                problems.push(format!(
                    "{}.{col}: the ledger names a column the server does not have",
                    r.name
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &[Relation] = &[Relation {
        name: "pg_enum",
        columns: &[
            ("oid", OID),
            ("enumtypid", I("join key")),
            ("enumsortorder", M("order of Enum.values")),
        ],
    }];

    fn live(cols: &[&str]) -> Vec<(String, String)> {
        cols.iter()
            .map(|c| ("pg_enum".to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn a_live_column_missing_from_the_ledger_fails() {
        let err = check(
            SMALL,
            &live(&["oid", "enumtypid", "enumsortorder", "enumlabel"]),
            15,
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![
                "pg_enum.enumlabel: live column is neither modeled nor listed as not modeled"
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_ledger_column_the_server_lacks_fails() {
        let err = check(SMALL, &live(&["oid", "enumtypid"]), 15).unwrap_err();
        assert_eq!(
            err,
            vec![
                "pg_enum.enumsortorder: the ledger names a column the server does not have"
                    .to_string()
            ]
        );
        assert!(check(SMALL, &live(&["oid", "enumtypid", "enumsortorder"]), 15).is_ok());
    }

    #[test]
    fn versioned_columns_are_expected_only_on_their_versions() {
        let full = LEDGER.iter().find(|r| r.name == "pg_collation").unwrap();
        let cols = |skip: &[&str]| -> Vec<(String, String)> {
            full.columns
                .iter()
                .filter(|(c, _)| !skip.contains(c))
                .map(|(c, _)| ("pg_collation".to_string(), c.to_string()))
                .collect()
        };
        let one = std::slice::from_ref(full);
        assert!(check(one, &cols(&["colllocale", "collicurules"]), 15).is_ok());
        assert!(check(one, &cols(&["colliculocale"]), 17).is_ok());
        assert!(check(one, &cols(&["colllocale", "collicurules", "collname"]), 15).is_err());
    }

    #[test]
    fn every_entry_describes_itself() {
        for r in LEDGER {
            for (c, cov) in r.columns {
                assert!(!cov.describe().is_empty(), "{}.{c}", r.name);
            }
        }
    }
}
