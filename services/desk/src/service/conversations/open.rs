//! A buyer opens a conversation with the seller of a listing, or with a seller of their
//! order. One conversation per buyer, subject and seller: opening again returns it, and two
//! opens at once make one (the unique index decides, the loser reads the winner's).

use crate::Desk;
use crate::domain::conversation::ConversationSubject;
use crate::error::{DeskError, Result};
use crate::store::conversation;
use crate::store::queries::conversations as q;
use farmgate_catalog::CatalogError;
use farmgate_identity::Actor;
use farmgate_infra::db::unique_violation;
use farmgate_kernel::id::{ListingId, OrderId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use farmgate_orders::OrdersError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What to talk about: a listing, or an order (with the seller, when it has several).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenConversation {
    #[serde(default)]
    pub listing_id: Option<Uuid>,
    #[serde(default)]
    pub order_id: Option<Uuid>,
    /// Which seller of the order; needed only when the order has several.
    #[serde(default)]
    pub seller_org_id: Option<Uuid>,
}

fn not_found(field: &str) -> DeskError {
    FieldError::new(
        field,
        "not_found",
        "找不到该记录，或你无权查看",
        "no such record that you may see",
    )
    .into()
}

/// The subject, its seller and their names, once checked.
struct Subject {
    kind: ConversationSubject,
    id: Uuid,
    seller: Uuid,
    seller_name: String,
    title: String,
}

impl Desk {
    /// Opens (or finds) the buyer's conversation; `true` when it is new.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn open_conversation(
        &self,
        actor: &Actor,
        o: &OpenConversation,
    ) -> Result<(conversation::Model, bool)> {
        if actor.is_staff_or_official() {
            return Err(DeskError::Forbidden);
        }
        let s = match (o.listing_id, o.order_id) {
            (Some(l), None) => self.listing_subject(actor, l, o.seller_org_id).await?,
            (None, Some(id)) => self.order_subject(actor, id, o.seller_org_id).await?,
            _ => {
                return Err(ValidationErrors::from(FieldError::new(
                    "listing_id",
                    "required",
                    "请给出商品或订单之一",
                    "give either a listing or an order",
                ))
                .into());
            }
        };
        if actor.membership(OrgId(s.seller)).is_some() {
            // A seller's own members do not consult themselves.
            return Err(DeskError::Forbidden);
        }
        let me = actor.account_id.as_uuid();
        let db = &self.infra().db;
        if let Some(c) = q::by_subject(db, me, s.kind, s.id, s.seller).await? {
            return Ok((c, false));
        }
        let c = conversation::Model {
            id: Uuid::now_v7(),
            buyer_account_id: me,
            buyer_name: actor.display_name.chars().take(60).collect(),
            seller_org_id: s.seller,
            seller_name: s.seller_name.chars().take(100).collect(),
            subject_kind: s.kind,
            subject_id: s.id,
            title: s.title.chars().take(200).collect(),
            buyer_unread: 0,
            seller_unread: 0,
            buyer_noticed: false,
            seller_noticed: false,
            last_message_id: None,
            last_message_at: None,
            first_buyer_message_at: None,
            first_seller_reply_at: None,
            created_at: self.now(),
        };
        match q::insert(db, c.clone()).await {
            Ok(()) => Ok((c, true)),
            Err(e) if unique_violation(&e).is_some() => {
                let c = q::by_subject(db, me, s.kind, s.id, s.seller)
                    .await?
                    .ok_or_else(|| DeskError::Internal("a conversation vanished".to_owned()))?;
                Ok((c, false))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn listing_subject(
        &self,
        actor: &Actor,
        id: Uuid,
        seller: Option<Uuid>,
    ) -> Result<Subject> {
        let b = match self
            .inner
            .catalog
            .listing_for(Some(actor), ListingId(id))
            .await
        {
            Ok(b) => b,
            Err(CatalogError::NotFound(_) | CatalogError::Forbidden) => {
                return Err(not_found("listing_id"));
            }
            Err(e) => return Err(DeskError::Internal(format!("reading a listing: {e}"))),
        };
        if seller.is_some_and(|s| s != b.seller_id().0) {
            return Err(not_found("seller_org_id"));
        }
        Ok(Subject {
            kind: ConversationSubject::Listing,
            id,
            seller: b.seller_id().0,
            seller_name: b.seller.name.clone(),
            title: b.listing.title.clone(),
        })
    }

    async fn order_subject(
        &self,
        actor: &Actor,
        id: Uuid,
        seller: Option<Uuid>,
    ) -> Result<Subject> {
        let r = match self.inner.orders.order_for(actor, OrderId(id)).await {
            Ok(r) => r,
            Err(OrdersError::NotFound(_) | OrdersError::Forbidden) => {
                return Err(not_found("order_id"));
            }
            Err(e) => return Err(DeskError::Internal(format!("reading an order: {e}"))),
        };
        // Only the buyer opens a conversation about an order; its sellers answer.
        if r.order.buyer_account_id != actor.account_id.as_uuid() {
            return Err(not_found("order_id"));
        }
        let sellers: Vec<Uuid> = r.subs.iter().map(|s| s.seller_org_id).collect();
        let seller = match (seller, sellers.as_slice()) {
            (Some(s), _) if sellers.contains(&s) => s,
            (Some(_), _) => return Err(not_found("seller_org_id")),
            (None, [only]) => *only,
            (None, _) => {
                return Err(FieldError::new(
                    "seller_org_id",
                    "required",
                    "该订单有多个商家，请选择要联系的商家",
                    "this order has several sellers; say which one",
                )
                .into());
            }
        };
        Ok(Subject {
            kind: ConversationSubject::Order,
            id,
            seller,
            seller_name: r.seller_names.get(&seller).cloned().unwrap_or_default(),
            title: r.order.number.clone(),
        })
    }
}
