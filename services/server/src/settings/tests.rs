use super::*;

#[test]
fn no_settings_means_the_embedded_defaults() {
    let s = Settings::default();
    assert_eq!(s.addr, "127.0.0.1:8080");
    assert!(s.database_url.is_none() && s.redis_url.is_none() && s.s3_bucket.is_none());
    assert!(s.check().is_ok());
}

#[test]
fn every_setting_has_a_key_and_every_key_a_setting() {
    let value = serde_json::to_value(Settings::default()).unwrap_or_default();
    let mut fields: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut keys = KEYS.to_vec();
    fields.sort_unstable();
    keys.sort_unstable();
    assert_eq!(fields, keys);
}

#[test]
fn the_deploy_readme_documents_every_setting() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/README.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for key in KEYS {
        let var = format!("`FARMGATE_{}`", key.to_uppercase());
        assert!(
            text.contains(&var),
            "deploy/README.md does not document {var}"
        );
    }
}

#[test]
fn the_example_config_file_parses_and_names_every_setting() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/farmgate.example.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let parsed: Result<Settings, _> = Figment::from(Serialized::defaults(Settings::default()))
        .merge(Toml::file(&path))
        .extract();
    assert!(parsed.is_ok(), "{parsed:?}");
    for key in KEYS {
        assert!(
            text.contains(&format!("{key} =")),
            "deploy/farmgate.example.toml does not mention {key}"
        );
    }
    let defaults = serde_json::to_value(Settings::default()).unwrap_or_default();
    let example = serde_json::to_value(parsed.unwrap_or_default()).unwrap_or_default();
    assert_eq!(example, defaults, "the example shows the defaults");
}

#[test]
fn half_configured_backends_are_refused() {
    let s = Settings {
        s3_bucket: Some("b".into()),
        ..Settings::default()
    };
    assert!(s.check().is_err());
    let s = Settings {
        meili_url: Some("http://m".into()),
        ..Settings::default()
    };
    assert!(s.check().is_err());
    let s = Settings {
        database_url: Some("mysql://x".into()),
        ..Settings::default()
    };
    assert!(s.check().is_err());
}

#[test]
fn secrets_do_not_print() {
    let s = Settings {
        s3_secret_key: Some("topsecret".into()),
        sms_access_key_secret: Some("smssecret".into()),
        database_url: Some("postgres://u:pw@h/d".into()),
        ..Settings::default()
    };
    let text = format!("{s:?}");
    assert!(
        !text.contains("topsecret") && !text.contains(":pw@") && !text.contains("smssecret"),
        "{text}"
    );
}

#[test]
fn a_real_sms_provider_needs_its_keys_sign_name_and_code_template() {
    let aliyun = Settings {
        sms_provider: SmsProvider::Aliyun,
        sms_access_key_id: Some("LTAI5t".into()),
        sms_access_key_secret: Some("secret".into()),
        ..Settings::default()
    };
    let Err(SettingsError::Inconsistent(text)) = aliyun.check() else {
        panic!("accepted without a sign name and template");
    };
    assert!(
        text.contains("sms_sign_name") && text.contains("sms_template_otp"),
        "{text}"
    );
    let aliyun = Settings {
        sms_sign_name: Some("农源直供".into()),
        sms_template_otp: Some("SMS_1".into()),
        ..aliyun
    };
    assert!(aliyun.check().is_ok());
    let tencent = Settings {
        sms_provider: SmsProvider::Tencent,
        ..aliyun.clone()
    };
    assert!(tencent.check().is_err(), "Tencent needs the SdkAppId");
    let tencent = Settings {
        sms_sdk_app_id: Some("1400000000".into()),
        ..tencent
    };
    assert!(tencent.check().is_ok());
    let bad_endpoint = Settings {
        sms_endpoint: Some("dysmsapi.aliyuncs.com".into()),
        ..aliyun
    };
    assert!(bad_endpoint.check().is_err());
}

