//! The demo county's people and organisations: platform staff, a county official, the owners
//! and staff of cooperatives, family farms, a specialised household and the platform's own
//! store, two business buyers and two consumers. They are created the way anyone is: accounts
//! through sign-up, organisations registered by their owner and reviewed by the operator, staff
//! invited and accepting.

use anyhow::Context;
use farmgate_identity::domain::{BuyerKind, NewAccount, OrgFacts, OrgFactsInput, Review};
use farmgate_identity::read::demo as identity_read;
use farmgate_identity::{
    Actor, CodePurpose, Identity, Membership, OrgKind, OrgRole, OrgStatus, PlatformRole,
};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{LoginId, Uscc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// The password of every demo account (identity refuses it for anyone else, and production
/// mode refuses to start while an account has it).
pub use farmgate_identity::DEMO_PASSWORD;

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

/// Platform finance, who confirms the demo's bank transfers.
pub const FINANCE_PHONE: &str = "13900000005";

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
        phone: FINANCE_PHONE,
        name: "钱丽",
        platform_role: Some(PlatformRole::Finance),
        what: "平台财务 finance (confirms bank transfers)",
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
        phone: "13700000003",
        name: "李想",
        platform_role: None,
        what: "悦来大酒店 purchaser (采购员): orders above ¥500 wait for approval",
    },
    DemoUser {
        phone: "13700000004",
        name: "周立",
        platform_role: None,
        what: "悦来大酒店 purchasing manager (采购经理): approves",
    },
    DemoUser {
        phone: "13500000001",
        name: "钟敏",
        platform_role: None,
        what: "县农产品质量检测站 testing body (第三方检测)",
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
    /// Members other than the owner, with their role.
    staff: &'static [(&'static str, OrgRole)],
    /// A business buyer's kind and approval limit in fen (issue #22).
    buying: Option<(BuyerKind, Option<i64>)>,
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
        staff: &[("13900000004", OrgRole::Staff)],
        buying: None,
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
        staff: &[("13800000002", OrgRole::Staff)],
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: None,
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
        buying: Some((BuyerKind::Supermarket, None)),
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
        staff: &[
            ("13700000003", OrgRole::Purchaser),
            ("13700000004", OrgRole::Manager),
        ],
        buying: Some((BuyerKind::HotelRestaurant, Some(50_000))),
        outcome: Outcome::Verified,
    },
    DemoOrg {
        kind: OrgKind::TestingBody,
        name: "青石县农产品质量检测站",
        licence17: "12360799MB1QJ0012",
        township: "青石镇",
        village: Some("东门社区"),
        address: "青石镇农业服务中心 3 楼",
        owner: "13500000001",
        staff: &[],
        buying: None,
        outcome: Outcome::Verified,
    },
];

/// The demo testing body's accreditation (CMA) number.
const DEMO_ACCREDITATION: &str = "241512050123";

