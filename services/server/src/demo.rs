//! Demo data: one (fictional) county, 青石县 in 赣州市, 江西省, with its townships and villages,
//! cooperatives, family farms, a specialised household, the platform's own store, business
//! buyers, consumers and platform staff. Everything goes through the services' own use cases,
//! so demo data obeys the same rules as real data (and leaves the same audit trail).
//!
//! Later issues extend it with listings, batches, orders and claims.

use crate::app::AppState;
use anyhow::Context;
use farmgate_identity::domain::{NewAccount, OrgFacts, OrgFactsInput, Review};
use farmgate_identity::{Actor, OrgKind, OrgRole, PlatformRole};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{LoginId, Uscc};
use uuid::Uuid;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "farmgate123";

pub const PROVINCE: &str = "江西省";
pub const CITY: &str = "赣州市";
pub const COUNTY: &str = "青石县";

/// Townships and their villages.
pub const TOWNSHIPS: &[(&str, &[&str])] = &[
    ("青石镇", &["东门社区", "西街社区"]),
    ("梅岭镇", &["茶坑村", "上坪村"]),
    ("桃源乡", &["桃花村", "溪口村"]),
    ("龙泉镇", &["龙泉村", "石门村"]),
    ("白云乡", &["白云村", "高山村"]),
];

/// A demo person and what they are for.
#[derive(Clone, Copy, Debug)]
pub struct DemoUser {
    pub phone: &'static str,
    pub name: &'static str,
    pub platform_role: Option<PlatformRole>,
    /// How the startup banner describes them.
    pub what: &'static str,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        phone: "13900000001",
        name: "吴敏",
        platform_role: Some(PlatformRole::Operator),
        what: "平台运营 operator (also owns the platform store)",
    },
    DemoUser {
        phone: "13900000002",
        name: "郑洁",
        platform_role: Some(PlatformRole::AfterSalesAgent),
        what: "售后客服 after-sales agent",
    },
    DemoUser {
        phone: "13900000003",
        name: "林海",
        platform_role: Some(PlatformRole::Official),
        what: "县农业农村局 county official (read-only)",
    },
    DemoUser {
        phone: "13900000004",
        name: "孙平",
        platform_role: None,
        what: "平台自营店 platform store staff",
    },
    DemoUser {
        phone: "13800000001",
        name: "李国强",
        platform_role: None,
        what: "梅岭脐橙专业合作社 cooperative owner",
    },
    DemoUser {
        phone: "13800000002",
        name: "刘晓燕",
        platform_role: None,
        what: "梅岭脐橙专业合作社 cooperative staff",
    },
    DemoUser {
        phone: "13800000003",
        name: "陈志明",
        platform_role: None,
        what: "桃源高山茶叶专业合作社 cooperative owner",
    },
    DemoUser {
        phone: "13800000004",
        name: "王秀英",
        platform_role: None,
        what: "白云山土鸡家庭农场 family farm owner",
    },
    DemoUser {
        phone: "13800000005",
        name: "黄建华",
        platform_role: None,
        what: "龙泉生态稻米专业合作社 cooperative owner",
    },
    DemoUser {
        phone: "13800000006",
        name: "张伟",
        platform_role: None,
        what: "溪口香菇家庭农场 family farm owner",
    },
    DemoUser {
        phone: "13800000007",
        name: "赵丽",
        platform_role: None,
        what: "石门蜂蜜家庭农场 family farm owner",
    },
    DemoUser {
        phone: "13800000008",
        name: "钟大山",
        platform_role: None,
        what: "上坪脐橙种植大户 specialised household",
    },
    DemoUser {
        phone: "13800000009",
        name: "周明",
        platform_role: None,
        what: "高山蔬菜家庭农场 owner — waiting in the verification queue",
    },
    DemoUser {
        phone: "13800000010",
        name: "罗斌",
        platform_role: None,
        what: "东门生鲜配送公司 owner — rejected, must fix and resubmit",
    },
    DemoUser {
        phone: "13700000001",
        name: "马超",
        platform_role: None,
        what: "惠民社区超市 business buyer",
    },
    DemoUser {
        phone: "13700000002",
        name: "何静",
        platform_role: None,
        what: "悦来大酒店 business buyer",
    },
    DemoUser {
        phone: "13600000001",
        name: "王芳",
        platform_role: None,
        what: "消费者 consumer",
    },
    DemoUser {
        phone: "13600000002",
        name: "李娜",
        platform_role: None,
        what: "消费者 consumer",
    },
];

/// How an organisation ends up after seeding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Verified,
    Pending,
    Rejected(&'static str),
}