#[test]
fn every_inconsistency_is_named_in_one_error() {
    let s = Settings {
        s3_bucket: Some("b".into()),
        body_limit_bytes: 10,
        trusted_proxies: "10.0.0.0/99".into(),
        metrics_token: Some("short".into()),
        ..Settings::default()
    };
    let Err(SettingsError::Inconsistent(text)) = s.check() else {
        panic!("accepted")
    };
    for name in [
        "s3_bucket",
        "body_limit_bytes",
        "trusted_proxies",
        "metrics_token",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
}

/// A production deployment with every safe choice made.
fn safe_production() -> Settings {
    Settings {
        production: true,
        public_url: Some("https://farmgate.example.com".into()),
        payment_sandbox: false,
        sms_provider: SmsProvider::Aliyun,
        sms_access_key_id: Some("LTAI5t".into()),
        sms_access_key_secret: Some("secret".into()),
        sms_sign_name: Some("农源直供".into()),
        sms_template_otp: Some("SMS_1".into()),
        trace_log_key_file: Some("/etc/farmgate/trace-log.key".into()),
        payment_webhook_secret: Some("a-long-random-webhook-secret".into()),
        carrier_callback_secret: Some("a-long-random-carrier-secret".into()),
        ..Settings::default()
    }
}

fn refused(s: &Settings, demo: bool) -> Vec<&'static str> {
    s.production_refusals(demo)
        .into_iter()
        .map(|r| r.setting)
        .collect()
}

#[test]
fn outside_production_nothing_is_refused() {
    assert!(Settings::default().production_refusals(true).is_empty());
}

#[test]
fn a_production_deployment_with_safe_settings_starts() {
    let s = safe_production();
    assert!(s.check().is_ok());
    assert_eq!(refused(&s, false), Vec::<&str>::new());
}

#[test]
fn production_refuses_demo_data() {
    assert_eq!(refused(&safe_production(), true), vec!["--demo"]);
}

#[test]
fn production_refuses_the_sandbox_payment_gateway() {
    let s = Settings {
        payment_sandbox: true,
        ..safe_production()
    };
    assert_eq!(refused(&s, false), vec!["payment_sandbox"]);
}

#[test]
fn production_refuses_the_demo_clock() {
    let s = Settings {
        demo_clock: true,
        ..safe_production()
    };
    assert_eq!(refused(&s, false), vec!["demo_clock"]);
}

#[test]
fn production_refuses_the_sms_outbox() {
    let s = Settings {
        sms_provider: SmsProvider::Outbox,
        ..safe_production()
    };
    assert_eq!(refused(&s, false), vec!["sms_provider"]);
}

#[test]
fn production_refuses_a_public_url_that_is_not_https_or_missing() {
    for url in [Some("http://farmgate.example.com"), Some("https://"), None] {
        let s = Settings {
            public_url: url.map(str::to_owned),
            ..safe_production()
        };
        assert_eq!(refused(&s, false), vec!["public_url"], "{url:?}");
    }
}

#[test]
fn production_refuses_metrics_on_the_public_address() {
    let s = Settings {
        metrics_addr: Some(safe_production().addr),
        ..safe_production()
    };
    assert_eq!(refused(&s, false), vec!["metrics_addr"]);
}

#[test]
fn production_names_every_unsafe_setting_at_once() {
    let s = Settings {
        production: true,
        payment_sandbox: true,
        ..Settings::default()
    };
    let all = s.production_refusals(true);
    let names: Vec<_> = all.iter().map(|r| r.setting).collect();
    assert_eq!(
        names,
        vec![
            "--demo",
            "payment_sandbox",
            "sms_provider",
            "public_url",
            "trace_log_key_file",
            "payment_webhook_secret",
            "carrier_callback_secret"
        ]
    );
    assert!(all.iter().all(|r| !r.why.is_empty()));
}

#[test]
fn production_refuses_secrets_each_replica_would_invent() {
    for (setting, s) in [
        (
            "payment_webhook_secret",
            Settings {
                payment_webhook_secret: None,
                ..safe_production()
            },
        ),
        (
            "carrier_callback_secret",
            Settings {
                carrier_callback_secret: Some("  ".into()),
                ..safe_production()
            },
        ),
        (
            "tracking_secret",
            Settings {
                tracking_provider: Some("kuaidi100".into()),
                kuaidi100_key: Some("key".into()),
                ..safe_production()
            },
        ),
    ] {
        assert_eq!(refused(&s, false), vec![setting]);
    }
    let tracked = Settings {
        tracking_provider: Some("kuaidi100".into()),
        kuaidi100_key: Some("key".into()),
        tracking_secret: Some("a-long-random-tracking-secret".into()),
        ..safe_production()
    };
    assert!(refused(&tracked, false).is_empty());
}

