//! The simulator's HTTP side: a request authenticated as WeChat Pay does it, its answers signed
//! with the platform key, and the API's operations (prepay, query, close, refund, bills).

use super::*;

pub(super) fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

pub(super) fn signature_headers(
    key: &rsa::RsaPrivateKey,
    timestamp: i64,
    serial: &str,
    body: &[u8],
) -> HeaderMap {
    let nonce = random_token(32);
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("wechatpay-timestamp", timestamp.to_string()),
        ("wechatpay-nonce", nonce),
        ("wechatpay-signature", rsa_sign(key, &message)),
        ("wechatpay-serial", serial.to_owned()),
        ("request-id", random_token(32)),
    ] {
        headers.insert(name, HeaderValue::from_str(&value).expect("header"));
    }
    headers
}

pub(super) fn transaction_json(t: &SimTrade) -> Value {
    let mut v = json!({
        "appid": APP_ID,
        "mchid": MCH_ID,
        "out_trade_no": t.out_trade_no,
        "trade_type": t.trade_type,
        "trade_state": t.state,
        "trade_state_desc": t.state,
        "attach": "",
        "amount": { "total": t.total, "currency": "CNY" },
    });
    if let Some(id) = &t.transaction_id {
        v["transaction_id"] = id.clone().into();
        v["bank_type"] = "OTHERS".into();
        v["payer"] = json!({ "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" });
        v["amount"]["payer_total"] = t.total.into();
        v["amount"]["payer_currency"] = "CNY".into();
    }
    if let Some(at) = t.success_time {
        v["success_time"] = at.with_timezone(&china()).to_rfc3339().into();
    }
    v
}

/// A signed answer.
fn answer(sim: &Sim, status: StatusCode, body: Option<Value>) -> Response {
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    let key = if *sim.mode.lock().unwrap() == Mode::ForgedAnswers {
        &keys()[2]
    } else {
        &keys()[1]
    };
    let headers = signature_headers(
        key,
        Utc::now().timestamp(),
        PLATFORM_KEY_ID,
        text.as_bytes(),
    );
    let mut response = (status, text).into_response();
    response.headers_mut().extend(headers);
    if status != StatusCode::NO_CONTENT {
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
    }
    response
}

fn refuse(sim: &Sim, status: StatusCode, code: &str, message: &str) -> Response {
    answer(
        sim,
        status,
        Some(json!({ "code": code, "message": message })),
    )
}

/// Checks the `Authorization` header against the request as it arrived.
fn authenticate(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), &'static str> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("Authorization 不合法")?;
    let rest = value
        .strip_prefix("WECHATPAY2-SHA256-RSA2048 ")
        .ok_or("错误的签名认证类型")?;
    let mut fields = HashMap::new();
    for part in rest.split(',') {
        let (k, v) = part.split_once('=').ok_or("Authorization 不合法")?;
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or("Authorization 不合法")?;
        fields.insert(k.trim(), v);
    }
    let get = |k: &str| fields.get(k).copied().ok_or("Authorization 缺少字段");
    if get("mchid")? != MCH_ID {
        return Err("商户号与签名不匹配");
    }
    if get("serial_no")? != MERCHANT_SERIAL {
        return Err("商户证书序列号有误");
    }
    let timestamp: i64 = get("timestamp")?.parse().map_err(|_| "时间戳不合法")?;
    if (Utc::now().timestamp() - timestamp).abs() > 300 {
        return Err("签名已过期");
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut message =
        format!("{method}\n{path}\n{timestamp}\n{}\n", get("nonce_str")?).into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    if !rsa_verify(&keys()[0].to_public_key(), &message, get("signature")?) {
        return Err("签名错误");
    }
    Ok(())
}

