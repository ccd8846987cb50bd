//! Issue #19: parcels shipped before the carrier list (migration 45) have no `carrier_code`,
//! only the carrier's name as the seller typed it. Where that name is one of the list's
//! (its code, Chinese or English name, or an alias, ignoring case and spaces — as shipping
//! reads a carrier today), the parcel gets the list's code, so it is grouped, shown in
//! English and matched by code like a parcel shipped today. Its typed name stays as it was:
//! it is the record of what was written on the parcel. Every other parcel keeps no code:
//! "other", shown as typed and never subscribed for tracking. Nothing is subscribed here:
//! these parcels were shipped long before the tracking aggregator knew of them.
//!
//! Why a migration and not a look-up at read time: the code is then in one column that
//! views, statistics, pushes and a waybill correction all read, instead of each of them
//! guessing from the name. The names below are the list as it was when this ran for the
//! first time (`services/orders/src/domain/carriers.rs`); a migration is never edited, and a
//! carrier added to the list later applies to parcels shipped after it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each code of the list with its names and aliases, lower case and without spaces.
pub const CARRIER_NAMES: &[(&str, &[&str])] = &[
    (
        "shunfeng",
        &["顺丰速运", "sfexpress", "顺丰", "顺丰快递", "sf"],
    ),
    ("jd", &["京东物流", "jdlogistics", "京东", "京东快递"]),
    (
        "youzhengguonei",
        &["中国邮政", "chinapost", "邮政", "邮政快递包裹", "邮政包裹"],
    ),
    ("ems", &["ems", "中国邮政ems", "邮政ems", "ems快递"]),
    ("zhongtong", &["中通快递", "ztoexpress", "中通", "zto"]),
    (
        "yuantong",
        &["圆通速递", "ytoexpress", "圆通", "圆通快递", "yto"],
    ),
    ("shentong", &["申通快递", "stoexpress", "申通", "sto"]),
    ("yunda", &["韵达快递", "yundaexpress", "韵达", "韵达速递"]),
    (
        "jtexpress",
        &["极兔速递", "j&texpress", "极兔", "极兔快递", "j&t"],
    ),
    (
        "debangkuaidi",
        &["德邦快递", "depponexpress", "德邦", "德邦物流", "deppon"],
    ),
    (
        "huitongkuaidi",
        &["百世快递", "bestexpress", "百世", "百世汇通", "汇通"],
    ),
    ("zhaijisong", &["宅急送", "zjsexpress", "zjs"]),
];

/// Gives the list's code to every parcel without one whose carrier name is on the list; the
/// number of parcels given one. Running it again changes nothing.
pub async fn backfill_carrier_codes<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    // The name folded as the list's are: ASCII and ideographic spaces and tabs out, ASCII
    // lower case (both databases' `lower` leave Chinese as it is).
    let folded = "lower(replace(replace(replace(carrier, ' ', ''), '\u{3000}', ''), '\t', ''))";
    let mut done = 0;
    for (code, names) in CARRIER_NAMES {
        let update = Query::update()
            .table("shipments")
            .value("carrier_code", *code)
            .and_where(Expr::col("carrier_code").is_null())
            .and_where(Expr::cust(folded).is_in(names.iter().copied().chain([*code])))
            .to_owned();
        done += db.execute(&update).await?.rows_affected();
    }
    Ok(done)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        backfill_carrier_codes(m.get_connection()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The codes it gave cannot be told from codes given when shipping; they stay.
        Ok(())
    }
}
