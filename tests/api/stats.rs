//! County statistics through the real server: the rollups follow payments, refunds and
//! shipments through the outbox; every figure reconciles with the orders it comes from; the
//! rebuild gives the same numbers; groups of fewer than five buyers are never broken down;
//! exports download; only officials may ask, and bad questions get clear field errors.

use farmgate_tests::prelude::*;

/// A 5斤装 box (2.8 kg shipped, 2.5 kg net) of oranges from `township`, 500 in stock.
fn oranges_from(township: &str, price: i64) -> Product {
    Product::boxes(&format!("{township}脐橙"), price, 500)
        .sku_name("5斤装")
        .weight_grams(2800)
        .net_weight_grams(2500)
        .without_tiers()
        .from_township(township)
}

/// A verified seller of `kind` with one approved listing of [`oranges_from`] `township`.
async fn seller(
    app: &TestApp,
    kind: &str,
    name: &str,
    township: &str,
    price: i64,
) -> SellerWithListing {
    app.verified_seller()
        .kind(kind)
        .named(name)
        .with_listing(oranges_from(township, price))
        .await
}

/// A fresh buyer with an address in `city` whose order of `items` the operator confirmed paid.
async fn paid_order_from(
    app: &TestApp,
    city: (&str, &str),
    items: &[(Uuid, i64)],
) -> (Consumer, Order) {
    let buyer = app.consumer().named("买家").in_city(city.0, city.1).await;
    let order = app.paid_order(&buyer, items).await;
    (buyer, order)
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
        let rows: i64 = report.arr("rows").iter().map(|r| r.i64(f)).sum();
        // No `other` group (null) adds nothing.
        let other = report["other"][f].as_i64().unwrap_or(0);
        assert_eq!(
            rows + other,
            report.i64(&format!("total.{f}")),
            "{f}: rows + other = total in {report}"
        );
    }
}

