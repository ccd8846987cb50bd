//! External reference price series (issue #20) through the real server: the operator uploads a
//! CSV (checked row by row, errors with line numbers, nothing stored unless every row is
//! right, at most 256 KiB), re-uploading the same rows changes nothing, the public board shows
//! the series labelled external with its source and never mixes it into the platform's
//! figures, and a download of it neutralises formula-looking cells.

use farmgate_tests::prelude::*;

const CSV: &str = "text/csv";

fn head() -> &'static str {
    "date,category,product,unit,price,source\n"
}

fn days_before(day: &str, n: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
    (d - chrono::Duration::days(n)).to_string()
}

both_backends! {
    async fn the_operator_uploads_a_wholesale_series_and_anyone_sees_it_labelled_external(app) {
        let op = app.operator().await;
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let y = days_before(&day, 1);
        let file = format!(
            "{}{y},{citrus},脐橙统货,斤,3.20,青石县农产品批发市场\n{day},{citrus},脐橙统货,斤,3.5,青石县农产品批发市场\n",
            head()
        );

        let r = app.post_raw("/api/v1/market/external", CSV, file.clone().into_bytes(), Some(&op.token)).await;

        r.expect_status(200);
        assert_eq!((r.i64("rows"), r.i64("series"), r.i64("series_created")), (2, 1, 1));
        assert_eq!((r.i64("prices_added"), r.i64("prices_changed"), r.i64("prices_unchanged")), (2, 0, 0));
        // The same rows again: nothing changes.
        let again = app.post_raw("/api/v1/market/external", CSV, file.into_bytes(), Some(&op.token)).await;
        again.expect_status(200);
        assert_eq!((again.i64("series_created"), again.i64("prices_added"), again.i64("prices_changed"), again.i64("prices_unchanged")), (0, 0, 0, 2));
        // A correction of one day replaces that day's price.
        let fix = format!("{}{day},{citrus},脐橙统货,斤,3.60,青石县农产品批发市场\n", head());
        let fixed = app.post_raw("/api/v1/market/external", CSV, fix.into_bytes(), Some(&op.token)).await;
        assert_eq!((fixed.i64("prices_changed"), fixed.i64("prices_added")), (1, 0));

        let list = app.get("/api/v1/market/external", Some(&op.token)).await;
        list.expect_status(200);
        assert_eq!(list.len_of(""), 1);
        assert_eq!((list.str("0.source"), list.str("0.unit"), list.i64("0.days")), ("青石县农产品批发市场", "jin", 2));
        assert_eq!(list.str("0.category_key"), citrus.to_string());
        let id = list.str("0.id").to_owned();

        // Public: on the board and on the category's page, labelled external with its source.
        let board = app.get("/api/v1/market/prices", None).await;
        board.expect_status(200);
        assert_eq!(board.len_of("external"), 1);
        assert!(board.bool("external.0.external"));
        assert_eq!(board.str("external.0.source"), "青石县农产品批发市场");
        assert_eq!((board.str("external.0.latest.day"), board.i64("external.0.latest.price_fen")), (day.as_str(), 360));
        // Never mixed into our figures: no sale, no category on the board.
        assert_eq!(board.len_of("categories"), 0);
        let page = app.get(&format!("/api/v1/market/prices/{citrus}?days=30"), None).await;
        page.expect_status(200);
        assert!(!page.bool("published"), "no platform sale, nothing published");
        assert!(page.at("period").is_null());
        assert_eq!(page.len_of("external.0.points"), 2);
        assert_eq!(page.i64("external.0.points.0.price_fen"), 320);

        // The operator downloads it; deletes it; the board no longer shows it.
        let csv = app.get(&format!("/api/v1/market/external/{id}?format=csv"), Some(&op.token)).await;
        csv.expect_status(200);
        assert!(csv.text.contains("3.60") && csv.text.contains("青石县农产品批发市场"), "{}", csv.text);
        app.get(&format!("/api/v1/market/external/{id}?format=xlsx"), Some(&op.token)).await.expect_status(200);
        assert_eq!(app.delete(&format!("/api/v1/market/external/{id}"), Some(&op.token)).await.status, 204);
        assert_eq!(app.delete(&format!("/api/v1/market/external/{id}"), Some(&op.token)).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/market/external/{id}"), Some(&op.token)).await.status, 404);
        assert_eq!(app.get("/api/v1/market/prices", None).await.len_of("external"), 0);
    }

    async fn external_prices_never_change_the_platforms_figures(app) {
        let seller = app.verified_seller().with_listing(
            Product::boxes("梅岭脐橙", 3990, 500).sku_name("5斤装").weight_grams(2800).net_weight_grams(2500)
                .without_tiers().from_township("梅岭镇").in_category("citrus"),
        ).await;
        for _ in 0..5 {
            let b = app.consumer().await;
            app.paid_order(&b, &[(seller.sku, 1)]).await;
        }
        app.outbox_drained().await;
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let before = app.get(&format!("/api/v1/market/prices/{citrus}?days=30"), None).await;
        let op = app.operator().await;
        let file = format!("{}{day},{citrus},,kg,1.00,某批发市场\n", head());
        app.post_raw("/api/v1/market/external", CSV, file.into_bytes(), Some(&op.token)).await.expect_status(200);

        let after = app.get(&format!("/api/v1/market/prices/{citrus}?days=30"), None).await;

        for f in ["today", "week", "period", "trend", "townships", "products"] {
            assert_eq!(after.at(f), before.at(f), "{f} unchanged");
        }
        assert_eq!(after.i64("period.min_fen"), 1596, "our lowest price is ours, not the external 100");
        assert_eq!(after.len_of("external"), 1);
        let official = app.official().await;
        let stats = app.get(&format!("/api/v1/stats/prices?from={day}&to={day}"), Some(&official.token)).await;
        assert!(!stats.text.contains("某批发市场"));
    }

    async fn bad_files_are_refused_with_line_numbers_and_nothing_is_stored(app) {
        let op = app.operator().await;
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let post = |body: String| {
            let app = &app;
            let token = op.token.clone();
            async move { app.post_raw("/api/v1/market/external", CSV, body.into_bytes(), Some(&token)).await }
        };
        // One good row and bad ones: negative, huge, unknown category, bad date, bad unit.
        let file = format!(
            "{}{day},{citrus},,斤,3.00,A\n{day},{citrus},,斤,-3,A\n{day},{citrus},x,斤,99999999999999999999,A\n{day},榴莲,,斤,3,A\n31/12/2026,{citrus},,斤,3,A\n{day},{citrus},,吨,3,A\n{day},{citrus},y,斤,1e9,A\n",
            head()
        );
        let r = post(file).await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{}", r.text);
        assert_eq!(r.field_code("line_3.price"), Some("negative"));
        assert_eq!(r.field_code("line_4.price"), Some("too_large"));
        assert_eq!(r.field_code("line_5.category"), Some("unknown_category"));
        assert_eq!(r.field_code("line_6.date"), Some("invalid"));
        assert_eq!(r.field_code("line_7.unit"), Some("unknown_unit"));
        assert_eq!(r.field_code("line_8.price"), Some("invalid"));
        assert!(r.field("line_5.category").is_some_and(|m| m.contains('5')), "the message names the line");
        assert_eq!(r.field_code("line_2.price"), None, "the good row is fine");
        assert_eq!(app.get("/api/v1/market/external", Some(&op.token)).await.len_of(""), 0, "nothing stored");

        // Malformed: no header, a wrong header, an open quote, not UTF-8, empty.
        let r = post(format!("{day},{citrus},,斤,3,A\n")).await;
        assert_eq!((r.status, r.field_code("line_1")), (422, Some("header")));
        assert_eq!(post("when,what,price\n2026-01-01,x,1\n".into()).await.field_code("line_1"), Some("header"));
        assert_eq!(post(format!("{}{day},\"{citrus},,斤,3,A\n", head())).await.field_code("line_2"), Some("columns"));
        assert_eq!(post(String::new()).await.field_code("csv"), Some("empty"));
        let gbk = app.post_raw("/api/v1/market/external", CSV, vec![0xc6, 0xbb, 0xb9, 0xfb, b'\n'], Some(&op.token)).await;
        assert_eq!((gbk.status, gbk.field_code("csv")), (422, Some("invalid")));
        // A future day.
        let tomorrow = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("a date") + chrono::Duration::days(1)).to_string();
        assert_eq!(post(format!("{}{tomorrow},{citrus},,斤,3,A\n", head())).await.field_code("line_2.date"), Some("out_of_range"));

        // Oversize: 413 in our shape; too many rows: 422.
        let mut big = String::from(head());
        while big.len() <= 256 * 1024 {
            big.push_str(&format!("{day},{citrus},{},斤,3.00,某批发市场\n", "长".repeat(40)));
        }
        let r = app
            .send_raw(
                &format!("POST /api/v1/market/external HTTP/1.1\r\nContent-Type: text/csv\r\nAuthorization: Bearer {}", op.token),
                big.into_bytes(),
            )
            .await;
        assert_eq!((r.status, r.code()), (413, "payload_too_large"), "{}", r.text);
        let mut many = String::from(head());
        // By the category's English name, to stay under the size limit.
        for _ in 0..5001 {
            many.push_str(&format!("{day},citrus,,斤,3,A\n"));
        }
        assert_eq!(post(many).await.field_code("csv"), Some("too_many_rows"));
        assert_eq!(app.get("/api/v1/market/external", Some(&op.token)).await.len_of(""), 0, "still nothing stored");
    }

    async fn only_the_operator_manages_external_series(app) {
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let file = format!("{}{day},{citrus},,斤,3,A\n", head());
        let shop = app.verified_seller().with_listing(Product::boxes("梅岭脐橙", 3990, 5)).await;
        let buyer = app.consumer().await;
        let r = app.post_raw("/api/v1/market/external", CSV, file.clone().into_bytes(), None).await;
        assert_eq!(r.status, 401);
        for who in [&app.official().await, &app.finance().await, &app.agent().await, &shop.owner, &*buyer] {
            let r = app.post_raw("/api/v1/market/external", CSV, file.clone().into_bytes(), Some(&who.token)).await;
            // Officials write nothing anywhere (`read_only`); the rest are not the operator.
            assert_eq!(r.status, 403, "{}", r.text);
            assert!(["forbidden", "read_only"].contains(&r.code()), "{}", r.text);
            assert_eq!(app.get("/api/v1/market/external", Some(&who.token)).await.status, 403);
        }
        let op = app.operator().await;
        app.post_raw("/api/v1/market/external", CSV, file.into_bytes(), Some(&op.token)).await.expect_status(200);
        let id = app.get("/api/v1/market/external", Some(&op.token)).await.str("0.id").to_owned();
        assert_eq!(app.delete(&format!("/api/v1/market/external/{id}"), Some(&shop.owner.token)).await.status, 403);
        assert_eq!(app.get(&format!("/api/v1/market/external/{id}?format=csv"), Some(&buyer.token)).await.status, 403);
        assert_eq!(app.get(&format!("/api/v1/market/external/{id}?format=pdf"), Some(&op.token)).await.field_code("format"), Some("unknown"));
        assert_eq!(app.get(&format!("/api/v1/market/external/{}", "x".repeat(80)), Some(&op.token)).await.status, 404);
    }

    async fn formula_looking_cells_are_neutralised_when_exported_back(app) {
        let op = app.operator().await;
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let file = format!("{}{day},{citrus},=cmd|' /C calc'!A0,斤,3,\"@SUM(1+1)\"\n", head());
        app.post_raw("/api/v1/market/external", CSV, file.into_bytes(), Some(&op.token)).await.expect_status(200);
        let list = app.get("/api/v1/market/external", Some(&op.token)).await;
        assert_eq!(list.str("0.product"), "=cmd|' /C calc'!A0", "kept as the text it is");
        let id = list.str("0.id").to_owned();

        let csv = app.get(&format!("/api/v1/market/external/{id}?format=csv"), Some(&op.token)).await;

        csv.expect_status(200);
        assert!(!csv.text.contains(",=cmd") && !csv.text.contains(",@SUM") && !csv.text.contains("\n=") && !csv.text.contains("\"=cmd"), "{}", csv.text);
        assert!(csv.text.contains("'=cmd") || csv.text.contains("\"'=cmd"), "{}", csv.text);
    }

    async fn two_operators_uploading_the_same_new_series_at_once_make_one_series(app) {
        let op = app.operator().await;
        let citrus = app.category("citrus").await;
        let day = app.today_in_china();
        let file = format!("{}{day},{citrus},,斤,3,并发市场\n", head());
        let reqs = (0..4)
            .map(|_| {
                app.http
                    .post(app.url("/api/v1/market/external"))
                    .header("content-type", CSV)
                    .bearer_auth(&op.token)
                    .body(file.clone())
            })
            .collect();

        let answers = app.send_all(reqs).await;

        for a in &answers {
            assert_eq!(a.status, 200, "{}", a.text);
        }
        let list = app.get("/api/v1/market/external", Some(&op.token)).await;
        assert_eq!((list.len_of(""), list.i64("0.days")), (1, 1));
    }
}
