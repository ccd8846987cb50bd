//! What the filter pickers offer: groups that have sold, plus every seller kind and buyer kind.

use super::require_official;
use crate::Stats;
use crate::domain::{BuyerKind, Dim};
use crate::error::Result;
use crate::store::keys;
use farmgate_catalog::read::stats as catalog;
use farmgate_identity::{Actor, OrgKind};
use farmgate_kernel::id::CategoryId;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Choice {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// For a category: its top-level category's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

/// What the filter pickers offer (groups that have sold, plus every seller kind and buyer
/// kind).
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Dimensions {
    pub townships: Vec<Choice>,
    pub villages: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub category_roots: Vec<Choice>,
    pub seller_kinds: Vec<Choice>,
    pub buyer_kinds: Vec<Choice>,
    pub dest_provinces: Vec<Choice>,
    pub dest_cities: Vec<Choice>,
}

/// The dimensions whose sold groups the pickers list.
const SOLD: [Dim; 6] = [
    Dim::Township,
    Dim::Village,
    Dim::Category,
    Dim::CategoryRoot,
    Dim::DestProvince,
    Dim::DestCity,
];

impl Stats {
    /// The filter pickers' choices.
    #[tracing::instrument(skip_all)]
    pub async fn dimensions(&self, actor: &Actor) -> Result<Dimensions> {
        require_official(actor)?;
        let db = self.read();
        let mut out = Dimensions {
            seller_kinds: OrgKind::ALL
                .iter()
                .filter(|k| k.is_seller())
                .map(|k| Choice {
                    key: k.as_str().to_owned(),
                    label: k.label_zh().to_owned(),
                    label_en: k.label_en().to_owned(),
                    root: None,
                })
                .collect(),
            buyer_kinds: BuyerKind::ALL
                .iter()
                .map(|k| Choice {
                    key: k.as_str().to_owned(),
                    label: k.label_zh().to_owned(),
                    label_en: k.label_en().to_owned(),
                    root: None,
                })
                .collect(),
            ..Dimensions::default()
        };
        // Each category's top-level category, for grouping the picker.
        let parents: HashMap<CategoryId, Option<CategoryId>> = catalog::categories(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.parent))
            .collect();
        let root_of = |key: &str| {
            let Ok(mut at) = key.parse::<CategoryId>() else {
                return key.to_owned();
            };
            for _ in 0..16 {
                match parents.get(&at).copied().flatten() {
                    Some(p) => at = p,
                    None => break,
                }
            }
            at.to_string()
        };
        for k in keys::keys_of(db, &SOLD).await? {
            let c = Choice {
                root: (k.dim == Dim::Category).then(|| root_of(&k.key.code)),
                key: k.key.code,
                label: k.key.label,
                label_en: k.key.label_en,
            };
            match k.dim {
                Dim::Township => out.townships.push(c),
                Dim::Village => out.villages.push(c),
                Dim::Category => out.categories.push(c),
                Dim::CategoryRoot => out.category_roots.push(c),
                Dim::DestProvince => out.dest_provinces.push(c),
                _ => out.dest_cities.push(c),
            }
        }
        Ok(out)
    }
}
