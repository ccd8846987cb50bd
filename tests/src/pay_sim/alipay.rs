//! A local Alipay open-platform gateway (`/gateway.do`), public-key mode, `sign_type=RSA2`.
//!
//! Server calls are form POSTs; the buyer's browser GETs the signed payment URL. Either way the
//! simulator rebuilds the signed text (every non-empty parameter but `sign`, sorted, `k=v&…`)
//! and verifies it with the application public key. It refuses: another `app_id` →
//! `error_response` 40002 `isv.invalid-app-id`; a missing or wrong `sign`, or `sign_type`
//! other than RSA2 → 40002 `isv.invalid-signature`; a `timestamp` that is not
//! `yyyy-MM-dd HH:mm:ss` or more than 10 minutes off → 40002 `isv.invalid-timestamp`; a
//! `biz_content` that is not JSON, or an amount that is not yuan with two decimals → 40002
//! `isv.invalid-parameter`; business refusals → 40004 with `ACQ.TRADE_NOT_EXIST`,
//! `ACQ.TRADE_STATUS_ERROR`, `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` (more than was paid),
//! `isp.bill_not_exist`. Successful answers are `{"<method>_response":{"code":"10000",…},
//! "sign":"…"}` signed over the member's exact text; refusals of business calls are signed
//! too, signature failures are not (as Alipay does).
//!
//! Notifications ([`AlipaySim::pay`], [`AlipaySim::refund_notification`],
//! [`AlipaySim::notification`]) are form bodies signed with the Alipay key over every
//! parameter but `sign` and `sign_type`. The bill is a ZIP of GBK CSV files.