pub(super) async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    *sim.requests.lock().unwrap() += 1;
    if *sim.mode.lock().unwrap() == Mode::Down {
        return (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    // What a browser reaches (web authorisation, the WeChat client stand-in): not the
    // signed merchant API.
    if let Some(response) = client::handle(&sim, &method, &uri, &body).await {
        return response;
    }
    if let Err(message) = authenticate(&method, &uri, &headers, &body) {
        return refuse(&sim, StatusCode::UNAUTHORIZED, "SIGN_ERROR", message);
    }
    let path = uri.path();
    let query: HashMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let json_body = || serde_json::from_slice::<Value>(&body).ok();
    match (method.as_str(), path) {
        ("POST", "/v3/pay/transactions/jsapi") => prepay(&sim, json_body(), "JSAPI"),
        ("POST", "/v3/pay/transactions/h5") => prepay(&sim, json_body(), "MWEB"),
        ("POST", "/v3/refund/domestic/refunds") => refund(&sim, json_body()),
        ("GET", p) if p.starts_with("/v3/refund/domestic/refunds/") => {
            let no = &p["/v3/refund/domestic/refunds/".len()..];
            let found = sim
                .refunds
                .lock()
                .unwrap()
                .iter()
                .find(|r| r.out_refund_no == no)
                .map(refund_json);
            match found {
                Some(r) => answer(&sim, StatusCode::OK, Some(r)),
                None => refuse(
                    &sim,
                    StatusCode::NOT_FOUND,
                    "RESOURCE_NOT_EXISTS",
                    "退款单不存在",
                ),
            }
        }
        ("GET", "/v3/bill/tradebill") => bill(&sim, &query),
        ("GET", "/v3/billdownload/file") => {
            let token = query.get("token").cloned().unwrap_or_default();
            match sim.bills.lock().unwrap().get(&token) {
                // The file is not signed.
                Some(bytes) => (
                    StatusCode::OK,
                    [("content-type", "text/plain")],
                    bytes.clone(),
                )
                    .into_response(),
                None => refuse(
                    &sim,
                    StatusCode::NOT_FOUND,
                    "RESOURCE_NOT_EXISTS",
                    "账单文件不存在",
                ),
            }
        }
        ("GET", p) if p.starts_with("/v3/pay/transactions/out-trade-no/") => {
            if query.get("mchid").map(String::as_str) != Some(MCH_ID) {
                return refuse(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "mchid 不合法");
            }
            let no = &p["/v3/pay/transactions/out-trade-no/".len()..];
            match sim.trades.lock().unwrap().get(no) {
                Some(t) => answer(&sim, StatusCode::OK, Some(transaction_json(t))),
                None => refuse(&sim, StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在"),
            }
        }
        ("POST", p)
            if p.starts_with("/v3/pay/transactions/out-trade-no/") && p.ends_with("/close") =>
        {
            let no = &p["/v3/pay/transactions/out-trade-no/".len()..p.len() - "/close".len()];
            if json_body()
                .and_then(|b| b["mchid"].as_str().map(str::to_owned))
                .as_deref()
                != Some(MCH_ID)
            {
                return refuse(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "mchid 不合法");
            }
            let mut trades = sim.trades.lock().unwrap();
            match trades.get_mut(no) {
                None => refuse(&sim, StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在"),
                Some(t) if t.state == "SUCCESS" || t.state == "REFUND" => refuse(
                    &sim,
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "订单已支付",
                ),
                Some(t) => {
                    t.state = "CLOSED".into();
                    answer(&sim, StatusCode::NO_CONTENT, None)
                }
            }
        }
        _ => refuse(&sim, StatusCode::NOT_FOUND, "NOT_FOUND", "无此接口"),
    }
}

fn prepay(sim: &Sim, body: Option<Value>, trade_type: &'static str) -> Response {
    let Some(body) = body else {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "请求体不是合法的 JSON",
        );
    };
    let text = |k: &str| body[k].as_str().unwrap_or("").to_owned();
    if text("mchid") != MCH_ID || text("appid") != APP_ID {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "appid 和 mch_id 不匹配",
        );
    }
    let total = body["amount"]["total"].as_i64().unwrap_or(0);
    let out_trade_no = text("out_trade_no");
    let scene_ok = match trade_type {
        "JSAPI" => body["payer"]["openid"]
            .as_str()
            .is_some_and(|o| !o.is_empty()),
        _ => {
            body["scene_info"]["payer_client_ip"].as_str().is_some()
                && body["scene_info"]["h5_info"]["type"].is_string()
        }
    };
    // time_expire is RFC 3339 ("2018-06-08T10:34:56+08:00") and in the future.
    let expires_ok = DateTime::parse_from_rfc3339(&text("time_expire"))
        .is_ok_and(|t| t.with_timezone(&Utc) > Utc::now());
    if total <= 0
        || !(6..=32).contains(&out_trade_no.len())
        || !expires_ok
        || !text("notify_url").starts_with("https://")
        || text("description").is_empty()
        || !scene_ok
        || body["amount"]["currency"] != "CNY"
    {
        return refuse(sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "参数错误");
    }
    let mut trades = sim.trades.lock().unwrap();
    let prepay_id = format!("wx{}", random_token(30));
    if let Some(existing) = trades.get(&out_trade_no) {
        if existing.body != body || existing.trade_type != trade_type {
            return refuse(
                sim,
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "201 商户订单号重复",
            );
        }
    } else {
        trades.insert(
            out_trade_no.clone(),
            SimTrade {
                out_trade_no: out_trade_no.clone(),
                description: text("description"),
                total,
                state: "NOTPAY".into(),
                transaction_id: None,
                trade_type,
                success_time: None,
                body,
            },
        );
    }
    sim.prepays
        .lock()
        .unwrap()
        .insert(prepay_id.clone(), out_trade_no.clone());
    let answer_body = if trade_type == "JSAPI" {
        json!({ "prepay_id": prepay_id })
    } else {
        json!({ "h5_url": format!("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}&package=1037687096") })
    };
    answer(sim, StatusCode::OK, Some(answer_body))
}

fn refund(sim: &Sim, body: Option<Value>) -> Response {
    let Some(body) = body else {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "请求体不是合法的 JSON",
        );
    };
    let out_trade_no = body["out_trade_no"].as_str().unwrap_or("").to_owned();
    let out_refund_no = body["out_refund_no"].as_str().unwrap_or("").to_owned();
    let amount = body["amount"]["refund"].as_i64().unwrap_or(0);
    let total = body["amount"]["total"].as_i64().unwrap_or(0);
    if out_refund_no.is_empty() || amount <= 0 || body["amount"]["currency"] != "CNY" {
        return refuse(sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "参数错误");
    }
    let mut trades = sim.trades.lock().unwrap();
    let mut refunds = sim.refunds.lock().unwrap();
    if let Some(existing) = refunds.iter().find(|r| r.out_refund_no == out_refund_no) {
        if existing.amount != amount {
            return refuse(
                sim,
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "商户退款单号重复，且退款信息不一致",
            );
        }
        return answer(sim, StatusCode::OK, Some(refund_json(existing)));
    }
    // Either our order number or WeChat's transaction id names the trade.
    let transaction_id = body["transaction_id"].as_str().unwrap_or("");
    let Some(trade) = trades.values_mut().find(|t| {
        (!out_trade_no.is_empty() && t.out_trade_no == out_trade_no)
            || (!transaction_id.is_empty() && t.transaction_id.as_deref() == Some(transaction_id))
    }) else {
        return refuse(
            sim,
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_EXISTS",
            "订单不存在",
        );
    };
    let out_trade_no = trade.out_trade_no.clone();
    if trade.state != "SUCCESS" && trade.state != "REFUND" {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "订单未支付，不能退款",
        );
    }
    if total != trade.total {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "订单金额与原订单不一致",
        );
    }
    let refunded: i64 = refunds
        .iter()
        .filter(|r| r.out_trade_no == out_trade_no && r.status != "CLOSED")
        .map(|r| r.amount)
        .sum();
    if refunded + amount > trade.total {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "申请退款金额超过订单可退金额",
        );
    }
    trade.state = "REFUND".into();
    let r = SimRefund {
        out_refund_no,
        refund_id: format!("503{}", random_token(26)),
        out_trade_no,
        transaction_id: trade.transaction_id.clone().unwrap_or_default(),
        amount,
        total,
        status: "PROCESSING".into(),
        created: Utc::now(),
    };
    let body = refund_json(&r);
    refunds.push(r);
    answer(sim, StatusCode::OK, Some(body))
}

