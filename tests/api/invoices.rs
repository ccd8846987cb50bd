//! Invoices (发票) through the real server: a business buyer requests one per paid sub-order
//! with the organisation's title and credit code, the seller issues it (a PDF stored with its
//! SHA-256, for what was paid less refunded) or rejects it, the buyer downloads it checked
//! against that SHA-256, a refund after issue marks it for a red reversal — and the attacks:
//! a consumer, another organisation, someone else's tax number, bad fields, two requests or
//! two issue clicks at once, the seller of another sub-order, a tampered stored file.

use farmgate_tests::prelude::*;

/// A verified business buyer's paid order of 12 boxes from one seller.
pub(crate) struct Bought {
    pub(crate) buyer: Consumer,
    org: Uuid,
    org_name: String,
    licence: String,
    pub(crate) seller: SellerWithListing,
    order: Order,
    sub: Uuid,
}

pub(crate) async fn bought(app: &TestApp) -> Bought {
    let seller = app.seller_with_listing().await;
    let buyer = app.business_buyer().await;
    let order = app.paid_order(&buyer, &[(seller.sku, 12)]).await;
    let orgs = app.get("/api/v1/orgs/mine", Some(&buyer.token)).await;
    orgs.expect_status(200);
    let org = orgs.body.find("", "kind", "business_buyer").clone();
    Bought {
        sub: order.part().id,
        org: org.uuid("id"),
        org_name: org.string("name"),
        licence: org.string("licence_no"),
        buyer,
        seller,
        order,
    }
}

pub(crate) async fn request(app: &TestApp, who: &Session, sub: Uuid, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/sub-orders/{sub}/invoices"),
        body,
        Some(&who.token),
    )
    .await
}

pub(crate) async fn issue(app: &TestApp, who: &Session, invoice: Uuid) -> Resp {
    app.post_empty(
        &format!("/api/v1/invoices/{invoice}/issue"),
        Some(&who.token),
    )
    .await
}

/// The PDF's status and bytes as `who` downloads it.
async fn download(app: &TestApp, who: &Session, invoice: Uuid) -> (u16, Vec<u8>, Option<String>) {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/invoices/{invoice}/pdf")))
        .bearer_auth(&who.token)
        .send()
        .await
        .expect("the server answers");
    let status = r.status().as_u16();
    let sha = r
        .headers()
        .get("x-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, r.bytes().await.expect("a body").to_vec(), sha)
}

/// The operator refunds `amount` of a sub-order.
async fn refund(app: &TestApp, sub: Uuid, amount: i64) {
    let op = app.operator().await;
    let req = app
        .http
        .post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
        .bearer_auth(&op.token)
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&json!({"amount": amount, "reason": "两箱压坏"}));
    app.send(req).await.expect_status(200);
}

