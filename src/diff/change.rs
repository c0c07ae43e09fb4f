//! What the differ produces: `Change`, `TableDiff` with its `TableChange`s, and `UnsupportedChange`.

use super::*;

/// One change to the database, in the vocabulary of the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// From a `moved` block: runs before everything else.
    RenameSchema {
        from: String,
        to: String,
    },
    /// From a `moved` block (also across schemas).
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    CreateSchema(Schema),
    DropSchema(Schema),
    /// Comment change.
    AlterSchema {
        from: Schema,
        to: Schema,
    },
    CreateEnum(Enum),
    DropEnum(Enum),
    /// Values appended or inserted (existing values keep their order), and/or a comment change.
    AlterEnum {
        from: Enum,
        to: Enum,
        added: Vec<EnumValueAdd>,
    },
    CreateTable(Table),
    DropTable(Table),
    AlterTable(Box<TableDiff>),
    /// Values removed or reordered: the type is rebuilt and its columns converted.
    RebuildEnum {
        from: Enum,
        to: Enum,
    },
    CreateExtension(Extension),
    DropExtension(Extension),
    AlterExtension {
        from: Extension,
        to: Extension,
    },
    CreateSequence(Sequence),
    DropSequence(Sequence),
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    CreateCollation(Collation),
    DropCollation(Collation),
    /// A comment change; any other change drops and creates the collation.
    AlterCollation {
        from: Collation,
        to: Collation,
    },
    CreateDomain(Domain),
    DropDomain(Domain),
    AlterDomain {
        from: Domain,
        to: Domain,
    },
    CreateComposite(Composite),
    DropComposite(Composite),
    AlterComposite {
        from: Composite,
        to: Composite,
    },
    CreateFunction(Function),
    DropFunction(Function),
    /// `CREATE OR REPLACE` (same signature and return type) or a comment change.
    ReplaceFunction {
        from: Function,
        to: Function,
    },
    CreateAggregate(Aggregate),
    DropAggregate(Aggregate),
    /// `CREATE OR REPLACE AGGREGATE` (same arguments and result type) or a comment change.
    ReplaceAggregate {
        from: Aggregate,
        to: Aggregate,
    },
    CreateEventTrigger(EventTrigger),
    DropEventTrigger(EventTrigger),
    /// Enabled state or comment.
    AlterEventTrigger {
        from: EventTrigger,
        to: EventTrigger,
    },
    CreateView(View),
    DropView(View),
    /// Options, comments, materialized view indexes, refresh.
    AlterView {
        from: View,
        to: View,
    },
    CreateTrigger {
        on: Rel,
        trigger: Trigger,
    },
    DropTrigger {
        on: Rel,
        trigger: Trigger,
    },
    /// Enabled state or comment.
    AlterTrigger {
        on: Rel,
        from: Trigger,
        to: Trigger,
    },
    /// A column default that depends on an object being rebuilt: dropped first…
    DropDefault {
        table: QualifiedName,
        column: Column,
    },
    /// …and set again afterwards.
    SetDefault {
        table: QualifiedName,
        column: Column,
    },
    CreatePolicy {
        on: QualifiedName,
        policy: Policy,
    },
    DropPolicy {
        on: QualifiedName,
        policy: Policy,
    },
    AlterPolicy {
        on: QualifiedName,
        from: Policy,
        to: Policy,
    },
    CreateRole(Role),
    DropRole(Role),
    /// Attributes (`ALTER ROLE … LOGIN CONNECTION LIMIT …`).
    AlterRole {
        from: Role,
        to: Role,
    },
    /// `GRANT parent TO role`.
    GrantMembership {
        role: String,
        parent: String,
    },
    /// `REVOKE parent FROM role`.
    RevokeMembership {
        role: String,
        parent: String,
    },
    /// Privileges of one role on one object granted (with the grant option where asked).
    GrantPrivileges {
        grantee: String,
        on: ObjectId,
        grants: Vec<Grant>,
    },
    /// Privileges of one role on one object revoked; `option_only` ones keep the privilege and
    /// lose the grant option.
    RevokePrivileges {
        grantee: String,
        on: ObjectId,
        revokes: Vec<Revoke>,
    },
    /// Default privileges granted, all of one grantee, owner, schema and kind
    /// (`ALTER DEFAULT PRIVILEGES … GRANT`).
    GrantDefaults(Vec<DefaultGrant>),
    /// Default privileges revoked (`true`: the grant option only), all of one grantee, owner,
    /// schema and kind.
    RevokeDefaults(Vec<(DefaultGrant, bool)>),
}

