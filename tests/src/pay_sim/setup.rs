//! The server's payment settings for running simulators: the key files written to a
//! directory (the merchant's / application's private key, the provider's public key) and the
//! `wechat_pay_*`, `wechat_*`, `alipay_*` settings that point at them and at the simulators.
//! The API tests apply them to a [`Settings`]; `farmgate-pay-sim` writes them as an
//! environment file for `serve --demo`.

use super::alipay::{self, AlipaySim};
use super::wechat::{self, WechatSim};
use super::{keys, private_pem, public_pem};
use farmgate_server::settings::Settings;
use std::path::Path;

/// Where the simulated providers think our notifications go (they must be https; the
/// simulators' own deliveries go where they are told).
pub const NOTIFY_BASE: &str = "https://farmgate.test";

/// Settings by name, as their file keys.
#[derive(Clone, Debug, Default)]
pub struct GatewaySetup {
    pub values: Vec<(&'static str, String)>,
}

impl GatewaySetup {
    /// Writes the key files into `dir` and names them, for whichever simulators are given.
    pub fn write(dir: &Path, wechat: Option<&WechatSim>, alipay: Option<&AlipaySim>) -> Self {
        std::fs::create_dir_all(dir).expect("a key directory");
        let file = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("a key file");
            path.display().to_string()
        };
        let mut values = vec![("payment_notify_base_url", NOTIFY_BASE.to_owned())];
        if let Some(sim) = wechat {
            values.extend([
                ("wechat_pay_mch_id", wechat::MCH_ID.to_owned()),
                ("wechat_pay_app_id", wechat::APP_ID.to_owned()),
                (
                    "wechat_pay_merchant_serial",
                    wechat::MERCHANT_SERIAL.to_owned(),
                ),
                (
                    "wechat_pay_merchant_key_file",
                    file("wechat_apiclient_key.pem", private_pem(&keys()[0])),
                ),
                ("wechat_pay_api_v3_key", wechat::API_V3_KEY.to_owned()),
                (
                    "wechat_pay_platform_public_key_file",
                    file("wechat_pub_key.pem", public_pem(&keys()[1])),
                ),
                (
                    "wechat_pay_platform_public_key_id",
                    wechat::PLATFORM_KEY_ID.to_owned(),
                ),
                ("wechat_pay_base_url", sim.base.clone()),
                ("wechat_app_secret", wechat::APP_SECRET.to_owned()),
                ("wechat_oauth_base_url", sim.base.clone()),
                ("wechat_api_base_url", sim.base.clone()),
            ]);
        }
        if let Some(sim) = alipay {
            values.extend([
                ("alipay_app_id", alipay::APP_ID.to_owned()),
                (
                    "alipay_private_key_file",
                    file("alipay_app_private_key.pem", private_pem(&keys()[0])),
                ),
                (
                    "alipay_public_key_file",
                    file("alipay_public_key.pem", public_pem(&keys()[1])),
                ),
                ("alipay_gateway_url", format!("{}/gateway.do", sim.base)),
            ]);
        }
        Self { values }
    }

    /// These settings over `s`.
    pub fn apply(&self, s: &mut Settings) {
        let mut value = serde_json::to_value(&*s).expect("settings as JSON");
        for (key, v) in &self.values {
            value[*key] = serde_json::Value::String(v.clone());
        }
        *s = serde_json::from_value(value).expect("settings from JSON");
    }

    /// `FARMGATE_…=value` lines, for a shell to source.
    pub fn env_file(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| format!("export FARMGATE_{}='{}'\n", k.to_uppercase(), v))
            .collect()
    }
}
