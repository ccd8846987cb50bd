//! The real payment gateways, built from settings: WeChat Pay (API v3, with WeChat's web
//! authorisation for the openid when the AppSecret is set) and Alipay. [`check`] names every
//! half-configured provider when settings load; [`build`] reads the key files and builds the
//! adapters when the server starts, failing with the setting's name (never a key or secret).
//! A provider is offered at checkout exactly when it is configured.

use crate::settings::Settings;
use anyhow::Context;
use farmgate_infra::pay::alipay::{Alipay, AlipayConfig};
use farmgate_infra::pay::wechat::{WechatConfig, WechatPay};
use farmgate_kernel::Clock;
use farmgate_orders::payment::oauth::{OauthConfig, WechatOauthClient};
use farmgate_orders::payment::{AlipayProvider, PaymentProvider, WechatOauth, WechatPayProvider};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What the orders service is given.
#[derive(Default)]
pub struct Gateways {
    pub online: Vec<Arc<dyn PaymentProvider>>,
    pub wechat_oauth: Option<WechatOauth>,
}

/// A text setting where blank means unset: the compose file passes `${VAR:-}` for the
/// settings an operator may leave out (read like [`opt_text`], so digits stay text).
pub(crate) fn opt_nonblank<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(opt_text(d)?.filter(|s| !s.trim().is_empty()))
}

/// An id given as text or, through an environment variable, read as a number
/// (`FARMGATE_ALIPAY_APP_ID=2021000000000001`): kept as its digits.
pub(crate) fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Id {
        Words(String),
        Unsigned(u64),
        Signed(i64),
    }
    Ok(
        <Option<Id> as serde::Deserialize>::deserialize(d)?.map(|t| match t {
            Id::Words(s) => s,
            Id::Unsigned(n) => n.to_string(),
            Id::Signed(n) => n.to_string(),
        }),
    )
}

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.trim().is_empty())
}

fn set_path(v: &Option<PathBuf>) -> bool {
    v.as_ref().is_some_and(|p| !p.as_os_str().is_empty())
}

/// WeChat Pay is configured (any of its settings set).
pub fn wechat_on(s: &Settings) -> bool {
    [
        &s.wechat_pay_mch_id,
        &s.wechat_pay_app_id,
        &s.wechat_pay_merchant_serial,
        &s.wechat_pay_api_v3_key,
        &s.wechat_pay_platform_public_key_id,
    ]
    .into_iter()
    .any(set)
        || [
            &s.wechat_pay_merchant_key_file,
            &s.wechat_pay_platform_public_key_file,
            &s.wechat_pay_platform_certificate_file,
        ]
        .into_iter()
        .any(set_path)
}

/// Alipay is configured (any of its settings set).
pub fn alipay_on(s: &Settings) -> bool {
    set(&s.alipay_app_id)
        || set_path(&s.alipay_private_key_file)
        || set_path(&s.alipay_public_key_file)
}

/// The https base notifications reach us at.
fn notify_base(s: &Settings) -> Option<String> {
    s.payment_notify_base_url
        .clone()
        .or_else(|| s.public_url.clone())
        .map(|u| u.trim().trim_end_matches('/').to_owned())
}

