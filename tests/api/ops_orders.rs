//! Issue #19, "search and filters on order lists" for the platform: `GET /api/v1/ops/orders`
//! narrowed by a search (an order's or a part's number, a product, the recipient's name, 4 or
//! more digits of the recipient's phone), a seller, the days the order was placed (China time)
//! and the ship-by state of its parts — with the attacks: LIKE wildcards taken as themselves,
//! an oversized or control-character search, a period that ends before it starts or runs over
//! a year, an unknown parameter, and everyone but platform staff refused.

use farmgate_tests::prelude::*;

fn numbers(r: &Resp) -> Vec<String> {
    let mut n: Vec<String> = r
        .arr("items")
        .iter()
        .filter_map(|o| o["number"].as_str().map(str::to_owned))
        .collect();
    n.sort();
    n
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

struct Shop {
    oranges: SellerWithListing,
    eggs: SellerWithListing,
    /// 王芳's paid order of oranges.
    orange_order: Order,
    /// 李建国's paid order of eggs, to his own address (phone 13912345678).
    egg_order: Order,
    /// 李建国's order of oranges, not paid.
    unpaid: Order,
}

async fn shop(app: &TestApp) -> Shop {
    let oranges = app.verified_seller().with_listing(Product::oranges()).await;
    let eggs = app
        .verified_seller()
        .named("梅岭蛋禽合作社")
        .with_listing(Product::eggs())
        .await;
    let wang = app.consumer().await;
    let li = app.consumer().named("李建国").await;
    let mut address = address_body();
    address["name"] = json!("李建国");
    address["phone"] = json!("13912345678");
    let r = app
        .post("/api/v1/me/addresses", address, Some(&li.token))
        .await;
    r.expect_status(201);
    let li = Consumer {
        session: li.session.clone(),
        address: r.id(),
    };
    let orange_order = app.paid_order(&wang, &[(oranges.sku, 1)]).await;
    let egg_order = app.paid_order(&li, &[(eggs.sku, 2)]).await;
    let unpaid = app.checkout(&li, &[(oranges.sku, 1)], "offline").await;
    Shop {
        oranges,
        eggs,
        orange_order,
        egg_order,
        unpaid,
    }
}

both_backends! {
    async fn the_operator_finds_orders_by_product_recipient_phone_tail_and_part_number(app) {
        let s = shop(&app).await;
        let op = app.operator().await;
        let find = |q: &str| format!("/api/v1/ops/orders?q={}", urlencoding(q));

        let r = app.get(&find("鸡蛋"), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(numbers(&r), vec![s.egg_order.number.clone()], "by product: {}", r.text);
        let r = app.get(&find("脐橙"), Some(&op.token)).await;
        assert_eq!(numbers(&r), sorted(vec![s.orange_order.number.clone(), s.unpaid.number.clone()]));
        let r = app.get(&find("建国"), Some(&op.token)).await;
        assert_eq!(numbers(&r), sorted(vec![s.egg_order.number.clone(), s.unpaid.number.clone()]), "by recipient");
        let r = app.get(&find("5678"), Some(&op.token)).await;
        assert_eq!(numbers(&r), sorted(vec![s.egg_order.number.clone(), s.unpaid.number.clone()]), "by the phone's tail");
        let r = app.get(&find("678"), Some(&op.token)).await;
        assert!(numbers(&r).is_empty(), "three digits are not a phone search: {}", r.text);
        let part = s.egg_order.sub_orders[0].number.clone();
        let r = app.get(&find(&part), Some(&op.token)).await;
        assert_eq!(numbers(&r), vec![s.egg_order.number.clone()], "by a part's number {part}");
        let r = app.get(&find(&s.orange_order.number), Some(&op.token)).await;
        assert_eq!(numbers(&r), vec![s.orange_order.number.clone()], "by its number");
        // Wildcards are themselves.
        for wild in ["%", "_", "\\", "%橙%"] {
            let r = app.get(&find(wild), Some(&op.token)).await;
            r.expect_status(200);
            assert!(numbers(&r).is_empty(), "{wild:?} matched: {}", r.text);
        }
        // With the status: the paid ones only.
        let r = app.get(&format!("{}&status=paid", find("脐橙")), Some(&op.token)).await;
        assert_eq!(numbers(&r), vec![s.orange_order.number.clone()]);
        // The older `number` parameter still finds by number or part number.
        let r = app.get(&format!("/api/v1/ops/orders?number={part}"), Some(&op.token)).await;
        assert_eq!(numbers(&r), vec![s.egg_order.number.clone()]);
    }

    async fn the_operator_narrows_by_seller_days_placed_and_ship_by(app) {
        let s = shop(&app).await;
        let op = app.operator().await;
        let today = app.today_in_china();
        let list = |q: String| {
            let (app, token) = (&app, op.token.clone());
            async move { app.get(&format!("/api/v1/ops/orders?{q}"), Some(&token)).await }
        };

        let r = list(format!("seller={}", s.eggs.org)).await;
        assert_eq!(numbers(&r), vec![s.egg_order.number.clone()], "{}", r.text);
        let r = list(format!("seller={}", s.oranges.org)).await;
        assert_eq!(numbers(&r), sorted(vec![s.orange_order.number.clone(), s.unpaid.number.clone()]));
        let r = list(format!("seller={}", Uuid::now_v7())).await;
        assert_eq!(r.i64("total"), 0);

        let r = list(format!("from={today}&to={today}")).await;
        assert_eq!(r.i64("total"), 3, "placed today: {}", r.text);
        let r = list("from=2020-01-01&to=2020-01-31".to_owned()).await;
        assert_eq!(r.i64("total"), 0);

        // Nothing is late yet; two days on, both paid parts are past their 48-hour promise.
        let r = list("ship_by=overdue".to_owned()).await;
        assert_eq!(r.i64("total"), 0, "{}", r.text);
        app.clock.advance(chrono::Duration::hours(49));
        let r = list("ship_by=overdue".to_owned()).await;
        assert_eq!(numbers(&r), sorted(vec![s.orange_order.number.clone(), s.egg_order.number.clone()]), "{}", r.text);
        // Shipped, a part is no longer late.
        app.ship(&s.eggs.owner, s.egg_order.sub_orders[0].id).await;
        let r = list(format!("ship_by=overdue&seller={}", s.eggs.org)).await;
        assert_eq!(r.i64("total"), 0, "{}", r.text);
        let r = list("ship_by=overdue".to_owned()).await;
        assert_eq!(numbers(&r), vec![s.orange_order.number.clone()]);
    }

    async fn bad_filters_are_refused_and_only_platform_staff_may_look(app) {
        let s = shop(&app).await;
        let op = app.operator().await;
        let t = Some(op.token.as_str());
        let r = app.get(&format!("/api/v1/ops/orders?q={}", "橙".repeat(41)), t).await;
        assert_eq!((r.status, r.field("q").is_some()), (422, true), "{}", r.text);
        let r = app.get("/api/v1/ops/orders?q=a%00b", t).await;
        assert_eq!((r.status, r.code()), (400, "control_characters"), "{}", r.text);
        let r = app.get("/api/v1/ops/orders?from=2026-03-02&to=2026-03-01", t).await;
        assert_eq!((r.status, r.field("to").is_some()), (422, true), "{}", r.text);
        let r = app.get("/api/v1/ops/orders?from=2024-01-01&to=2025-06-01", t).await;
        assert_eq!(r.status, 422, "over a year: {}", r.text);
        for bad in ["from=yesterday", "ship_by=late", "seller=not-an-id", "status=lost", "unknown=1"] {
            let r = app.get(&format!("/api/v1/ops/orders?{bad}"), t).await;
            assert_eq!(r.status, 400, "{bad}: {}", r.text);
        }
        // A blank search is no search.
        let r = app.get("/api/v1/ops/orders?q=%20%20", t).await;
        assert_eq!(r.i64("total"), 3);

        let agent = app.agent().await;
        app.get("/api/v1/ops/orders?q=5678", Some(&agent.token)).await.expect_status(200);
        // A seller, even searching for its own buyers, is not platform staff; nor is a buyer.
        let r = app.get(&format!("/api/v1/ops/orders?seller={}", s.eggs.org), Some(&s.eggs.owner.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        let buyer = app.consumer().await;
        app.get("/api/v1/ops/orders?q=5678", Some(&buyer.token)).await.expect_status(403);
        app.get("/api/v1/ops/orders?q=5678", None).await.expect_status(401);
    }
}

/// `q` as a query value.
fn urlencoding(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
