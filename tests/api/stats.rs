//! County statistics through the real server: the rollups follow payments, refunds and
//! shipments through the outbox; every figure reconciles with the orders it comes from; the
//! rebuild gives the same numbers; groups of fewer than five buyers are never broken down;
//! exports download; only officials may ask, and bad questions get clear field errors.

use crate::orders::address_body;
use farmgate_identity::PlatformRole;
use farmgate_tests::{Session, TestApp, both_backends, region};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn today(app: &TestApp) -> String {
    (app.clock.now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

/// A verified seller of `kind` with one approved listing from `township`; (owner, org, sku).
async fn seller(
    app: &TestApp,
    op: &Session,
    phone: &str,
    kind: &str,
    name: &str,
    township: &str,
    price: i64,
) -> (Session, String, String) {
    let owner = app.register(phone, "卖家").await;
    let org = app.verified_org(&owner, op, kind, name).await;
    let tree = app.get("/api/v1/categories", None).await;
    let cat = id(&tree.body[0]["children"][0]["id"]);
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/listings"),
            json!({"category_id": cat, "title": format!("{township}脐橙"), "origin": region(township, Some("茶坑村")),
                   "skus": [{"name": "5斤装", "unit": "box", "price": price, "stock": 500, "weight_grams": 2800, "net_weight_grams": 2500}]}),
            Some(&owner.token),
        )
        .await;
    r.expect_status(201);
    let listing = id(&r.body["id"]);
    let sku = id(&r.body["skus"][0]["id"]);
    let s = app
        .post_empty(
            &format!("/api/v1/listings/{listing}/submit"),
            Some(&owner.token),
        )
        .await;
    let rev = id(&s.body["revision"]["id"]);
    app.post_empty(
        &format!("/api/v1/admin/listing-reviews/{rev}/approve"),
        Some(&op.token),
    )
    .await
    .expect_status(200);
    (owner, org.to_string(), sku)
}

/// A buyer (with an address in `city`) orders `items` and the operator confirms the transfer;
/// returns the order body.
async fn paid_order(
    app: &TestApp,
    op: &Session,
    phone: &str,
    city: (&str, &str),
    items: &[(&str, i64)],
) -> Value {
    paid_order_by(app, op, phone, city, items).await.0
}

async fn paid_order_by(
    app: &TestApp,
    op: &Session,
    phone: &str,
    city: (&str, &str),
    items: &[(&str, i64)],
) -> (Value, Session) {
    let b = app.register(phone, "买家").await;
    let mut addr = address_body();
    addr["province"] = json!(city.0);
    addr["city"] = json!(city.1);
    let a = app.post("/api/v1/me/addresses", addr, Some(&b.token)).await;
    a.expect_status(201);
    let items: Vec<Value> = items
        .iter()
        .map(|(sku, q)| json!({"sku_id": sku, "quantity": q}))
        .collect();
    let o = app
        .post(
            "/api/v1/orders",
            json!({"address_id": id(&a.body["id"]), "payment_method": "offline", "items": items}),
            Some(&b.token),
        )
        .await;
    o.expect_status(201);
    let oid = id(&o.body["id"]);
    app.post(
        &format!("/api/v1/orders/{oid}/offline-payment"),
        json!({"reference": format!("BANK-{phone}")}),
        Some(&op.token),
    )
    .await
    .expect_status(200);
    (o.body.clone(), b)
}

async fn sum(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.infra.db;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(COALESCE(({sql}), 0) AS BIGINT) AS n"),
        ))
        .await
        .expect("sum query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a number")
}

/// The part of `order` that `seller` ships.
fn part<'a>(order: &'a Value, seller: &str) -> &'a Value {
    order["sub_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seller_id"] == json!(seller))
        .expect("the seller's part")
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or(i64::MIN)
}

/// Every listed row plus `other` adds up to the total, for the additive figures.
fn adds_up(report: &Value) {
    for f in [
        "gmv_fen",
        "goods_fen",
        "shipping_fen",
        "refund_fen",
        "net_fen",
        "lines",
        "weight_grams",
        "shipped_fen",
    ] {
        let rows: i64 = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| n(&r[f]))
            .sum();
        let other = report["other"][f].as_i64().unwrap_or(0);
        assert_eq!(
            rows + other,
            n(&report["total"][f]),
            "{f}: rows + other = total in {report}"
        );
    }
}