/// Every half-configured gateway and bad payment setting, each naming its settings.
pub fn check(s: &Settings) -> Vec<String> {
    let mut problems = Vec::new();
    if !(1..=60).contains(&s.payment_timeout_secs) {
        problems.push("payment_timeout_secs must be from 1 to 60".to_owned());
    }
    if !(1..=60).contains(&s.payment_query_after_minutes) {
        problems.push("payment_query_after_minutes must be from 1 to 60".to_owned());
    }
    let wechat = wechat_on(s);
    let alipay = alipay_on(s);
    if wechat {
        let mut missing = Vec::new();
        for (name, ok) in [
            ("wechat_pay_mch_id", set(&s.wechat_pay_mch_id)),
            ("wechat_pay_app_id", set(&s.wechat_pay_app_id)),
            (
                "wechat_pay_merchant_serial",
                set(&s.wechat_pay_merchant_serial),
            ),
            (
                "wechat_pay_merchant_key_file",
                set_path(&s.wechat_pay_merchant_key_file),
            ),
            ("wechat_pay_api_v3_key", set(&s.wechat_pay_api_v3_key)),
        ] {
            if !ok {
                missing.push(name);
            }
        }
        let public_key = set_path(&s.wechat_pay_platform_public_key_file);
        if public_key != set(&s.wechat_pay_platform_public_key_id) {
            missing.push(if public_key {
                "wechat_pay_platform_public_key_id"
            } else {
                "wechat_pay_platform_public_key_file"
            });
        }
        if !public_key && !set_path(&s.wechat_pay_platform_certificate_file) {
            missing.push(
                "wechat_pay_platform_public_key_file (with its id) or wechat_pay_platform_certificate_file",
            );
        }
        if !missing.is_empty() {
            problems.push(format!(
                "WeChat Pay is half configured: set {}",
                missing.join(", ")
            ));
        }
        if s.wechat_pay_api_v3_key
            .as_deref()
            .is_some_and(|k| k.len() != 32)
        {
            problems.push("wechat_pay_api_v3_key must be exactly 32 characters".to_owned());
        }
    } else if set(&s.wechat_app_secret) && !set(&s.wechat_app_id) {
        problems.push(
            "wechat_app_secret is set but neither WeChat Pay (wechat_pay_*) nor WeChat log-in (wechat_app_id) is".to_owned(),
        );
    }
    if set(&s.wechat_app_id) && !set(&s.wechat_app_secret) {
        problems.push("wechat_app_id (WeChat log-in) needs wechat_app_secret".to_owned());
    }
    if let (Some(login), Some(pay)) = (&s.wechat_app_id, &s.wechat_pay_app_id)
        && login.trim() != pay.trim()
    {
        problems.push(
            "wechat_app_id and wechat_pay_app_id differ: openids are per official account, so log-in and JSAPI payment must use the same one".to_owned(),
        );
    }
    if alipay {
        let missing: Vec<&str> = [
            ("alipay_app_id", set(&s.alipay_app_id)),
            (
                "alipay_private_key_file",
                set_path(&s.alipay_private_key_file),
            ),
            (
                "alipay_public_key_file",
                set_path(&s.alipay_public_key_file),
            ),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "Alipay is half configured: set {}",
                missing.join(", ")
            ));
        }
    }
    if wechat || alipay {
        match notify_base(s) {
            Some(base) if base.starts_with("https://") && base.len() > "https://".len() => {}
            Some(_) => problems.push(
                "payment_notify_base_url (or public_url) must be https://: WeChat Pay and Alipay only notify https addresses"
                    .to_owned(),
            ),
            None => problems.push(
                "WeChat Pay / Alipay need payment_notify_base_url or public_url (https) for their notifications"
                    .to_owned(),
            ),
        }
    }
    problems
}

fn read(path: &Option<PathBuf>, setting: &str) -> anyhow::Result<String> {
    let path: &Path = path
        .as_deref()
        .with_context(|| format!("{setting} is not set"))?;
    std::fs::read_to_string(path).with_context(|| format!("reading {setting} ({})", path.display()))
}

/// Builds the configured gateways. Keys are read and parsed now, so a bad file stops the
/// start with its setting named.
pub fn build(s: &Settings) -> anyhow::Result<Gateways> {
    let mut gateways = Gateways::default();
    let timeout = Duration::from_secs(s.payment_timeout_secs);
    let base = notify_base(s).unwrap_or_default();
    // Signatures are checked against real time, whatever clock the rest of the app runs on.
    let clock = Clock::system();
    if wechat_on(s) {
        let merchant_key_pem = read(
            &s.wechat_pay_merchant_key_file,
            "wechat_pay_merchant_key_file",
        )?;
        let public_key = match &s.wechat_pay_platform_public_key_file {
            Some(_) => Some(read(
                &s.wechat_pay_platform_public_key_file,
                "wechat_pay_platform_public_key_file",
            )?),
            None => None,
        };
        let certificate = match &s.wechat_pay_platform_certificate_file {
            Some(_) => Some(read(
                &s.wechat_pay_platform_certificate_file,
                "wechat_pay_platform_certificate_file",
            )?),
            None => None,
        };
        let config = WechatConfig {
            mch_id: s.wechat_pay_mch_id.clone().unwrap_or_default(),
            app_id: s.wechat_pay_app_id.clone().unwrap_or_default(),
            merchant_key_pem,
            merchant_serial: s.wechat_pay_merchant_serial.clone().unwrap_or_default(),
            api_v3_key: s.wechat_pay_api_v3_key.clone().unwrap_or_default(),
            platform_public_key_pem: public_key,
            platform_public_key_id: s.wechat_pay_platform_public_key_id.clone(),
            platform_certificate_pem: certificate,
            base_url: s.wechat_pay_base_url.clone(),
            notify_url: format!("{base}/api/v1/payments/webhook/wechat"),
            timeout,
        };
        let pay = WechatPay::new(config, clock.clone()).context("configuring WeChat Pay")?;
        tracing::info!(base = %pay.base_url(), mch_id = ?s.wechat_pay_mch_id, "payment gateway: WeChat Pay");
        gateways.online.push(Arc::new(WechatPayProvider::new(pay)));
        if let Some(secret) = s.wechat_app_secret.clone().filter(|v| !v.trim().is_empty()) {
            let client = WechatOauthClient::new(OauthConfig {
                app_id: s.wechat_pay_app_id.clone().unwrap_or_default(),
                app_secret: secret,
                authorize_base: s.wechat_oauth_base_url.clone(),
                api_base: s.wechat_api_base_url.clone(),
                timeout,
            })
            .context("configuring WeChat web authorisation")?;
            let site = s
                .public_url
                .clone()
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| base.clone());
            gateways.wechat_oauth = Some(WechatOauth::new(
                client,
                format!("{site}/api/v1/payments/wechat/oauth"),
            ));
        } else {
            tracing::warn!(
                "wechat_app_secret is not set: WeChat Pay works outside WeChat (H5) only"
            );
        }
    }
    if alipay_on(s) {
        let config = AlipayConfig {
            app_id: s.alipay_app_id.clone().unwrap_or_default(),
            app_private_key: read(&s.alipay_private_key_file, "alipay_private_key_file")?,
            alipay_public_key: read(&s.alipay_public_key_file, "alipay_public_key_file")?,
            gateway_url: s.alipay_gateway_url.clone(),
            notify_url: format!("{base}/api/v1/payments/webhook/alipay"),
            return_url: format!(
                "{}/orders.html",
                s.public_url
                    .as_deref()
                    .map(|u| u.trim().trim_end_matches('/'))
                    .unwrap_or(&base)
            ),
            timeout,
        };
        let pay = Alipay::new(config, clock).context("configuring Alipay")?;
        tracing::info!(app_id = ?s.alipay_app_id, "payment gateway: Alipay");
        gateways.online.push(Arc::new(AlipayProvider::new(pay)));
    }
    Ok(gateways)
}

