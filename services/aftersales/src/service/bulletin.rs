//! The public quality bulletin (质量安全公告): recalls and failed third-party tests, newest
//! first, each with the product, its producer, the lot and trace code, and what buyers should
//! do. Public facts only: no buyer, no person who ordered, sampled or recorded anything, no
//! counts of who bought (a small recall would point at its buyers).

use crate::Aftersales;
use crate::error::Result;
use crate::store::queries::recalls;
use chrono::{DateTime, Duration, Utc};
use farmgate_kernel::id::{ListingId, OrgId};
use farmgate_trace::read::aftersales as trace_read;
use serde::Serialize;
use utoipa::ToSchema;

/// Entries a bulletin lists at most (of each kind).
pub const MAX_ENTRIES: u64 = 200;
/// The longest window asked for, in days.
pub const MAX_DAYS: i64 = 366;

/// What an entry reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulletinKind {
    /// 召回: the batch was recalled.
    Recall,
    /// 抽检不合格: a testing body's test failed.
    FailedTest,
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

fn text(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

/// One entry of the bulletin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BulletinEntry {
    pub kind: BulletinKind,
    /// When it was recorded (UTC; pages show Beijing time).
    pub at: DateTime<Utc>,
    pub product: String,
    pub producer: String,
    pub lot: String,
    pub code: String,
    /// The batch's public scan page.
    pub trace_path: String,
    /// A recall's reason, or the failed items of a test.
    pub finding: String,
    /// The testing body that found it (failed tests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_no: Option<String>,
    /// What a buyer of the batch should do.
    pub advice: Text,
}

/// The bulletin for a window of days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bulletin {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub entries: Vec<BulletinEntry>,
}

fn recall_advice() -> Text {
    text(
        "请立即停止食用该批次产品。已购买的买家请在“我的订单”查看召回通知并申请退款；如有不适请及时就医。",
        "Stop eating this batch now. Buyers: open the recall notice in My orders and take the refund; see a doctor if unwell.",
    )
}

fn failed_test_advice() -> Text {
    text(
        "该批次已停止销售并召回。请核对包装上的溯源码；相同批次请勿食用，已购买的买家可在“我的订单”申请退款。",
        "This batch is off sale and recalled. Check the trace code on your box; do not eat this batch, and buyers can take the refund in My orders.",
    )
}

impl Aftersales {
    /// The bulletin of the last `days` days (1–366), up to now.
    #[tracing::instrument(skip_all, fields(days))]
    pub async fn bulletin(&self, days: i64) -> Result<Bulletin> {
        let to = self.now();
        let from = to - Duration::days(days.clamp(1, MAX_DAYS));
        let db = &self.infra().db;
        let mut entries = Vec::new();
        for r in recalls::between(db, from, to, MAX_ENTRIES).await? {
            let (product, producer) = self
                .product_and_producer(ListingId(r.listing_id), OrgId(r.seller_org_id))
                .await?;
            entries.push(BulletinEntry {
                kind: BulletinKind::Recall,
                at: r.created_at,
                product,
                producer,
                lot: r.lot,
                trace_path: format!("/t/{}", r.code),
                code: r.code,
                finding: r.reason,
                lab: None,
                report_no: None,
                advice: recall_advice(),
            });
        }
        for t in trace_read::failed_tests(db, from, to, MAX_ENTRIES).await? {
            let (product, producer) = self.product_and_producer(t.listing_id, t.seller).await?;
            entries.push(BulletinEntry {
                kind: BulletinKind::FailedTest,
                at: t.recorded_at,
                product,
                producer,
                lot: t.lot,
                trace_path: format!("/t/{}", t.code),
                code: t.code,
                finding: t.failed_items.join("；"),
                lab: Some(t.lab_name),
                report_no: Some(t.report_no),
                advice: failed_test_advice(),
            });
        }
        entries.sort_by(|a, b| b.at.cmp(&a.at).then(a.code.cmp(&b.code)));
        Ok(Bulletin { from, to, entries })
    }

    async fn product_and_producer(
        &self,
        listing: ListingId,
        seller: OrgId,
    ) -> Result<(String, String)> {
        let product = self
            .orders()
            .catalog()
            .listing_card(listing)
            .await?
            .map(|l| l.title)
            .unwrap_or_default();
        let producer = self
            .identity()
            .org_summary(seller)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        Ok((product, producer))
    }
}
