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
//! `<deliver-to>/api/v1/payments/webhook/wechat`, and the 快递100 simulator
//! (`tests/src/track_sim.rs`; the server is configured with it, `tracking_provider =
//! "kuaidi100"`) pushes tracks there when asked (`POST /sim/push`). `DIR/ready` appears once
//! all listen: its lines are the WeChat Pay, Alipay and 快递100 simulators' addresses.

use farmgate_tests::pay_sim::alipay::AlipaySim;
use farmgate_tests::pay_sim::setup::GatewaySetup;
use farmgate_tests::pay_sim::wechat::WechatSim;
use farmgate_tests::track_sim::{KEY, TrackSim};
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
    let track = TrackSim::start().await;
    if let Some(server) = arg("--deliver-to") {
        wechat.deliver_to(&format!(
            "{}/api/v1/payments/webhook/wechat",
            server.trim_end_matches('/')
        ));
        track.deliver_to(&server);
    }
    let setup = GatewaySetup::write(&dir, Some(&wechat), Some(&alipay));
    // Log in with WeChat too, under the same official account (the server's public_url is
    // where WeChat returns: tests/run.sh sets it).
    let env = format!(
        "{}export FARMGATE_WECHAT_APP_ID='{}'\n{}",
        setup.env_file(),
        farmgate_tests::pay_sim::wechat::APP_ID,
        // Tracking through the 快递100 simulator (pushes go to the server's public_url).
        format_args!(
            "export FARMGATE_TRACKING_PROVIDER='kuaidi100'\nexport FARMGATE_KUAIDI100_KEY='{}'\nexport FARMGATE_KUAIDI100_POLL_URL='{}'\nexport FARMGATE_TRACKING_SECRET='{}'\n",
            KEY,
            track.poll_url(),
            farmgate_tests::pay_sim::random_token(40),
        ),
    );
    if let Err(e) = std::fs::write(dir.join("pay.env"), env).and_then(|()| {
        std::fs::write(
            dir.join("ready"),
            format!("{}\n{}\n{}\n", wechat.base, alipay.base, track.base),
        )
    }) {
        eprintln!("farmgate-pay-sim: cannot write {}: {e}", dir.display());
        std::process::exit(1);
    }
    eprintln!(
        "farmgate-pay-sim: WeChat Pay on {}, Alipay on {}, 快递100 on {}; settings in {}",
        wechat.base,
        alipay.base,
        track.base,
        dir.join("pay.env").display()
    );
    let _ = tokio::signal::ctrl_c().await;
}