/// Log in with WeChat: on when `wechat_app_id` and `wechat_app_secret` are set. WeChat returns
/// to `{public_url}/api/v1/auth/wechat/return` (the official account's web-authorisation
/// domain must be the site's).
pub fn wechat_login(s: &Settings) -> anyhow::Result<Option<farmgate_identity::WechatLoginConfig>> {
    let (Some(app_id), Some(secret)) = (
        s.wechat_app_id.clone().filter(|v| !v.trim().is_empty()),
        s.wechat_app_secret.clone().filter(|v| !v.trim().is_empty()),
    ) else {
        return Ok(None);
    };
    let client = WechatOauthClient::new(OauthConfig {
        app_id,
        app_secret: secret,
        authorize_base: s.wechat_oauth_base_url.clone(),
        api_base: s.wechat_api_base_url.clone(),
        timeout: Duration::from_secs(s.payment_timeout_secs),
    })
    .context("configuring log in with WeChat")?;
    let site = s
        .public_url
        .clone()
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .context("log in with WeChat needs public_url (WeChat returns the browser there)")?;
    tracing::info!(app_id = %client.app_id(), "log in with WeChat: on");
    Ok(Some(farmgate_identity::WechatLoginConfig {
        client,
        redirect_uri: format!("{site}/api/v1/auth/wechat/return"),
    }))
}

