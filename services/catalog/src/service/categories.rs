//! The category tree: read by everyone, edited by the operator. A change reindexes the
//! category's listings through the outbox.

use super::{CategoryPatch, NewCategoryRequest, topics};
use crate::Catalog;
use crate::domain::{inherited_ship_within, valid_ship_within};
use crate::error::{CatalogError, Missing, Result};
use crate::store::category;
use crate::store::queries::categories;
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::CategoryId;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

fn claim_window_error() -> FieldError {
    FieldError::new(
        "claim_window_hours",
        "out_of_range",
        "理赔时限应在 1 到 720 小时之间",
        "between 1 and 720 hours",
    )
}

fn ship_within_error() -> FieldError {
    FieldError::new(
        "ship_within_hours",
        "out_of_range",
        "发货时限应在 12 到 240 小时之间",
        "between 12 and 240 hours",
    )
}

fn commission_error() -> FieldError {
    FieldError::new(
        "commission_bp",
        "out_of_range",
        "佣金比例应在 0 到 50% 之间",
        "between 0 and 5000 basis points",
    )
}

impl Catalog {
    /// Every category, in display order.
    pub async fn categories(&self) -> Result<Vec<category::Model>> {
        Ok(categories::all(&self.infra().db).await?)
    }

    /// The ship-within in force for a category path (root first, as [`Self::path_in`] gives
    /// it): the nearest one set, else the platform's default.
    pub(crate) fn ship_within_of(&self, path: &[category::Model]) -> i32 {
        inherited_ship_within(path.iter().rev().map(|c| c.ship_within_hours))
            .unwrap_or(self.default_ship_within_hours())
    }

    /// The category and its ancestors, root first.
    pub(crate) fn path_in(all: &[category::Model], id: Uuid) -> Vec<category::Model> {
        let mut path = Vec::new();
        let mut cur = all.iter().find(|c| c.id == id);
        while let Some(c) = cur {
            if path.iter().any(|p: &category::Model| p.id == c.id) {
                break; // a cycle would be a data error; never loop forever
            }
            path.push(c.clone());
            cur = c.parent_id.and_then(|p| all.iter().find(|x| x.id == p));
        }
        path.reverse();
        path
    }

    /// Adds a category (operator): a root, or a child of a root (two levels at most).
    #[tracing::instrument(skip_all, fields(category.slug = %req.slug))]
    pub async fn create_category(
        &self,
        actor: &Actor,
        req: NewCategoryRequest,
    ) -> Result<category::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let mut errs = ValidationErrors::new();
        let name = errs.check("name", clean_text(&req.name, 1, 20, false));
        let name_en = errs.check("name_en", clean_text(&req.name_en, 1, 40, false));
        let slug = req.slug.trim().to_lowercase();
        if slug.is_empty()
            || slug.len() > 40
            || !slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            errs.push(FieldError::new(
                "slug",
                "invalid",
                "别名只能包含小写字母、数字和连字符",
                "use lower-case letters, digits and hyphens",
            ));
        }
        let window = req.claim_window_hours.unwrap_or(48);
        if !(1..=720).contains(&window) {
            errs.push(claim_window_error());
        }
        let commission = req.commission_bp.unwrap_or(500);
        if !(0..=5000).contains(&commission) {
            errs.push(commission_error());
        }
        if req.ship_within_hours.is_some_and(|h| !valid_ship_within(h)) {
            errs.push(ship_within_error());
        }
        let all = self.categories().await?;
        if let Some(p) = req.parent_id {
            match all.iter().find(|c| c.id == p.as_uuid()) {
                None => errs.push(FieldError::new(
                    "parent_id",
                    "not_found",
                    "上级类目不存在",
                    "no such parent category",
                )),
                Some(parent) if parent.parent_id.is_some() => errs.push(FieldError::new(
                    "parent_id",
                    "too_deep",
                    "类目最多两级",
                    "categories have two levels at most",
                )),
                Some(_) => {}
            }
        }
        if all.iter().any(|c| c.slug == slug) {
            errs.push(FieldError::new(
                "slug",
                "taken",
                "别名已被使用",
                "this slug is taken",
            ));
        }
        let (Some(name), Some(name_en)) = (name, name_en) else {
            return Err(errs.into());
        };
        errs.finish()?;
        let model = category::Model {
            id: CategoryId::new().as_uuid(),
            parent_id: req.parent_id.map(|p| p.as_uuid()),
            name,
            name_en,
            slug,
            sort_order: req.sort_order,
            active: true,
            claim_window_hours: window,
            commission_bp: commission,
            created_at: self.now(),
            ship_within_hours: req.ship_within_hours,
        };
        categories::insert(&self.infra().db, &model).await?;
        Ok(model)
    }

    /// Changes a category (operator); its listings are reindexed.
    #[tracing::instrument(skip_all, fields(category.id = %id))]
    pub async fn update_category(
        &self,
        actor: &Actor,
        id: CategoryId,
        patch: CategoryPatch,
    ) -> Result<category::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let current = categories::by_id(&self.infra().db, id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Category))?;
        let mut errs = ValidationErrors::new();
        let mut active: category::ActiveModel = current.into();
        if let Some(n) = &patch.name
            && let Some(n) = errs.check("name", clean_text(n, 1, 20, false))
        {
            active.name = Set(n);
        }
        if let Some(n) = &patch.name_en
            && let Some(n) = errs.check("name_en", clean_text(n, 1, 40, false))
        {
            active.name_en = Set(n);
        }
        if let Some(o) = patch.sort_order {
            active.sort_order = Set(o);
        }
        if let Some(a) = patch.active {
            active.active = Set(a);
        }
        if let Some(w) = patch.claim_window_hours {
            if (1..=720).contains(&w) {
                active.claim_window_hours = Set(w);
            } else {
                errs.push(claim_window_error());
            }
        }
        if let Some(c) = patch.commission_bp {
            if (0..=5000).contains(&c) {
                active.commission_bp = Set(c);
            } else {
                errs.push(commission_error());
            }
        }
        if let Some(h) = patch.ship_within_hours {
            if h.is_none_or(valid_ship_within) {
                active.ship_within_hours = Set(h);
            } else {
                errs.push(ship_within_error());
            }
        }
        errs.finish()?;
        let txn = begin_write(&self.infra().db).await?;
        let updated = active.update(&txn).await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::CATEGORY_CHANGED,
                &json!({ "category_id": id }),
            )
            .await?;
        self.commit(txn).await?;
        Ok(updated)
    }
}
