//! Everything specific to PostgreSQL: connections, catalog inspection, DDL text, type names,
//! quoting and the spelling PostgreSQL gives defaults and generated names.

pub mod connect;
pub mod coverage;
pub mod databases;
pub mod ddl;
pub mod ddl_objects;
pub mod defaults;
pub mod ident;
pub mod inspect;
pub mod locks;
pub mod names;
pub mod quote;
pub mod relations;
pub mod rows;
pub mod session;
pub mod types;