/// One privilege revoked (see [`Change::RevokePrivileges`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Revoke {
    pub(crate) grant: Grant,
    /// `REVOKE GRANT OPTION FOR`: the privilege stays.
    pub(crate) option_only: bool,
}

/// Changes inside one table that exists on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDiff {
    pub(crate) from: Table,
    pub(crate) to: Table,
    pub(crate) changes: Vec<TableChange>,
}

/// A change inside a table.
// `AlterColumn` holds two columns; changes live in short per-table vectors, so boxing it
// would cost an allocation per column change for no measurable gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TableChange {
    SetComment {
        from: Option<String>,
        to: Option<String>,
    },
    AddColumn(Column),
    DropColumn(Column),
    /// From a `moved` block.
    RenameColumn {
        from: String,
        to: String,
    },
    AlterColumn {
        from: Column,
        to: Column,
    },
    AddPrimaryKey(PrimaryKey),
    DropPrimaryKey(PrimaryKey),
    AddUnique(Unique),
    DropUnique(Unique),
    AddCheck(Check),
    DropCheck(Check),
    AddForeignKey(ForeignKey),
    DropForeignKey(ForeignKey),
    AddIndex(Index),
    DropIndex(Index),
    /// `ADD CONSTRAINT … USING INDEX`: a declared primary key or unique constraint takes over
    /// a unique index the table already has with exactly its definition (one an interrupted
    /// online apply built, or one made by hand) instead of dropping it and building another.
    AdoptIndex {
        index: String,
        key: AdoptedKey,
    },
    /// A constraint whose definition is unchanged but whose name differs.
    RenameConstraint {
        from: String,
        to: String,
    },
    RenameIndex {
        from: String,
        to: String,
    },
    /// Comment change on a constraint (`kind` is `constraint`) or an index (`index`).
    CommentOn {
        kind: CommentKind,
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
    AddExclude(Exclude),
    DropExclude(Exclude),
    /// `VALIDATE CONSTRAINT`: a `NOT VALID` check or foreign key declared valid.
    ValidateConstraint(String),
    /// `SET (…)` / `RESET (…)` of the table's storage parameters.
    SetStorageParams {
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `ALTER INDEX … SET (…)` / `RESET (…)`: an index whose only change is its storage
    /// parameters (no rebuild).
    SetIndexStorageParams {
        index: String,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `REPLICA IDENTITY …`.
    SetReplicaIdentity {
        from: ReplicaIdentity,
        to: ReplicaIdentity,
    },
    /// `ENABLE`/`DISABLE`/`FORCE`/`NO FORCE ROW LEVEL SECURITY`.
    SetRowSecurity {
        enabled: bool,
        forced: bool,
        was_enabled: bool,
        was_forced: bool,
    },
    /// `SET LOGGED` / `SET UNLOGGED`.
    SetLogged {
        unlogged: bool,
    },
    /// `ATTACH PARTITION` to a parent.
    Attach(PartitionOf),
    /// `DETACH PARTITION` from a parent.
    Detach(PartitionOf),
    /// `INHERIT parent`.
    Inherit(QualifiedName),
    /// `NO INHERIT parent`.
    NoInherit(QualifiedName),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommentKind {
    Constraint,
    Index,
}

/// The constraint an [`TableChange::AdoptIndex`] adds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AdoptedKey {
    Primary(PrimaryKey),
    Unique(Unique),
}

impl AdoptedKey {
    pub(crate) fn name(&self) -> &str {
        match self {
            AdoptedKey::Primary(pk) => &pk.name,
            AdoptedKey::Unique(u) => &u.name,
        }
    }
}

/// A change strata will not make automatically.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::unsupported_change))]
pub struct UnsupportedChange {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}
