//! [`TestApp`]: the real server on a random port, and a client for it.

use crate::json::Json;
use crate::resp::{Resp, parse_raw_response};
use crate::search_switch::{SearchSwitch, SwitchableIndex};
use crate::{Backend, env, pg, s3_env, skip_or_fail};
use farmgate_identity::PlatformRole;
use farmgate_identity::domain::NewAccount;
use farmgate_infra::Clock;
use farmgate_infra::outbox::WorkerConfig;
use farmgate_server::settings::Settings;
use farmgate_server::{AppState, BuildOptions};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

pub use farmgate_identity::PasswordCost;

/// A running server and typed helpers to talk to it.
pub struct TestApp {
    pub base: String,
    /// The Meilisearch index this app created, deleted when the app is dropped.
    meili_cleanup: Option<(String, String, String)>,
    pub http: reqwest::Client,
    pub state: AppState,
    pub clock: Clock,
    pub backend: Backend,
    /// The settings the server was built with (a second server can reuse its database).
    settings: Settings,
    shutdown: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    /// The people and numbers fixtures share within this app (see [`crate::fixtures`]).
    pub(crate) cast: crate::fixtures::Cast,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        // Leave a shared Meilisearch as we found it (best effort: a runtime of its own, since
        // drop cannot await).
        if let Some((url, key, uid)) = self.meili_cleanup.take() {
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    let _ = reqwest::Client::new()
                        .delete(format!("{}/indexes/{uid}", url.trim_end_matches('/')))
                        .bearer_auth(key)
                        .send()
                        .await;
                });
            })
            .join();
        }
    }
}

/// A logged-in person.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub account_id: Uuid,
    /// The phone number they log in with.
    pub phone: String,
}

/// A syntactically valid, random unified social credit code (so tests never collide).
pub fn fresh_licence() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("93360799");
    let bytes = Uuid::new_v4().into_bytes();
    for b in bytes.iter().take(9) {
        body.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    farmgate_kernel::Uscc::with_check_char(&body)
        .expect("valid licence")
        .to_string()
}

/// A region in the demo county.
pub fn region(township: &str, village: Option<&str>) -> Value {
    json!({ "province": "江西省", "city": "赣州市", "county": "青石县", "township": township, "village": village })
}

pub const PASSWORD: &str = "test-pass-2026";

