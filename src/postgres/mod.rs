//! Everything specific to PostgreSQL: connections, catalog inspection, DDL text, type names,
//! quoting and the spelling PostgreSQL gives defaults and generated names.

pub mod connect;
pub mod coverage;
pub(crate) mod databases;
pub(crate) mod ddl;
pub(crate) mod ddl_objects;
pub(crate) mod defaults;
pub(crate) mod ident;
pub mod inspect;
pub(crate) mod locks;
pub(crate) mod names;
pub mod quote;
pub(crate) mod relations;
pub mod rows;
pub(crate) mod session;
pub(crate) mod types;