struct DemoOrg {
    kind: OrgKind,
    name: &'static str,
    /// The first 17 characters of the licence; the check character is computed.
    licence17: &'static str,
    township: &'static str,
    village: Option<&'static str>,
    address: &'static str,
    owner: &'static str,
    staff: &'static [&'static str],
    outcome: Outcome,
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        kind: OrgKind::PlatformStore,
        name: "农源直供平台自营店",
        licence17: "91360799MA35PT001",
        township: "青石镇",
        village: Some("东门社区"),
        address: "青石镇东门社区电商产业园 2 号楼",
        owner: "13900000001",
        staff: &["13900000004"],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::Cooperative,
        name: "青石县梅岭脐橙专业合作社",
        licence17: "93360799MA35ML001",
        township: "梅岭镇",
        village: Some("茶坑村"),
        address: "梅岭镇茶坑村 3 组",
        owner: "13800000001",
        staff: &["13800000002"],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::Cooperative,
        name: "青石县桃源高山茶叶专业合作社",
        licence17: "93360799MA35TY002",
        township: "桃源乡",
        village: Some("桃花村"),
        address: "桃源乡桃花村茶园路 8 号",
        owner: "13800000003",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::Cooperative,
        name: "青石县龙泉生态稻米专业合作社",
        licence17: "93360799MA35LQ003",
        township: "龙泉镇",
        village: Some("龙泉村"),
        address: "龙泉镇龙泉村村委会旁",
        owner: "13800000005",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::FamilyFarm,
        name: "青石县白云山土鸡家庭农场",
        licence17: "92360799MA35BY004",
        township: "白云乡",
        village: Some("高山村"),
        address: "白云乡高山村 5 组",
        owner: "13800000004",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::FamilyFarm,
        name: "青石县溪口香菇家庭农场",
        licence17: "92360799MA35XK005",
        township: "桃源乡",
        village: Some("溪口村"),
        address: "桃源乡溪口村菇棚基地",
        owner: "13800000006",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::FamilyFarm,
        name: "青石县石门蜂蜜家庭农场",
        licence17: "92360799MA35TM006",
        township: "龙泉镇",
        village: Some("石门村"),
        address: "龙泉镇石门村后山",
        owner: "13800000007",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::SpecialisedHousehold,
        name: "青石县上坪脐橙种植大户钟大山",
        licence17: "92360799MA35UP007",
        township: "梅岭镇",
        village: Some("上坪村"),
        address: "梅岭镇上坪村 1 组",
        owner: "13800000008",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::FamilyFarm,
        name: "青石县高山蔬菜家庭农场",
        licence17: "92360799MA35GX008",
        township: "白云乡",
        village: Some("白云村"),
        address: "白云乡白云村大棚区",
        owner: "13800000009",
        staff: &[],
        outcome: Outcome::Pending,
    },
    DemoOrg {
        kind: OrgKind::AgriEnterprise,
        name: "青石县东门生鲜配送有限公司",
        licence17: "91360799MA35DM009",
        township: "青石镇",
        village: Some("西街社区"),
        address: "青石镇西街 66 号",
        owner: "13800000010",
        staff: &[],
        outcome: Outcome::Rejected("营业执照照片模糊，无法核对经营范围，请重新上传清晰照片"),
    },
    DemoOrg {
        kind: OrgKind::BusinessBuyer,
        name: "青石县惠民社区超市",
        licence17: "91360799MA35HM010",
        township: "青石镇",
        village: Some("东门社区"),
        address: "青石镇东门社区惠民路 12 号",
        owner: "13700000001",
        staff: &[],
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::BusinessBuyer,
        name: "赣州悦来大酒店",
        licence17: "91360799MA35YL011",
        township: "青石镇",
        village: Some("西街社区"),
        address: "青石镇西街 1 号",
        owner: "13700000002",
        staff: &[],
        outcome: Outcome::Verified,
    },
];

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    Created {
        accounts: usize,
        orgs: usize,
        listings: usize,
        /// The demo's own orders (placed once, on the first seed).
        orders: usize,
    },
    AlreadyThere,
}

fn actor_for(id: AccountId, name: &str, role: Option<PlatformRole>) -> Actor {
    Actor {
        account_id: id,
        session_id: Uuid::nil(),
        display_name: name.to_owned(),
        platform_role: role,
        memberships: Vec::new(),
    }
}

