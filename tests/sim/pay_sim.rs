//! `farmgate-pay-sim`: the WeChat Pay and Alipay simulators of the test suite
//! (`tests/src/pay_sim`) as a process, for a demo server and the browser stories
//! (`tests/run.sh` step 6c). Generates the keys, writes them and the settings that point a
//! server at the simulators into a directory, and serves until killed.
//!
//! ```text
//! farmgate-pay-sim --dir DIR --deliver-to http://127.0.0.1:PORT
//! . DIR/pay.env   # FARMGATE_WECHAT_PAY_*, FARMGATE_WECHAT_APP_ID, FARMGATE_ALIPAY_*, … for `farmgate serve`
//! ```
//!
//! The WeChat simulator also answers the official account's `cgi-bin/token` and
//! `cgi-bin/ticket/getticket` and checks `wx.config` signatures (`POST /sim/client/js-config`),
//! so the demo server offers the JS-SDK to the browser stories (`wechat-jssdk.test.mjs`).
//!
//! `--deliver-to` is the server's address: the WeChat client stand-in (`POST /sim/client/pay`,
//! what the browser story's `WeixinJSBridge` calls) posts its signed notification to
//! `<deliver-to>/api/v1/payments/webhook/wechat`. `DIR/ready` appears once both listen.

use farmgate_tests::pay_sim::alipay::AlipaySim;
use farmgate_tests::pay_sim::setup::GatewaySetup;
use farmgate_tests::pay_sim::wechat::WechatSim;
use std::path::PathBuf;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let Some(dir) = arg("--dir").map(PathBuf::from) else {
        eprintln!("usage: farmgate-pay-sim --dir DIR [--deliver-to http://127.0.0.1:PORT]");
        std::process::exit(2);
    };
    let wechat = WechatSim::start().await;
    let alipay = AlipaySim::start().await;
    if let Some(server) = arg("--deliver-to") {
        wechat.deliver_to(&format!(
            "{}/api/v1/payments/webhook/wechat",
            server.trim_end_matches('/')
        ));
    }
    let setup = GatewaySetup::write(&dir, Some(&wechat), Some(&alipay));
    // Log in with WeChat too, under the same official account (the server's public_url is
    // where WeChat returns: tests/run.sh sets it).
    let env = format!(
        "{}export FARMGATE_WECHAT_APP_ID='{}'\n",
        setup.env_file(),
        farmgate_tests::pay_sim::wechat::APP_ID
    );
    if let Err(e) = std::fs::write(dir.join("pay.env"), env).and_then(|()| {
        std::fs::write(
            dir.join("ready"),
            format!("{}\n{}\n", wechat.base, alipay.base),
        )
    }) {
        eprintln!("farmgate-pay-sim: cannot write {}: {e}", dir.display());
        std::process::exit(1);
    }
    eprintln!(
        "farmgate-pay-sim: WeChat Pay on {}, Alipay on {}; settings in {}",
        wechat.base,
        alipay.base,
        dir.join("pay.env").display()
    );
    let _ = tokio::signal::ctrl_c().await;
}