/// Every `FARMGATE_*` variable the deployment files set is a real setting (a misspelt one
/// would be ignored silently, leaving a default or a per-process random secret in place).
#[test]
fn the_deployment_files_name_only_real_settings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let mut files = vec![root.join("docker-compose.yml")];
    let k8s = std::fs::read_dir(root.join("k8s")).map(|d| {
        d.filter_map(|e| e.ok().map(|e| e.path()))
            .collect::<Vec<_>>()
    });
    files.extend(k8s.unwrap_or_default());
    let known: Vec<String> = KEYS
        .iter()
        .map(|k| format!("FARMGATE_{}", k.to_uppercase()))
        .chain(["FARMGATE_CONFIG".to_owned()])
        .collect();
    let mut seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (at, _) in text.match_indices("FARMGATE_") {
            let var: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if var == "FARMGATE_" {
                continue; // prose: "FARMGATE_* variables"
            }
            assert!(
                known.contains(&var),
                "{} sets {var}, which is no setting",
                file.display()
            );
            seen += 1;
        }
    }
    assert!(seen > 40, "only {seen} variables found in {files:?}");
}

#[test]
fn a_weak_metrics_token_is_refused_and_never_printed() {
    let weak = Settings {
        metrics_token: Some("abc".into()),
        ..Settings::default()
    };
    assert!(weak.check().is_err());
    let strong = Settings {
        metrics_token: Some("m".repeat(40)),
        ..Settings::default()
    };
    assert!(strong.check().is_ok());
    assert!(!format!("{strong:?}").contains(&"m".repeat(40)));
}

#[test]
fn template_ids_are_collected_per_template() {
    use farmgate_infra::sms::SmsTemplate;
    let s = Settings {
        sms_template_otp: Some(" SMS_1 ".into()),
        sms_template_recall: Some(String::new()),
        ..Settings::default()
    };
    let ids = s.sms_templates();
    assert_eq!(ids.get(SmsTemplate::Otp), Some("SMS_1"));
    assert_eq!(ids.get(SmsTemplate::Recall), None);
    assert_eq!(ids.get(SmsTemplate::Shipped), None);
}

#[test]
fn blank_tracking_settings_as_the_compose_file_passes_them_are_unset() {
    let blank: std::collections::BTreeMap<&str, &str> = [
        "tracking_provider",
        "kuaidi100_key",
        "tracking_secret",
        "tracking_callback_base_url",
    ]
    .into_iter()
    .map(|k| (k, " "))
    .collect();
    let parsed: Result<Settings, _> = Figment::from(Serialized::defaults(Settings::default()))
        .merge(Serialized::defaults(blank))
        .extract();
    assert!(parsed.is_ok(), "{parsed:?}");
    let s = parsed.unwrap_or_default();
    assert!(s.tracking_provider.is_none() && s.kuaidi100_key.is_none());
    assert!(s.tracking_secret.is_none() && s.tracking_callback_base_url.is_none());
    assert!(s.check().is_ok());
}

#[test]
fn the_compose_file_and_the_kubernetes_manifests_carry_the_tracking_settings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    let compose = read("docker-compose.yml");
    let config = read("k8s/configmap.yaml");
    let secret = read("k8s/secret.yaml");
    for key in [
        "tracking_provider",
        "kuaidi100_key",
        "tracking_secret",
        "tracking_callback_base_url",
    ] {
        let var = format!("FARMGATE_{}", key.to_uppercase());
        assert!(
            compose.contains(&format!("{var}: ${{{var}:-}}")),
            "compose lacks {var}"
        );
        // Keys and the salt secret are secrets; the provider and the callback base are not.
        let (inside, outside) = if key.ends_with("_key") || key.ends_with("_secret") {
            (&secret, &config)
        } else {
            (&config, &secret)
        };
        assert!(inside.contains(&format!("{var}:")), "k8s lacks {var}");
        assert!(
            !outside.contains(&format!("{var}:")),
            "{var} in the wrong k8s file"
        );
    }
}