impl TestApp {
    /// Starts the server on `backend`, or returns `None` when that backend is not configured
    /// here (and not required).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_inner(backend, None, |_| {}).await
    }

    /// As [`TestApp::spawn`], with settings changed by `configure` after the backend's (for
    /// production mode, proxies, limits …).
    pub async fn spawn_configured(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        Self::spawn_inner(backend, None, configure).await
    }

    async fn spawn_inner(
        backend: Backend,
        wrap: Option<farmgate_server::app::SearchWrapper>,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = Settings {
            addr: "127.0.0.1:0".to_owned(),
            data_dir: dir.path().join("data"),
            log: "warn".to_owned(),
            // Every test client is 127.0.0.1: the per-address limits of registrations and
            // codes would stop a test that builds a county. The tests of those limits lower
            // them again (`spawn_configured`).
            registrations_per_address_per_hour: 100_000,
            codes_per_address_per_hour: 100_000,
            // A person in a test asks for the same kind of code again within seconds (accept
            // one invitation, then another); the wait between two is a second here, and
            // `send_code` waits it out. The test of the wait sets it back to a minute.
            code_resend_secs: 1,
            // Online payment in the tests goes through the sandbox gateway, as in the demo
            // (off by default: a real deployment configures a real provider).
            payment_sandbox: true,
            ..Settings::default()
        };
        if backend == Backend::Production {
            let Some(admin_url) = env("FARMGATE_TEST_POSTGRES_URL") else {
                skip_or_fail("PostgreSQL (FARMGATE_TEST_POSTGRES_URL)");
                return None;
            };
            settings.database_url = Some(pg::fresh_database(&admin_url).await);
            settings.migrate_on_start = false;
            match env("FARMGATE_TEST_REDIS_URL") {
                Some(url) => {
                    settings.redis_url = Some(url);
                    settings.redis_prefix = format!("fgtest:{}:", Uuid::new_v4().simple());
                }
                None => skip_or_fail("Redis (FARMGATE_TEST_REDIS_URL); using the in-process cache"),
            }
            match s3_env() {
                Some(s3) => {
                    settings.s3_endpoint = Some(s3.endpoint);
                    settings.s3_access_key = Some(s3.access_key);
                    settings.s3_secret_key = Some(s3.secret_key);
                    settings.s3_region = s3.region;
                    settings.s3_bucket = Some(format!(
                        "fgtest-{}",
                        &Uuid::new_v4().simple().to_string()[..12]
                    ));
                }
                None => skip_or_fail("S3 (FARMGATE_TEST_S3_*); using the local object directory"),
            }
            // Meilisearch when one is configured (never required: no package ships it).
            if let (Some(url), Some(key)) = (
                env("FARMGATE_TEST_MEILI_URL"),
                env("FARMGATE_TEST_MEILI_KEY"),
            ) {
                settings.meili_url = Some(url);
                settings.meili_key = Some(key);
                settings.meili_index_prefix = format!("fgtest_{}_", Uuid::new_v4().simple());
            }
        }
        configure(&mut settings);
        let cleanup = match (&settings.meili_url, &settings.meili_key) {
            (Some(u), Some(k)) => Some((
                u.clone(),
                k.clone(),
                format!("{}listings", settings.meili_index_prefix),
            )),
            _ => None,
        };
        let mut app = Self::start_with(settings, backend, dir, wrap).await;
        app.meili_cleanup = cleanup;
        Some(app)
    }

    /// Starts the server with explicit settings (for tests of configuration itself).
    pub async fn start(settings: Settings, backend: Backend, dir: tempfile::TempDir) -> TestApp {
        Self::start_with(settings, backend, dir, None).await
    }

    /// Starts the server with its search engine behind a switch the test can turn off and on.
    pub async fn spawn_with_switchable_search(backend: Backend) -> Option<(TestApp, SearchSwitch)> {
        let switch = SearchSwitch::default();
        let down = switch.down.clone();
        let wrap: farmgate_server::app::SearchWrapper = std::sync::Arc::new(move |inner| {
            std::sync::Arc::new(SwitchableIndex {
                inner,
                down: down.clone(),
            })
        });
        let app = Self::spawn_inner(backend, Some(wrap), |_| {}).await?;
        Some((app, switch))
    }

    async fn start_with(
        settings: Settings,
        backend: Backend,
        dir: tempfile::TempDir,
        wrap_search: Option<farmgate_server::app::SearchWrapper>,
    ) -> TestApp {
        let worker = WorkerConfig {
            poll_interval: Duration::from_millis(50),
            backoff_base: Duration::from_millis(10),
            ..WorkerConfig::default()
        };
        Self::start_with_worker(settings, backend, dir, wrap_search, worker).await
    }

    async fn start_with_worker(
        settings: Settings,
        backend: Backend,
        dir: tempfile::TempDir,
        wrap_search: Option<farmgate_server::app::SearchWrapper>,
        worker: WorkerConfig,
    ) -> TestApp {
        farmgate_server::telemetry::init(&settings);
        let clock = Clock::manual(chrono::Utc::now());
        let options = BuildOptions {
            clock: clock.clone(),
            password_cost: PasswordCost::FAST_FOR_TESTS,
            worker,
            wrap_search,
            ..BuildOptions::default()
        };
        let app = farmgate_server::build(&settings, options)
            .await
            .expect("the app builds");
        let kept = settings.clone();
        let state = app.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let (shutdown, rx) = watch::channel(false);
        let server = tokio::spawn(async move {
            if let Err(e) = farmgate_server::serve(app, listener, rx).await {
                eprintln!("test server stopped with an error: {e:#}");
            }
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        TestApp {
            base,
            meili_cleanup: None,
            http,
            state,
            clock,
            backend,
            settings: kept,
            shutdown,
            server: Some(server),
            _dir: dir,
            cast: crate::fixtures::Cast::default(),
        }
    }

    /// Stops this server (HTTP and the outbox worker) and waits until it has stopped. The
    /// database stays; [`TestApp::state`] still reaches it.
    pub async fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(30), server)
                .await
                .expect("the server stops within 30 s")
                .expect("the server task ends cleanly");
        }
    }

    /// The settings the server was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Starts a second server on this app's database (and cache and object store) with a new,
    /// empty data directory — like a replacement machine, or a lost search index: the embedded
    /// search index (or, with Meilisearch, a new index) starts empty. Stop this app first.
    pub async fn start_on_same_database(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = self.settings.clone();
        settings.database_url = Some(
            self.settings
                .effective_database_url()
                .expect("the database URL"),
        );
        settings.data_dir = dir.path().join("data");
        settings.meili_index_prefix = format!("fgtest_{}_", Uuid::new_v4().simple());
        let cleanup = match (&settings.meili_url, &settings.meili_key) {
            (Some(u), Some(k)) => Some((
                u.clone(),
                k.clone(),
                format!("{}listings", settings.meili_index_prefix),
            )),
            _ => None,
        };
        let mut app = Self::start_with(settings, self.backend, dir, None).await;
        app.meili_cleanup = cleanup;
        app
    }

    /// Starts a second server beside this one, on the same database (and cache and object
    /// store), as another replica behind a load balancer: its own data directory (its embedded
    /// search index is rebuilt from the database in the background) and an outbox worker that
    /// looks for events only once an hour, so whatever it learns of a change made through
    /// this app it learns by itself, not by handling the change's event. Meilisearch, when
    /// configured, gets an index of its own.
    pub async fn start_replica(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = self.settings.clone();
        settings.database_url = Some(
            self.settings
                .effective_database_url()
                .expect("the database URL"),
        );
        settings.migrate_on_start = false;
        settings.data_dir = dir.path().join("data");
        settings.meili_index_prefix = format!("fgtest_{}_", Uuid::new_v4().simple());
        let cleanup = match (&settings.meili_url, &settings.meili_key) {
            (Some(u), Some(k)) => Some((
                u.clone(),
                k.clone(),
                format!("{}listings", settings.meili_index_prefix),
            )),
            _ => None,
        };
        let idle = WorkerConfig {
            poll_interval: Duration::from_secs(3600),
            ..WorkerConfig::default()
        };
        let mut app = Self::start_with_worker(settings, self.backend, dir, None, idle).await;
        app.meili_cleanup = cleanup;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request and reads the answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// Sends requests all at once (each on its own task) and returns the answers in order.
    pub async fn send_all(&self, reqs: Vec<reqwest::RequestBuilder>) -> Vec<Resp> {
        let tasks: Vec<_> = reqs
            .into_iter()
            .map(|req| {
                tokio::spawn(async move {
                    let resp = req.send().await.expect("the server answers");
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let text = resp.text().await.expect("a readable body");
                    (status, headers, text)
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            let (status, headers, text) = task.await.expect("the request task");
            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
            out.push(Resp {
                status,
                headers,
                body,
                text,
            });
        }
        out
    }

    fn authed(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.get(self.url(path)), token))
            .await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.post(self.url(path)).json(&body), token))
            .await
    }

    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.post(self.url(path)), token))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.patch(self.url(path)).json(&body), token))
            .await
    }

    pub async fn put(&self, path: &str, body: Value, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.put(self.url(path)).json(&body), token))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.authed(self.http.delete(self.url(path)), token))
            .await
    }

    /// Posts raw bytes with a content type (for malformed and oversized bodies).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        token: Option<&str>,
    ) -> Resp {
        let req = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        self.send(self.authed(req, token)).await
    }

    /// Sends `head` (request line and headers, without the blank line) and `body` over a plain
    /// TCP connection, writing and reading at the same time, and returns the answer.
    ///
    /// For bodies a server refuses before reading them to the end: an HTTP client stops at the
    /// first failed write (the server closed its side) and may never show the answer, although
    /// it arrived. Here a failed write is ignored and the answer is read to the end.
    pub async fn send_raw(&self, head: &str, body: Vec<u8>) -> Resp {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.base.trim_start_matches("http://").to_owned();
        let stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("a connection to the test server");
        let (mut rd, mut wr) = stream.into_split();
        let head = format!(
            "{}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            head.trim_end(),
            body.len()
        );
        let writer = tokio::spawn(async move {
            if wr.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for chunk in body.chunks(64 * 1024) {
                if wr.write_all(chunk).await.is_err() {
                    return;
                }
            }
            let _ = wr.flush().await;
        });
        let mut raw = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        let read = async {
            // Until the server closes (or resets) the connection; what arrived before stays.
            while let Ok(n) = rd.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
        };
        tokio::time::timeout(Duration::from_secs(30), read)
            .await
            .expect("the server answers within 30 s");
        writer.abort();
        parse_raw_response(&raw)
    }

    /// The one-time code last sent to `phone`, read from the SMS outbox (the embedded SMS
    /// backend keeps every message there; the operator reads it on `/ops/sms.html`). This is
    /// how a test "reads the text message" a real person would read on their phone.
    pub async fn code_sent_to(&self, phone: &str) -> String {
        let phone = farmgate_kernel::Phone::parse(phone).expect("a phone number");
        farmgate_infra::sms::outbox::latest_to(&self.state.infra.db, &phone)
            .await
            .expect("the SMS outbox")
            .and_then(|m| m.param("code").map(str::to_owned))
            .unwrap_or_else(|| panic!("no code was sent to {}", phone.masked()))
    }

    /// Asks for a code (`POST /api/v1/auth/codes`) for `purpose` and answers the code that
    /// arrived. `token` is needed for `change_phone` and `accept_invitation`.
    pub async fn send_code(&self, phone: &str, purpose: &str, token: Option<&str>) -> String {
        let body = json!({ "phone": phone, "purpose": purpose });
        let mut r = self.post("/api/v1/auth/codes", body.clone(), token).await;
        if r.status == 429 && r.code() == "resend_too_soon" {
            // As a person would: wait until the page lets them ask again.
            let secs: u64 = r
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_millis(secs * 1000 + 100)).await;
            r = self.post("/api/v1/auth/codes", body, token).await;
        }
        r.expect_status(202);
        self.code_sent_to(phone).await
    }

    /// Registers a consumer through the API, as a real client does: a code to the phone,
    /// then the registration with it. Returns their session.
    pub async fn register(&self, phone: &str, name: &str) -> Session {
        let code = self.send_code(phone, "register", None).await;
        let r = self
            .post(
                "/api/v1/auth/register",
                json!({ "display_name": name, "phone": phone, "password": PASSWORD, "code": code }),
                None,
            )
            .await;
        r.expect_status(201);
        Session {
            token: r.string("session.token"),
            account_id: r.uuid("account.id"),
            phone: phone.to_owned(),
        }
    }

    /// Logs in through the API.
    pub async fn login(&self, login: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            json!({ "login": login, "password": password }),
            None,
        )
        .await
    }

    /// Logs `who` in again: a second session of the same person.
    pub async fn login_again(&self, who: &Session) -> Session {
        let r = self.login(&who.phone, PASSWORD).await;
        r.expect_status(200);
        Session {
            token: r.string("session.token"),
            account_id: who.account_id,
            phone: who.phone.clone(),
        }
    }

    /// A person with a platform role (operator, agent, official), created the way the CLI does
    /// it and logged in through the API. `app.operator()`, `app.official()` and `app.agent()`
    /// (in [`crate::fixtures`]) give the one such person of each role a test needs.
    pub async fn staff(&self, phone: &str, role: PlatformRole) -> Session {
        let input = NewAccount::parse(role.label_zh(), phone, PASSWORD).expect("valid account");
        let account = self
            .state
            .identity
            .create_account_with_role(input, Some(role))
            .await
            .expect("account");
        let r = self.login(phone, PASSWORD).await;
        r.expect_status(200);
        Session {
            token: r.string("session.token"),
            account_id: account.id,
            phone: phone.to_owned(),
        }
    }

    /// The body of a valid organisation of `kind`.
    pub fn org_body(kind: &str, name: &str) -> Value {
        json!({
            "kind": kind,
            "name": name,
            "licence_no": fresh_licence(),
            "region": region("梅岭镇", Some("茶坑村")),
            "address": "梅岭镇茶坑村 3 组",
            "contact_name": "李国强",
            "contact_phone": "13800000001",
        })
    }

    /// Creates an organisation as `owner` and returns its id.
    pub async fn create_org(&self, owner: &Session, kind: &str, name: &str) -> Uuid {
        let r = self
            .post(
                "/api/v1/orgs",
                Self::org_body(kind, name),
                Some(&owner.token),
            )
            .await;
        r.expect_status(201);
        r.id()
    }

    /// Creates an organisation and has the operator verify it.
    pub async fn verified_org(
        &self,
        owner: &Session,
        operator: &Session,
        kind: &str,
        name: &str,
    ) -> Uuid {
        let id = self.create_org(owner, kind, name).await;
        self.post_empty(
            &format!("/api/v1/admin/orgs/{id}/verify"),
            Some(&operator.token),
        )
        .await
        .expect_status(200);
        id
    }

    /// Brings `phone` into `org` with `role` (`staff` or `owner`): registers them, has `owner`
    /// invite them and accepts through the API. Returns their session.
    pub async fn member(
        &self,
        owner: &Session,
        org: Uuid,
        phone: &str,
        name: &str,
        role: &str,
    ) -> Session {
        let person = self.register(phone, name).await;
        let inv = self
            .post(
                &format!("/api/v1/orgs/{org}/invitations"),
                json!({ "login": phone, "role": role }),
                Some(&owner.token),
            )
            .await;
        inv.expect_status(201);
        let id = inv.id();
        self.accept_invitation(&person, id).await.expect_status(200);
        person
    }

    /// Accepts invitation `id` as `person`, with a code sent to their phone for it.
    pub async fn accept_invitation(&self, person: &Session, id: Uuid) -> Resp {
        let code = self
            .send_code(&person.phone, "accept_invitation", Some(&person.token))
            .await;
        self.post(
            &format!("/api/v1/invitations/{id}/accept"),
            json!({ "code": code }),
            Some(&person.token),
        )
        .await
    }

    /// Runs a raw SQL count (for asserting that nothing half-written stayed behind).
    pub async fn count(&self, table: &str, where_clause: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = &self.state.infra.db;
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {where_clause}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a count")
    }

    /// Runs a raw SQL query that yields one number (`SELECT SUM(..) FROM ..`); `NULL` is 0.
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = &self.state.infra.db;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT CAST(COALESCE(({sql}), 0) AS BIGINT) AS n"),
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a number")
    }

    /// Waits until the outbox has delivered everything due (the worker runs in the background,
    /// as in production).
    /// Scheduled jobs (`available_at` later than now, e.g. tomorrow's trace digest) are not due.
    pub async fn outbox_drained(&self) {
        use farmgate_infra::outbox::entity::event;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        for _ in 0..200 {
            let now = self.clock.now();
            let due = event::Entity::find()
                .filter(event::Column::DeliveredAt.is_null())
                .all(&self.state.infra.db)
                .await
                .expect("outbox query")
                .into_iter()
                .filter(|e| e.available_at <= now)
                .count();
            if due == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the outbox did not drain within 5 s");
    }
}