/// A verified seller of the demo county: its owner's phone and account, the organisation and
/// its kind.
pub type Seller = (&'static str, AccountId, OrgId, OrgKind);

/// The demo people, with their accounts.
pub(super) struct People {
    accounts: Vec<(DemoUser, AccountId)>,
    /// Accounts this seed created.
    pub(super) created: usize,
}

impl People {
    pub(super) fn find(&self, phone: &str) -> anyhow::Result<(DemoUser, AccountId)> {
        self.accounts
            .iter()
            .find(|(u, _)| u.phone == phone)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no demo user {phone}"))
    }

    /// A demo person acting for themselves, with no organisation.
    pub(super) fn actor(&self, phone: &str) -> anyhow::Result<Actor> {
        let (user, id) = self.find(phone)?;
        Ok(actor_for(id, user.name, user.platform_role))
    }
}

/// An actor built by hand: the seed acts for people without logging them in (identity has no
/// public constructor for one; the use cases take whoever is asking).
fn actor_for(id: AccountId, name: &str, role: Option<PlatformRole>) -> Actor {
    Actor {
        account_id: id,
        session_id: Uuid::nil(),
        display_name: name.to_owned(),
        platform_role: role,
        memberships: Vec::new(),
    }
}

/// An owner acting for a verified seller, as the demo seed and the benchmarks need one.
pub fn seller_actor(account: AccountId, org: OrgId, kind: OrgKind) -> Actor {
    Actor {
        account_id: account,
        session_id: Uuid::nil(),
        display_name: String::new(),
        platform_role: None,
        memberships: vec![Membership {
            org_id: org,
            role: OrgRole::Owner,
            org_kind: kind,
            org_status: OrgStatus::Verified,
        }],
    }
}

fn licence_of(org: &DemoOrg) -> anyhow::Result<Uscc> {
    Uscc::with_check_char(org.licence17).with_context(|| format!("demo licence {}", org.licence17))
}

/// The organisation an owner registered under a licence number, with where it stands, if they
/// have registered it yet.
async fn registered(
    identity: &Identity,
    owner: &Actor,
    licence: &Uscc,
) -> anyhow::Result<Option<(OrgId, OrgStatus)>> {
    Ok(identity
        .my_orgs(owner)
        .await?
        .into_iter()
        .find(|(o, _)| o.licence_no == licence.as_str())
        .map(|(o, _)| (OrgId(o.id), o.status)))
}

/// Creates the demo accounts that are missing (by phone).
pub(super) async fn seed_accounts(
    identity: &Identity,
    db: &DatabaseConnection,
) -> anyhow::Result<People> {
    let mut created = 0;
    let mut accounts: Vec<(DemoUser, AccountId)> = Vec::new();
    for user in USERS {
        let login = LoginId::parse(user.phone).context("demo phone")?;
        let id = match identity_read::account_by_login(db, &login).await? {
            Some(existing) => existing,
            None => {
                let input = NewAccount::demo(user.name, user.phone)
                    .map_err(|e| anyhow::anyhow!("demo account {}: {e}", user.phone))?;
                created += 1;
                AccountId(
                    identity
                        .create_demo_account(input, user.platform_role)
                        .await
                        .with_context(|| format!("creating demo account {}", user.phone))?
                        .id,
                )
            }
        };
        accounts.push((*user, id));
    }
    Ok(People { accounts, created })
}

/// The last code the SMS outbox holds for `phone`.
async fn sent_code(db: &DatabaseConnection, phone: &str) -> anyhow::Result<String> {
    let phone = farmgate_kernel::Phone::parse(phone).map_err(|e| anyhow::anyhow!("{e}"))?;
    farmgate_infra::sms::outbox::latest_to(db, &phone)
        .await?
        .and_then(|m| m.param("code").map(str::to_owned))
        .context("the demo reads its codes from the SMS outbox: run it with sms_provider = outbox")
}

/// Registers the demo organisations that are missing (by their owner and licence number),
/// has the operator verify or reject them, and their staff join; returns how many it made.
pub(super) async fn seed_organisations(
    identity: &Identity,
    db: &DatabaseConnection,
    people: &People,
    operator: &Actor,
    meta: &RequestMeta,
) -> anyhow::Result<usize> {
    let mut created_orgs = 0;
    for org in ORGS {
        let (owner_user, _) = people.find(org.owner)?;
        let owner = people.actor(org.owner)?;
        let licence = licence_of(org)?;
        if registered(identity, &owner, &licence).await?.is_some() {
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
        let accreditation = org.kind.is_testing_body().then_some(DEMO_ACCREDITATION);
        let created = identity
            .create_org_accredited(&owner, org.kind, facts, accreditation, meta)
            .await
            .with_context(|| format!("creating {}", org.name))?;
        let org_id = OrgId(created.id);
        match org.outcome {
            Outcome::Verified => {
                identity
                    .review_org(operator, org_id, Review::Verify, meta)
                    .await?;
            }
            Outcome::Rejected(reason) => {
                identity
                    .review_org(
                        operator,
                        org_id,
                        Review::Reject {
                            reason: reason.to_owned(),
                        },
                        meta,
                    )
                    .await?;
            }
            Outcome::Pending => {}
        }
        // Staff join the way anyone does: the owner invites, they accept.
        let mut owner_with_org = owner.clone();
        owner_with_org.memberships.push(Membership {
            org_id,
            role: OrgRole::Owner,
            org_kind: org.kind,
            org_status: OrgStatus::Pending,
        });
        if let Some((kind, limit)) = org.buying {
            identity
                .set_purchasing(&owner_with_org, org_id, Some(kind), limit, meta)
                .await?;
        }
        for &(staff_phone, role) in org.staff {
            let staff = people.actor(staff_phone)?;
            let invitation = identity
                .invite(&owner_with_org, org_id, staff_phone, role, meta)
                .await?;
            // They prove the phone like anyone: a code, read back from the SMS outbox (the demo
            // never sends real messages).
            identity
                .send_code(
                    staff_phone,
                    CodePurpose::AcceptInvitation,
                    Some(&staff),
                    meta,
                )
                .await
                .with_context(|| format!("a code for {staff_phone}"))?;
            let code = sent_code(db, staff_phone).await?;
            identity
                .accept_invitation(
                    &staff,
                    farmgate_identity::InvitationId(invitation.invitation.id),
                    &code,
                    meta,
                )
                .await?;
        }
    }
    Ok(created_orgs)
}

/// The verified demo sellers, as the listings, batches and orders need them.
pub(super) async fn verified_sellers(
    identity: &Identity,
    people: &People,
) -> anyhow::Result<Vec<Seller>> {
    let mut sellers = Vec::new();
    for org in ORGS
        .iter()
        .filter(|o| o.kind.is_seller() && o.outcome == Outcome::Verified)
    {
        let (_, owner) = people.find(org.owner)?;
        let (org_id, _) = registered(identity, &people.actor(org.owner)?, &licence_of(org)?)
            .await?
            .with_context(|| format!("demo organisation {}", org.name))?;
        sellers.push((org.owner, owner, org_id, org.kind));
    }
    Ok(sellers)
}

/// A demo person acting for the organisation they own, if they own one (the community
/// supermarket buys at wholesale prices).
pub(super) async fn buyer_actor(
    identity: &Identity,
    people: &People,
    phone: &str,
) -> anyhow::Result<Actor> {
    let mut actor = people.actor(phone)?;
    if let Some(org) = ORGS.iter().find(|o| o.owner == phone)
        && let Some((org_id, status)) = registered(identity, &actor, &licence_of(org)?).await?
    {
        actor.memberships.push(Membership {
            org_id,
            role: OrgRole::Owner,
            org_kind: org.kind,
            org_status: status,
        });
    }
    Ok(actor)
}