/// The WeChat JS-SDK (share cards, address import inside WeChat): on with log in with WeChat
/// (`wechat_app_id` and `wechat_app_secret`, the same official account); signs pages of
/// `public_url` only. The account's access token and JS-SDK ticket live in the shared cache.
pub fn wechat_js(
    s: &Settings,
    cache: std::sync::Arc<dyn farmgate_infra::cache::Cache>,
) -> anyhow::Result<Option<farmgate_identity::WechatJsConfig>> {
    let (Some(app_id), Some(secret)) = (
        s.wechat_app_id.clone().filter(|v| !v.trim().is_empty()),
        s.wechat_app_secret.clone().filter(|v| !v.trim().is_empty()),
    ) else {
        return Ok(None);
    };
    let site = s
        .public_url
        .clone()
        .map(|u| u.trim().to_owned())
        .context("the WeChat JS-SDK needs public_url (only its pages are signed)")?;
    let sdk = farmgate_infra::pay::wechat::jssdk::WechatJssdk::new(
        farmgate_infra::pay::wechat::jssdk::JssdkConfig {
            app_id,
            app_secret: secret,
            api_base: s.wechat_api_base_url.clone(),
            timeout: Duration::from_secs(s.payment_timeout_secs),
        },
        cache,
    )
    .context("configuring the WeChat JS-SDK")?;
    tracing::info!(app_id = %sdk.app_id(), "wechat js-sdk: on");
    Ok(Some(farmgate_identity::WechatJsConfig {
        sdk,
        site,
        per_address_per_minute: s.wechat_js_per_address_per_minute,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wechat() -> Settings {
        Settings {
            public_url: Some("https://shop.example".into()),
            wechat_pay_mch_id: Some("1900009191".into()),
            wechat_pay_app_id: Some("wx1".into()),
            wechat_pay_merchant_serial: Some("3775".into()),
            wechat_pay_merchant_key_file: Some("/k.pem".into()),
            wechat_pay_api_v3_key: Some("a".repeat(32)),
            wechat_pay_platform_public_key_file: Some("/p.pem".into()),
            wechat_pay_platform_public_key_id: Some("PUB_KEY_ID_1".into()),
            ..Settings::default()
        }
    }

    #[test]
    fn nothing_configured_is_no_gateway_and_no_problem() {
        let s = Settings::default();
        assert!(!wechat_on(&s) && !alipay_on(&s));
        assert!(check(&s).is_empty());
    }

    #[test]
    fn a_complete_wechat_pay_passes_and_each_missing_piece_is_named() {
        assert_eq!(check(&wechat()), Vec::<String>::new());
        let half = Settings {
            wechat_pay_merchant_key_file: None,
            wechat_pay_platform_public_key_id: None,
            ..wechat()
        };
        let text = check(&half).join("; ");
        assert!(
            text.contains("wechat_pay_merchant_key_file")
                && text.contains("wechat_pay_platform_public_key_id"),
            "{text}"
        );
        let only_mch = Settings {
            wechat_pay_mch_id: Some("1".into()),
            public_url: Some("https://x".into()),
            ..Settings::default()
        };
        assert!(check(&only_mch).join(";").contains("half configured"));
        let short_key = Settings {
            wechat_pay_api_v3_key: Some("short".into()),
            ..wechat()
        };
        assert!(check(&short_key).join(";").contains("32 characters"));
    }

    #[test]
    fn gateways_need_an_https_notification_address() {
        let plain = Settings {
            public_url: Some("http://shop.example".into()),
            ..wechat()
        };
        assert!(check(&plain).join(";").contains("https"));
        let none = Settings {
            public_url: None,
            ..wechat()
        };
        assert!(!check(&none).is_empty());
        let separate = Settings {
            public_url: Some("http://127.0.0.1:8080".into()),
            payment_notify_base_url: Some("https://pay.shop.example".into()),
            ..wechat()
        };
        assert!(check(&separate).is_empty());
    }

    #[test]
    fn half_an_alipay_and_a_lone_app_secret_are_refused() {
        let half = Settings {
            alipay_app_id: Some("2021".into()),
            public_url: Some("https://x".into()),
            ..Settings::default()
        };
        let text = check(&half).join(";");
        assert!(
            text.contains("alipay_private_key_file") && text.contains("alipay_public_key_file"),
            "{text}"
        );
        let secret = Settings {
            wechat_app_secret: Some("s".into()),
            ..Settings::default()
        };
        assert!(check(&secret).join(";").contains("wechat_app_secret"));
    }

    #[test]
    fn a_missing_key_file_stops_the_start_naming_its_setting_and_no_secret() {
        let s = Settings {
            wechat_pay_merchant_key_file: Some("/nonexistent/apiclient_key.pem".into()),
            ..wechat()
        };
        let e = build(&s)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(e.contains("wechat_pay_merchant_key_file"), "{e}");
        assert!(!e.contains(&"a".repeat(32)), "{e}");
    }

    #[test]
    fn numeric_ids_from_the_environment_are_kept_as_text() {
        let s: Settings =
            figment::Figment::from(figment::providers::Serialized::defaults(Settings::default()))
                .merge(figment::providers::Serialized::default(
                    "alipay_app_id",
                    2021000000000001_u64,
                ))
                .merge(figment::providers::Serialized::default(
                    "wechat_pay_mch_id",
                    "1900009191",
                ))
                .extract()
                .unwrap_or_default();
        assert_eq!(s.alipay_app_id.as_deref(), Some("2021000000000001"));
        assert_eq!(s.wechat_pay_mch_id.as_deref(), Some("1900009191"));
    }

    #[test]
    fn payment_secrets_do_not_print() {
        let s = Settings {
            wechat_app_secret: Some("app-secret-value".into()),
            ..wechat()
        };
        let text = format!("{s:?}");
        assert!(
            !text.contains(&"a".repeat(32)) && !text.contains("app-secret-value"),
            "{text}"
        );
    }
}
