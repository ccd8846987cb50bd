//! WeChat's web authorisation as the orders service uses it: which official account, and
//! where WeChat sends the buyer back (`GET /api/v1/payments/wechat/oauth`). The protocol is
//! `farmgate_infra::pay::wechat::oauth`.

pub use farmgate_infra::pay::wechat::oauth::{OauthConfig, WechatOauthClient};

/// The official account buyers authorise, and our callback.
#[derive(Clone, Debug)]
pub struct WechatOauth {
    pub client: WechatOauthClient,
    /// The AppID JSAPI payments are made under (the openid is per AppID).
    pub app_id: String,
    /// Our callback, absolute: `<public url>/api/v1/payments/wechat/oauth`.
    pub redirect_uri: String,
}

impl WechatOauth {
    pub fn new(client: WechatOauthClient, redirect_uri: String) -> Self {
        Self {
            app_id: client.app_id().to_owned(),
            client,
            redirect_uri,
        }
    }
}
