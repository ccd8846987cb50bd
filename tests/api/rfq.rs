//! Issue #22, requests for quotation (询价 → 报价 → 订单): a business buyer's purchaser or owner
//! posts a need to chosen sellers or the whole category; invited sellers quote one of their
//! SKUs; the buyer accepts one or more quotes, each an ordinary order through checkout at the
//! quoted unit price, exact to the fen in the order and in the seller's settlement. Only the
//! buyer and the invited sellers learn of an RFQ; a seller sees only its own quotes.

use farmgate_tests::prelude::*;

/// A verified hotel (owner, purchaser; approval limit ¥100), a seller of eggs (¥45 a box, 20
/// in stock, invited) and a second seller in the same category (not invited unless the RFQ
/// goes to the whole category).
struct World {
    org: Uuid,
    owner: Consumer,
    purchaser: Consumer,
    seller: SellerWithListing,
    other: SellerWithListing,
    category: Uuid,
}

const LIMIT: i64 = 10_000;

async fn world(app: &TestApp) -> World {
    let (org, owner) = app.hotel(Some(LIMIT)).await;
    let purchaser = app.joined(&owner, org, "purchaser", "采购员小李").await;
    let seller = app.verified_seller().with_listing(Product::eggs()).await;
    let other = app
        .verified_seller()
        .named("青石家庭农场")
        .with_listing(Product::oranges())
        .await;
    let category = app.category("citrus").await;
    World {
        org,
        owner,
        purchaser,
        seller,
        other,
        category,
    }
}

fn later(app: &TestApp, hours: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(hours)).to_rfc3339()
}

fn in_days(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .date_naive()
        .to_string()
}

fn rfq_body(app: &TestApp, w: &World, who: &Consumer, sellers: Option<Vec<Uuid>>) -> Value {
    let mut b = json!({
        "category_id": w.category,
        "listing_id": w.seller.listing,
        "title": "散养土鸡蛋，早餐用",
        "quantity": 200,
        "unit": "箱",
        "quality": "蛋壳完整，30 天内产",
        "deliver_from": in_days(app, 2),
        "deliver_to": in_days(app, 9),
        "address_id": who.address,
        "closes_at": later(app, 48),
    });
    if let Some(s) = sellers {
        b["sellers"] = json!(s);
    }
    b
}

async fn post_rfq(app: &TestApp, w: &World, who: &Consumer, sellers: Option<Vec<Uuid>>) -> Resp {
    let r = app
        .post(
            "/api/v1/rfqs",
            rfq_body(app, w, who, sellers),
            Some(&who.token),
        )
        .await;
    r.expect_status(201);
    r
}

fn quote_body(app: &TestApp, sku: Uuid, price: i64, quantity: i64) -> Value {
    json!({"sku_id": sku, "unit_price_fen": price, "quantity": quantity,
           "expires_at": later(app, 24), "note": "每周二、五送货"})
}

