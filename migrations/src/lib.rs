//! Every schema change, forward only. A landed migration is never edited: add a new one.
//! Each runs on SQLite and PostgreSQL (the test suite migrates both).

pub use sea_orm_migration::prelude::*;

/// Issue #19's backfill of carrier codes (migration 48), for its tests.
pub use m20261207_000048_carrier_code_backfill::{CARRIER_NAMES, backfill_carrier_codes};

mod m20261123_000001_outbox;
mod m20261123_000002_identity;
mod m20261123_000003_catalog;
mod m20261123_000004_trace;
mod m20261124_000005_orders;
mod m20261125_000006_fulfilment;
mod m20261126_000007_aftersales;
mod m20261126_000008_recalls;
mod m20261126_000009_listing_producer;
mod m20261126_000010_order_indexes;
mod m20261127_000011_stats;
mod m20261127_000012_stats_delivered;
mod m20261128_000013_sms_outbox;
mod m20261129_000014_verified_people;
mod m20261206_000015_webhook_receipt_digest;
mod m20261206_000016_payouts;
mod m20261206_000017_refund_liability;
mod m20261206_000018_payment_channels;
mod m20261206_000019_invoices;
mod m20261206_000020_reconciliation;
mod m20261206_000021_payout_adjustments;
mod m20261206_000022_trace_log;
mod m20261206_000023_trace_object_audit;
mod m20261206_000024_payout_adjustment_reversal;
mod m20261206_000025_trace_chain_v2;
mod m20261206_000026_notifications;
mod m20261206_000027_desk;
mod m20261206_000028_search_vocabulary;
mod m20261206_000029_ship_by;
mod m20261206_000030_cancel_requests;
mod m20261206_000031_claim_deadlines;
mod m20261206_000032_desk_photos_restrictions;
mod m20261206_000033_conversations_and_review_moderation;
mod m20261206_000034_desk_attachment_links_claim_follow_ups;
mod m20261206_000035_ship_within;
mod m20261206_000037_favourites;
mod m20261206_000039_quality_and_news;
mod m20261206_000041_wechat_login;
mod m20261207_000042_news;
mod m20261207_000043_seller_ranking_signals;
mod m20261207_000044_stats_external_prices;
mod m20261207_000045_tracking;
mod m20261207_000047_listing_editor;
mod m20261207_000048_carrier_code_backfill;
mod m20261207_000049_extra_charges;
mod m20261207_000050_catch_weight;
mod m20261207_000051_purchasing;
mod m20261207_000052_presales;
mod m20261207_000053_presale_balance;
mod m20261207_000054_outbox_lanes;
mod m20261207_000055_rfqs;
mod m20261207_000056_standing_orders;
mod m20261207_000057_credit_terms;
mod m20261208_000058_delivery;
mod m20261208_000059_credit_due_soon;
mod util;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_outbox::Migration),
            Box::new(m20261123_000002_identity::Migration),
            Box::new(m20261123_000003_catalog::Migration),
            Box::new(m20261123_000004_trace::Migration),
            Box::new(m20261124_000005_orders::Migration),
            Box::new(m20261125_000006_fulfilment::Migration),
            Box::new(m20261126_000007_aftersales::Migration),
            Box::new(m20261126_000008_recalls::Migration),
            Box::new(m20261126_000009_listing_producer::Migration),
            Box::new(m20261126_000010_order_indexes::Migration),
            Box::new(m20261127_000011_stats::Migration),
            Box::new(m20261127_000012_stats_delivered::Migration),
            Box::new(m20261128_000013_sms_outbox::Migration),
            Box::new(m20261129_000014_verified_people::Migration),
            Box::new(m20261206_000015_webhook_receipt_digest::Migration),
            Box::new(m20261206_000016_payouts::Migration),
            Box::new(m20261206_000017_refund_liability::Migration),
            Box::new(m20261206_000018_payment_channels::Migration),
            Box::new(m20261206_000019_invoices::Migration),
            Box::new(m20261206_000020_reconciliation::Migration),
            Box::new(m20261206_000021_payout_adjustments::Migration),
            Box::new(m20261206_000022_trace_log::Migration),
            Box::new(m20261206_000023_trace_object_audit::Migration),
            Box::new(m20261206_000024_payout_adjustment_reversal::Migration),
            Box::new(m20261206_000025_trace_chain_v2::Migration),
            Box::new(m20261206_000026_notifications::Migration),
            Box::new(m20261206_000027_desk::Migration),
            Box::new(m20261206_000028_search_vocabulary::Migration),
            Box::new(m20261206_000029_ship_by::Migration),
            Box::new(m20261206_000030_cancel_requests::Migration),
            Box::new(m20261206_000031_claim_deadlines::Migration),
            Box::new(m20261206_000032_desk_photos_restrictions::Migration),
            Box::new(m20261206_000033_conversations_and_review_moderation::Migration),
            Box::new(m20261206_000034_desk_attachment_links_claim_follow_ups::Migration),
            Box::new(m20261206_000035_ship_within::Migration),
            Box::new(m20261206_000037_favourites::Migration),
            Box::new(m20261206_000039_quality_and_news::Migration),
            Box::new(m20261206_000041_wechat_login::Migration),
            Box::new(m20261207_000042_news::Migration),
            Box::new(m20261207_000043_seller_ranking_signals::Migration),
            Box::new(m20261207_000044_stats_external_prices::Migration),
            Box::new(m20261207_000045_tracking::Migration),
            Box::new(m20261207_000047_listing_editor::Migration),
            Box::new(m20261207_000048_carrier_code_backfill::Migration),
            Box::new(m20261207_000049_extra_charges::Migration),
            Box::new(m20261207_000050_catch_weight::Migration),
            Box::new(m20261207_000051_purchasing::Migration),
            Box::new(m20261207_000052_presales::Migration),
            Box::new(m20261207_000053_presale_balance::Migration),
            Box::new(m20261207_000054_outbox_lanes::Migration),
            Box::new(m20261207_000055_rfqs::Migration),
            Box::new(m20261207_000056_standing_orders::Migration),
            Box::new(m20261207_000057_credit_terms::Migration),
            Box::new(m20261208_000058_delivery::Migration),
            Box::new(m20261208_000059_credit_due_soon::Migration),
        ]
    }
}
