//! Which cashier a buyer's browser needs, read from its `User-Agent`: WeChat's own browser
//! pays with the JSAPI sheet (`WeixinJSBridge`), another phone browser with WeChat H5 or
//! Alipay's phone cashier (`wap.pay`), a computer with Alipay's computer cashier (`page.pay`).

/// The browser a payment starts in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Device {
    /// WeChat's built-in browser (`MicroMessenger` in the User-Agent).
    pub wechat: bool,
    /// A computer rather than a phone or tablet.
    pub desktop: bool,
}

impl Device {
    /// Reads a `User-Agent`. Unknown or absent: a computer outside WeChat (the cashier
    /// that works in any browser).
    pub fn from_user_agent(ua: Option<&str>) -> Self {
        let ua = ua.unwrap_or_default();
        let wechat = ua.contains("MicroMessenger");
        let phone = ["Mobile", "Android", "iPhone", "iPad", "HarmonyOS"]
            .iter()
            .any(|w| ua.contains(w));
        Self {
            wechat,
            desktop: !phone && !wechat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_phones_and_computers_are_told_apart() {
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
        assert_eq!(
            Device::from_user_agent(Some(wechat)),
            Device {
                wechat: true,
                desktop: false
            }
        );
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(Device::from_user_agent(Some(android)), Device::default());
        let desktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert!(Device::from_user_agent(Some(desktop)).desktop);
        assert!(Device::from_user_agent(None).desktop);
        // WeChat on a computer still has WeChat's sheet.
        let wechat_pc = "Mozilla/5.0 (Windows NT 10.0) WindowsWechat MicroMessenger/7.0.20";
        assert!(Device::from_user_agent(Some(wechat_pc)).wechat);
    }
}
