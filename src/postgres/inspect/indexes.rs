//! Index rows.

use super::*;

/// An index row, kept small until column names are known.
pub(super) struct IdxRow {
    pub(super) rel: u32,
    pub(super) name: String,
    pub(super) unique: bool,
    pub(super) method: String,
    pub(super) nkey: i16,
    pub(super) attnums: Vec<i16>,
    pub(super) exprs: Vec<Option<String>>,
    pub(super) options: Vec<i16>,
    pub(super) opclasses: Vec<u32>,
    pub(super) collations: Vec<Option<String>>,
    pub(super) predicate: Option<String>,
    pub(super) nulls_not_distinct: bool,
    pub(super) comment: Option<String>,
    pub(super) valid: bool,
    pub(super) storage_params: Option<Vec<String>>,
    /// `[[attnum, opclass, [option, …]], …]` for the keys with operator-class parameters.
    pub(super) opclass_params: Option<serde_json::Value>,
    /// Attached to an index of the partitioned parent.
    pub(super) attached: bool,
}

impl IdxRow {
    pub(super) fn from_row(r: &Row) -> Result<IdxRow, RowError> {
        let r = Cols::new(r, "indexes");
        Ok(IdxRow {
            rel: r.col("indrelid")?,
            name: r.col("indname")?,
            unique: r.col("indisunique")?,
            method: r.col("amname")?,
            nkey: r.col("indnkeyatts")?,
            attnums: r.col("attnums")?,
            exprs: r
                .col::<Option<Vec<Option<String>>>>("exprs")?
                .unwrap_or_default(),
            options: r.col("options")?,
            opclasses: r.col("opclasses")?,
            collations: r
                .col::<Option<Vec<Option<String>>>>("collations")?
                .unwrap_or_default(),
            predicate: r.col("pred")?,
            nulls_not_distinct: r.col("nulls_not_distinct")?,
            comment: r.col("comment")?,
            valid: r.col("indisvalid")?,
            storage_params: r.col("storage_params")?,
            opclass_params: r.col("opclass_params")?,
            attached: r.col("attached")?,
        })
    }

    /// The operator class and its parameters of key `attnum` (1-based), when it has any.
    pub(super) fn opclass_params(
        &self,
        attnum: usize,
    ) -> Option<(String, BTreeMap<String, String>)> {
        let rows = self.opclass_params.as_ref()?.as_array()?;
        rows.iter().find_map(|row| {
            let [num, opclass, options] = row.as_array()?.as_slice() else {
                return None;
            };
            if num.as_u64()? != attnum as u64 {
                return None;
            }
            let opclass = opclass.as_str()?.to_string();
            let options: Vec<String> = options
                .as_array()?
                .iter()
                .filter_map(|o| o.as_str().map(str::to_string))
                .collect();
            Some((opclass, storage_params(Some(&options))))
        })
    }

    pub(super) fn into_index(
        self,
        attname: &dyn Fn(u32, i16) -> String,
        opclass: &dyn Fn(u32) -> Option<String>,
    ) -> Index {
        let nkey = usize::try_from(self.nkey)
            .unwrap_or(0)
            .min(self.attnums.len());
        let mut parts = Vec::with_capacity(nkey);
        let mut include = Vec::with_capacity(self.attnums.len() - nkey);
        for (i, n) in self.attnums.iter().enumerate() {
            let key = if *n == 0 {
                IndexKey::Expr(self.exprs.get(i).cloned().flatten().unwrap_or_default())
            } else {
                IndexKey::Column(attname(self.rel, *n))
            };
            if i as i16 >= self.nkey {
                if let IndexKey::Column(c) = key {
                    include.push(c);
                }
                continue;
            }
            let opt = self.options.get(i).copied().unwrap_or(0);
            // A parametrized operator class is written even when it is the type's default:
            // the parameters cannot be spelled without it.
            let (opclass, opclass_params) = match self.opclass_params(i + 1) {
                Some((name, params)) => (Some(name), params),
                None => (
                    self.opclasses.get(i).and_then(|o| opclass(*o)),
                    BTreeMap::new(),
                ),
            };
            parts.push(IndexPart {
                key,
                desc: opt & 1 != 0,
                nulls_first: opt & 2 != 0,
                opclass,
                opclass_params,
                collation: self.collations.get(i).cloned().flatten(),
            });
        }
        Index {
            name: self.name,
            unique: self.unique,
            method: self.method,
            parts,
            include,
            predicate: self.predicate,
            nulls_distinct: !self.nulls_not_distinct,
            comment: self.comment,
            storage_params: storage_params(self.storage_params.as_deref()),
            invalid: !self.valid,
        }
    }
}
