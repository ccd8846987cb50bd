//! The outside services the settings choose between, built for `app::build`: the text
//! message sender (outbox, Alibaba Cloud or Tencent Cloud), the WeChat subscription message
//! channel, and the search engine (Meilisearch or the embedded index).

use crate::settings::{Settings, SmsProvider};
use anyhow::Context;
use farmgate_infra::Clock;
use farmgate_infra::search::SearchIndex;
use farmgate_infra::search::embedded::EmbeddedIndex;
use farmgate_infra::search::meili::{MeiliConfig, MeiliIndex};
use farmgate_infra::search::text::Analyzer;
use farmgate_infra::sms::{
    AliyunConfig, AliyunSms, SmsOutbox, SmsSender, TencentConfig, TencentSms,
};
use std::sync::Arc;

/// The text message sender the settings name: the database outbox (nothing is sent), Alibaba
/// Cloud SMS or Tencent Cloud SMS. The providers sign with the system clock whatever clock the
/// application runs on: their gateways compare our timestamp with theirs.
pub(crate) fn build_sms(
    settings: &Settings,
    db: &farmgate_infra::DatabaseConnection,
    clock: &Clock,
) -> anyhow::Result<Arc<dyn SmsSender>> {
    let key_id = settings.sms_access_key_id.clone().unwrap_or_default();
    let secret = settings.sms_access_key_secret.clone().unwrap_or_default();
    let sign_name = settings.sms_sign_name.clone().unwrap_or_default();
    let timeout = std::time::Duration::from_secs(settings.sms_timeout_secs);
    let sms: Arc<dyn SmsSender> = match settings.sms_provider {
        SmsProvider::Outbox => {
            tracing::info!(
                backend = "outbox",
                "sms (messages are stored for the operator to read, not sent)"
            );
            Arc::new(SmsOutbox::new(db.clone(), clock.clone()))
        }
        SmsProvider::Aliyun => {
            let sender = AliyunSms::new(
                AliyunConfig {
                    access_key_id: key_id,
                    access_key_secret: secret,
                    sign_name,
                    templates: settings.sms_templates(),
                    endpoint: settings.sms_endpoint.clone(),
                    timeout,
                },
                Clock::system(),
            )
            .context("configuring Alibaba Cloud SMS")?;
            tracing::info!(backend = "aliyun", endpoint = %sender.endpoint(), "sms");
            Arc::new(sender)
        }
        SmsProvider::Tencent => {
            let sender = TencentSms::new(
                TencentConfig {
                    secret_id: key_id,
                    secret_key: secret,
                    sdk_app_id: settings.sms_sdk_app_id.clone().unwrap_or_default(),
                    sign_name,
                    templates: settings.sms_templates(),
                    region: settings.sms_region.clone(),
                    endpoint: settings.sms_endpoint.clone(),
                    timeout,
                },
                Clock::system(),
            )
            .context("configuring Tencent Cloud SMS")?;
            tracing::info!(backend = "tencent", endpoint = %sender.endpoint(), "sms");
            Arc::new(sender)
        }
    };
    Ok(sms)
}

/// The WeChat subscription message channel, when `notify_wechat_app_id` is set.
pub(crate) fn build_wechat(
    settings: &Settings,
    clock: &Clock,
) -> anyhow::Result<Option<farmgate_notify::channels::wechat::WechatChannel>> {
    use farmgate_notify::channels::wechat::{WechatChannel, WechatConfig, parse_templates};
    let (Some(app_id), Some(secret)) = (
        &settings.notify_wechat_app_id,
        &settings.notify_wechat_app_secret,
    ) else {
        tracing::info!(
            backend = "none",
            "wechat messages (no mini program configured)"
        );
        return Ok(None);
    };
    let templates = parse_templates(&settings.notify_wechat_templates)
        .map_err(|e| anyhow::anyhow!("notify_wechat_templates: {e}"))?;
    let channel = WechatChannel::new(
        WechatConfig {
            app_id: app_id.clone(),
            app_secret: secret.clone(),
            endpoint: settings.notify_wechat_endpoint.clone(),
            templates,
            state: settings.notify_wechat_state.clone(),
            page: settings.notify_wechat_page.clone(),
            timeout: std::time::Duration::from_secs(10),
        },
        clock.clone(),
    )
    .map_err(|e| anyhow::anyhow!("configuring WeChat subscription messages: {e}"))?;
    tracing::info!(backend = "wechat", endpoint = %settings.notify_wechat_endpoint, "wechat messages");
    Ok(Some(channel))
}

/// The search engine the settings name: Meilisearch, or the embedded index under the data
/// directory.
pub async fn build_search(settings: &Settings) -> anyhow::Result<Arc<dyn SearchIndex>> {
    let analyzer = Arc::new(
        tokio::task::spawn_blocking(Analyzer::new)
            .await
            .context("loading the segmenter")?,
    );
    match (&settings.meili_url, &settings.meili_key) {
        (Some(url), Some(key)) => {
            let config = MeiliConfig {
                url: url.clone(),
                key: key.clone(),
                index_prefix: settings.meili_index_prefix.clone(),
            };
            let index = MeiliIndex::connect(&config, analyzer)
                .await
                .context("connecting to Meilisearch")?;
            tracing::info!(backend = "meilisearch", url = %url, "search");
            Ok(Arc::new(index))
        }
        _ => {
            let dir = settings.data_dir.join("search").join("listings");
            let index =
                EmbeddedIndex::open(&dir, analyzer).context("opening the embedded search index")?;
            tracing::info!(backend = "embedded", dir = %dir.display(), "search");
            Ok(Arc::new(index))
        }
    }
}
