//! Buying through the real server: addresses, the cart, multi-seller checkout, stock that is
//! never sold twice, idempotent retries, prices that moved, cancelling and expiry, offline
//! payment, the seller's console — and the bad input each of those meets.

use farmgate_tests::{Session, TestApp, both_backends, region};
use serde_json::{Value, json};
use std::sync::Arc;

/// A verified seller with one approved listing; returns (owner, org id, listing id, sku id).
pub(crate) async fn seller(
    app: &TestApp,
    op: &Session,
    phone: &str,
    name: &str,
    title: &str,
    price: i64,
    stock: i64,
) -> (Session, String, String, String) {
    let owner = app.register(phone, "卖家").await;
    let org = app.verified_org(&owner, op, "cooperative", name).await;
    let tree = app.get("/api/v1/categories", None).await;
    let cat = tree.body[0]["children"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/listings"),
            json!({"category_id": cat, "title": title, "origin": region("梅岭镇", Some("茶坑村")),
                   "skus": [{"name": "10斤装", "unit": "box", "price": price, "stock": stock, "weight_grams": 5600,
                             "tiers": [{"min_quantity": 10, "price": price - 1000}]}]}),
            Some(&owner.token),
        )
        .await;
    r.expect_status(201);
    let listing = r.body["id"].as_str().unwrap_or_default().to_owned();
    let sku = r.body["skus"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let s = app
        .post_empty(
            &format!("/api/v1/listings/{listing}/submit"),
            Some(&owner.token),
        )
        .await;
    let rev = s.body["revision"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.post_empty(
        &format!("/api/v1/admin/listing-reviews/{rev}/approve"),
        Some(&op.token),
    )
    .await
    .expect_status(200);
    (owner, org.to_string(), listing, sku)
}

pub(crate) fn address_body() -> Value {
    json!({"name": "王芳", "phone": "13600000001", "province": "江西省", "city": "赣州市",
           "district": "章贡区", "street": "红旗大道 18 号 3 栋 502"})
}

pub(crate) async fn buyer_with_address(app: &TestApp, phone: &str) -> (Session, String) {
    let b = app.register(phone, "王芳").await;
    let r = app
        .post("/api/v1/me/addresses", address_body(), Some(&b.token))
        .await;
    r.expect_status(201);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    (b, id)
}

pub(crate) async fn stock_of(app: &TestApp, listing: &str) -> i64 {
    let r = app.get(&format!("/api/v1/listings/{listing}"), None).await;
    r.body["skus"][0]["stock"].as_i64().unwrap_or(-1)
}

both_backends! {
    async fn a_cart_with_two_sellers_checks_out_into_one_order_with_a_part_for_each(app) {
        let op = app.operator().await;
        let (a_owner, a_org, a_listing, a_sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (_b_owner, _b_org, b_listing, b_sku) = seller(&app, &op, "13800000002", "白云山家庭农场", "散养土鸡蛋 30枚", 4500, 20).await;
        let (buyer, address) = buyer_with_address(&app, "13600000001").await;

        app.post("/api/v1/cart/items", json!({"sku_id": a_sku, "quantity": 2}), Some(&buyer.token)).await.expect_status(200);
        app.post("/api/v1/cart/items", json!({"sku_id": a_sku, "quantity": 1}), Some(&buyer.token)).await.expect_status(200);
        let cart = app.post("/api/v1/cart/items", json!({"sku_id": b_sku, "quantity": 1}), Some(&buyer.token)).await;
        cart.expect_status(200);
        assert_eq!(cart.body["count"], 2);
        assert_eq!(cart.body["lines"][0]["quantity"], 3, "adding again adds up");
        assert_eq!(cart.body["goods_total"], 3 * 5990 + 4500);
        // The cart already says what checkout will charge for each seller's parcel.
        assert_eq!(cart.body["sellers"].as_array().map(Vec::len), Some(2));
        assert_eq!(cart.body["shipping"], 1400);
        assert_eq!(cart.body["total"], 3 * 5990 + 4500 + 1400);
        // The cart survives logging out.
        app.post_empty("/api/v1/auth/logout", Some(&buyer.token)).await.expect_status(204);
        let again = app.login("13600000001", farmgate_tests::PASSWORD).await;
        let token = again.body["session"]["token"].as_str().unwrap_or_default().to_owned();
        assert_eq!(app.get("/api/v1/cart", Some(&token)).await.body["count"], 2);

        let r = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline"}), Some(&token)).await;
        r.expect_status(201);
        let order = r.body.clone();
        assert_eq!(order["status"], "pending_payment");
        assert_eq!(order["sub_orders"].as_array().map(Vec::len), Some(2), "one part per seller");
        // ¥179.70 of oranges ships free; ¥45 of eggs pays ¥8 for its 5.6 kg → ¥8 + ¥2 × 3.
        assert_eq!(order["goods_total"], 3 * 5990 + 4500);
        assert_eq!(order["shipping"], 1400);
        assert_eq!(order["total"], 3 * 5990 + 4500 + 1400);
        assert!(order["sub_orders"][0].get("commission").is_none(), "the buyer does not see commission");
        assert_eq!(order["address"]["phone"], "13600000001");
        assert_eq!(app.get("/api/v1/cart", Some(&token)).await.body["count"], 0, "the cart is emptied");
        assert_eq!(stock_of(&app, &a_listing).await, 47, "stock is reserved at once");
        assert_eq!(stock_of(&app, &b_listing).await, 19);
        let id = order["id"].as_str().unwrap_or_default().to_owned();

        // Not paid yet: the seller does not see it in the console, and the phone is masked.
        let console = app.get(&format!("/api/v1/orgs/{a_org}/sub-orders"), Some(&a_owner.token)).await;
        console.expect_status(200);
        assert_eq!(console.body["total"], 0);
        let seen = app.get(&format!("/api/v1/orders/{id}"), Some(&a_owner.token)).await;
        seen.expect_status(200);
        assert_eq!(seen.body["address"]["phone"], "136****0001");
        assert_eq!(seen.body["sub_orders"].as_array().map(Vec::len), Some(1), "a seller sees its own part only");
        assert_eq!(seen.body["total"], 3 * 5990);
        assert_eq!(seen.body["sub_orders"][0]["commission"], 899, "5 % of ¥179.70, rounded");

        // A seller cannot confirm the payment of an order it shares with another seller.
        app.post(&format!("/api/v1/orders/{id}/offline-payment"), json!({"reference": "BANK-1"}), Some(&a_owner.token))
            .await.expect_status(403);
        let paid = app.post(&format!("/api/v1/orders/{id}/offline-payment"), json!({"reference": "BANK-20261124-001"}), Some(&op.token)).await;
        paid.expect_status(200);
        assert_eq!(paid.body["status"], "paid");
        assert_eq!(app.count("payments", "1=1").await, 1);
        // Confirming twice takes no second payment.
        app.post(&format!("/api/v1/orders/{id}/offline-payment"), json!({"reference": "BANK-20261124-001"}), Some(&op.token))
            .await.expect_status(200);
        assert_eq!(app.count("payments", "1=1").await, 1);
        // A paid order cannot be cancelled (after-sales is the way).
        let c = app.post(&format!("/api/v1/orders/{id}/cancel"), json!({}), Some(&token)).await;
        c.expect_status(409);
        assert_eq!(c.code(), "cannot_cancel");

        // The seller now sees it, with the full address, and acknowledges it.
        let console = app.get(&format!("/api/v1/orgs/{a_org}/sub-orders?status=paid"), Some(&a_owner.token)).await;
        assert_eq!(console.body["total"], 1);
        assert_eq!(console.body["items"][0]["address"]["phone"], "13600000001");
        let sub = console.body["items"][0]["sub_orders"][0]["id"].as_str().unwrap_or_default().to_owned();
        let ack = app.post_empty(&format!("/api/v1/sub-orders/{sub}/acknowledge"), Some(&a_owner.token)).await;
        ack.expect_status(200);
        assert_eq!(ack.body["sub_orders"][0]["status"], "acknowledged");
        assert!(ack.body["sub_orders"][0]["acknowledged_at"].is_string());
        // The buyer's list shows it; the log has every step.
        let mine = app.get("/api/v1/orders", Some(&token)).await;
        assert_eq!(mine.body["total"], 1);
        let kinds: Vec<&str> = mine.body["items"][0]["events"].as_array().into_iter().flatten()
            .filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(kinds, ["placed", "paid", "acknowledged"]);
        // The listing's sales count moved.
        let l = app.get(&format!("/api/v1/listings/{a_listing}"), None).await;
        assert_eq!(l.body["sales"], 3, "{}", l.body);
    }

    async fn two_hundred_buyers_race_for_ten_boxes_and_exactly_ten_win(app) {
        let op = app.operator().await;
        let (_owner, _org, listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 限量 10 箱", 5990, 10).await;
        let mut buyers = Vec::new();
        for i in 0..200 {
            buyers.push(buyer_with_address(&app, &format!("136{:08}", 10_000_000 + i)).await);
        }
        let app = Arc::new(app);
        let mut tasks = Vec::new();
        for (b, address) in buyers {
            let (app, sku) = (app.clone(), sku.clone());
            tasks.push(tokio::spawn(async move {
                app.post("/api/v1/orders",
                    json!({"address_id": address, "items": [{"sku_id": sku, "quantity": 1}], "payment_method": "gateway"}),
                    Some(&b.token)).await
            }));
        }
        let (mut won, mut sold_out, mut other) = (0, 0, Vec::new());
        for t in tasks {
            let r = t.await.expect("task");
            match (r.status, r.code()) {
                (201, _) => won += 1,
                (409, "sold_out") => sold_out += 1,
                _ => other.push(format!("{} {}", r.status, r.text)),
            }
        }
        assert!(other.is_empty(), "every loser hears \"sold out\": {other:?}");
        assert_eq!(won, 10);
        assert_eq!(sold_out, 190);
        assert_eq!(stock_of(&app, &listing).await, 0);
        assert_eq!(app.count("orders", "1=1").await, 10);
        assert_eq!(app.count("order_lines", "1=1").await, 10, "no half-written order");
    }

    async fn a_retried_checkout_with_the_same_key_makes_one_order(app) {
        let op = app.operator().await;
        let (_o, _org, listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (b, address) = buyer_with_address(&app, "13600000001").await;
        let body = json!({"address_id": address, "items": [{"sku_id": sku, "quantity": 2}], "payment_method": "gateway"});
        let send = |body: Value| {
            let req = app.http.post(app.url("/api/v1/orders")).bearer_auth(&b.token).header("idempotency-key", "c0ffee-1").json(&body);
            app.send(req)
        };
        let first = send(body.clone()).await;
        first.expect_status(201);
        let second = send(body.clone()).await;
        second.expect_status(200);
        assert_eq!(first.body["id"], second.body["id"]);
        assert_eq!(app.count("orders", "1=1").await, 1);
        assert_eq!(stock_of(&app, &listing).await, 48, "stock taken once");
        // The same key for a different order is refused, not silently answered.
        let mut other = body;
        other["items"][0]["quantity"] = json!(3);
        let r = send(other).await;
        r.expect_status(409);
        assert_eq!(r.code(), "idempotency_key_reused");
    }

    async fn a_price_that_moved_is_shown_before_anyone_pays_it(app) {
        let op = app.operator().await;
        let (owner, _org, _listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (b, address) = buyer_with_address(&app, "13600000001").await;
        app.post("/api/v1/cart/items", json!({"sku_id": sku, "quantity": 1}), Some(&b.token)).await.expect_status(200);
        app.patch(&format!("/api/v1/skus/{sku}"), json!({"price": 6590}), Some(&owner.token)).await.expect_status(200);
        let cart = app.get("/api/v1/cart", Some(&b.token)).await;
        assert_eq!(cart.body["lines"][0]["price_changed"], true);
        let body = json!({"address_id": address, "payment_method": "offline"});
        let r = app.post("/api/v1/orders", body.clone(), Some(&b.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "price_changed");
        assert!(r.text.contains("65.90"), "the new price is named: {}", r.text);
        assert_eq!(app.count("orders", "1=1").await, 0);
        // Told once, the buyer confirms and pays the new price.
        let ok = app.post("/api/v1/orders", body, Some(&b.token)).await;
        ok.expect_status(201);
        assert_eq!(ok.body["goods_total"], 6590);
        // Directly with a stale price_seen: refused too.
        let stale = app.post("/api/v1/orders",
            json!({"address_id": address, "items": [{"sku_id": sku, "quantity": 1, "price_seen": 5990}], "payment_method": "offline"}),
            Some(&b.token)).await;
        stale.expect_status(409);
        assert_eq!(stale.code(), "price_changed");
    }

    async fn unpaid_orders_give_their_stock_back_when_cancelled_or_expired(app) {
        let op = app.operator().await;
        let (_o, _org, listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 5).await;
        let (b, address) = buyer_with_address(&app, "13600000001").await;
        let order = |q: i64| app.post("/api/v1/orders",
            json!({"address_id": address, "items": [{"sku_id": sku, "quantity": q}], "payment_method": "gateway"}), Some(&b.token));
        let first = order(2).await;
        first.expect_status(201);
        let second = order(3).await;
        second.expect_status(201);
        assert_eq!(stock_of(&app, &listing).await, 0);
        let sold_out = order(1).await;
        sold_out.expect_status(409);
        assert_eq!(sold_out.code(), "sold_out");
        // Someone else cannot cancel it (and does not learn it exists).
        let stranger = app.register("13600000002", "路人").await;
        let id = first.body["id"].as_str().unwrap_or_default().to_owned();
        app.post(&format!("/api/v1/orders/{id}/cancel"), json!({}), Some(&stranger.token)).await.expect_status(404);
        // The buyer cancels the first: 2 come back.
        let c = app.post(&format!("/api/v1/orders/{id}/cancel"), json!({"reason": "买错了"}), Some(&b.token)).await;
        c.expect_status(200);
        assert_eq!(c.body["status"], "cancelled");
        assert_eq!(stock_of(&app, &listing).await, 2);
        app.post(&format!("/api/v1/orders/{id}/cancel"), json!({}), Some(&b.token)).await.expect_status(409);
        // The second is not paid within 30 minutes: it expires and its 3 come back.
        app.clock.advance(chrono::Duration::minutes(31));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        let id2 = second.body["id"].as_str().unwrap_or_default().to_owned();
        let r = app.get(&format!("/api/v1/orders/{id2}"), Some(&b.token)).await;
        assert_eq!(r.body["status"], "expired");
        assert_eq!(stock_of(&app, &listing).await, 5);
        // An expired order cannot be paid.
        let late = app.post(&format!("/api/v1/orders/{id2}/offline-payment"), json!({"reference": "LATE-1"}), Some(&op.token)).await;
        late.expect_status(409);
        assert_eq!(late.code(), "order_closed");
        assert_eq!(app.count("payments", "1=1").await, 0);
    }

    async fn bad_orders_are_refused_with_a_reason_and_nothing_is_written(app) {
        let op = app.operator().await;
        let (owner, _org, listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 5).await;
        let (b, address) = buyer_with_address(&app, "13600000001").await;
        let post = |items: Value| app.post("/api/v1/orders",
            json!({"address_id": address, "items": items, "payment_method": "offline"}), Some(&b.token));
        for q in [json!(0), json!(-1), json!(10_000)] {
            let r = post(json!([{"sku_id": sku, "quantity": q}])).await;
            r.expect_status(422);
            assert!(r.field("items[0].quantity").is_some(), "{}", r.text);
        }
        let r = post(json!([{"sku_id": sku, "quantity": 1.5}])).await;
        r.expect_status(422);
        let r = post(json!([{"sku_id": sku, "quantity": 6}])).await;
        r.expect_status(409);
        assert_eq!(r.code(), "sold_out");
        assert!(r.text.contains("仅剩 5") || r.text.contains("only 5"), "{}", r.text);
        let r = post(json!([])).await;
        r.expect_status(422);
        assert!(r.field("items").is_some());
        let r = post(json!([{"sku_id": "01900000-0000-7000-8000-000000000000", "quantity": 1}])).await;
        r.expect_status(409);
        // An address that is not yours.
        let (other, other_address) = buyer_with_address(&app, "13600000002").await;
        let r = app.post("/api/v1/orders",
            json!({"address_id": other_address, "items": [{"sku_id": sku, "quantity": 1}], "payment_method": "offline"}), Some(&b.token)).await;
        r.expect_status(422);
        assert!(r.field("address_id").is_some());
        let _ = other;
        // Unknown payment methods and fields.
        let r = app.post("/api/v1/orders",
            json!({"address_id": address, "items": [{"sku_id": sku, "quantity": 1}], "payment_method": "iou"}), Some(&b.token)).await;
        r.expect_status(422);
        // Addresses: missing parts and a bad phone, each named.
        let r = app.post("/api/v1/me/addresses",
            json!({"name": "", "phone": "12345", "province": "江西省", "city": "赣州市", "district": "", "street": "1"}), Some(&b.token)).await;
        r.expect_status(422);
        for f in ["name", "phone", "district", "street"] {
            assert!(r.field(f).is_some(), "{f}: {}", r.text);
        }
        // A delisted SKU between cart and checkout.
        app.post("/api/v1/cart/items", json!({"sku_id": sku, "quantity": 1}), Some(&b.token)).await.expect_status(200);
        app.patch(&format!("/api/v1/skus/{sku}"), json!({"active": false}), Some(&owner.token)).await.expect_status(200);
        let r = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline"}), Some(&b.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "unavailable");
        assert_eq!(app.get("/api/v1/cart", Some(&b.token)).await.body["lines"][0]["state"], "unavailable");
        // Not logged in.
        app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline"}), None).await.expect_status(401);
        // Nothing was written, and stock is whole.
        assert_eq!(app.count("orders", "1=1").await, 0);
        assert_eq!(app.count("order_lines", "1=1").await, 0);
        // (The switched-off SKU is hidden from the public listing: count it in the table.)
        assert_eq!(app.count("skus", "stock = 5").await, 1, "the only SKU of {listing} is whole");
    }

    async fn a_verified_business_buyer_pays_the_tier_price_and_a_consumer_does_not(app) {
        let op = app.operator().await;
        let (_o, _org, _listing, sku) = seller(&app, &op, "13800000001", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 100).await;
        let (consumer, c_address) = buyer_with_address(&app, "13600000001").await;
        let (shop, s_address) = buyer_with_address(&app, "13700000001").await;
        app.verified_org(&shop, &op, "business_buyer", "青石县惠民社区超市").await;
        let shop = {
            let r = app.login("13700000001", farmgate_tests::PASSWORD).await;
            Session { token: r.body["session"]["token"].as_str().unwrap_or_default().to_owned(), account_id: shop.account_id, phone: shop.phone.clone() }
        };
        let body = |address: &str| json!({"address_id": address, "items": [{"sku_id": sku, "quantity": 10}], "payment_method": "offline"});
        let c = app.post("/api/v1/orders", body(&c_address), Some(&consumer.token)).await;
        c.expect_status(201);
        assert_eq!(c.body["goods_total"], 59_900);
        assert_eq!(c.body["wholesale"], false);
        let s = app.post("/api/v1/orders", body(&s_address), Some(&shop.token)).await;
        s.expect_status(201);
        assert_eq!(s.body["wholesale"], true);
        assert_eq!(s.body["goods_total"], 49_900, "the 10-box tier: ¥49.90 a box");
        assert_eq!(s.body["sub_orders"][0]["lines"][0]["retail_price"], 5990);
    }
}
