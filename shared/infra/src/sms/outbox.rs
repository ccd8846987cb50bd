//! The embedded SMS backend: every message is a row in `sms_outbox` and nothing leaves the
//! machine. The demo works without a provider (the operator reads the codes on a page), and
//! tests read the code a phone was sent. The table lives in the database, so with several
//! replicas any of them can show what another one "sent".
//!
//! This is not a production backend: codes are stored readable so that someone can read them.
//! [`SmsOutbox::purge_before`] keeps the table short.

use super::{ProviderReply, SmsError, SmsMessage, SmsReceipt, SmsSender, SmsTemplate};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use farmgate_kernel::{Clock, Page, Paged, Phone};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub mod entity {
    //! `sms_outbox`, owned by infra.

    use crate::sms::SmsTemplate;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sms_outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The 11-digit number.
        pub phone: String,
        pub template: SmsTemplate,
        /// `[["code", "123456"]]`: name → value pairs, in the template's order.
        pub params: Json,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

const BACKEND: &str = "outbox";

/// A stored message, as the operator's page and the tests read it.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub to: Phone,
    pub template: SmsTemplate,
    /// Name → value, in the template's order.
    pub params: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
}

impl OutboxMessage {
    /// One variable's value (`param("code")`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for OutboxMessage {
    // Like `SmsMessage`: the phone masked, the values (codes) hidden.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("to", &self.to.masked())
            .field("template", &self.template)
            .field("params", &names)
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl TryFrom<entity::Model> for OutboxMessage {
    type Error = DbErr;

    fn try_from(row: entity::Model) -> Result<Self, DbErr> {
        let to = Phone::parse(&row.phone)
            .map_err(|_| DbErr::Type(format!("sms_outbox {}: not a phone number", row.id)))?;
        let params: Vec<(String, String)> = serde_json::from_value(row.params)
            .map_err(|e| DbErr::Type(format!("sms_outbox {}: params: {e}", row.id)))?;
        Ok(Self {
            id: row.id,
            to,
            template: row.template,
            params,
            created_at: row.created_at,
        })
    }
}

/// Stores messages instead of sending them.
#[derive(Clone, Debug)]
pub struct SmsOutbox {
    db: DatabaseConnection,
    clock: Clock,
}

impl SmsOutbox {
    /// `clock` stamps the rows, so a test with a manual clock sees its own time.
    pub fn new(db: DatabaseConnection, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The most recent messages first.
    pub async fn recent(&self, page: Page) -> Result<Paged<OutboxMessage>, DbErr> {
        recent(&self.db, page).await
    }

    /// The last message sent to `phone`.
    pub async fn latest_to(&self, phone: &Phone) -> Result<Option<OutboxMessage>, DbErr> {
        latest_to(&self.db, phone).await
    }

    /// Deletes messages older than `before`; returns how many.
    pub async fn purge_before(&self, before: DateTime<Utc>) -> Result<u64, DbErr> {
        purge_before(&self.db, before).await
    }
}

#[async_trait]
impl SmsSender for SmsOutbox {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    #[tracing::instrument(skip_all, fields(sms.backend = BACKEND, sms.to = %message.to().masked(), sms.template = %message.template()))]
    async fn send(&self, message: &SmsMessage) -> Result<SmsReceipt, SmsError> {
        let id = store(&self.db, message, self.clock.now())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "could not store the text message");
                SmsError::Unavailable(ProviderReply {
                    provider: BACKEND,
                    code: "database".to_owned(),
                    message: e.to_string(),
                    request_id: None,
                })
            })?;
        tracing::info!(sms.id = %id, "text message stored in the outbox (not sent)");
        Ok(SmsReceipt {
            backend: BACKEND,
            id: id.to_string(),
            request_id: None,
        })
    }
}

/// Writes one message; on the pool or inside the caller's transaction.
pub async fn store<C: ConnectionTrait>(
    conn: &C,
    message: &SmsMessage,
    at: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let params = serde_json::to_value(message.params())
        .map_err(|e| DbErr::Custom(format!("sms_outbox params: {e}")))?;
    Entity::insert(entity::ActiveModel {
        id: Set(id),
        phone: Set(message.to().as_str().to_owned()),
        template: Set(message.template()),
        params: Set(params),
        created_at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// The most recent messages first (ties by id, which grows with time).
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    page: Page,
) -> Result<Paged<OutboxMessage>, DbErr> {
    let total = Entity::find().count(conn).await?;
    let rows = Entity::find()
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(page.limit())
        .offset(page.offset())
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(OutboxMessage::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Paged::new(items, total, page))
}

/// The last message sent to `phone`.
pub async fn latest_to<C: ConnectionTrait>(
    conn: &C,
    phone: &Phone,
) -> Result<Option<OutboxMessage>, DbErr> {
    Entity::find()
        .filter(Column::Phone.eq(phone.as_str()))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .one(conn)
        .await?
        .map(OutboxMessage::try_from)
        .transpose()
}

/// Deletes messages older than `before`; returns how many.
pub async fn purge_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = Entity::delete_many()
        .filter(Column::CreatedAt.lt(before))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
