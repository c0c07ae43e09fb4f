//! Sequences, types, enums, collations and operator classes (with their access methods and
//! operators).

use super::*;

pub(super) const PG_SEQUENCE: Relation = Relation {
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
};

pub(super) const PG_TYPE: Relation = Relation {
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
        ("typacl", GRANTS),
    ],
};

pub(super) const PG_ENUM: Relation = Relation {
    name: "pg_enum",
    columns: &[
        ("oid", OID),
        ("enumtypid", I("join key: the enum type")),
        ("enumsortorder", M("order of Enum.values")),
        ("enumlabel", M("Enum.values")),
    ],
};

pub(super) const PG_COLLATION: Relation = Relation {
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
};

pub(super) const PG_AM: Relation = Relation {
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
};

pub(super) const PG_OPCLASS: Relation = Relation {
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
};

pub(super) const PG_OPERATOR: Relation = Relation {
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
};