fn keys(report: &Value) -> Vec<String> {
    report.strings("rows", "key")
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

/// A statistics question (`sales?from=..`) asked by the county official; must answer 200.
async fn ask(app: &TestApp, question: &str) -> Value {
    let official = app.official().await;
    let r = app
        .get(&format!("/api/v1/stats/{question}"), Some(&official.token))
        .await;
    r.expect_status(200);
    r.body
}

/// A county's day of trade: a cooperative in 梅岭镇 (¥39.90 a box), an agricultural company in
/// 石桥镇 (¥29.90) and a family farm in 水南镇 (¥19.90). Seven buyers buy from the cooperative,
/// five of them from the company too, four of them from the farm (a group too small to show
/// on its own); four ship to 深圳, three to 上海. The first buyer's cooperative parcel was
/// shipped and received; ¥12.34 of the second buyer's was refunded.
struct County {
    coop: SellerWithListing,
    store: SellerWithListing,
    farm: SellerWithListing,
    orders: Vec<Order>,
    /// The day (in China) it all happened.
    day: String,
}

async fn county(app: &TestApp) -> County {
    let coop = seller(app, "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
    let store = seller(
        app,
        "agri_enterprise",
        "青石农业发展有限公司",
        "石桥镇",
        2990,
    )
    .await;
    let farm = seller(app, "family_farm", "水南家庭农场", "水南镇", 1990).await;
    let mut orders = Vec::new();
    let mut buyers = Vec::new();
    for i in 0..7i64 {
        let city = if i % 2 == 0 {
            ("广东省", "深圳市")
        } else {
            ("上海市", "上海市")
        };
        let mut items = vec![(coop.sku, 1 + i)];
        if i < 5 {
            items.push((store.sku, 1));
        }
        if i < 4 {
            items.push((farm.sku, 2));
        }
        let (buyer, order) = paid_order_from(app, city, &items).await;
        orders.push(order);
        buyers.push(buyer);
    }
    let first_sub = orders[0].part_of(coop.org).id;
    app.ship(&coop.owner, first_sub).await;
    app.receive(&buyers[0], first_sub).await;
    let refunded_sub = orders[1].part_of(coop.org).id;
    let op = app.operator().await;
    app.send(
        app.http
            .post(app.url(&format!("/api/v1/sub-orders/{refunded_sub}/refunds")))
            .bearer_auth(&op.token)
            .header("idempotency-key", "stats-r1")
            .json(&json!({"amount": 1234, "reason": "压坏两个"})),
    )
    .await
    .expect_status(200);
    app.outbox_drained().await;
    let day = app.today_in_china();
    County {
        coop,
        store,
        farm,
        orders,
        day,
    }
}

both_backends! {
    async fn county_sales_reconcile_with_the_paid_orders_refunds_and_shipments(app) {
        let c = county(&app).await;
        let day = &c.day;

        let month = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;

        let t = month.at("total");
        let paid = "FROM orders WHERE paid_at IS NOT NULL";
        assert_eq!(t.i64("gmv_fen"), app.scalar(&format!("SELECT SUM(total_fen) {paid}")).await, "GMV = what the paid orders total");
        assert_eq!(t.i64("goods_fen"), app.scalar(&format!("SELECT SUM(goods_fen) {paid}")).await);
        assert_eq!(t.i64("shipping_fen"), app.scalar(&format!("SELECT SUM(shipping_fen) {paid}")).await);
        assert_eq!(t.i64("refund_fen"), 1234);
        assert_eq!(t.i64("refund_fen"), app.scalar("SELECT SUM(refunded_fen) FROM sub_orders").await, "refunds = the ledger");
        assert_eq!(t.i64("refunds"), 1);
        assert_eq!(t.i64("net_fen"), t.i64("gmv_fen") - 1234, "net = gross − refunds");
        assert_eq!(t.i64("orders"), 7);
        assert_eq!(t.i64("buyers"), 7);
        assert_eq!(t.i64("lines"), app.scalar("SELECT COUNT(*) FROM order_lines").await);
        assert_eq!(t.i64("quantities.box"), app.scalar("SELECT SUM(quantity) FROM order_lines").await);
        assert_eq!(t.i64("weight_grams"), 2500 * t.i64("quantities.box"), "boxes weigh their net weight");
        assert_eq!(t.i64("shipped_fen"), c.orders[0].part_of(c.coop.org).total, "shipped = the shipped part's total");
        assert_eq!(t.i64("traced_fen"), 0, "shipped without a batch: not traced");
        assert_eq!(month.len_of("rows"), 1);
        assert_eq!(month.at("rows.0.gmv_fen"), t.at("gmv_fen"));
        assert_eq!(month.str("rows.0.key"), format!("{}-01", &day[..7]));
    }

    async fn a_seller_with_fewer_than_five_buyers_is_never_listed_nor_left_to_subtraction(app) {
        let c = county(&app).await;
        let day = &c.day;

        let by_seller = ask(&app, &format!("sales?from={day}&to={day}&by=seller")).await;

        // The farm (4 buyers) is never listed; with it alone hidden, the smaller of the others
        // is hidden too, so the farm cannot be read off as total − the rest.
        assert_eq!(keys(&by_seller), vec![c.coop.org.to_string()], "{by_seller}");
        let text = by_seller.to_string();
        assert!(!text.contains(&c.farm.org.to_string()) && !text.contains(&c.store.org.to_string()));
        assert_eq!(by_seller.i64("other_groups"), 2);
        let coop_total: i64 = c.orders.iter().map(|o| o.part_of(c.coop.org).total).sum();
        assert_eq!(by_seller.i64("rows.0.gmv_fen"), coop_total, "a seller's GMV = its sub-orders");
        assert_eq!(by_seller.i64("rows.0.buyers"), 7);
        adds_up(&by_seller);
    }

    async fn every_breakdown_adds_up_to_the_total_and_lists_only_groups_of_five_buyers_or_more(app) {
        let c = county(&app).await;
        let day = &c.day;

        for by in ["township", "village", "category", "category_root", "seller_kind", "product", "dest_province", "dest_city", "buyer_kind"] {
            let r = ask(&app, &format!("sales?from={day}&to={day}&by={by}")).await;
            adds_up(&r);
            for row in r.arr("rows") {
                assert!(row.i64("buyers") >= 5, "{by}: a listed group has five buyers or more: {row}");
            }
        }
        let total = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;
        let towns = ask(&app, &format!("sales?from={day}&to={day}&by=township")).await;
        assert_eq!(towns.str("rows.0.label"), "梅岭镇");
        assert!(!towns.to_string().contains("水南镇"), "the farm's township is not named");
        let kinds = ask(&app, &format!("sales?from={day}&to={day}&by=buyer_kind")).await;
        assert_eq!(keys(&kinds), vec!["consumer".to_owned()]);
        assert_eq!(kinds.at("rows.0.gmv_fen"), total.at("total.gmv_fen"));
        // 深圳 has four buyers, 上海 three: neither is shown.
        let cities = ask(&app, &format!("sales?from={day}&to={day}&by=dest_city")).await;
        assert!(keys(&cities).is_empty());
        assert_eq!(cities.at("other.gmv_fen"), total.at("total.gmv_fen"));
    }

    async fn a_series_is_filtered_to_one_township_and_products_are_ranked(app) {
        let c = county(&app).await;
        let day = &c.day;
        let towns = ask(&app, &format!("sales?from={day}&to={day}&by=township")).await;
        let town = towns.str("rows.0.key");

        let series = ask(&app, &format!("sales?from={day}&to={day}&by=day&township={}", urlencode(town))).await;
        let top = ask(&app, &format!("sales?from={day}&to={day}&by=product&limit=1")).await;

        assert_eq!(series.str("filter.label"), "梅岭镇");
        assert_eq!(series.at("total.gmv_fen"), towns.at("rows.0.gmv_fen"));
        assert_eq!(top.len_of("rows"), 1);
        assert_eq!(top.str("rows.0.label"), "梅岭镇脐橙");
    }

    async fn prices_are_compared_per_kilogram_of_net_weight(app) {
        let c = county(&app).await;
        let day = &c.day;

        let prices = ask(&app, &format!("prices?from={day}&to={day}")).await;

        // The cooperative's ¥39.90 box of 2.5 kg is ¥15.96/kg.
        let row = prices.at("rows.0");
        assert_eq!(row.str("basis"), "kg");
        assert!(row.i64("min_fen") <= row.i64("median_fen") && row.i64("median_fen") <= row.i64("max_fen"));
        assert_eq!(row.i64("max_fen"), 1596);
        assert_eq!(row.i64("min_fen"), 796);
        let weekly = ask(&app, &format!("prices?from={day}&to={day}&by=week&category={}", row.str("key"))).await;
        assert_eq!(weekly.str("category.basis"), "kg");
        assert_eq!(weekly.at("rows.0.max_fen"), row.at("max_fen"));
    }

    async fn trace_onboarding_and_after_sales_figures_match_their_sources(app) {
        let c = county(&app).await;
        let day = &c.day;
        let op = app.operator().await;

        let sales = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;
        let trace = ask(&app, &format!("trace?from={day}&to={day}&by=day")).await;
        assert_eq!(trace.at("total.shipped_fen"), sales.at("total.shipped_fen"));
        let onboarding = ask(&app, &format!("onboarding?from={day}&to={day}&by=month")).await;
        assert_eq!(onboarding.i64("total.sellers"), 3);
        assert_eq!(onboarding.i64("total.kinds.agri_enterprise"), 1);
        // After-sales: parcels from the rollups, the same figures as the quality page counts
        // from the sub-orders.
        for g in ["carrier", "category", "seller_kind"] {
            let county = ask(&app, &format!("aftersales?from={day}&to={day}&group_by={g}")).await;
            let direct = app.get(&format!("/api/v1/aftersales/quality?from={day}&to={day}&group_by={g}"), Some(&op.token)).await;
            direct.expect_status(200);
            assert_eq!(county.at("rows"), direct.at("rows"), "{g}");
            assert_eq!(county.at("total"), direct.at("total"), "{g}");
            assert_eq!(county.i64("total.delivered"), 1);
        }
        let quality = ask(&app, &format!("aftersales?from={day}&to={day}&group_by=carrier")).await;
        assert_eq!(quality.str("rows.0.key"), "顺丰速运");
        let dims = ask(&app, "dimensions").await;
        assert_eq!(dims.len_of("townships"), 3, "pickers offer the townships sold from");
    }

    async fn exports_stream_the_same_figures_as_csv_and_xlsx(app) {
        let c = county(&app).await;
        let day = &c.day;
        let official = app.official().await;
        let total = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;

        let csv = app.send(app.http.get(app.url(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day&format=csv"))).bearer_auth(&official.token)).await;

        csv.expect_status(200);
        assert!(csv.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
        assert!(csv.header("content-disposition").is_some_and(|c| c.contains("attachment") && c.contains(".csv")));
        assert!(csv.text.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
        assert!(csv.text.contains("成交额") && csv.text.contains("合计"));
        let gmv = total.i64("total.gmv_fen");
        let gmv_yuan = format!("{}.{:02}", gmv / 100, gmv % 100);
        assert!(csv.text.contains(&gmv_yuan), "the total's GMV {gmv_yuan} is in the CSV: {}", csv.text);
        let xlsx = app.http.get(app.url(&format!("/api/v1/stats/sales?from={day}&to={day}&by=township&format=xlsx"))).bearer_auth(&official.token).send().await.expect("an answer");
        assert_eq!(xlsx.status().as_u16(), 200);
        let bytes = xlsx.bytes().await.expect("a body");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
        use calamine::Reader;
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(ToString::to_string)).collect();
        assert!(cells.iter().any(|c| c == "梅岭镇"), "{cells:?}");
        assert!(cells.iter().any(|c| c.starts_with("合计")));
    }

    async fn redelivered_events_count_once_the_rebuild_gives_the_same_numbers_and_later_sales_count(app) {
        let c = county(&app).await;
        let day = &c.day;
        let views: Vec<String> = ["sales?by=day", "sales?by=seller", "sales?by=township", "sales?by=category", "prices?by=day", "trace?by=day", "aftersales?group_by=category", "aftersales?group_by=carrier"]
            .iter().map(|v| format!("{v}&from={day}&to={day}")).collect();
        let mut before = Vec::new();
        for v in &views {
            before.push(ask(&app, v).await);
        }
        let total = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;

        // Deliver every order event again (as after a lost lease): nothing is counted twice.
        use sea_orm::ConnectionTrait;
        let db = &app.state.infra.db;
        db.execute_unprepared("DELETE FROM outbox_deliveries WHERE handler = 'stats.rollup'").await.expect("forget deliveries");
        db.execute_unprepared("UPDATE outbox_events SET delivered_at = NULL, attempts = 0 WHERE topic LIKE 'orders.%' AND available_at <= created_at").await.expect("redeliver");
        app.outbox_drained().await;
        for (v, b) in views.iter().zip(&before) {
            assert_eq!(&ask(&app, v).await, b, "{v} after redelivery");
        }
        // The rebuild gives the same numbers.
        let report = app.state.stats.rebuild().await.expect("rebuild");
        assert_eq!(report.orders, 7);
        assert_eq!(report.refunds, 1);
        assert_eq!(report.shipments, 1);
        assert_eq!(report.deliveries, 1);
        for (v, b) in views.iter().zip(&before) {
            assert_eq!(&ask(&app, v).await, b, "{v} after the rebuild");
        }
        // Later events count.
        app.clock.advance(chrono::Duration::seconds(1));
        let (_, eighth) = paid_order_from(&app, ("北京市", "北京市"), &[(c.coop.sku, 1)]).await;
        app.outbox_drained().await;
        let after = ask(&app, &format!("sales?from={day}&to={day}&by=month")).await;
        assert_eq!(after.i64("total.orders"), 8);
        assert_eq!(after.i64("total.gmv_fen"), total.i64("total.gmv_fen") + eighth.total);
    }
}

both_backends! {
    async fn only_officials_read_county_statistics(app) {
        let official = app.official().await;
        let seller = seller(&app, "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        let buyer = app.register("13600000111", "买家").await;
        let day = app.today_in_china();

        for path in ["sales", "prices", "trace", "onboarding", "aftersales", "dimensions"] {
            let url = format!("/api/v1/stats/{path}?from={day}&to={day}");
            assert_eq!(app.get(&url, None).await.status, 401, "{path} anonymous");
            for who in [&app.operator().await, &app.agent().await, &seller.owner, &buyer] {
                let r = app.get(&url, Some(&who.token)).await;
                assert_eq!(r.status, 403, "{path}: only officials");
                assert_eq!(r.code(), "forbidden");
            }
            app.get(&url, Some(&official.token)).await.expect_status(200);
        }
    }

    async fn three_buyers_are_never_broken_down_not_even_in_the_total(app) {
        let official = app.official().await;
        let seller = seller(&app, "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        for _ in 0..3 {
            paid_order_from(&app, ("广东省", "广州市"), &[(seller.sku, 1)]).await;
        }
        app.outbox_drained().await;
        let day = app.today_in_china();

        let r = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=township"), Some(&official.token)).await;

        r.expect_status(200);
        assert!(r.bool("total.suppressed"));
        assert!(r.at("total.gmv_fen").is_null() && r.at("total.buyers").is_null());
        assert!(r.arr("rows").is_empty());
        assert!(r.body["other"]["gmv_fen"].is_null(), "the total cannot be read from other: {}", r.body);
        let r = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day"), Some(&official.token)).await;
        assert!(r.bool("rows.0.suppressed"));
        let csv = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day&format=csv"), Some(&official.token)).await;
        assert!(csv.text.contains("买家少于5位") && !csv.text.contains("39.90"), "{}", csv.text);
    }

    async fn bad_questions_get_a_field_error_each(app) {
        let official = app.official().await;
        let seller = seller(&app, "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        for _ in 0..3 {
            paid_order_from(&app, ("广东省", "广州市"), &[(seller.sku, 1)]).await;
        }
        app.outbox_drained().await;
        let day = app.today_in_china();
        let ask = |q: String| {
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
            let r = ask(q.clone()).await;
            assert_eq!(r.status, 422, "{q}: {}", r.text);
            assert_eq!(r.field_code(field), Some(code), "{q}: {}", r.text);
            assert!(r.field(field).is_some_and(|m| !m.is_empty()), "{q}: a message for {field}");
        }
        let long = "镇".repeat(300);
        let r = ask(format!("sales?from={day}&to={day}&by=day&township={}", urlencode(&long))).await;
        assert_eq!(r.field_code("township"), Some("too_long"));
        // A township picked from the list works.
        let r = ask(format!("sales?from={day}&to={day}&by=day&township={}", urlencode("青石县/梅岭镇"))).await;
        r.expect_status(200);
        // A seller kind nobody has sold as: zeros.
        let r = ask(format!("sales?from={day}&to={day}&by=week&seller_kind=agri_enterprise")).await;
        r.expect_status(200);
        assert_eq!(r.i64("total.gmv_fen"), 0);
    }
}

/// The statistics are read where `database_replica_url` points: with an empty (migrated)
/// replica the official sees nothing, while the primary's rollups hold the sales.
mod statistics_are_read_from_the_replica_when_one_is_configured {
    use super::*;
    use farmgate_migrations::MigratorTrait;
    use farmgate_server::settings::Settings;

    async fn run(backend: Backend) {
        let dir = tempfile::tempdir().expect("a directory");
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
                .expect("the replica");
                farmgate_migrations::Migrator::up(&conn, None)
                    .await
                    .expect("a migrated replica");
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
        let official = app.official().await;
        let seller = seller(&app, "cooperative", "梅岭脐橙专业合作社", "梅岭镇", 3990).await;
        for _ in 0..5 {
            paid_order_from(&app, ("广东省", "深圳市"), &[(seller.sku, 1)]).await;
        }
        app.outbox_drained().await;
        assert!(
            app.count("stats_sales", "1=1").await > 0,
            "the rollups are written to the primary"
        );
        let day = app.today_in_china();

        let r = app
            .get(
                &format!("/api/v1/stats/sales?from={day}&to={day}&by=township"),
                Some(&official.token),
            )
            .await;

        r.expect_status(200);
        assert_eq!(
            r.i64("total.gmv_fen"),
            0,
            "read from the (empty) replica: {}",
            r.body
        );
        assert!(r.arr("rows").is_empty());
        let dims = app
            .get("/api/v1/stats/dimensions", Some(&official.token))
            .await;
        assert!(dims.arr("townships").is_empty());
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
