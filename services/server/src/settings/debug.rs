//! `Settings` in a log line: every secret redacted.

use super::Settings;

impl std::fmt::Debug for Settings {
    // Secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "***");
        f.debug_struct("Settings")
            .field("production", &self.production)
            .field("addr", &self.addr)
            .field("metrics_addr", &self.metrics_addr)
            .field("metrics_token", &redact(&self.metrics_token))
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(farmgate_infra::db::redact_url),
            )
            .field(
                "database_replica_url",
                &self
                    .database_replica_url
                    .as_deref()
                    .map(farmgate_infra::db::redact_url),
            )
            .field("run_worker", &self.run_worker)
            .field(
                "redis_url",
                &self
                    .redis_url
                    .as_deref()
                    .map(farmgate_infra::db::redact_url),
            )
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_access_key", &self.s3_access_key)
            .field("s3_secret_key", &redact(&self.s3_secret_key))
            .field("meili_url", &self.meili_url)
            .field("meili_key", &redact(&self.meili_key))
            .field("public_url", &self.public_url)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("payment_sandbox", &self.payment_sandbox)
            .field(
                "payment_webhook_secret",
                &redact(&self.payment_webhook_secret),
            )
            .field(
                "carrier_callback_secret",
                &redact(&self.carrier_callback_secret),
            )
            .field("payment_notify_base_url", &self.payment_notify_base_url)
            .field("tracking_provider", &self.tracking_provider)
            .field("kuaidi100_key", &redact(&self.kuaidi100_key))
            .field("kuaidi100_poll_url", &self.kuaidi100_poll_url)
            .field("tracking_secret", &redact(&self.tracking_secret))
            .field(
                "tracking_callback_base_url",
                &self.tracking_callback_base_url,
            )
            .field("wechat_pay_mch_id", &self.wechat_pay_mch_id)
            .field("wechat_pay_app_id", &self.wechat_pay_app_id)
            .field(
                "wechat_pay_merchant_serial",
                &self.wechat_pay_merchant_serial,
            )
            .field(
                "wechat_pay_merchant_key_file",
                &self.wechat_pay_merchant_key_file,
            )
            .field(
                "wechat_pay_api_v3_key",
                &redact(&self.wechat_pay_api_v3_key),
            )
            .field(
                "wechat_pay_platform_public_key_id",
                &self.wechat_pay_platform_public_key_id,
            )
            .field("wechat_pay_base_url", &self.wechat_pay_base_url)
            .field("wechat_app_secret", &redact(&self.wechat_app_secret))
            .field("wechat_app_id", &self.wechat_app_id)
            .field("alipay_app_id", &self.alipay_app_id)
            .field("alipay_private_key_file", &self.alipay_private_key_file)
            .field("alipay_gateway_url", &self.alipay_gateway_url)
            .field("auto_receive_days", &self.auto_receive_days)
            .field("ship_within_hours", &self.ship_within_hours)
            .field("ship_by_remind_hours", &self.ship_by_remind_hours)
            .field("ship_by_grace_hours", &self.ship_by_grace_hours)
            .field("cancel_answer_hours", &self.cancel_answer_hours)
            .field("extra_charge_answer_hours", &self.extra_charge_answer_hours)
            .field("presale_balance_pay_hours", &self.presale_balance_pay_hours)
            .field("sms_provider", &self.sms_provider)
            .field("sms_access_key_id", &self.sms_access_key_id)
            .field(
                "sms_access_key_secret",
                &redact(&self.sms_access_key_secret),
            )
            .field("sms_sign_name", &self.sms_sign_name)
            .field("sms_sdk_app_id", &self.sms_sdk_app_id)
            .field("sms_endpoint", &self.sms_endpoint)
            .finish_non_exhaustive()
    }
}