fn keys(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| id(&r["key"]))
        .collect()
}

both_backends! {
    async fn sales_follow_payments_refunds_and_shipments_reconcile_and_rebuild_to_the_same_numbers(app) {
        let op = app.operator().await;
        let official = app.staff("13900000031", PlatformRole::Official).await;
        let (coop, coop_org, coop_sku) = seller(&app, &op, "13800000101", "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        let (_store, store_org, store_sku) = seller(&app, &op, "13800000102", "agri_enterprise", "青石农业发展有限公司", "石桥镇", 2990).await;
        let (_farm, farm_org, farm_sku) = seller(&app, &op, "13800000103", "family_farm", "水南家庭农场", "水南镇", 1990).await;
        // Seven buyers buy from the cooperative, five of them from the store too, four of
        // them from the farm (a group too small to show on its own).
        let mut orders = Vec::new();
        let mut buyers = Vec::new();
        for i in 0..7i64 {
            let city = if i % 2 == 0 { ("广东省", "深圳市") } else { ("上海市", "上海市") };
            let mut items: Vec<(&str, i64)> = vec![(&coop_sku, 1 + i)];
            if i < 5 { items.push((&store_sku, 1)); }
            if i < 4 { items.push((&farm_sku, 2)); }
            let (o, b) = paid_order_by(&app, &op, &format!("1360000{:04}", 100 + i), city, &items).await;
            orders.push(o);
            buyers.push(b);
        }
        // One part ships, one is partly refunded.
        let first_sub = id(&part(&orders[0], &coop_org)["id"]);
        app.post(&format!("/api/v1/sub-orders/{first_sub}/ship"), json!({"carrier": "顺丰速运", "tracking_no": "SF1000000001"}), Some(&coop.token)).await.expect_status(200);
        app.post_empty(&format!("/api/v1/sub-orders/{first_sub}/receive"), Some(&buyers[0].token)).await.expect_status(200);
        let refunded_sub = id(&part(&orders[1], &coop_org)["id"]);
        app.send(app.http.post(app.url(&format!("/api/v1/sub-orders/{refunded_sub}/refunds")))
            .bearer_auth(&op.token).header("idempotency-key", "stats-r1")
            .json(&json!({"amount": 1234, "reason": "压坏两个"}))).await.expect_status(200);
        app.outbox_drained().await;

        let day = today(&app);
        let get = |q: String| {
            let official = official.token.clone();
            let app = &app;
            async move {
                let r = app.get(&format!("/api/v1/stats/{q}"), Some(&official)).await;
                r.expect_status(200);
                r.body
            }
        };
        let month = get(format!("sales?from={day}&to={day}&by=month")).await;
        let t = &month["total"];
        let paid = "FROM orders WHERE paid_at IS NOT NULL";
        assert_eq!(n(&t["gmv_fen"]), sum(&app, &format!("SELECT SUM(total_fen) {paid}")).await, "GMV = what the paid orders total");
        assert_eq!(n(&t["goods_fen"]), sum(&app, &format!("SELECT SUM(goods_fen) {paid}")).await);
        assert_eq!(n(&t["shipping_fen"]), sum(&app, &format!("SELECT SUM(shipping_fen) {paid}")).await);
        assert_eq!(n(&t["refund_fen"]), 1234);
        assert_eq!(n(&t["refund_fen"]), sum(&app, "SELECT SUM(refunded_fen) FROM sub_orders").await, "refunds = the ledger");
        assert_eq!(n(&t["refunds"]), 1);
        assert_eq!(n(&t["net_fen"]), n(&t["gmv_fen"]) - 1234, "net = gross − refunds");
        assert_eq!(n(&t["orders"]), 7);
        assert_eq!(n(&t["buyers"]), 7);
        assert_eq!(n(&t["lines"]), sum(&app, "SELECT COUNT(*) FROM order_lines").await);
        assert_eq!(n(&t["quantities"]["box"]), sum(&app, "SELECT SUM(quantity) FROM order_lines").await);
        assert_eq!(n(&t["weight_grams"]), 2500 * n(&t["quantities"]["box"]), "boxes weigh their net weight");
        assert_eq!(n(&t["shipped_fen"]), n(&part(&orders[0], &coop_org)["total"]), "shipped = the shipped part's total");
        assert_eq!(n(&t["traced_fen"]), 0, "shipped without a batch: not traced");
        assert_eq!(month["rows"].as_array().map(Vec::len), Some(1));
        assert_eq!(month["rows"][0]["gmv_fen"], t["gmv_fen"]);
        assert_eq!(month["rows"][0]["key"], json!(format!("{}-01", &day[..7])));

        // By seller: the farm (4 buyers) is never listed; with it alone hidden, the smaller of
        // the others is hidden too, so the farm cannot be read off as total − the rest.
        let by_seller = get(format!("sales?from={day}&to={day}&by=seller")).await;
        assert_eq!(keys(&by_seller), vec![coop_org.clone()], "{by_seller}");
        assert!(!by_seller.to_string().contains(&farm_org) && !by_seller.to_string().contains(&store_org));
        assert_eq!(n(&by_seller["other_groups"]), 2);
        let coop_total: i64 = orders.iter().map(|o| n(&part(o, &coop_org)["total"])).sum();
        assert_eq!(n(&by_seller["rows"][0]["gmv_fen"]), coop_total, "a seller's GMV = its sub-orders");
        assert_eq!(n(&by_seller["rows"][0]["buyers"]), 7);
        adds_up(&by_seller);
        for by in ["township", "village", "category", "category_root", "seller_kind", "product", "dest_province", "dest_city", "buyer_kind"] {
            let r = get(format!("sales?from={day}&to={day}&by={by}")).await;
            adds_up(&r);
            for row in r["rows"].as_array().unwrap() {
                assert!(n(&row["buyers"]) >= 5, "{by}: a listed group has five buyers or more: {row}");
            }
        }
        let towns = get(format!("sales?from={day}&to={day}&by=township")).await;
        assert_eq!(towns["rows"][0]["label"], "梅岭镇");
        assert!(!towns.to_string().contains("水南镇"), "the farm's township is not named");
        let kinds = get(format!("sales?from={day}&to={day}&by=buyer_kind")).await;
        assert_eq!(keys(&kinds), vec!["consumer".to_owned()]);
        assert_eq!(kinds["rows"][0]["gmv_fen"], t["gmv_fen"]);
        // 深圳 has four buyers, 上海 three: neither is shown.
        let cities = get(format!("sales?from={day}&to={day}&by=dest_city")).await;
        assert!(keys(&cities).is_empty());
        assert_eq!(cities["other"]["gmv_fen"], t["gmv_fen"]);

        // A series filtered to one township, and the top products.
        let town = id(&towns["rows"][0]["key"]);
        let series = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day&township={}", urlencode(&town)), Some(&official.token)).await;
        series.expect_status(200);
        assert_eq!(series.body["filter"]["label"], "梅岭镇");
        assert_eq!(series.body["total"]["gmv_fen"], towns["rows"][0]["gmv_fen"]);
        let top = get(format!("sales?from={day}&to={day}&by=product&limit=1")).await;
        assert_eq!(top["rows"].as_array().map(Vec::len), Some(1));
        assert_eq!(top["rows"][0]["label"], "梅岭镇脐橙");

        // Prices per kg: the cooperative's ¥39.90 box of 2.5 kg is ¥15.96/kg.
        let prices = get(format!("prices?from={day}&to={day}")).await;
        let row = &prices["rows"][0];
        assert_eq!(row["basis"], "kg");
        assert!(n(&row["min_fen"]) <= n(&row["median_fen"]) && n(&row["median_fen"]) <= n(&row["max_fen"]));
        assert_eq!(n(&row["max_fen"]), 1596);
        assert_eq!(n(&row["min_fen"]), 796);
        let cat = id(&row["key"]);
        let weekly = get(format!("prices?from={day}&to={day}&by=week&category={cat}")).await;
        assert_eq!(weekly["category"]["basis"], "kg");
        assert_eq!(weekly["rows"][0]["max_fen"], row["max_fen"]);

        let trace = get(format!("trace?from={day}&to={day}&by=day")).await;
        assert_eq!(trace["total"]["shipped_fen"], t["shipped_fen"]);
        let onboarding = get(format!("onboarding?from={day}&to={day}&by=month")).await;
        assert_eq!(n(&onboarding["total"]["sellers"]), 3);
        assert_eq!(n(&onboarding["total"]["kinds"]["agri_enterprise"]), 1);
        // After-sales: parcels from the rollups, the same figures as the quality page counts
        // from the sub-orders.
        for g in ["carrier", "category", "seller_kind"] {
            let county = get(format!("aftersales?from={day}&to={day}&group_by={g}")).await;
            let direct = app.get(&format!("/api/v1/aftersales/quality?from={day}&to={day}&group_by={g}"), Some(&op.token)).await;
            direct.expect_status(200);
            assert_eq!(county["rows"], direct.body["rows"], "{g}");
            assert_eq!(county["total"], direct.body["total"], "{g}");
            assert_eq!(n(&county["total"]["delivered"]), 1);
        }
        let quality = get(format!("aftersales?from={day}&to={day}&group_by=carrier")).await;
        assert_eq!(quality["rows"][0]["key"], "顺丰速运");
        let dims = get("dimensions".to_owned()).await;
        assert_eq!(dims["townships"].as_array().map(Vec::len), Some(3), "pickers offer the townships sold from");

        // Exports: the same rows, streamed as CSV and XLSX.
        let csv = app.send(app.http.get(app.url(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day&format=csv"))).bearer_auth(&official.token)).await;
        csv.expect_status(200);
        assert!(csv.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
        assert!(csv.header("content-disposition").is_some_and(|c| c.contains("attachment") && c.contains(".csv")));
        assert!(csv.text.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
        assert!(csv.text.contains("成交额") && csv.text.contains("合计"));
        let gmv_yuan = format!("{}.{:02}", n(&t["gmv_fen"]) / 100, n(&t["gmv_fen"]) % 100);
        assert!(csv.text.contains(&gmv_yuan), "the total's GMV {gmv_yuan} is in the CSV: {}", csv.text);
        let xlsx = app.http.get(app.url(&format!("/api/v1/stats/sales?from={day}&to={day}&by=township&format=xlsx"))).bearer_auth(&official.token).send().await.unwrap();
        assert_eq!(xlsx.status().as_u16(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
        use calamine::Reader;
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(ToString::to_string)).collect();
        assert!(cells.iter().any(|c| c == "梅岭镇"), "{cells:?}");
        assert!(cells.iter().any(|c| c.starts_with("合计")));

        // Each event counts once, the rebuild gives the same numbers, later events count.
        let views: Vec<String> = ["sales?by=day", "sales?by=seller", "sales?by=township", "sales?by=category", "prices?by=day", "trace?by=day", "aftersales?group_by=category", "aftersales?group_by=carrier"]
            .iter().map(|v| format!("{v}&from={day}&to={day}")).collect();
        let mut before = Vec::new();
        for v in &views { before.push(get(v.clone()).await); }
        // Deliver every order event again (as after a lost lease): nothing is counted twice.
        use sea_orm::ConnectionTrait;
        let db = &app.state.infra.db;
        db.execute_unprepared("DELETE FROM outbox_deliveries WHERE handler = 'stats.rollup'").await.unwrap();
        db.execute_unprepared("UPDATE outbox_events SET delivered_at = NULL, attempts = 0 WHERE topic LIKE 'orders.%' AND available_at <= created_at").await.unwrap();
        app.outbox_drained().await;
        for (v, b) in views.iter().zip(&before) {
            assert_eq!(&get(v.clone()).await, b, "{v} after redelivery");
        }
        let report = app.state.stats.rebuild().await.expect("rebuild");
        assert_eq!(report.orders, 7);
        assert_eq!(report.refunds, 1);
        assert_eq!(report.shipments, 1);
        assert_eq!(report.deliveries, 1);
        for (v, b) in views.iter().zip(&before) {
            assert_eq!(&get(v.clone()).await, b, "{v} after the rebuild");
        }
        app.clock.advance(chrono::Duration::seconds(1));
        let eighth = paid_order(&app, &op, "13600000200", ("北京市", "北京市"), &[(&coop_sku, 1)]).await;
        app.outbox_drained().await;
        let after = get(format!("sales?from={day}&to={day}&by=month")).await;
        assert_eq!(n(&after["total"]["orders"]), 8);
        assert_eq!(n(&after["total"]["gmv_fen"]), n(&t["gmv_fen"]) + n(&eighth["total"]));
    }
}

both_backends! {
    async fn only_officials_ask_and_bad_questions_get_field_errors(app) {
        let op = app.operator().await;
        let official = app.staff("13900000032", PlatformRole::Official).await;
        let agent = app.staff("13900000033", PlatformRole::AfterSalesAgent).await;
        let (owner, _org, sku) = seller(&app, &op, "13800000111", "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        let buyer = app.register("13600000111", "买家").await;
        let day = today(&app);
        for path in ["sales", "prices", "trace", "onboarding", "aftersales", "dimensions"] {
            let url = format!("/api/v1/stats/{path}?from={day}&to={day}");
            assert_eq!(app.get(&url, None).await.status, 401, "{path} anonymous");
            for who in [&op, &agent, &owner, &buyer] {
                let r = app.get(&url, Some(&who.token)).await;
                assert_eq!(r.status, 403, "{path}: only officials");
                assert_eq!(r.code(), "forbidden");
            }
            app.get(&url, Some(&official.token)).await.expect_status(200);
        }
        // Three buyers only: nothing is broken down, not even the total.
        for i in 0..3 {
            paid_order(&app, &op, &format!("1360000{:04}", 120 + i), ("广东省", "广州市"), &[(&sku, 1)]).await;
        }
        app.outbox_drained().await;
        let r = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=township"), Some(&official.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["total"]["suppressed"], true);
        assert!(r.body["total"]["gmv_fen"].is_null() && r.body["total"]["buyers"].is_null());
        assert!(r.body["rows"].as_array().is_some_and(Vec::is_empty));
        assert!(r.body["other"]["gmv_fen"].is_null(), "the total cannot be read from other: {}", r.body);
        let r = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day"), Some(&official.token)).await;
        assert_eq!(r.body["rows"][0]["suppressed"], true);
        let csv = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day&format=csv"), Some(&official.token)).await;
        assert!(csv.text.contains("买家少于5位") && !csv.text.contains("39.90"), "{}", csv.text);

        let bad = |q: String| {
            let token = official.token.clone();
            let app = &app;
            async move { app.get(&format!("/api/v1/stats/{q}"), Some(&token)).await }
        };
        let cases: Vec<(String, &str, &str)> = vec![
            ("sales?from=2026-05-01&to=2026-04-01".into(), "to", "before_from"),
            ("sales?from=2020-01-01&to=2026-01-01&by=month".into(), "to", "too_long"),
            ("sales?from=2025-01-01&to=2026-03-01&by=day".into(), "to", "too_long"),
            ("sales?from=2026-13-01&to=2026-12-31".into(), "from", "invalid"),
            ("sales?from=yesterday&to=2026-12-31".into(), "from", "invalid"),
            ("sales?to=2026-12-31".into(), "from", "required"),
            (format!("sales?from={day}&to={day}&by=galaxy"), "by", "unknown"),
            (format!("sales?from={day}&to={day}&by=total"), "by", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&township=%E9%9D%92%E7%9F%B3%E5%8E%BF/%E4%B8%8D%E5%AD%98%E5%9C%A8%E9%95%87"), "township", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&village=nowhere"), "village", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&dest_city=%E7%81%AB%E6%98%9F/%E5%A5%A5%E6%9E%97%E5%B8%95%E6%96%AF"), "dest_city", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&category=00000000-0000-0000-0000-000000000000"), "category", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&seller_kind=business_buyer"), "seller_kind", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&buyer_kind=robot"), "buyer_kind", "unknown"),
            (format!("sales?from={day}&to={day}&by=day&buyer_kind=consumer&seller_kind=cooperative"), "filter", "one_only"),
            (format!("sales?from={day}&to={day}&by=township&buyer_kind=consumer"), "by", "unsupported"),
            (format!("sales?from={day}&to={day}&by=seller&limit=0"), "limit", "out_of_range"),
            (format!("sales?from={day}&to={day}&by=seller&limit=1000"), "limit", "out_of_range"),
            (format!("sales?from={day}&to={day}&format=pdf"), "format", "unknown"),
            (format!("prices?from={day}&to={day}&by=year"), "by", "unknown"),
            (format!("prices?from={day}&to={day}&category=not-a-category"), "category", "unknown"),
            (format!("trace?from={day}&to={day}&by=hour"), "by", "unknown"),
            (format!("aftersales?from={day}&to={day}&group_by=planet"), "group_by", "unknown"),
            ("aftersales?from=2024-01-01&to=2026-01-01".into(), "to", "too_long"),
        ];
        for (q, field, code) in cases {
            let r = bad(q.clone()).await;
            assert_eq!(r.status, 422, "{q}: {}", r.text);
            assert_eq!(r.field_code(field), Some(code), "{q}: {}", r.text);
            assert!(r.field(field).is_some_and(|m| !m.is_empty()), "{q}: a message for {field}");
        }
        let long = "镇".repeat(300);
        let r = bad(format!("sales?from={day}&to={day}&by=day&township={}", urlencode(&long))).await;
        assert_eq!(r.field_code("township"), Some("too_long"));
        // A township picked from the list works.
        let r = bad(format!("sales?from={day}&to={day}&by=day&township={}", urlencode("青石县/梅岭镇"))).await;
        r.expect_status(200);
        // A seller kind nobody has sold as: zeros.
        let r = bad(format!("sales?from={day}&to={day}&by=week&seller_kind=agri_enterprise")).await;
        r.expect_status(200);
        assert_eq!(r.body["total"]["gmv_fen"], 0);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The statistics are read where `database_replica_url` points: with an empty (migrated)
/// replica the official sees nothing, while the primary's rollups hold the sales.
mod statistics_are_read_from_the_replica_when_one_is_configured {
    use super::*;
    use farmgate_migrations::MigratorTrait;
    use farmgate_server::settings::Settings;
    use farmgate_tests::Backend;

    async fn run(backend: Backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings {
            addr: "127.0.0.1:0".to_owned(),
            data_dir: dir.path().join("data"),
            log: "warn".to_owned(),
            ..Settings::default()
        };
        let replica = match backend {
            Backend::Embedded => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("replica.db").display()
                );
                let conn = farmgate_infra::db::connect(&farmgate_infra::db::DbConfig {
                    url: url.clone(),
                    max_connections: 1,
                })
                .await
                .unwrap();
                farmgate_migrations::Migrator::up(&conn, None)
                    .await
                    .unwrap();
                url
            }
            Backend::Production => {
                let Some(admin) = farmgate_tests::env("FARMGATE_TEST_POSTGRES_URL") else {
                    farmgate_tests::skip_or_fail("PostgreSQL (FARMGATE_TEST_POSTGRES_URL)");
                    return;
                };
                settings.database_url = Some(farmgate_tests::pg::fresh_database(&admin).await);
                settings.migrate_on_start = false;
                farmgate_tests::pg::fresh_database(&admin).await
            }
        };
        settings.database_replica_url = Some(replica);
        let app = TestApp::start(settings, backend, dir).await;
        let op = app.operator().await;
        let official = app.staff("13900000034", PlatformRole::Official).await;
        let (_owner, _org, sku) = seller(
            &app,
            &op,
            "13800000121",
            "cooperative",
            "梅岭脐橙专业合作社",
            "梅岭镇",
            3990,
        )
        .await;
        for i in 0..5 {
            paid_order(
                &app,
                &op,
                &format!("1360000{:04}", 140 + i),
                ("广东省", "深圳市"),
                &[(&sku, 1)],
            )
            .await;
        }
        app.outbox_drained().await;
        assert!(
            app.count("stats_sales", "1=1").await > 0,
            "the rollups are written to the primary"
        );
        let day = today(&app);
        let r = app
            .get(
                &format!("/api/v1/stats/sales?from={day}&to={day}&by=township"),
                Some(&official.token),
            )
            .await;
        r.expect_status(200);
        assert_eq!(
            r.body["total"]["gmv_fen"], 0,
            "read from the (empty) replica: {}",
            r.body
        );
        assert!(r.body["rows"].as_array().is_some_and(Vec::is_empty));
        let dims = app
            .get("/api/v1/stats/dimensions", Some(&official.token))
            .await;
        assert!(dims.body["townships"].as_array().is_some_and(Vec::is_empty));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        run(Backend::Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn production() {
        run(Backend::Production).await;
    }
}
