//! Orders' errors: one variant per code a client can match, with its zh-CN and English text,
//! and how each looks over HTTP. Use cases raise variants, never strings.

use axum::http::StatusCode;
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_infra::http::codes::HttpCode;
use farmgate_kernel::id::SkuId;
use farmgate_kernel::{FieldError, Msg, ValidationErrors, labelled_enum};
use farmgate_trace::TraceError;
use sea_orm::DbErr;

use crate::domain::MAX_LINES;

labelled_enum!(
    /// What a `not_found` answer says is missing.
    Missing {
        Order => "order", "订单", "order";
        SubOrder => "sub_order", "子订单", "sub-order";
        OrderLine => "order_line", "订单商品", "order line";
        Address => "address", "收货地址", "address";
        Sku => "sku", "商品规格", "SKU";
        CartItem => "cart_item", "购物车中的商品", "cart item";
        Payment => "payment", "支付单", "payment";
        PaymentProvider => "payment_provider", "支付渠道", "payment provider";
        ReconciliationRun => "reconciliation_run", "对账记录", "reconciliation run";
        Difference => "reconciliation_difference", "对账差异", "reconciliation difference";
        Refund => "refund", "退款", "refund";
        Waybill => "waybill", "运单", "waybill";
        Review => "review", "评价", "review";
        Listing => "listing", "商品", "listing";
        Region => "region", "行政区划", "administrative division";
        Approval => "approval", "采购审批", "purchase approval";
        ExtraCharge => "extra_charge", "补差价", "extra charge";
        Presale => "presale", "预售", "pre-sale";
        CreditLine => "credit_line", "授信额度", "credit line";
        Statement => "credit_statement", "账期对账单", "credit statement";
        StandingOrder => "standing_order", "定期订单", "standing order";
        Rfq => "rfq", "询价单", "request for quotation";
        RfqQuote => "rfq_quote", "报价", "quote";
        DeliveryWindow => "delivery_window", "送货时段", "delivery window";
        DeliveryNote => "delivery_note", "签收单", "delivery note";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum OrdersError {
    // ---- Generic
    /// `validation_failed` (422): the fields say what is wrong.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found` (404).
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden` (403).
    #[error("not allowed")]
    Forbidden,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),

    // ---- Addresses and the cart (409)
    #[error("too many saved addresses")]
    TooManyAddresses,
    #[error("the cart is full")]
    CartFull,
    /// `sold_out`: a SKU put in the cart has none left (the field `sku_id` says so too).
    #[error("{title} is sold out")]
    SoldOut { title: String },
    /// `unavailable`: a SKU put in the cart is off sale (the field `sku_id` says so too).
    #[error("{title} is no longer on sale")]
    NoLongerOnSale { title: String },

    // ---- Checkout (409); `lines` name the cart lines or items concerned
    /// `price_changed`: every problem is a moved price; the cart now remembers the new ones.
    #[error("some prices changed")]
    PriceChanged { lines: ValidationErrors },
    /// `sold_out`: some lines have too few left.
    #[error("some items are sold out or short")]
    ItemsShort { lines: ValidationErrors },
    /// `unavailable`: some lines are off sale.
    #[error("some items are no longer on sale")]
    ItemsOffSale { lines: ValidationErrors },
    /// `sold_out`: another buyer took the last ones while this order was written.
    #[error("{title} just sold out")]
    JustSoldOut { title: String, sku: SkuId },
    /// `idempotency_key_reused`: the key was used for a different order.
    #[error("Idempotency-Key reused for another order")]
    OrderKeyReused,

    // ---- Cancelling and paying
    /// `cannot_cancel` (409).
    #[error("the order cannot be cancelled")]
    CannotCancel,
    /// `not_offline` (409).
    #[error("the order is paid online")]
    NotOffline,
    /// `online_payment_unavailable` (409): no online payment provider is configured (the
    /// sandbox gateway is off in production); pay by bank transfer.
    #[error("online payment is not available")]
    OnlinePaymentUnavailable,
    /// `payment_provider_unavailable` (503): the payment provider could not be reached or
    /// refused to start the payment; the order stays payable, try again shortly.
    #[error("the payment provider is unavailable: {0}")]
    ProviderUnavailable(String),
    /// `wechat_authorization_needed` (409): paying inside WeChat needs the buyer's openid;
    /// open `GET /api/v1/payments/wechat/authorize?order=…` first (WeChat asks nothing, it
    /// only says who the buyer is), then pay again.
    #[error("WeChat must say who the buyer is before paying inside WeChat")]
    WechatAuthorizationNeeded,
    /// `order_closed` (409).
    #[error("the order is closed")]
    OrderClosed,
    /// `already_paid` (409).
    #[error("the order is already paid")]
    AlreadyPaid,
    /// `intent_closed` (409).
    #[error("the payment is already finished")]
    IntentClosed,
    /// `bad_signature` (400): a payment notification or carrier callback whose signature does
    /// not verify.
    #[error("bad signature")]
    BadSignature,
    /// `stale_notification` (400).
    #[error("stale notification")]
    StaleNotification,
    /// `malformed_notification` (400).
    #[error("malformed notification")]
    MalformedNotification,
    /// `amount_mismatch` (400).
    #[error("amount mismatch")]
    AmountMismatch,
    /// `notification_mismatch` (409): a payment notification or carrier callback under an
    /// event id already received, saying something else than the first time.
    #[error("a notification replayed with other content")]
    NotificationMismatch,

    // ---- Refunds (409)
    /// `idempotency_key_reused`: the key was used for a different refund.
    #[error("Idempotency-Key reused for another refund")]
    RefundKeyReused,
    /// `not_paid`.
    #[error("the sub-order was not paid")]
    NotPaid,
    /// `refund_exceeds_paid`.
    #[error("refunds would exceed what was paid")]
    RefundExceedsPaid,
    /// `concurrent_update`: the same refund is being recorded by another request.
    #[error("the same refund is in progress")]
    RefundInProgress,

    // ---- The seller's console, shipping and receipt (409)
    /// `cannot_acknowledge`.
    #[error("the sub-order cannot be acknowledged")]
    CannotAcknowledge,
    /// `cannot_ship`.
    #[error("the sub-order cannot ship")]
    CannotShip,
    /// `concurrent_update`: the sub-order moved while it was being shipped.
    #[error("the sub-order just changed")]
    SubOrderChanged,
    /// `concurrent_update`: another request shipped it a moment ago.
    #[error("the sub-order has just shipped")]
    JustShipped,
    /// `not_shipped`: logistics for a parcel that has not left.
    #[error("the sub-order has not shipped")]
    NotShipped,
    /// `not_shipped`: receipt of a parcel that has not left.
    #[error("the sub-order has not shipped and cannot be received")]
    NotShippedToReceive,
    /// `cannot_correct_waybill`: the parcel was signed for (签收), received or closed; its
    /// waybill is a record now.
    #[error("the waybill can no longer be corrected")]
    WaybillFinal,
    /// `sold_out`: no stock for a replacement (补发).
    #[error("{title} is out of stock for a replacement")]
    NoStockToReplace { title: String },

    // ---- Handling deadlines: cancelling a paid part (409, issue #18)
    /// `not_overdue`: the ship-by deadline has not passed; ask the seller instead.
    #[error("the ship-by deadline has not passed")]
    NotOverdue,
    /// `cannot_cancel`: the part has shipped or is closed.
    #[error("the sub-order has shipped or is closed and cannot be cancelled")]
    CannotCancelPart,
    /// `cancel_already_requested`: one request per sub-order.
    #[error("a cancellation was already requested")]
    CancelAlreadyRequested,
    /// `cancel_request_closed`: no open request to answer.
    #[error("no open cancellation request")]
    CancelRequestClosed,
    /// `answer_too_late`: the limit to refuse passed; the request is accepted.
    #[error("the time to refuse has passed")]
    AnswerTooLate,

    // ---- Reviews (409)
    /// `too_many_photos`.
    #[error("too many unused review photos")]
    TooManyPhotos,
    /// `not_received`.
    #[error("not received yet")]
    NotReceived,
    /// `already_reviewed`.
    #[error("already reviewed")]
    AlreadyReviewed,
    /// `already_replied`: the seller replies to a review once.
    #[error("already replied")]
    AlreadyReplied,
    /// `already_reported`: one report per review and person.
    #[error("already reported")]
    AlreadyReported,
    /// `already_hidden`.
    #[error("the review is hidden already")]
    AlreadyHidden,
    /// `not_hidden`: only a hidden review is restored.
    #[error("the review is not hidden")]
    NotHidden,
    // ---- Catch weight (409)
    /// `not_sold_by_weight`: the line's SKU was not sold by catch weight.
    #[error("the line is not sold by weight")]
    NotSoldByWeight,
    /// `cannot_weigh`: only a paid part that has not shipped is weighed.
    #[error("the line cannot be weighed now")]
    CannotWeigh,
    /// `already_weighed`: a line is weighed once; a retry with the same weight is answered
    /// with it.
    #[error("the line was weighed already")]
    AlreadyWeighed,
    // ---- Purchase approvals (409, issue #22)
    /// `approval_pending`: a purchaser's order above the buyer's limit waits for a manager's
    /// approval before it can be paid.
    #[error("the order waits for approval")]
    ApprovalPending,
    /// `already_decided`: the approval was approved or rejected already.
    #[error("the approval is already decided")]
    AlreadyDecided,
    /// `extra_charge_closed`: a catch-weight extra charge was declined or lapsed (or its time
    /// to answer passed); it is no longer paid or declined.
    #[error("the extra charge is closed")]
    ExtraChargeClosed,
    /// `extra_charge_paid`: the extra charge is paid already; it cannot be declined or paid
    /// again.
    #[error("the extra charge is paid already")]
    ExtraChargePaid,
    // ---- Pre-sales (409)
    /// `presale_closed`: the pre-sale takes no reservations (closed by its seller, or its
    /// SKU is gone).
    #[error("the pre-sale is closed")]
    PresaleClosed,
    /// `presale_full`: less is left than asked for (`left` units).
    #[error("the pre-sale has {left} left")]
    PresaleFull { left: i64 },
    /// `already_harvested`: a pre-sale is harvested once.
    #[error("the pre-sale was harvested already")]
    AlreadyHarvested,
    /// `deposits_pending`: a reservation's deposit is neither paid nor lapsed yet.
    #[error("deposits are still pending")]
    DepositsPending,
    /// `rfq_closed`: the RFQ was closed by its buyer, or (for a new quote) quoting has ended.
    #[error("the request for quotation is closed")]
    RfqClosed,
    /// `quote_closed`: the quote was accepted, withdrawn or revised meanwhile.
    #[error("the quote is no longer open")]
    QuoteClosed,
    /// `quote_expired`: the quote is past its validity.
    #[error("the quote expired")]
    QuoteExpired,
    // ---- Reconciliation (409)
    /// `no_bill`: the provider keeps no bill to reconcile (offline, sandbox).
    #[error("the provider keeps no bill")]
    NoBill,
    /// `already_reconciled`: the day's bill was compared; its differences are resolved one by
    /// one, not by comparing again.
    #[error("that day is already reconciled")]
    AlreadyReconciled,
    /// `concurrent_update`: the day's run is under way.
    #[error("that day is being reconciled")]
    ReconcileRunning,
    /// `already_resolved`.
    #[error("the difference is already resolved")]
    AlreadyResolved,
    // ---- Credit terms (409, issue #22)
    /// `no_credit_line`: the order's buyer is not a verified business buyer with an active
    /// credit line.
    #[error("no active credit line")]
    NoCreditLine,
    /// `credit_limit_exceeded`: what is owed plus the order would pass the limit
    /// (`available` fen left).
    #[error("the credit limit leaves {available} fen")]
    CreditLimitExceeded { available: i64 },
    /// `credit_overdue`: a statement is unpaid after its due date; no new orders on credit.
    #[error("a credit statement is overdue")]
    CreditOverdue,
    /// `not_business_buyer`: credit is granted to verified business buyers only.
    #[error("not a verified business buyer")]
    NotBusinessBuyer,
    /// `statement_paid`: the statement is paid in full already.
    #[error("the statement is paid already")]
    StatementPaid,
    // ---- Standing orders (409, issue #22)
    /// `standing_order_state`: the standing order's state (`status`) does not allow the move
    /// (accepting one accepted, resuming one not paused, changing one ended …).
    #[error("the standing order is {status}")]
    StandingOrderState {
        status: crate::domain::standing::StandingStatus,
    },
    // ---- Delivery windows and notes (409, issue #22)
    /// `too_many_delivery_windows`: a seller keeps at most 200 windows.
    #[error("too many delivery windows")]
    TooManyDeliveryWindows,
    /// `delivery_slot_full`: every place of the dated window is taken.
    #[error("the delivery window is full")]
    DeliverySlotFull,
    /// `delivery_closed`: the sub-order shipped or was cancelled (`status`): its window no
    /// longer changes.
    #[error("the delivery can no longer be booked: the sub-order is {status}")]
    DeliveryClosed {
        status: crate::domain::SubOrderStatus,
    },
    /// `delivery_photo_missing`: the driver has not photographed the goods yet.
    #[error("the delivery note has no photo yet")]
    DeliveryPhotoMissing,
    /// `delivery_note_signed`: the note is signed already (it is the receipt).
    #[error("the delivery note is signed already")]
    DeliveryNoteSigned,
    /// `delivery_code_wrong`: not the buyer's code; `left` tries remain.
    #[error("wrong delivery code, {left} tries left")]
    DeliveryCodeWrong { left: i32 },
    /// `delivery_code_locked`: five wrong codes; a member of the buyer signs logged in.
    #[error("the delivery code is locked")]
    DeliveryCodeLocked,
}

impl OrdersError {
    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }

    /// The stable code clients match. Identity's errors give their own; catalogue's and
    /// trace's answer with the codes their conversion to `ApiError` decides, and until those
    /// crates name them here this says which crate it was (what a log line needs).
    pub fn code(&self) -> &'static str {
        use OrdersError as E;
        match self {
            E::Invalid(_) => HttpCode::ValidationFailed.code(),
            E::NotFound(_) => HttpCode::NotFound.code(),
            E::Forbidden => HttpCode::Forbidden.code(),
            E::Identity(e) => e.code(),
            E::Catalog(_) => "catalog",
            E::Trace(_) => "trace",
            E::Db(_) | E::Internal(_) => HttpCode::Internal.code(),
            E::TooManyAddresses => "too_many_addresses",
            E::CartFull => "cart_full",
            E::SoldOut { .. } | E::ItemsShort { .. } | E::JustSoldOut { .. } => "sold_out",
            E::NoStockToReplace { .. } => "sold_out",
            E::NoLongerOnSale { .. } | E::ItemsOffSale { .. } => "unavailable",
            E::PriceChanged { .. } => "price_changed",
            E::OrderKeyReused | E::RefundKeyReused => "idempotency_key_reused",
            E::CannotCancel => "cannot_cancel",
            E::NotOffline => "not_offline",
            E::OnlinePaymentUnavailable => "online_payment_unavailable",
            E::ProviderUnavailable(_) => "payment_provider_unavailable",
            E::WechatAuthorizationNeeded => "wechat_authorization_needed",
            E::OrderClosed => "order_closed",
            E::AlreadyPaid => "already_paid",
            E::IntentClosed => "intent_closed",
            E::BadSignature => "bad_signature",
            E::StaleNotification => "stale_notification",
            E::MalformedNotification => "malformed_notification",
            E::AmountMismatch => "amount_mismatch",
            E::NotificationMismatch => "notification_mismatch",
            E::NotPaid => "not_paid",
            E::RefundExceedsPaid => "refund_exceeds_paid",
            E::RefundInProgress | E::SubOrderChanged | E::JustShipped => "concurrent_update",
            E::CannotAcknowledge => "cannot_acknowledge",
            E::CannotShip => "cannot_ship",
            E::NotShipped | E::NotShippedToReceive => "not_shipped",
            E::WaybillFinal => "cannot_correct_waybill",
            E::NotOverdue => "not_overdue",
            E::CannotCancelPart => "cannot_cancel",
            E::CancelAlreadyRequested => "cancel_already_requested",
            E::CancelRequestClosed => "cancel_request_closed",
            E::AnswerTooLate => "answer_too_late",
            E::TooManyPhotos => "too_many_photos",
            E::NotReceived => "not_received",
            E::AlreadyReviewed => "already_reviewed",
            E::AlreadyReplied => "already_replied",
            E::NotSoldByWeight => "not_sold_by_weight",
            E::CannotWeigh => "cannot_weigh",
            E::AlreadyWeighed => "already_weighed",
            E::ExtraChargeClosed => "extra_charge_closed",
            E::ExtraChargePaid => "extra_charge_paid",
            E::PresaleClosed => "presale_closed",
            E::PresaleFull { .. } => "presale_full",
            E::AlreadyHarvested => "already_harvested",
            E::DepositsPending => "deposits_pending",
            E::RfqClosed => "rfq_closed",
            E::QuoteClosed => "quote_closed",
            E::QuoteExpired => "quote_expired",
            E::AlreadyReported => "already_reported",
            E::AlreadyHidden => "already_hidden",
            E::NotHidden => "not_hidden",
            E::ApprovalPending => "approval_pending",
            E::AlreadyDecided => "already_decided",
            E::NoBill => "no_bill",
            E::AlreadyReconciled => "already_reconciled",
            E::ReconcileRunning => "concurrent_update",
            E::AlreadyResolved => "already_resolved",
            E::NoCreditLine => "no_credit_line",
            E::CreditLimitExceeded { .. } => "credit_limit_exceeded",
            E::CreditOverdue => "credit_overdue",
            E::NotBusinessBuyer => "not_business_buyer",
            E::StatementPaid => "statement_paid",
            E::StandingOrderState { .. } => "standing_order_state",
            E::TooManyDeliveryWindows => "too_many_delivery_windows",
            E::DeliverySlotFull => "delivery_slot_full",
            E::DeliveryClosed { .. } => "delivery_closed",
            E::DeliveryPhotoMissing => "delivery_photo_missing",
            E::DeliveryNoteSigned => "delivery_note_signed",
            E::DeliveryCodeWrong { .. } => "delivery_code_wrong",
            E::DeliveryCodeLocked => "delivery_code_locked",
        }
    }

    /// What the answer says, in Chinese and English. For the crates below, see [`Self::code`]:
    /// their own conversion gives their text; this one is only their log line.
    pub fn message(&self) -> Msg {
        use OrdersError as E;
        let m = |zh: &str, en: &str| Msg::new(zh, en);
        match self {
            E::Invalid(_) => HttpCode::ValidationFailed.message(),
            E::NotFound(what) => HttpCode::not_found_for(what.label()),
            E::Forbidden => HttpCode::Forbidden.message(),
            E::Identity(e) => e.message(),
            E::Catalog(e) => Msg::new(e.to_string(), e.to_string()),
            E::Trace(e) => Msg::new(e.to_string(), e.to_string()),
            E::Db(_) | E::Internal(_) => HttpCode::Internal.message(),
            E::TooManyAddresses => m("最多保存 20 个收货地址", "at most 20 saved addresses"),
            E::CartFull => Msg::new(
                format!("购物车最多放 {MAX_LINES} 种商品"),
                format!("a cart holds at most {MAX_LINES} items"),
            ),
            E::SoldOut { title } => {
                Msg::new(format!("“{title}”已售罄"), format!("“{title}” is sold out"))
            }
            E::NoLongerOnSale { title } => Msg::new(
                format!("“{title}”已下架，暂不能购买"),
                format!("“{title}” is no longer on sale"),
            ),
            E::PriceChanged { .. } => m(
                "部分商品价格有变动，请确认新价格后再提交",
                "some prices changed: check the new prices and confirm again",
            ),
            E::ItemsShort { .. } => m("部分商品库存不足", "some items are sold out or short"),
            E::ItemsOffSale { .. } => m("部分商品已下架", "some items are no longer on sale"),
            E::JustSoldOut { title, .. } => Msg::new(
                format!("“{title}”刚刚售罄"),
                format!("“{title}” just sold out"),
            ),
            E::OrderKeyReused => m(
                "这个 Idempotency-Key 已用于另一笔不同的订单",
                "this Idempotency-Key was used for a different order",
            ),
            E::CannotCancel => m(
                "订单已付款或已关闭，不能取消；已付款的订单请申请售后",
                "the order is paid or closed and cannot be cancelled; for a paid order, file an after-sales claim",
            ),
            E::OnlinePaymentUnavailable => m(
                "暂不支持在线支付，请选择银行转账",
                "online payment is not available; please pay by bank transfer",
            ),
            E::ProviderUnavailable(_) => m(
                "支付平台暂时无法连接，订单仍可支付，请稍后再试",
                "the payment provider cannot be reached right now; the order stays payable, please try again shortly",
            ),
            E::WechatAuthorizationNeeded => m(
                "请先在微信中授权，以便使用微信支付",
                "let WeChat say who you are first, to pay with WeChat Pay",
            ),
            E::NotOffline => m(
                "这笔订单选择在线支付，由支付平台确认",
                "this order is paid online and confirmed by the payment gateway",
            ),
            E::OrderClosed => m(
                "订单已取消或已超时关闭，不能再付款",
                "the order was cancelled or expired and can no longer be paid",
            ),
            E::AlreadyPaid => m("订单已付款", "the order is already paid"),
            E::IntentClosed => m(
                "这笔支付已经完成或失败，请回到订单重新发起",
                "this payment is already finished; start again from the order",
            ),
            E::BadSignature => m("签名校验失败", "the signature does not verify"),
            E::StaleNotification => m(
                "通知已过期（时间戳超出 5 分钟）",
                "the notification is older than five minutes",
            ),
            E::MalformedNotification => m("通知内容无法解析", "the notification cannot be read"),
            E::AmountMismatch => m(
                "通知金额与订单金额不符",
                "the notified amount differs from the order's",
            ),
            E::NotificationMismatch => m(
                "该事件编号的通知此前已收到，内容与这次不同",
                "a notification with this event id came before and said something else",
            ),
            E::RefundKeyReused => m(
                "这个 Idempotency-Key 已用于另一笔退款",
                "this Idempotency-Key was used for a different refund",
            ),
            E::NotPaid => m(
                "订单未付款，无需退款",
                "the sub-order was not paid; there is nothing to refund",
            ),
            E::RefundExceedsPaid => m(
                "退款总额不能超过实付金额",
                "refunds cannot exceed what was paid",
            ),
            E::RefundInProgress => m(
                "同一退款请求正在处理，请稍后查看",
                "the same refund is being made; look again in a moment",
            ),
            E::CannotAcknowledge => m(
                "只有已付款、待处理的订单可以确认接单",
                "only a paid sub-order waiting for the seller can be acknowledged",
            ),
            E::CannotShip => m(
                "只有已付款、未发货的订单可以发货",
                "only a paid sub-order that has not shipped can ship",
            ),
            E::SubOrderChanged => m(
                "订单状态刚刚变化，请刷新后重试",
                "the sub-order just changed; reload and retry",
            ),
            E::JustShipped => m("该订单刚刚已发货", "this sub-order has just shipped"),
            E::NotShipped => m("订单尚未发货", "the sub-order has not shipped"),
            E::WaybillFinal => m(
                "包裹已签收或订单已完结，运单不能再更正",
                "the parcel was delivered or its order closed; its waybill can no longer be corrected",
            ),
            E::NotShippedToReceive => m(
                "订单尚未发货，不能确认收货",
                "the sub-order has not shipped and cannot be received",
            ),
            E::NoStockToReplace { title } => Msg::new(
                format!("“{title}”库存不足，无法补发，请改为退款"),
                format!("“{title}” is out of stock; refund instead"),
            ),
            E::NotOverdue => m(
                "尚未超过发货时限；可先申请取消，由卖家确认",
                "the ship-by deadline has not passed yet; ask the seller to cancel instead",
            ),
            E::CannotCancelPart => m(
                "该子订单已发货或已关闭，不能取消；收货后如有问题请申请售后",
                "this part has shipped or is closed and cannot be cancelled; after receipt, file an after-sales claim",
            ),
            E::CancelAlreadyRequested => m(
                "该子订单已申请过取消",
                "a cancellation was already requested for this part",
            ),
            E::CancelRequestClosed => m(
                "没有待处理的取消申请",
                "there is no open cancellation request",
            ),
            E::AnswerTooLate => m(
                "已超过答复时限，取消申请视为同意",
                "the time to answer has passed: the request counts as accepted",
            ),
            E::TooManyPhotos => m(
                "未使用的评价照片太多，请先发表评价",
                "too many photos not yet used in a review; post a review first",
            ),
            E::NotReceived => m(
                "确认收货后才能评价",
                "you can review once you have confirmed receipt",
            ),
            E::AlreadyReviewed => m(
                "这件商品已经评价过了",
                "this line has already been reviewed",
            ),
            E::AlreadyReplied => m(
                "已经回复过这条评价了",
                "you have already replied to this review",
            ),
            E::NotSoldByWeight => m(
                "这件商品不是按实重销售（多退少补）的",
                "this line is not sold by actual weight",
            ),
            E::CannotWeigh => m(
                "只有已付款、未发货的订单可以称重",
                "only a paid sub-order that has not shipped can be weighed",
            ),
            E::AlreadyWeighed => m(
                "这件商品已经称过重，不能更改",
                "this line has been weighed already and cannot change",
            ),
            E::ExtraChargeClosed => m(
                "这笔补差价已拒绝或已过答复期限，不再收取",
                "this extra charge was declined or its time to answer passed; it is not charged",
            ),
            E::ExtraChargePaid => m("这笔补差价已经付过了", "this extra charge is paid already"),
            E::PresaleClosed => m(
                "这个预售已停止接受预订",
                "this pre-sale takes no more reservations",
            ),
            E::PresaleFull { left } => Msg::new(
                format!("预售数量不足，只剩 {left}"),
                format!("not enough left in this pre-sale: {left}"),
            ),
            E::AlreadyHarvested => m("这个预售已经采收过", "this pre-sale was harvested already"),
            E::DepositsPending => m(
                "还有预订的定金未付也未过期：请在付款期限过后再采收",
                "some deposits are neither paid nor lapsed yet: harvest after their deadline",
            ),
            E::RfqClosed => m(
                "这个询价已关闭或已截止报价",
                "this request for quotation is closed, or quoting has ended",
            ),
            E::QuoteClosed => m(
                "这个报价已被接受、撤回或刚刚修改，请刷新后再看",
                "this quote was accepted, withdrawn or just revised: look again",
            ),
            E::QuoteExpired => m("这个报价已过有效期", "this quote has expired"),
            E::AlreadyReported => m(
                "你已经举报过这条评价",
                "you have already reported this review",
            ),
            E::AlreadyHidden => m("这条评价已被隐藏", "this review is hidden already"),
            E::NotHidden => m("这条评价没有被隐藏", "this review is not hidden"),
            E::ApprovalPending => m(
                "订单金额超过采购审批额度，需采购经理或负责人审批后才能付款",
                "the order is above the purchasing approval limit: a manager or the owner must approve it before it is paid",
            ),
            E::AlreadyDecided => m(
                "这笔订单已审批过（已批准或已驳回）",
                "this order was already approved or rejected",
            ),
            E::NoBill => m(
                "该支付渠道没有对账单（线下支付、模拟支付）",
                "this provider keeps no bill (offline, sandbox)",
            ),
            E::AlreadyReconciled => m(
                "这一天的账单已对过；请逐条处理差异",
                "that day's bill is already reconciled; resolve its differences one by one",
            ),
            E::ReconcileRunning => m(
                "这一天正在对账，请稍后查看",
                "that day is being reconciled; look again in a moment",
            ),
            E::AlreadyResolved => m("这条差异已处理", "this difference is already resolved"),
            E::NoCreditLine => m(
                "没有可用的账期授信：仅已认证且获得平台授信的采购单位可以账期付款",
                "no active credit line: only a verified business buyer granted credit by the platform pays on credit",
            ),
            E::CreditLimitExceeded { available } => Msg::new(
                format!(
                    "超出授信额度：当前可用 {}",
                    farmgate_kernel::Money::from_fen(*available)
                ),
                format!(
                    "above the credit limit: {} is available now",
                    farmgate_kernel::Money::from_fen(*available)
                ),
            ),
            E::CreditOverdue => m(
                "有账期对账单已逾期未付，付清前不能账期下单",
                "a credit statement is overdue: no orders on credit until it is paid",
            ),
            E::NotBusinessBuyer => m(
                "只有已认证的采购单位可以获得账期授信",
                "credit is granted to verified business buyers only",
            ),
            E::StatementPaid => m("这张对账单已付清", "this statement is paid in full"),
            E::TooManyDeliveryWindows => m(
                "最多发布 200 个送货时段",
                "a seller publishes at most 200 delivery windows",
            ),
            E::DeliverySlotFull => m(
                "该送货时段已约满，请选择其他时段",
                "this delivery window is full; choose another",
            ),
            E::DeliveryClosed { status } => Msg::new(
                format!("子订单{}，不能再预约送货时段", status_zh(*status)),
                format!("the sub-order is {status}: its delivery window can no longer change"),
            ),
            E::DeliveryPhotoMissing => m(
                "请司机先拍摄货物照片",
                "the driver photographs the goods first",
            ),
            E::DeliveryNoteSigned => m("签收单已签收", "the delivery note is signed already"),
            E::DeliveryCodeWrong { left } => Msg::new(
                format!("签收码不对，还可以试 {left} 次"),
                format!("wrong delivery code; {left} tries left"),
            ),
            E::DeliveryCodeLocked => m(
                "签收码输错 5 次已锁定，请采购方登录后签收",
                "five wrong codes locked the delivery code; a member of the buyer signs logged in",
            ),
            E::StandingOrderState { status } => {
                use crate::domain::standing::StandingStatus as S;
                let (zh, en) = match status {
                    S::Pending => ("等待卖家接受", "waits for the seller's acceptance"),
                    S::Active => ("正在执行", "is running"),
                    S::Paused => ("已暂停", "is paused"),
                    S::Declined => ("已被卖家拒绝", "was declined by the seller"),
                    S::Ended => ("已结束", "has ended"),
                };
                Msg::new(
                    format!("这个定期订单{zh}，不能这样操作"),
                    format!("this standing order {en}: that cannot be done now"),
                )
            }
        }
    }

    /// The field errors that go with the answer: the cart lines of a checkout, or the SKU put
    /// in the cart.
    fn into_fields(self) -> Option<ValidationErrors> {
        use OrdersError as E;
        let at = |e: &Self, field: String| {
            let m = e.message();
            Some(ValidationErrors::from(FieldError::new(
                field,
                e.code(),
                m.zh,
                m.en,
            )))
        };
        match self {
            E::PriceChanged { lines } | E::ItemsShort { lines } | E::ItemsOffSale { lines } => {
                Some(lines)
            }
            e @ (E::SoldOut { .. } | E::NoLongerOnSale { .. }) => at(&e, "sku_id".to_owned()),
            E::JustSoldOut { ref sku, .. } => at(&self, format!("sku.{sku}")),
            _ => None,
        }
    }

    /// One of each variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        use OrdersError as E;
        // A title in Latin letters: the catalogue test wants English texts free of Chinese,
        // and real titles (Chinese) appear in both texts.
        let title = || "Gannan navel oranges".to_owned();
        let lines = || {
            ValidationErrors::from(FieldError::new(
                "items[0]",
                "price_changed",
                "价格已变",
                "the price changed",
            ))
        };
        vec![
            E::Invalid(lines()),
            E::NotFound(Missing::Order),
            E::Forbidden,
            E::Identity(IdentityError::Forbidden),
            E::Catalog(CatalogError::Forbidden),
            E::Trace(TraceError::Forbidden),
            E::Db(DbErr::Custom("example".into())),
            E::Internal("example".into()),
            E::TooManyAddresses,
            E::CartFull,
            E::SoldOut { title: title() },
            E::NoLongerOnSale { title: title() },
            E::PriceChanged { lines: lines() },
            E::ItemsShort { lines: lines() },
            E::ItemsOffSale { lines: lines() },
            E::JustSoldOut {
                title: title(),
                sku: SkuId::new(),
            },
            E::OrderKeyReused,
            E::CannotCancel,
            E::NotOffline,
            E::OnlinePaymentUnavailable,
            E::ProviderUnavailable("example".into()),
            E::WechatAuthorizationNeeded,
            E::OrderClosed,
            E::AlreadyPaid,
            E::IntentClosed,
            E::BadSignature,
            E::StaleNotification,
            E::MalformedNotification,
            E::AmountMismatch,
            E::NotificationMismatch,
            E::RefundKeyReused,
            E::NotPaid,
            E::RefundExceedsPaid,
            E::RefundInProgress,
            E::CannotAcknowledge,
            E::CannotShip,
            E::SubOrderChanged,
            E::JustShipped,
            E::NotShipped,
            E::NotShippedToReceive,
            E::WaybillFinal,
            E::NoStockToReplace { title: title() },
            E::NotOverdue,
            E::CannotCancelPart,
            E::CancelAlreadyRequested,
            E::CancelRequestClosed,
            E::AnswerTooLate,
            E::TooManyPhotos,
            E::NotReceived,
            E::AlreadyReviewed,
            E::AlreadyReplied,
            E::NotSoldByWeight,
            E::CannotWeigh,
            E::AlreadyWeighed,
            E::ExtraChargeClosed,
            E::ExtraChargePaid,
            E::PresaleClosed,
            E::PresaleFull { left: 3 },
            E::AlreadyHarvested,
            E::DepositsPending,
            E::RfqClosed,
            E::QuoteClosed,
            E::QuoteExpired,
            E::AlreadyReported,
            E::AlreadyHidden,
            E::NotHidden,
            E::ApprovalPending,
            E::AlreadyDecided,
            E::NoBill,
            E::AlreadyReconciled,
            E::ReconcileRunning,
            E::AlreadyResolved,
            E::NoCreditLine,
            E::CreditLimitExceeded { available: 1_000 },
            E::CreditOverdue,
            E::NotBusinessBuyer,
            E::StatementPaid,
            E::TooManyDeliveryWindows,
            E::DeliverySlotFull,
            E::DeliveryClosed {
                status: crate::domain::SubOrderStatus::Shipped,
            },
            E::DeliveryPhotoMissing,
            E::DeliveryNoteSigned,
            E::DeliveryCodeWrong { left: 4 },
            E::DeliveryCodeLocked,
            E::StandingOrderState {
                status: crate::domain::standing::StandingStatus::Ended,
            },
        ]
    }
}

impl OrdersError {
    /// How a provider's notification that ended in this error is answered: a forgery or a
    /// notification we cannot apply is refused as the caller's fault (4xx, never a 500 that
    /// reads as ours); only our own failure is a 5xx.
    pub fn refusal(&self) -> crate::payment::Refusal {
        use crate::payment::Refusal;
        use OrdersError as E;
        match self {
            E::BadSignature | E::StaleNotification => Refusal::Unverified,
            E::Db(_)
            | E::Internal(_)
            | E::Identity(_)
            | E::Catalog(_)
            | E::Trace(_)
            | E::ProviderUnavailable(_) => Refusal::Ours,
            _ => Refusal::Unreadable,
        }
    }
}

impl From<OrdersError> for ApiError {
    fn from(e: OrdersError) -> Self {
        use OrdersError as E;
        let status = match e {
            E::Invalid(errs) => return ApiError::validation(errs),
            E::Forbidden => return ApiError::forbidden(),
            E::Identity(e) => return e.into(),
            E::Catalog(e) => return e.into(),
            E::Trace(e) => return e.into(),
            e @ (E::Db(_) | E::Internal(_)) => return ApiError::internal(e),
            E::NotFound(_) => HttpCode::NotFound.status(),
            E::BadSignature
            | E::StaleNotification
            | E::MalformedNotification
            | E::AmountMismatch => StatusCode::BAD_REQUEST,
            E::ProviderUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::CONFLICT,
        };
        let m = e.message();
        let mut err = ApiError::new(status, e.code(), m.zh, m.en);
        err.fields = e.into_fields().map(Box::new);
        err
    }
}

impl From<FieldError> for OrdersError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

/// A sub-order's state as the delivery answers name it.
fn status_zh(s: crate::domain::SubOrderStatus) -> &'static str {
    use crate::domain::SubOrderStatus as S;
    match s {
        S::PendingPayment => "待付款",
        S::Paid | S::Acknowledged => "待发货",
        S::Shipped => "已发货",
        S::Received => "已签收",
        S::Cancelled => "已取消",
        S::Undelivered => "未送达",
    }
}

pub type Result<T, E = OrdersError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    farmgate_infra::error_catalogue_tests!(OrdersError, OrdersErrorDiscriminants);

    #[test]
    fn codes_and_texts_are_the_ones_clients_know() {
        let e = ApiError::from(OrdersError::JustSoldOut {
            title: "脐橙".into(),
            sku: SkuId(uuid::Uuid::nil()),
        });
        assert_eq!(
            (e.status, e.code.as_ref()),
            (StatusCode::CONFLICT, "sold_out")
        );
        assert_eq!(e.message.zh, "“脐橙”刚刚售罄");
        let fields = e.fields.map(|f| f.codes_by_field()).unwrap_or_default();
        assert_eq!(
            fields
                .get(&format!("sku.{}", uuid::Uuid::nil()))
                .map(String::as_str),
            Some("sold_out")
        );
        let e = ApiError::from(OrdersError::NotFound(Missing::SubOrder));
        assert_eq!(
            (e.status, e.code.as_ref()),
            (StatusCode::NOT_FOUND, "not_found")
        );
        assert_eq!(
            (e.message.zh.as_str(), e.message.en.as_str()),
            ("子订单不存在", "sub-order not found")
        );
        let e = ApiError::from(OrdersError::StaleNotification);
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.fields.is_none());
    }
}