use super::{
    Mode, fen, keys, private_pem, public_base64, random_token, rsa_sign, rsa_verify, yuan,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use farmgate_infra::pay::alipay::AlipayConfig;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const APP_ID: &str = "2021000000000001";

#[derive(Clone, Debug)]
pub struct SimTrade {
    pub out_trade_no: String,
    pub trade_no: String,
    pub subject: String,
    pub total: i64,
    /// `WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_CLOSED`.
    pub status: String,
    pub buyer_pay: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
    /// (out_request_no, amount, when)
    pub refunds: Vec<(String, i64, DateTime<Utc>)>,
}

impl SimTrade {
    fn refunded(&self) -> i64 {
        self.refunds.iter().map(|r| r.1).sum()
    }
}

struct Sim {
    mode: Mutex<Mode>,
    trades: Mutex<HashMap<String, SimTrade>>,
    bills: Mutex<HashMap<String, Vec<u8>>>,
    requests: Mutex<usize>,
    base: Mutex<String>,
}

#[derive(Clone)]
pub struct AlipaySim {
    pub base: String,
    state: Arc<Sim>,
}

impl AlipaySim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim {
            mode: Mutex::new(Mode::Normal),
            trades: Mutex::new(HashMap::new()),
            bills: Mutex::new(HashMap::new()),
            requests: Mutex::new(0),
            base: Mutex::new(String::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let base = super::serve(router).await;
        *state.base.lock().unwrap() = base.clone();
        Self { base, state }
    }

    /// The adapter's settings: the application key (keys()[0], as PKCS#8 PEM) and the Alipay
    /// public key (keys()[1], as the console's bare base64).
    pub fn config(&self) -> AlipayConfig {
        AlipayConfig {
            app_id: APP_ID.into(),
            app_private_key: private_pem(&keys()[0]),
            alipay_public_key: public_base64(&keys()[1]),
            gateway_url: Some(format!("{}/gateway.do", self.base)),
            notify_url: "https://shop.example/api/v1/payments/webhook/alipay".into(),
            return_url: "https://shop.example/orders".into(),
            timeout: Duration::from_secs(5),
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn requests(&self) -> usize {
        *self.state.requests.lock().unwrap()
    }

    pub fn trade(&self, out_trade_no: &str) -> Option<SimTrade> {
        self.state.trades.lock().unwrap().get(out_trade_no).cloned()
    }

    /// The buyer pays `buyer_pay` fen (the rest an Alipay coupon): the trade becomes
    /// `TRADE_SUCCESS`; returns the notification body Alipay would POST.
    pub fn pay(&self, out_trade_no: &str, buyer_pay: i64) -> Vec<u8> {
        let trade = {
            let mut trades = self.state.trades.lock().unwrap();
            let t = trades.get_mut(out_trade_no).expect("a trade to pay");
            t.status = "TRADE_SUCCESS".into();
            t.buyer_pay = Some(buyer_pay);
            t.paid_at = Some(Utc::now());
            t.clone()
        };
        let mut params = common_params(&trade);
        params.push(("gmt_payment".into(), super::china_time(Utc::now())));
        self.notification(&params, false)
    }

    /// The notification Alipay sends after a refund: `refund_fee` is everything refunded so far,
    /// `out_biz_no` the refund's `out_request_no`.
    pub fn refund_notification(&self, out_trade_no: &str, out_request_no: &str) -> Vec<u8> {
        let trade = self.trade(out_trade_no).expect("a trade");
        let (_, _, at) = trade
            .refunds
            .iter()
            .find(|r| r.0 == out_request_no)
            .cloned()
            .expect("a refund");
        let mut params = common_params(&trade);
        params.push(("refund_fee".into(), yuan(trade.refunded())));
        params.push((
            "gmt_refund".into(),
            format!("{}.000", super::china_time(at)),
        ));
        params.push(("out_biz_no".into(), out_request_no.into()));
        self.notification(&params, false)
    }

    /// Any notification: the parameters signed (by the stranger's key when `forged`).
    pub fn notification(&self, params: &[(String, String)], forged: bool) -> Vec<u8> {
        let content = signed_text(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), true);
        let key = if forged { &keys()[2] } else { &keys()[1] };
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .append_pair("sign_type", "RSA2")
            .append_pair("sign", &rsa_sign(key, content.as_bytes()))
            .finish()
            .into_bytes()
    }
}

fn common_params(t: &SimTrade) -> Vec<(String, String)> {
    let now = Utc::now();
    [
        ("notify_time", super::china_time(now)),
        ("notify_type", "trade_status_sync".into()),
        ("notify_id", format!("2026{}", random_token(30))),
        ("charset", "utf-8".into()),
        ("version", "1.0".into()),
        ("app_id", APP_ID.into()),
        ("trade_no", t.trade_no.clone()),
        ("out_trade_no", t.out_trade_no.clone()),
        ("buyer_id", "2088102122524333".into()),
        ("seller_id", "2088101106499364".into()),
        (
            "trade_status",
            if t.refunded() == t.total {
                "TRADE_CLOSED".into()
            } else {
                t.status.clone()
            },
        ),
        ("total_amount", yuan(t.total)),
        ("receipt_amount", yuan(t.total)),
        ("buyer_pay_amount", yuan(t.buyer_pay.unwrap_or(t.total))),
        ("subject", t.subject.clone()),
        ("gmt_create", super::china_time(now)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Sorted non-empty `k=v` joined by `&`, without `sign` (and `sign_type` for notifications).
fn signed_text<'a>(params: impl Iterator<Item = (&'a str, &'a str)>, notification: bool) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .filter(|(k, v)| !v.is_empty() && *k != "sign" && !(notification && *k == "sign_type"))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn member(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// `{"<member>":<inner>,"sign":"…"}` signed over the inner text exactly.
fn signed_answer(sim: &Sim, member: &str, inner: &Value) -> Response {
    let text = inner.to_string();
    let key = if *sim.mode.lock().unwrap() == Mode::ForgedAnswers {
        &keys()[2]
    } else {
        &keys()[1]
    };
    let body = format!(
        "{{\"{member}\":{text},\"sign\":\"{}\"}}",
        rsa_sign(key, text.as_bytes())
    );
    ([("content-type", "text/html;charset=utf-8")], body).into_response()
}

fn unsigned_refusal(member: &str, sub_code: &str, sub_msg: &str) -> Response {
    let body = json!({ member: { "code": "40002", "msg": "Invalid Arguments", "sub_code": sub_code, "sub_msg": sub_msg } });
    (
        [("content-type", "text/html;charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn business_refusal(sim: &Sim, member: &str, sub_code: &str, sub_msg: &str) -> Response {
    signed_answer(
        sim,
        member,
        &json!({ "code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg }),
    )
}

/// The checks every call shares. Returns the refusal to send, if any.
fn authenticate(params: &HashMap<String, String>) -> Result<(), Box<Response>> {
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let member = member(get("method"));
    if get("app_id") != APP_ID {
        return Err(Box::new(unsigned_refusal(
            "error_response",
            "isv.invalid-app-id",
            "无效的AppID参数",
        )));
    }
    if get("sign_type") != "RSA2" || get("sign").is_empty() {
        return Err(Box::new(unsigned_refusal(
            &member,
            "isv.invalid-signature",
            "验签出错",
        )));
    }
    let content = signed_text(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), false);
    if !rsa_verify(&keys()[0].to_public_key(), content.as_bytes(), get("sign")) {
        return Err(Box::new(unsigned_refusal(
            &member,
            "isv.invalid-signature",
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配",
        )));
    }
    let fresh = chrono::NaiveDateTime::parse_from_str(get("timestamp"), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| (t - chrono::Duration::hours(8)).and_utc())
        .is_some_and(|t| (Utc::now() - t).num_seconds().abs() <= 600);
    if !fresh {
        return Err(Box::new(unsigned_refusal(
            &member,
            "isv.invalid-timestamp",
            "非法的时间戳参数",
        )));
    }
    if get("charset") != "utf-8" || get("format") != "JSON" || get("version") != "1.0" {
        return Err(Box::new(unsigned_refusal(
            &member,
            "isv.invalid-parameter",
            "参数无效",
        )));
    }
    Ok(())
}

async fn handle(State(sim): State<Arc<Sim>>, method: Method, uri: Uri, body: Bytes) -> Response {
    *sim.requests.lock().unwrap() += 1;
    if *sim.mode.lock().unwrap() == Mode::Down {
        return (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    if let Some(token) = uri.path().strip_prefix("/bill/") {
        return match sim.bills.lock().unwrap().get(token) {
            Some(bytes) => ([("content-type", "application/zip")], bytes.clone()).into_response(),
            None => (StatusCode::NOT_FOUND, "no such bill").into_response(),
        };
    }
    if uri.path() != "/gateway.do" {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let mut params: HashMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    if method == Method::POST {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    if let Err(refusal) = authenticate(&params) {
        // The buyer's browser gets the cashier's error page, a server call the JSON refusal.
        if method == Method::GET {
            return (
                StatusCode::BAD_REQUEST,
                [("content-type", "text/html;charset=utf-8")],
                "<html><body>错误代码 invalid-signature</body></html>",
            )
                .into_response();
        }
        return *refusal;
    }
    let api = params.get("method").cloned().unwrap_or_default();
    let member = member(&api);
    let Some(biz) = params
        .get("biz_content")
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return unsigned_refusal(&member, "isv.invalid-parameter", "biz_content 无效");
    };
    let text = |k: &str| biz[k].as_str().unwrap_or("").to_owned();
    match (method.as_str(), api.as_str()) {
        ("GET", "alipay.trade.wap.pay" | "alipay.trade.page.pay") => {
            let expected = if api.ends_with("wap.pay") {
                "QUICK_WAP_WAY"
            } else {
                "FAST_INSTANT_TRADE_PAY"
            };
            // time_expire is "yyyy-MM-dd HH:mm:ss" China time, in the future; the phone
            // cashier needs a quit_url to send the buyer back to.
            let expires_ok =
                chrono::NaiveDateTime::parse_from_str(&text("time_expire"), "%Y-%m-%d %H:%M:%S")
                    .is_ok_and(|t| (t - chrono::Duration::hours(8)).and_utc() > Utc::now());
            let quit_ok = expected != "QUICK_WAP_WAY" || !text("quit_url").is_empty();
            let (Some(total), true) = (
                fen(&text("total_amount")),
                text("product_code") == expected && expires_ok && quit_ok,
            ) else {
                return (
                    StatusCode::BAD_REQUEST,
                    "<html>错误代码 invalid-parameter</html>",
                )
                    .into_response();
            };
            let no = text("out_trade_no");
            let mut trades = sim.trades.lock().unwrap();
            trades.entry(no.clone()).or_insert_with(|| SimTrade {
                out_trade_no: no.clone(),
                trade_no: format!("2026{}", random_token(24)),
                subject: text("subject"),
                total,
                status: "WAIT_BUYER_PAY".into(),
                buyer_pay: None,
                paid_at: None,
                refunds: Vec::new(),
            });
            (
                [("content-type", "text/html;charset=utf-8")],
                format!("<html><body>支付宝收银台 {no}</body></html>"),
            )
                .into_response()
        }
        ("POST", "alipay.trade.query") => {
            match sim.trades.lock().unwrap().get(&text("out_trade_no")) {
                None => business_refusal(&sim, &member, "ACQ.TRADE_NOT_EXIST", "交易不存在"),
                Some(t) => {
                    let mut inner = json!({
                        "code": "10000", "msg": "Success", "trade_no": t.trade_no, "out_trade_no": t.out_trade_no,
                        "buyer_logon_id": "159****5620", "trade_status": t.status, "total_amount": yuan(t.total),
                    });
                    if let (Some(pay), Some(at)) = (t.buyer_pay, t.paid_at) {
                        inner["buyer_pay_amount"] = yuan(pay).into();
                        inner["send_pay_date"] = super::china_time(at).into();
                    }
                    signed_answer(&sim, &member, &inner)
                }
            }
        }
        ("POST", "alipay.trade.close") => {
            let mut trades = sim.trades.lock().unwrap();
            match trades.get_mut(&text("out_trade_no")) {
                None => business_refusal(&sim, &member, "ACQ.TRADE_NOT_EXIST", "交易不存在"),
                Some(t) if t.status != "WAIT_BUYER_PAY" => {
                    business_refusal(&sim, &member, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
                }
                Some(t) => {
                    t.status = "TRADE_CLOSED".into();
                    signed_answer(
                        &sim,
                        &member,
                        &json!({ "code": "10000", "msg": "Success", "trade_no": t.trade_no, "out_trade_no": t.out_trade_no }),
                    )
                }
            }
        }
        ("POST", "alipay.trade.refund") => {
            let Some(amount) = fen(&text("refund_amount")).filter(|a| *a > 0) else {
                return unsigned_refusal(&member, "isv.invalid-parameter", "refund_amount 无效");
            };
            let request_no = text("out_request_no");
            let mut trades = sim.trades.lock().unwrap();
            // Either our order number or Alipay's trade number names the trade.
            let (no, trade_no) = (text("out_trade_no"), text("trade_no"));
            let Some(t) = trades.values_mut().find(|t| {
                (!no.is_empty() && t.out_trade_no == no)
                    || (!trade_no.is_empty() && t.trade_no == trade_no)
            }) else {
                return business_refusal(&sim, &member, "ACQ.TRADE_NOT_EXIST", "交易不存在");
            };
            let done = t.refunds.iter().any(|r| r.0 == request_no);
            if !done {
                if t.status != "TRADE_SUCCESS" {
                    return business_refusal(
                        &sim,
                        &member,
                        "ACQ.TRADE_STATUS_ERROR",
                        "交易状态不合法",
                    );
                }
                if t.refunded() + amount > t.total {
                    return business_refusal(
                        &sim,
                        &member,
                        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                        "退款金额超限",
                    );
                }
                t.refunds.push((request_no, amount, Utc::now()));
                if t.refunded() == t.total {
                    t.status = "TRADE_CLOSED".into();
                }
            }
            signed_answer(
                &sim,
                &member,
                &json!({
                    "code": "10000", "msg": "Success", "trade_no": t.trade_no, "out_trade_no": t.out_trade_no,
                    "buyer_logon_id": "159****5620", "fund_change": if done { "N" } else { "Y" },
                    "refund_fee": yuan(t.refunded()),
                }),
            )
        }
        ("POST", "alipay.data.dataservice.bill.downloadurl.query") => {
            if text("bill_type") != "trade" {
                return unsigned_refusal(&member, "isv.invalid-parameter", "bill_type 无效");
            }
            let Some(date) = chrono::NaiveDate::parse_from_str(&text("bill_date"), "%Y-%m-%d").ok()
            else {
                return unsigned_refusal(&member, "isv.invalid-parameter", "bill_date 无效");
            };
            match bill_zip(&sim, date) {
                None => business_refusal(&sim, &member, "isp.bill_not_exist", "账单不存在"),
                Some(bytes) => {
                    let token = random_token(24);
                    sim.bills.lock().unwrap().insert(token.clone(), bytes);
                    let base = sim.base.lock().unwrap().clone();
                    signed_answer(
                        &sim,
                        &member,
                        &json!({ "code": "10000", "msg": "Success", "bill_download_url": format!("{base}/bill/{token}") }),
                    )
                }
            }
        }
        _ => unsigned_refusal(&member, "isv.invalid-method", "不存在的方法名"),
    }
}

/// The day's detail and summary CSVs, GBK, zipped. `None` when nothing happened that day.
fn bill_zip(sim: &Sim, date: chrono::NaiveDate) -> Option<Vec<u8>> {
    let day = |t: DateTime<Utc>| (t.naive_utc() + chrono::Duration::hours(8)).date();
    let trades = sim.trades.lock().unwrap();
    let mut rows = Vec::new();
    let (mut paid, mut refunded) = (0, 0);
    for t in trades.values() {
        if let Some(at) = t.paid_at.filter(|a| day(*a) == date) {
            paid += 1;
            rows.push(format!(
                "{}\t,{}\t,交易,{},{},{},,,,,159****5620,{},{},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.07,0.00,",
                t.trade_no, t.out_trade_no, t.subject, super::china_time(at), super::china_time(at), yuan(t.total), yuan(t.total)
            ));
        }
        for (no, amount, at) in t.refunds.iter().filter(|r| day(r.2) == date) {
            refunded += 1;
            rows.push(format!(
                "{}\t,{}\t,退款,{},{},{},,,,,159****5620,{},{},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,{no}\t,0.00,0.00,",
                t.trade_no, t.out_trade_no, t.subject, super::china_time(*at), super::china_time(*at), yuan(-amount), yuan(-amount)
            ));
        }
    }
    if rows.is_empty() {
        return None;
    }
    let mut detail = format!(
        "#支付宝业务明细查询\r\n#账号：[20880000000000000156]\r\n#起始日期：[{date} 00:00:00]\r\n#-----------------------------------------业务明细列表----------------------------------------\r\n支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\r\n"
    );
    for r in &rows {
        detail.push_str(r);
        detail.push_str("\r\n");
    }
    detail.push_str("#-----------------------------------------业务明细列表结束------------------------------------\r\n");
    detail.push_str(&format!(
        "#交易合计：{paid}笔，退款合计：{refunded}笔\r\n#导出时间：[{}]\r\n",
        super::china_time(Utc::now())
    ));
    let summary = format!("#支付宝业务汇总查询\r\n交易笔数,{paid}\r\n退款笔数,{refunded}\r\n");
    let stamp = date.format("%Y%m%d");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    // The summary first, so the adapter must pick the detail file by name.
    for (name, text) in [
        (
            format!("20880000000000000156_{stamp}_业务明细(汇总).csv"),
            summary,
        ),
        (format!("20880000000000000156_{stamp}_业务明细.csv"), detail),
    ] {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(&encoding_rs::GBK.encode(&text).0)
            .expect("zip write");
    }
    Some(zip.finish().expect("zip").into_inner())
}
