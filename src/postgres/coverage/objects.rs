//! Routines, triggers, policies, extensions, views (rewrite rules), languages, dependencies,
//! comments, security labels, publications and tablespaces.

use super::*;

pub(super) const PG_PROC: Relation = Relation {
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
            M("Function.kind; 'a' is an Aggregate (window functions are not managed)"),
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
        ("proacl", GRANTS),
    ],
};

pub(super) const PG_AGGREGATE: Relation = Relation {
    name: "pg_aggregate",
    columns: &[
        ("aggfnoid", I("join key: the aggregate's pg_proc row")),
        (
            "aggkind",
            w(
                "ordered-set and hypothetical-set aggregates are not managed (not read)",
                "aggregate kind",
            ),
        ),
        (
            "aggnumdirectargs",
            I("direct arguments exist only for ordered-set aggregates (warned by aggkind)"),
        ),
        ("aggtransfn", M("Aggregate.state_func")),
        ("aggfinalfn", M("Aggregate.final_func")),
        (
            "aggcombinefn",
            w("partial aggregation is not modeled", "COMBINEFUNC"),
        ),
        (
            "aggserialfn",
            w("partial aggregation is not modeled", "SERIALFUNC"),
        ),
        (
            "aggdeserialfn",
            w("partial aggregation is not modeled", "DESERIALFUNC"),
        ),
        (
            "aggmtransfn",
            w("moving-aggregate mode is not modeled", "MSFUNC"),
        ),
        (
            "aggminvtransfn",
            w("moving-aggregate mode is not modeled", "MINVFUNC"),
        ),
        (
            "aggmfinalfn",
            w("moving-aggregate mode is not modeled", "MFINALFUNC"),
        ),
        (
            "aggfinalextra",
            w("FINALFUNC_EXTRA is not modeled", "FINALFUNC_EXTRA"),
        ),
        (
            "aggmfinalextra",
            w("moving-aggregate mode is not modeled", "MFINALFUNC_EXTRA"),
        ),
        (
            "aggfinalmodify",
            w("FINALFUNC_MODIFY is not modeled", "FINALFUNC_MODIFY"),
        ),
        (
            "aggmfinalmodify",
            w("moving-aggregate mode is not modeled", "MFINALFUNC_MODIFY"),
        ),
        ("aggsortop", w("a sort operator is not modeled", "SORTOP")),
        ("aggtranstype", M("Aggregate.state_type")),
        (
            "aggtransspace",
            w("the state size estimate is not modeled", "SSPACE"),
        ),
        (
            "aggmtranstype",
            w("moving-aggregate mode is not modeled", "MSTYPE"),
        ),
        (
            "aggmtransspace",
            w("moving-aggregate mode is not modeled", "MSSPACE"),
        ),
        ("agginitval", M("Aggregate.initial_value")),
        (
            "aggminitval",
            w("moving-aggregate mode is not modeled", "MINITCOND"),
        ),
    ],
};

pub(super) const PG_EVENT_TRIGGER: Relation = Relation {
    name: "pg_event_trigger",
    columns: &[
        ("oid", OID),
        ("evtname", M("EventTrigger.name")),
        ("evtevent", M("EventTrigger.event")),
        ("evtowner", OWNER),
        ("evtfoid", M("EventTrigger.function")),
        ("evtenabled", M("EventTrigger.enabled")),
        ("evttags", M("EventTrigger.tags")),
    ],
};

pub(super) const PG_TRIGGER: Relation = Relation {
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
};

pub(super) const PG_POLICY: Relation = Relation {
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
};

pub(super) const PG_EXTENSION: Relation = Relation {
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
};

pub(super) const PG_DEPEND: Relation = Relation {
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
};

pub(super) const PG_DESCRIPTION: Relation = Relation {
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
};

pub(super) const PG_REWRITE: Relation = Relation {
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
};

pub(super) const PG_LANGUAGE: Relation = Relation {
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
};

pub(super) const PG_SECLABEL: Relation = Relation {
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
};

pub(super) const PG_PUBLICATION_REL: Relation = Relation {
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
};

pub(super) const PG_PUBLICATION_NAMESPACE: Relation = Relation {
    name: "pg_publication_namespace",
    columns: &[
        ("oid", OID),
        (
            "pnpubid",
            w("publication membership is not modeled", "publication"),
        ),
        ("pnnspid", I("join key: the schema")),
    ],
};

pub(super) const PG_PUBLICATION: Relation = Relation {
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
};

pub(super) const PG_TABLESPACE: Relation = Relation {
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
};