fn refund_json(r: &SimRefund) -> Value {
    json!({
        "refund_id": r.refund_id,
        "out_refund_no": r.out_refund_no,
        "transaction_id": r.transaction_id,
        "out_trade_no": r.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": r.created.with_timezone(&china()).to_rfc3339(),
        "status": r.status,
        "funds_account": "AVAILABLE",
        "amount": {
            "total": r.total, "refund": r.amount, "payer_total": r.total, "payer_refund": r.amount,
            "settlement_refund": r.amount, "settlement_total": r.total, "discount_refund": 0,
            "currency": "CNY", "refund_fee": 0,
        },
    })
}

/// The ALL bill of one China day, in the published format, stored under a token.
fn bill(sim: &Sim, query: &HashMap<String, String>) -> Response {
    let Some(date) = query
        .get("bill_date")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "bill_date 格式不正确",
        );
    };
    let day = |t: DateTime<Utc>| t.with_timezone(&china()).date_naive();
    let time = |t: DateTime<Utc>| {
        t.with_timezone(&china())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let trades = sim.trades.lock().unwrap();
    let refunds = sim.refunds.lock().unwrap();
    let mut rows = Vec::new();
    for t in trades
        .values()
        .filter(|t| t.success_time.is_some_and(|s| day(s) == date))
    {
        let tid = t.transaction_id.clone().unwrap_or_default();
        let y = crate::pay_sim::yuan(t.total);
        rows.push(format!(
            "`{},`{APP_ID},`{MCH_ID},`0,`,`{tid},`{},`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`{},`SUCCESS,`OTHERS,`CNY,`{y},`0.00,`0,`0,`0.00,`0.00,`,`,`{},`,`0.00000,`0.60%,`{y},`0.00,`",
            time(t.success_time.unwrap_or_default()), t.out_trade_no, t.trade_type, t.description
        ));
    }
    for r in refunds.iter().filter(|r| day(r.created) == date) {
        let y = crate::pay_sim::yuan(r.amount);
        rows.push(format!(
            "`{},`{APP_ID},`{MCH_ID},`0,`,`{},`{},`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`{},`{},`{y},`0.00,`ORIGINAL,`{},`退款,`,`0.00000,`0.60%,`0.00,`{y},`",
            time(r.created), r.transaction_id, r.out_trade_no, r.refund_id, r.out_refund_no, r.status
        ));
    }
    if rows.is_empty() {
        return refuse(
            sim,
            StatusCode::BAD_REQUEST,
            "NO_STATEMENT_EXIST",
            "要下载的账单不存在",
        );
    }
    let mut text = String::from(
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n",
    );
    for r in &rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    text.push_str("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n");
    text.push_str(&format!(
        "`{},`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n",
        rows.len()
    ));
    let bytes = text.into_bytes();
    let token = random_token(24);
    let hash = hex::encode(Sha1::digest(&bytes));
    sim.bills.lock().unwrap().insert(token.clone(), bytes);
    let base = sim.base.lock().unwrap().clone();
    answer(
        sim,
        StatusCode::OK,
        Some(json!({
            "hash_type": "SHA1",
            "hash_value": hash,
            "download_url": format!("{base}/v3/billdownload/file?token={token}"),
        })),
    )
}
