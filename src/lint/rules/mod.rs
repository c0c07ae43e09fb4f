//! One file per rule. `ALL` lists them in code order; a unit test keeps it that way.

mod bc101_rename_table;
mod bc102_rename_column;
mod bc103_drop_routine;
mod bc104_drop_view;
mod bc105_drop_column_in_use;
mod bc106_drop_table_in_use;
mod cd101_drop_foreign_key;
mod ds101_drop_schema;
mod ds102_drop_table;
mod ds103_drop_column;
mod ds104_drop_sequence;
mod ds105_enum_value_removed;
mod ds106_drop_extension;
mod ds107_drop_composite_field;
mod ds108_drop_role;
pub(crate) mod dt101_lossy_type_change;
mod ex101_extension_update;
mod mf101_unique_on_existing;
mod mf103_not_null_column_without_default;
mod mf104_set_not_null;
mod mf105_check_on_existing;
mod mf106_foreign_key_on_existing;
mod mf107_domain_constraint;
mod mf108_exclusion_on_existing;
mod pg101_index_not_concurrent;
mod pg102_drop_index_not_concurrent;
mod pg103_concurrently_in_transaction;
mod pg104_primary_key_lock;
mod pg105_unique_lock;
mod pg301_type_change_rewrite;
mod pg302_rewriting_new_column;
mod pg303_set_not_null_scan;
mod pg305_check_scan;
mod pg306_foreign_key_scan;
mod pg307_set_logged;
mod pg308_enum_rebuild;
mod sc101_policy_change;
mod sc102_rls_relaxed;
mod sc103_rls_enabled;
mod sc104_drop_event_trigger;
mod sc105_access_removed;
mod st100_cannot_analyze;
mod st101_prefer_bigint;
mod st102_prefer_identity;
mod st103_prefer_text;
mod st104_prefer_timestamptz;
mod st105_identifier_length;
mod st106_foreign_key_without_index;
#[cfg(test)]
mod testing;
mod tx101_outside_transaction;

use super::Rule;

pub(crate) static ALL: &[&Rule] = &[
    &bc101_rename_table::RULE,
    &bc102_rename_column::RULE,
    &bc103_drop_routine::RULE,
    &bc104_drop_view::RULE,
    &bc105_drop_column_in_use::RULE,
    &bc106_drop_table_in_use::RULE,
    &cd101_drop_foreign_key::RULE,
    &ds101_drop_schema::RULE,
    &ds102_drop_table::RULE,
    &ds103_drop_column::RULE,
    &ds104_drop_sequence::RULE,
    &ds105_enum_value_removed::RULE,
    &ds106_drop_extension::RULE,
    &ds107_drop_composite_field::RULE,
    &ds108_drop_role::RULE,
    &dt101_lossy_type_change::RULE,
    &ex101_extension_update::RULE,
    &mf101_unique_on_existing::RULE,
    &mf103_not_null_column_without_default::RULE,
    &mf104_set_not_null::RULE,
    &mf105_check_on_existing::RULE,
    &mf106_foreign_key_on_existing::RULE,
    &mf107_domain_constraint::RULE,
    &mf108_exclusion_on_existing::RULE,
    &pg101_index_not_concurrent::RULE,
    &pg102_drop_index_not_concurrent::RULE,
    &pg103_concurrently_in_transaction::RULE,
    &pg104_primary_key_lock::RULE,
    &pg105_unique_lock::RULE,
    &pg301_type_change_rewrite::RULE,
    &pg302_rewriting_new_column::RULE,
    &pg303_set_not_null_scan::RULE,
    &pg305_check_scan::RULE,
    &pg306_foreign_key_scan::RULE,
    &pg307_set_logged::RULE,
    &pg308_enum_rebuild::RULE,
    &sc101_policy_change::RULE,
    &sc102_rls_relaxed::RULE,
    &sc103_rls_enabled::RULE,
    &sc104_drop_event_trigger::RULE,
    &sc105_access_removed::RULE,
    &st100_cannot_analyze::RULE,
    &st101_prefer_bigint::RULE,
    &st102_prefer_identity::RULE,
    &st103_prefer_text::RULE,
    &st104_prefer_timestamptz::RULE,
    &st105_identifier_length::RULE,
    &st106_foreign_key_without_index::RULE,
    &tx101_outside_transaction::RULE,
];