/// Seeds whatever part of the demo data is missing: accounts by phone, organisations by
/// licence number. Running it again changes nothing; running it after an interrupted seed
/// completes it.
pub async fn seed(state: &AppState) -> anyhow::Result<Seeded> {
    use farmgate_identity::store::{organisation, queries};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let identity = &state.identity;
    let db = &state.infra.db;
    let meta = RequestMeta {
        user_agent: Some("farmgate seed-demo".to_owned()),
        ..RequestMeta::default()
    };

    let mut created_accounts = 0;
    let mut accounts: Vec<(DemoUser, AccountId)> = Vec::new();
    for user in USERS {
        let login = LoginId::parse(user.phone).context("demo phone")?;
        let id = match queries::accounts::by_login(db, &login).await? {
            Some(existing) => existing.id,
            None => {
                let input = NewAccount::parse(user.name, Some(user.phone), None, DEMO_PASSWORD)
                    .map_err(|e| anyhow::anyhow!("demo account {}: {e}", user.phone))?;
                created_accounts += 1;
                identity
                    .create_account_with_role(input, user.platform_role)
                    .await
                    .with_context(|| format!("creating demo account {}", user.phone))?
                    .id
            }
        };
        accounts.push((*user, AccountId(id)));
    }
    let find = |phone: &str| -> anyhow::Result<(DemoUser, AccountId)> {
        accounts
            .iter()
            .find(|(u, _)| u.phone == phone)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no demo user {phone}"))
    };
    let (op_user, op_id) = find(USERS[0].phone)?;
    let operator = actor_for(op_id, op_user.name, op_user.platform_role);

    let mut created_orgs = 0;
    for org in ORGS {
        let (owner_user, owner_id) = find(org.owner)?;
        let owner = actor_for(owner_id, owner_user.name, owner_user.platform_role);
        let licence = Uscc::with_check_char(org.licence17)
            .with_context(|| format!("demo licence {}", org.licence17))?;
        let exists = organisation::Entity::find()
            .filter(organisation::Column::LicenceNo.eq(licence.as_str()))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        created_orgs += 1;
        let region = RegionInput {
            province: PROVINCE.into(),
            city: CITY.into(),
            county: COUNTY.into(),
            township: Some(org.township.into()),
            village: org.village.map(Into::into),
        };
        let facts = OrgFacts::parse(&OrgFactsInput {
            name: org.name,
            licence_no: licence.as_str(),
            region: Some(&region),
            address: Some(org.address),
            contact_name: owner_user.name,
            contact_phone: owner_user.phone,
        })
        .map_err(|e| anyhow::anyhow!("demo organisation {}: {e}", org.name))?;
        let created = identity
            .create_org(&owner, org.kind, facts, &meta)
            .await
            .with_context(|| format!("creating {}", org.name))?;
        let org_id = OrgId(created.id);
        match org.outcome {
            Outcome::Verified => {
                identity
                    .review_org(&operator, org_id, Review::Verify, &meta)
                    .await?;
            }
            Outcome::Rejected(reason) => {
                identity
                    .review_org(
                        &operator,
                        org_id,
                        Review::Reject {
                            reason: reason.to_owned(),
                        },
                        &meta,
                    )
                    .await?;
            }
            Outcome::Pending => {}
        }
        // Staff join the way anyone does: the owner invites, they accept.
        let mut owner_with_org = owner.clone();
        owner_with_org
            .memberships
            .push(farmgate_identity::Membership {
                org_id,
                role: OrgRole::Owner,
                org_kind: org.kind,
                org_status: farmgate_identity::OrgStatus::Pending,
            });
        for staff_phone in org.staff {
            let (staff_user, staff_id) = find(staff_phone)?;
            let invitation = identity
                .invite(&owner_with_org, org_id, staff_phone, OrgRole::Staff, &meta)
                .await?;
            let staff = actor_for(staff_id, staff_user.name, staff_user.platform_role);
            identity
                .accept_invitation(
                    &staff,
                    farmgate_identity::InvitationId(invitation.invitation.id),
                    &meta,
                )
                .await?;
        }
    }
    // Listings, from the verified sellers.
    let mut sellers = Vec::new();
    for org in ORGS
        .iter()
        .filter(|o| o.kind.is_seller() && o.outcome == Outcome::Verified)
    {
        let licence = Uscc::with_check_char(org.licence17)
            .with_context(|| format!("demo licence {}", org.licence17))?;
        let found = organisation::Entity::find()
            .filter(organisation::Column::LicenceNo.eq(licence.as_str()))
            .one(db)
            .await?
            .with_context(|| format!("demo organisation {}", org.name))?;
        let (_, owner) = find(org.owner)?;
        sellers.push((org.owner, owner, OrgId(found.id), org.kind));
    }
    let created_listings = crate::demo_listings::seed(&state.catalog, &operator, &sellers).await?;
    let created_batches = crate::demo_trace::seed(&state.trace, &sellers).await?.len();
    // Orders, from two consumers and the community supermarket.
    let mut buyers = Vec::new();
    for phone in ["13600000001", "13600000002", "13700000001"] {
        let (user, account) = find(phone)?;
        let mut actor = actor_for(account, user.name, user.platform_role);
        if let Some(org) = ORGS.iter().find(|o| o.owner == phone) {
            let licence = Uscc::with_check_char(org.licence17)
                .with_context(|| format!("demo licence {}", org.licence17))?;
            if let Some(found) = organisation::Entity::find()
                .filter(organisation::Column::LicenceNo.eq(licence.as_str()))
                .one(db)
                .await?
            {
                actor.memberships.push(farmgate_identity::Membership {
                    org_id: OrgId(found.id),
                    role: OrgRole::Owner,
                    org_kind: org.kind,
                    org_status: found.status,
                });
            }
        }
        buyers.push(crate::demo_orders::DemoBuyer {
            address: crate::demo_orders::address_for(phone, user.name),
            actor,
        });
    }
    let created_orders =
        crate::demo_orders::seed(&state.orders, &operator, &sellers, &buyers).await?;
    if created_orders > 0
        && let Some(shop) = buyers.get(2)
    {
        crate::demo_orders::seed_claim(&state.aftersales, &shop.actor).await?;
    }
    if created_accounts == 0
        && created_orgs == 0
        && created_listings == 0
        && created_batches == 0
        && created_orders == 0
    {
        return Ok(Seeded::AlreadyThere);
    }
    Ok(Seeded::Created {
        accounts: created_accounts,
        orgs: created_orgs,
        listings: created_listings,
        orders: created_orders,
    })
}