async fn quote(app: &TestApp, seller: &SellerWithListing, rfq: Uuid, price: i64, qty: i64) -> Resp {
    let r = app
        .post(
            &format!("/api/v1/rfqs/{rfq}/quotes"),
            quote_body(app, seller.sku, price, qty),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(201);
    r
}

async fn accept(app: &TestApp, who: &Consumer, quote: Uuid) -> Resp {
    app.post(
        &format!("/api/v1/rfq-quotes/{quote}/accept"),
        json!({"address_id": who.address, "payment_method": "offline"}),
        Some(&who.token),
    )
    .await
}

async fn stock(app: &TestApp, listing: Uuid) -> i64 {
    app.listing(listing, None).await.skus[0].stock
}

async fn notices(app: &TestApp, who: &Session, kind: &str) -> i64 {
    app.outbox_drained().await;
    let r = app
        .get(
            &format!("/api/v1/notifications?kind={kind}"),
            Some(&who.token),
        )
        .await;
    r.expect_status(200);
    r.i64("total")
}

both_backends! {
    async fn a_quote_accepted_becomes_an_order_at_the_quoted_price_exact_in_the_order_and_the_settlement(app) {
        let w = world(&app).await;
        let posted = post_rfq(&app, &w, &w.owner, Some(vec![w.seller.org])).await;
        let rfq = posted.id();
        let number = posted.string("number");
        assert!(number.starts_with("XJ"), "{}", posted.text);
        assert_eq!(posted.strings("sellers", "id"), vec![w.seller.org.to_string()]);
        assert!(!posted.bool("whole_category"));
        assert_eq!(notices(&app, &w.seller.owner, "rfq_invited").await, 1);

        // The invited seller sees the need, and the place only down to the district.
        let seen = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&w.seller.owner.token)).await;
        seen.expect_status(200);
        assert!(!seen.bool("as_buyer"));
        assert_eq!((seen.str("place.street"), seen.str("place.phone")), ("", ""), "{}", seen.text);
        assert!(!seen.str("place.city").is_empty());
        assert_eq!(seen.len_of("sellers"), 0, "a seller is not told who else was asked");

        let before = stock(&app, w.seller.listing).await;
        let q = quote(&app, &w.seller, rfq, 3_851, 7).await;
        assert_eq!((q.i64("total_fen"), q.str("state")), (26_957, "open"), "{}", q.text);
        assert_eq!(notices(&app, &w.owner, "rfq_quoted").await, 1);
        let mine = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&w.owner.token)).await;
        assert_eq!(mine.strings("quotes", "id"), vec![q.id().to_string()]);

        let placed = accept(&app, &w.owner, q.id()).await;
        placed.expect_status(201);
        let order = placed.id();
        assert_eq!(placed.i64("sub_orders.0.lines.0.unit_price"), 3_851, "{}", placed.text);
        assert_eq!(placed.i64("sub_orders.0.lines.0.retail_price"), 4_500);
        assert_eq!(placed.i64("sub_orders.0.lines.0.quantity"), 7);
        assert_eq!(placed.i64("sub_orders.0.lines.0.line_total"), 26_957);
        assert_eq!(placed.i64("goods_total"), 26_957);
        assert_eq!(placed.str("events.0.data.rfq.number"), number, "the order says which RFQ it came from");
        assert!(placed.at("approval").is_null(), "the owner orders without approval");
        assert_eq!(stock(&app, w.seller.listing).await, before - 7, "stock taken like any order");
        assert_eq!(notices(&app, &w.seller.owner, "rfq_accepted").await, 1);
        let after = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&w.owner.token)).await;
        assert_eq!(after.str("quotes.0.state"), "accepted");
        assert_eq!(after.uuid("quotes.0.order_id"), order);

        // Paid, shipped and received as usual; the settlement carries the quoted figures.
        app.confirm_transfer(order).await;
        let sold = app.order(order, &w.seller.owner).await;
        let part = sold.part();
        app.ship(&w.seller.owner, part.id).await;
        app.receive(&w.owner, part.id).await;
        let seller_view = app.get(&format!("/api/v1/orders/{order}"), Some(&w.seller.owner.token)).await;
        let commission = seller_view.i64("sub_orders.0.commission");
        let total = seller_view.i64("sub_orders.0.total");
        assert_eq!(total, 26_957 + seller_view.i64("sub_orders.0.shipping"));
        let day = app.today_in_china();
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={day}&to={day}", w.seller.org), Some(&w.seller.owner.token)).await;
        st.expect_status(200);
        let line = st.find("lines", "order_id", order.to_string());
        assert_eq!(line.i64("total"), total, "{}", st.text);
        assert_eq!(line.i64("commission"), commission);
        assert_eq!(line.i64("payable"), total - commission);
    }

    async fn a_whole_category_rfq_reaches_every_seller_and_two_quotes_make_two_orders(app) {
        let w = world(&app).await;
        let posted = post_rfq(&app, &w, &w.owner, None).await;
        let rfq = posted.id();
        assert!(posted.bool("whole_category"));
        let asked = posted.strings("sellers", "id");
        let want = [w.seller.org.to_string(), w.other.org.to_string()];
        assert!(want.iter().all(|s| asked.contains(s)), "{}", posted.text);

        let a = quote(&app, &w.seller, rfq, 4_000, 3).await;
        let b = quote(&app, &w.other, rfq, 5_200, 2).await;
        // Each seller sees only its own quote; the buyer sees both.
        let seen = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&w.other.owner.token)).await;
        assert_eq!(seen.strings("quotes", "id"), vec![b.id().to_string()], "{}", seen.text);
        let list = app.get(&format!("/api/v1/orgs/{}/rfqs", w.seller.org), Some(&w.seller.owner.token)).await;
        list.expect_status(200);
        assert_eq!(list.strings("items.0.quotes", "id"), vec![a.id().to_string()]);
        let mine = app.get(&format!("/api/v1/orgs/{}/rfqs", w.org), Some(&w.purchaser.token)).await;
        assert_eq!(mine.len_of("items.0.quotes"), 2, "{}", mine.text);

        let first = accept(&app, &w.owner, a.id()).await;
        first.expect_status(201);
        // The purchaser's order above the owner's limit waits for approval like any order.
        let second = accept(&app, &w.purchaser, b.id()).await;
        second.expect_status(201);
        assert_eq!(second.i64("sub_orders.0.lines.0.unit_price"), 5_200);
        assert_eq!(second.str("approval.status"), "pending", "{}", second.text);
        assert_ne!(first.id(), second.id());
    }

    async fn two_acceptances_at_once_make_exactly_one_order(app) {
        let w = world(&app).await;
        let rfq = post_rfq(&app, &w, &w.owner, Some(vec![w.seller.org])).await.id();
        let q = quote(&app, &w.seller, rfq, 4_100, 2).await.id();
        let before = stock(&app, w.seller.listing).await;
        let reqs = (0..8)
            .map(|_| {
                app.http
                    .post(app.url(&format!("/api/v1/rfq-quotes/{q}/accept")))
                    .bearer_auth(&w.owner.token)
                    .json(&json!({"payment_method": "offline"}))
            })
            .collect();
        let answers = app.send_all(reqs).await;
        let won: Vec<&Resp> = answers.iter().filter(|r| r.status == 201).collect();
        assert_eq!(won.len(), 1, "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in answers.iter().filter(|r| r.status != 201) {
            assert_eq!((r.status, r.code()), (409, "quote_closed"), "{}", r.text);
        }
        assert_eq!(stock(&app, w.seller.listing).await, before - 2, "stock taken once");
        let orders = app.get("/api/v1/orders", Some(&w.owner.token)).await;
        assert_eq!(orders.i64("total"), 1, "{}", orders.text);
    }

    async fn an_expired_withdrawn_or_revised_quote_or_a_closed_rfq_is_not_accepted(app) {
        let w = world(&app).await;
        let rfq = post_rfq(&app, &w, &w.owner, Some(vec![w.seller.org])).await.id();
        let withdrawn = quote(&app, &w.seller, rfq, 4_000, 1).await.id();
        let w1 = app.post_empty(&format!("/api/v1/rfq-quotes/{withdrawn}/withdraw"), Some(&w.seller.owner.token)).await;
        w1.expect_status(200);
        assert_eq!(w1.str("state"), "withdrawn");
        let r = accept(&app, &w.owner, withdrawn).await;
        assert_eq!((r.status, r.code()), (409, "quote_closed"), "{}", r.text);

        // A revision moves the price; the acceptance orders at the revised one.
        let revised = quote(&app, &w.seller, rfq, 4_000, 1).await.id();
        let put = app.put(&format!("/api/v1/rfq-quotes/{revised}"), quote_body(&app, w.seller.sku, 3_999, 2), Some(&w.seller.owner.token)).await;
        put.expect_status(200);
        assert_eq!((put.i64("unit_price_fen"), put.i64("version")), (3_999, 2), "{}", put.text);
        let placed = accept(&app, &w.owner, revised).await;
        placed.expect_status(201);
        assert_eq!((placed.i64("sub_orders.0.lines.0.unit_price"), placed.i64("sub_orders.0.lines.0.quantity")), (3_999, 2));
        let again = app.put(&format!("/api/v1/rfq-quotes/{revised}"), quote_body(&app, w.seller.sku, 1, 2), Some(&w.seller.owner.token)).await;
        assert_eq!((again.status, again.code()), (409, "quote_closed"), "an accepted quote is not revised");
        let gone = app.post_empty(&format!("/api/v1/rfq-quotes/{revised}/withdraw"), Some(&w.seller.owner.token)).await;
        assert_eq!((gone.status, gone.code()), (409, "quote_closed"), "nor withdrawn");

        let expiring = quote(&app, &w.seller, rfq, 4_000, 1).await.id();
        app.clock.advance(chrono::Duration::hours(25));
        let r = accept(&app, &w.owner, expiring).await;
        assert_eq!((r.status, r.code()), (409, "quote_expired"), "{}", r.text);

        let open = app
            .post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.seller.sku, 4_000, 1), Some(&w.seller.owner.token))
            .await;
        open.expect_status(201);
        let closed = app.post_empty(&format!("/api/v1/rfqs/{rfq}/close"), Some(&w.owner.token)).await;
        closed.expect_status(200);
        assert_eq!(closed.str("status"), "closed");
        let r = accept(&app, &w.owner, open.id()).await;
        assert_eq!((r.status, r.code()), (409, "rfq_closed"), "{}", r.text);
        let late = app
            .post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.seller.sku, 4_000, 1), Some(&w.seller.owner.token))
            .await;
        assert_eq!((late.status, late.code()), (409, "rfq_closed"));
        let orders = app.get("/api/v1/orders", Some(&w.owner.token)).await;
        assert_eq!(orders.i64("total"), 1, "only the revised quote made an order");
    }

    async fn outsiders_cannot_post_read_quote_or_accept_and_bad_figures_are_refused(app) {
        let w = world(&app).await;
        // A consumer posts nothing.
        let consumer = app.consumer().await;
        let r = app.post("/api/v1/rfqs", rfq_body(&app, &w, &consumer, Some(vec![w.seller.org])), Some(&consumer.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
        // Only verified sellers may be asked: not a business buyer, not an unknown id.
        let r = app.post("/api/v1/rfqs", rfq_body(&app, &w, &w.owner, Some(vec![w.org])), Some(&w.owner.token)).await;
        assert_eq!(r.field_code("sellers"), Some("not_found"), "{}", r.text);
        let r = app.post("/api/v1/rfqs", rfq_body(&app, &w, &w.owner, Some(vec![Uuid::now_v7()])), Some(&w.owner.token)).await;
        assert_eq!(r.field_code("sellers"), Some("not_found"), "{}", r.text);
        let mut bad = rfq_body(&app, &w, &w.owner, Some(vec![w.seller.org]));
        bad["quantity"] = json!(-5);
        bad["closes_at"] = json!(later(&app, -1));
        bad["address_id"] = json!(consumer.address);
        let r = app.post("/api/v1/rfqs", bad, Some(&w.owner.token)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        for f in ["quantity", "closes_at", "address_id"] {
            assert!(r.field_code(f).is_some(), "{f}: {}", r.text);
        }

        let rfq = post_rfq(&app, &w, &w.owner, Some(vec![w.seller.org])).await.id();
        // A seller not invited neither sees it nor quotes on it.
        let r = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&w.other.owner.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app.post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.other.sku, 100, 1), Some(&w.other.owner.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        // The invited seller cannot quote another organisation's SKU.
        let r = app.post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.other.sku, 100, 1), Some(&w.seller.owner.token)).await;
        assert_eq!(r.field_code("sku_id"), Some("not_found"), "{}", r.text);
        // Nor one of its own SKUs that is not the product asked for (another category).
        let pears = app
            .approved_listing(&w.seller.seller(), &Product::boxes("砀山酥梨 10斤装", 3990, 30).in_category("apple-pear"))
            .await;
        let r = app.post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, pears.skus[0].id, 100, 1), Some(&w.seller.owner.token)).await;
        assert_eq!((r.status, r.field_code("sku_id")), (422, Some("other_category")), "{}", r.text);
        // Negative, zero and oversized prices and quantities.
        for (price, qty, field) in [(-1, 1, "unit_price_fen"), (0, 1, "unit_price_fen"), (10_000_001, 1, "unit_price_fen"),
                                    (100, 0, "quantity"), (100, -3, "quantity"), (100, 10_000, "quantity"),
                                    (i64::MAX, i64::MAX, "unit_price_fen")] {
            let r = app.post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.seller.sku, price, qty), Some(&w.seller.owner.token)).await;
            assert_eq!(r.status, 422, "{price} {qty}: {}", r.text);
            assert!(r.field_code(field).is_some(), "{field}: {}", r.text);
        }
        // The buyer does not quote on its own RFQ.
        let r = app.post(&format!("/api/v1/rfqs/{rfq}/quotes"), quote_body(&app, w.seller.sku, 100, 1), Some(&w.owner.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        let q = quote(&app, &w.seller, rfq, 4_000, 1).await.id();

        // Another buyer neither reads nor accepts; another seller neither revises nor withdraws.
        let stranger = app.business_buyer().await;
        let r = app.get(&format!("/api/v1/rfqs/{rfq}"), Some(&stranger.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = accept(&app, &stranger, q).await;
        assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        let r = app.post_empty(&format!("/api/v1/rfqs/{rfq}/close"), Some(&stranger.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app.put(&format!("/api/v1/rfq-quotes/{q}"), quote_body(&app, w.other.sku, 1, 1), Some(&w.other.owner.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app.post_empty(&format!("/api/v1/rfq-quotes/{q}/withdraw"), Some(&w.other.owner.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app.get(&format!("/api/v1/orgs/{}/rfqs", w.seller.org), Some(&w.other.owner.token)).await;
        assert_eq!(r.status, 403);
        // A seller does not accept its own quote.
        let r = app.post(&format!("/api/v1/rfq-quotes/{q}/accept"), json!({"payment_method": "offline"}), Some(&w.seller.owner.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        // A smuggled price is not a field of the acceptance.
        let r = app.post(&format!("/api/v1/rfq-quotes/{q}/accept"), json!({"payment_method": "offline", "unit_price_fen": 1}), Some(&w.owner.token)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(app.count("rfq_quotes", "1 = 1").await, 1);
        let orders = app.get("/api/v1/orders", Some(&w.owner.token)).await;
        assert_eq!(orders.i64("total"), 0, "nothing half-written");
    }
}