both_backends! {
    async fn a_business_buyer_requests_the_seller_issues_and_the_buyer_downloads_the_pdf_checked_by_its_sha256(app) {
        let b = bought(&app).await;

        let r = request(&app, &b.buyer, b.sub, json!({"kind": "normal", "email": "caigou@huimin.cn"})).await;

        r.expect_status(201);
        assert_eq!(r.str("status"), "requested");
        assert_eq!(r.str("title"), b.org_name, "the title defaults to the organisation's name");
        assert_eq!(r.str("tax_no"), b.licence, "the tax number is the organisation's credit code");
        assert_eq!(r.uuid("buyer_org_id"), b.org);
        let id = r.uuid("id");
        let listed = app.get(&format!("/api/v1/orders/{}/invoices", b.order.id), Some(&b.buyer.token)).await;
        listed.expect_status(200);
        assert_eq!(listed.str("defaults.tax_no"), b.licence);
        assert_eq!(listed.len_of("invoices"), 1);
        let queue = app.get(&format!("/api/v1/orgs/{}/invoices?status=requested", b.seller.org), Some(&b.seller.owner.token)).await;
        queue.expect_status(200);
        assert_eq!(queue.i64("total"), 1);
        assert!(queue.bool("items.0.can.issue"));
        assert!(!r.bool("can.issue"), "the buyer does not issue");

        let issued = issue(&app, &b.seller.owner, id).await;

        issued.expect_status(200);
        assert_eq!(issued.str("status"), "issued");
        assert_eq!(issued.i64("amount"), b.order.total, "what was paid");
        assert_eq!(issued.str("number").len(), 20);
        let sha = issued.string("pdf.sha256");
        assert_eq!(sha.len(), 64);
        let (status, bytes, header) = download(&app, &b.buyer, id).await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        assert_eq!(farmgate_infra::objects::sha256_hex(&bytes), sha, "the file is the one hashed");
        assert_eq!(header.as_deref(), Some(sha.as_str()));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/STSong-Light") && text.contains("/UniGB-UCS2-H"));
        assert!(!text.contains("/FontFile"), "no font is embedded");

        // Who else sees it: platform finance and the operator (personal fields held back),
        // never a stranger.
        let finance = app.finance().await;
        let seen = app.get(&format!("/api/v1/invoices/{id}"), Some(&finance.token)).await;
        seen.expect_status(200);
        assert!(seen.body["email"].is_null(), "the email is for the parties");
        assert!(!seen.bool("can.issue"));
        let stranger = app.consumer().await;
        app.get(&format!("/api/v1/invoices/{id}"), Some(&stranger.token)).await.expect_status(404);
        assert_eq!(download(&app, &stranger, id).await.0, 404);
        app.get(&format!("/api/v1/orders/{}/invoices", b.order.id), Some(&stranger.token)).await.expect_status(404);
        app.get(&format!("/api/v1/orgs/{}/invoices", b.seller.org), Some(&stranger.token)).await.expect_status(403);
        app.get(&format!("/api/v1/invoices/{id}"), None).await.expect_status(401);
    }

    async fn a_consumer_another_org_and_a_tax_number_that_is_not_the_orgs_are_refused(app) {
        let b = bought(&app).await;
        // A consumer's own order.
        let consumer = app.consumer().await;
        let own = app.paid_order(&consumer, &[(b.seller.sku, 1)]).await;
        let r = request(&app, &consumer, own.part().id, json!({})).await;
        r.expect_status(403);
        assert_eq!(r.code(), "business_buyers_only");
        // Another business buyer on this order.
        let other = app.business_buyer().await;
        request(&app, &other, b.sub, json!({})).await.expect_status(404);
        // The seller cannot ask for its own invoice either.
        request(&app, &b.seller.owner, b.sub, json!({})).await.expect_status(404);
        // Someone else's credit code (valid, not ours), a wrong check character, bad fields.
        let r = request(&app, &b.buyer, b.sub, json!({"tax_no": fresh_licence()})).await;
        assert_eq!(r.field_code("tax_no"), Some("not_the_org_credit_code"), "{}", r.text);
        let mut wrong = b.licence.clone();
        let last = if wrong.ends_with('0') { "1" } else { "0" };
        wrong.replace_range(17.., last);
        let r = request(&app, &b.buyer, b.sub, json!({"tax_no": wrong})).await;
        assert_eq!(r.field_code("tax_no"), Some("invalid_licence_no"), "{}", r.text);
        let r = request(&app, &b.buyer, b.sub, json!({"title": "超".repeat(101), "email": "x@", "kind": "special"})).await;
        r.expect_status(422);
        assert_eq!(r.field_code("title"), Some("too_long"));
        assert_eq!(r.field_code("email"), Some("invalid_email"));
        assert_eq!(r.field_code("bank"), Some("required"), "a special invoice needs the bank");
        assert_eq!(r.field_code("bank_account"), Some("required"));
        request(&app, &b.buyer, b.sub, json!({"kind": "gold"})).await.expect_status(422);
        request(&app, &b.buyer, b.sub, json!({"surprise": 1})).await.expect_status(422);
        let huge = json!({"title": "超".repeat(300_000)});
        let r = request(&app, &b.buyer, b.sub, huge).await;
        assert!(r.status == 413 || r.status == 422, "{}", r.status);
        request(&app, &b.buyer, Uuid::new_v4(), json!({})).await.expect_status(404);
        // Not paid yet.
        let unpaid = app.checkout(&b.buyer, &[(b.seller.sku, 10)], "offline").await;
        let r = request(&app, &b.buyer, unpaid.part().id, json!({})).await;
        r.expect_status(409);
        assert_eq!(r.code(), "not_paid");

        assert_eq!(app.count("invoices", "1=1").await, 0, "nothing written");
    }

    async fn two_requests_at_once_make_one_invoice(app) {
        let b = bought(&app).await;
        let req = || {
            app.http
                .post(app.url(&format!("/api/v1/sub-orders/{}/invoices", b.sub)))
                .bearer_auth(&b.buyer.token)
                .json(&json!({}))
        };

        let answers = app.send_all(vec![req(), req(), req()]).await;

        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![201, 409, 409], "{answers:?}");
        assert!(answers.iter().filter(|r| r.status == 409).all(|r| r.code() == "invoice_exists"));
        assert_eq!(app.count("invoices", "1=1").await, 1);
    }

    async fn two_issue_clicks_at_once_issue_once_and_the_seller_of_another_sub_order_cannot(app) {
        let seller = app.seller_with_listing().await;
        let other = app.seller_with_listing().await;
        let buyer = app.business_buyer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 12), (other.sku, 12)]).await;
        let sub = order.part_of(seller.org).id;
        let id = request(&app, &buyer, sub, json!({})).await.uuid("id");

        // The other sub-order's seller is a stranger to this invoice; the buyer is not its seller.
        issue(&app, &other.owner, id).await.expect_status(404);
        let r = issue(&app, &buyer, id).await;
        r.expect_status(403);
        app.post(&format!("/api/v1/invoices/{id}/reject"), json!({"reason": "不开"}), Some(&other.owner.token)).await.expect_status(404);
        let listed = app.get(&format!("/api/v1/orders/{}/invoices", order.id), Some(&other.owner.token)).await;
        listed.expect_status(200);
        assert_eq!(listed.len_of("invoices"), 0, "another seller's invoice is not listed");
        assert!(listed.body["defaults"].is_null());

        let click = || app.http.post(app.url(&format!("/api/v1/invoices/{id}/issue"))).bearer_auth(&seller.owner.token);
        let answers = app.send_all(vec![click(), click()]).await;

        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "{answers:?}");
        assert_eq!(app.count("invoice_events", "kind = 'issued'").await, 1, "issued once");
        assert_eq!(app.count("invoices", "status = 'issued'").await, 1);
        let again = issue(&app, &seller.owner, id).await;
        assert_eq!(again.code(), "not_requested");
    }

    async fn a_tampered_stored_pdf_is_refused_and_recorded(app) {
        let b = bought(&app).await;
        let id = request(&app, &b.buyer, b.sub, json!({})).await.uuid("id");
        let issued = issue(&app, &b.seller.owner, id).await;
        issued.expect_status(200);
        let number = issued.string("number");
        let key = farmgate_infra::objects::ObjectKey::parse(&format!("invoices/{id}/{number}.pdf")).expect("a key");
        let (_, mut bytes, _) = download(&app, &b.buyer, id).await;
        // One digit of the amount changed, as a forger would.
        let at = bytes.iter().rposition(|b| b.is_ascii_digit()).expect("a digit");
        bytes[at] = if bytes[at] == b'9' { b'1' } else { b'9' };
        app.state.infra.objects.put(&key, bytes.into(), "application/pdf").await.expect("stored");

        let r = app.get(&format!("/api/v1/invoices/{id}/pdf"), Some(&b.buyer.token)).await;

        r.expect_status(409);
        assert_eq!(r.code(), "invoice_file_altered");
        assert!(r.text.contains("SHA-256"), "says why: {}", r.text);
        assert_eq!(app.count("invoice_events", "kind = 'tamper_detected'").await, 1);
    }

    async fn a_rejected_request_frees_the_sub_order_for_a_new_one(app) {
        let b = bought(&app).await;
        let id = request(&app, &b.buyer, b.sub, json!({})).await.uuid("id");
        let path = format!("/api/v1/invoices/{id}/reject");
        let r = app.post(&path, json!({"reason": "x"}), Some(&b.seller.owner.token)).await;
        assert_eq!(r.field_code("reason"), Some("too_short"));

        let r = app.post(&path, json!({"reason": "请先确认收货后再申请"}), Some(&b.seller.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.str("status"), "rejected");
        assert_eq!(r.str("reject_reason"), "请先确认收货后再申请");
        app.post(&path, json!({"reason": "再拒绝一次"}), Some(&b.seller.owner.token)).await.expect_status(409);
        issue(&app, &b.seller.owner, id).await.expect_status(409);
        request(&app, &b.buyer, b.sub, json!({})).await.expect_status(201);
    }

    async fn the_amount_is_paid_less_refunded_and_a_refund_after_issue_calls_for_a_red_reversal(app) {
        let b = bought(&app).await;
        refund(&app, b.sub, 1_000).await;
        let id = request(&app, &b.buyer, b.sub, json!({})).await.uuid("id");

        let issued = issue(&app, &b.seller.owner, id).await;

        issued.expect_status(200);
        assert_eq!(issued.i64("amount"), b.order.total - 1_000);
        assert_eq!(issued.i64("refunded_at_issue"), 1_000);
        assert!(!issued.bool("red_needed"));

        refund(&app, b.sub, 500).await;
        app.outbox_drained().await;

        let seen = app.get(&format!("/api/v1/invoices/{id}"), Some(&b.buyer.token)).await;
        assert!(seen.bool("red_needed"), "{}", seen.text);
        assert_eq!(seen.i64("refunded_after_issue"), 500);
        assert_eq!(app.count("invoice_events", "kind = 'red_needed'").await, 1);
    }

    async fn platform_finance_issues_for_the_platform_store_and_only_for_it(app) {
        let op = app.operator().await;
        let finance = app.finance().await;
        let store_id = app.verified_org(&op, &op, "platform_store", "农源直供平台自营店").await;
        let store = Seller { owner: op.clone(), org: store_id, name: "农源直供平台自营店".to_owned() };
        let listing = app.approved_listing(&store, &Product::oranges()).await;
        let b = bought(&app).await;
        let order = app.paid_order(&b.buyer, &[(listing.skus[0].id, 10), (b.seller.sku, 10)]).await;
        let store_inv = request(&app, &b.buyer, order.part_of(store_id).id, json!({})).await.uuid("id");
        let coop_inv = request(&app, &b.buyer, order.part_of(b.seller.org).id, json!({})).await.uuid("id");

        // Finance sees the cooperative's invoice but does not issue it: the seller does.
        let r = issue(&app, &finance, coop_inv).await;
        r.expect_status(403);
        assert_eq!(r.code(), "forbidden");
        let seen = app.get(&format!("/api/v1/invoices/{store_inv}"), Some(&finance.token)).await;
        assert!(seen.bool("can.issue"), "finance issues the platform store's");
        issue(&app, &b.seller.owner, store_inv).await.expect_status(404);

        let issued = issue(&app, &finance, store_inv).await;

        issued.expect_status(200);
        assert_eq!(issued.str("status"), "issued");
        let queue = app.get(&format!("/api/v1/orgs/{store_id}/invoices?status=issued"), Some(&finance.token)).await;
        queue.expect_status(200);
        assert_eq!(queue.i64("total"), 1);
    }

    async fn the_invoices_a_person_requested_are_in_their_downloaded_data_and_nobody_elses(app) {
        let b = bought(&app).await;
        let r = request(&app, &b.buyer, b.sub, json!({"kind": "normal", "email": "caigou@huimin.cn"})).await;
        r.expect_status(201);
        let id = r.uuid("id");
        issue(&app, &b.seller.owner, id).await.expect_status(200);

        let mine = app.get("/api/v1/me/export", Some(&b.buyer.token)).await;

        mine.expect_status(200);
        let invoices = mine.arr("invoicing.invoices_requested");
        assert_eq!(invoices.len(), 1, "{}", mine.text);
        let inv = &invoices[0];
        assert_eq!(inv["id"], json!(id));
        assert_eq!(inv["title"], json!(b.org_name));
        assert_eq!(inv["tax_no"], json!(b.licence));
        assert_eq!(inv["email"], "caigou@huimin.cn");
        assert_eq!(inv["status"], "issued");
        assert_eq!(inv["amount"].as_i64(), Some(b.order.total));
        // The seller who issued it did not request it; another buyer has none.
        let seller = app.get("/api/v1/me/export", Some(&b.seller.owner.token)).await;
        seller.expect_status(200);
        assert_eq!(seller.arr("invoicing.invoices_requested").len(), 0, "{}", seller.text);
        let other = app.business_buyer().await;
        let theirs = app.get("/api/v1/me/export", Some(&other.token)).await;
        assert_eq!(theirs.arr("invoicing.invoices_requested").len(), 0);
        assert!(!theirs.text.contains(&b.licence), "another buyer's tax number: {}", theirs.text);
    }
}