/// Seeds the demo county ([`seed`]) and, on the first seed (when the demo orders are placed),
/// half a year of order history from new buyers ([`crate::demo_history`], written straight
/// into the tables), then recomputes the statistics from it, so the officials' dashboard has a
/// county to show at once. `serve --demo` and `seed-demo` call this; [`seed`] alone leaves the
/// demo's own rows countable (its tests do).
///
/// The history ends a minute before the first demo order, so the demo's orders stay on top of
/// every newest-first list; its buyers are new accounts, and it takes no stock and moves no
/// listing's sales counter.
pub async fn seed_with_history(state: &AppState) -> anyhow::Result<Seeded> {
    use farmgate_orders::store::order;
    use sea_orm::{EntityTrait, QueryOrder};

    let seeded = seed(state).await?;
    if !matches!(seeded, Seeded::Created { orders, .. } if orders > 0) {
        return Ok(seeded);
    }
    let now = state.infra.clock.now();
    let first = order::Entity::find()
        .order_by_asc(order::Column::CreatedAt)
        .one(&state.infra.db)
        .await?
        .map(|o| o.created_at);
    let end = first.map_or(now, |t| t.min(now)) - chrono::Duration::minutes(1);
    let history =
        crate::demo_history::generate(state, &crate::demo_history::HistoryOptions::demo(end))
            .await
            .context("generating the demo's order history")?;
    let stats = state
        .stats
        .rebuild()
        .await
        .context("computing the demo's statistics")?;
    tracing::info!(
        orders = history.orders,
        buyers = history.buyers,
        seconds = history.seconds,
        rollup_seconds = stats.seconds,
        "demo order history seeded"
    );
    Ok(seeded)
}

/// The trace code of the showcase demo batch, when it exists.
pub async fn showcase_code(state: &AppState) -> Option<String> {
    use farmgate_trace::store::batch;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    batch::Entity::find()
        .filter(batch::Column::Lot.eq(crate::demo_trace::SHOWCASE_LOT))
        .one(&state.infra.db)
        .await
        .ok()
        .flatten()
        .map(|b| b.code)
}

/// The banner `serve --demo` prints: where to go and who to log in as.
pub fn banner(url: &str, trace_code: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("\n  农源直供 Farmgate is running with demo data\n");
    out.push_str(&format!(
        "  Open {url}/  (API: {url}/api/v1/openapi.json)\n"
    ));
    if let Some(code) = trace_code {
        out.push_str(&format!("  Scan a demo box: {url}/t/{code}\n"));
    }
    out.push_str(&format!(
        "\n  Demo logins (password for all: {DEMO_PASSWORD}):\n"
    ));
    for u in USERS {
        out.push_str(&format!("    {}  {:<4}  {}\n", u.phone, u.name, u.what));
    }
    out
}
