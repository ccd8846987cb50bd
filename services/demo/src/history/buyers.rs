//! Who buys: new consumer accounts joining over the period, each with a saved address and a
//! heavy-tailed appetite, and business buyers (hotels, canteens, supermarkets) with a verified
//! organisation, reused from an earlier run by their licence numbers.
//!
//! **Writes identity's and orders' rows directly** (`accounts`, `addresses`, `organisations`,
//! `memberships`, `org_reviews`) with raw multi-row INSERTs, in one transaction, for bulk speed:
//! creating 500,000 accounts through sign-up would hash 500,000 passwords. The rows look as the
//! use cases write them. What it reads of identity goes through
//! `farmgate_identity::read::demo`.

use super::HistoryOptions;
use super::places::{DESTINATIONS, Place, person_name, place};
use super::random::{pick, running_total, secs, uuid_at};
use super::writer::{Rows, v};
use anyhow::{Context, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::domain::{AccountStatus, ReviewAction};
use farmgate_identity::read::demo::{self as identity_read, Organisation};
use farmgate_identity::{OrgKind, OrgRole, OrgStatus};
use farmgate_infra::db::begin_write;
use farmgate_kernel::Uscc;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_orders::domain::start_of;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) struct Buyer {
    pub(super) account: Uuid,
    pub(super) org: Option<Uuid>,
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) home: Place,
}

/// Buyers sorted by the day they joined, with a running total of how much they buy.
pub(super) struct Pool {
    pub(super) buyers: Vec<Buyer>,
    pub(super) joined: Vec<u32>,
    pub(super) prefix: Vec<f64>,
}

impl Pool {
    pub(super) fn new(mut entries: Vec<(u32, f64, Buyer)>) -> Self {
        entries.sort_by_key(|(d, _, _)| *d);
        let joined = entries.iter().map(|(d, _, _)| *d).collect();
        let prefix = running_total(entries.iter().map(|(_, w, _)| *w));
        Self {
            buyers: entries.into_iter().map(|(_, _, b)| b).collect(),
            joined,
            prefix,
        }
    }

    /// Someone who had joined by `day`, by how much they buy.
    pub(super) fn pick(&self, day: u32, rng: &mut StdRng) -> Option<&Buyer> {
        let k = self.joined.partition_point(|d| *d <= day);
        let i = pick(self.prefix.get(..k)?, rng)?;
        self.buyers.get(i)
    }
}

/// A heavy-tailed appetite (Pareto, α = 1.5, at most 60 times the least): most buy now and
/// then, a few every week.
pub(super) fn appetite(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.random();
    (1.0 - u).max(1e-9).powf(-1.0 / 1.5).min(60.0)
}

const BUSINESS_WORDS: &[&str] = &[
    "悦和", "禾丰", "惠邻", "鲜达", "福满", "聚源", "康泰", "一品", "金穗", "众鲜", "乐购", "百味",
    "盛景", "和顺", "嘉禾", "瑞丰", "同心", "四季", "润民", "万家",
];
const BUSINESS_KINDS: &[&str] = &[
    "餐饮管理有限公司",
    "大酒店",
    "生鲜超市",
    "团餐配送有限公司",
    "农产品贸易有限公司",
    "社区团购服务部",
    "酒楼",
    "学校食堂服务有限公司",
];

const ACCOUNT_COLS: &[&str] = &[
    "id",
    "phone",
    "email",
    "display_name",
    "password_hash",
    "platform_role",
    "status",
    "created_at",
    "updated_at",
    "demo_password",
];
const ADDRESS_COLS: &[&str] = &[
    "id",
    "account_id",
    "name",
    "phone",
    "province",
    "city",
    "district",
    "street",
    "is_default",
    "deleted",
    "created_at",
    "updated_at",
];
const ORG_COLS: &[&str] = &[
    "id",
    "kind",
    "name",
    "licence_no",
    "province",
    "city",
    "county",
    "township",
    "village",
    "address",
    "contact_name",
    "contact_phone",
    "status",
    "status_reason",
    "created_by",
    "created_at",
    "updated_at",
    "verified_at",
];
const MEMBERSHIP_COLS: &[&str] = &["org_id", "account_id", "role", "created_at"];
const ORG_REVIEW_COLS: &[&str] = &["id", "org_id", "action", "actor_id", "reason", "at"];

/// Licence numbers of the generator's business buyers: the same ones every run, so a later run
/// buys with the organisations an earlier one verified.
fn business_licence(i: usize) -> Option<String> {
    Uscc::with_check_char(&format!("91360799MH{:07}", i + 1)).map(|u| u.as_str().to_owned())
}

struct NewRows {
    accounts: Rows,
    addresses: Rows,
    orgs: Rows,
    memberships: Rows,
    reviews: Rows,
}

struct People<'a> {
    ids: &'a mut StdRng,
    rows: NewRows,
    next_phone: u64,
    password_hash: String,
    made: u64,
}

impl People<'_> {
    /// A new buyer account with its saved address.
    fn account(
        &mut self,
        rng: &mut StdRng,
        name: &str,
        home: &Place,
        created: DateTime<Utc>,
    ) -> (Uuid, String) {
        let id = uuid_at(self.ids, created);
        let phone = self.next_phone.to_string();
        self.next_phone += 1;
        self.made += 1;
        self.rows.accounts.push(vec![
            v(id),
            v(Some(phone.clone())),
            v(None::<String>),
            v(name),
            v(self.password_hash.clone()),
            v(None::<String>),
            v(AccountStatus::Active.as_str()),
            v(created),
            v(created),
            // They log in with the demo password: production mode must see them.
            v(true),
        ]);
        let at = created + secs(rng, 60, 3_600);
        self.rows.addresses.push(vec![
            v(uuid_at(self.ids, at)),
            v(id),
            v(name),
            v(phone.clone()),
            v(home.province.clone()),
            v(home.city.clone()),
            v(home.district.clone()),
            v(home.street.clone()),
            v(true),
            v(false),
            v(at),
            v(at),
        ]);
        (id, phone)
    }
}

/// Days drawn by the period's order volume (people join when the shop grows), or day 0 (they
/// were customers before the period) with probability `before`.
fn join_day(rng: &mut StdRng, day_prefix: &[f64], before: f64) -> u32 {
    if rng.random_bool(before) {
        0
    } else {
        pick(day_prefix, rng).unwrap_or(0) as u32
    }
}

#[expect(clippy::too_many_arguments, reason = "the setup's parts, used once")]
pub(super) async fn make_buyers(
    db: &DatabaseConnection,
    opts: &HistoryOptions,
    rng: &mut StdRng,
    ids: &mut StdRng,
    day_prefix: &[f64],
    start_day: NaiveDate,
    operator: Option<Uuid>,
    dest_prefix: &[f64],
) -> anyhow::Result<(Pool, Pool, u64)> {
    // Phones after the highest 170 number already there (an earlier run's buyers).
    let last = identity_read::highest_phone_with_prefix(db, "170")
        .await?
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (17_000_000_000..17_100_000_000).contains(p));
    // A demo account's hash (the first without a platform role): history buyers log in with
    // the demo password, and no hashing slows the run down.
    let password_hash = identity_read::password_hash_to_copy(db).await?.context(
        "no account to copy a password hash from: seed the demo first (farmgate seed-demo)",
    )?;
    let mut people = People {
        ids,
        rows: NewRows {
            accounts: Rows::new("accounts", ACCOUNT_COLS),
            addresses: Rows::new("addresses", ADDRESS_COLS),
            orgs: Rows::new("organisations", ORG_COLS),
            memberships: Rows::new("memberships", MEMBERSHIP_COLS),
            reviews: Rows::new("org_reviews", ORG_REVIEW_COLS),
        },
        next_phone: last.map_or(17_000_000_001, |p| p + 1),
        password_hash,
        made: 0,
    };
    if people.next_phone + u64::from(opts.buyers) + 1_000 > 17_100_000_000 {
        bail!("no 170 phone numbers left for {} more buyers", opts.buyers);
    }
    let day_start = |d: u32| start_of(start_day + Duration::days(i64::from(d)));

    let mut consumers = Vec::with_capacity(opts.buyers as usize);
    for _ in 0..opts.buyers {
        let day = join_day(rng, day_prefix, 0.3);
        let created = if day == 0 {
            day_start(0) - secs(rng, 86_400, 400 * 86_400)
        } else {
            day_start(day) - secs(rng, 3_600, 3 * 86_400)
        };
        let name = person_name(rng);
        let home = place(rng, dest_prefix);
        let (account, phone) = people.account(rng, &name, &home, created);
        consumers.push((
            day,
            appetite(rng),
            Buyer {
                account,
                org: None,
                name,
                phone,
                home,
            },
        ));
    }

    // Business buyers: hotels, canteens, supermarkets, mostly in Jiangxi and the big cities.
    let mut businesses = Vec::new();
    let wanted = if opts.business_share_pct == 0 {
        0
    } else {
        (opts.buyers as usize / 12).clamp(6, 300)
    };
    let licences: Vec<String> = (0..wanted).filter_map(business_licence).collect();
    let existing: HashMap<String, Organisation> =
        identity_read::organisations_by_licence(db, &licences)
            .await?
            .into_iter()
            .map(|o| (o.licence_no.clone(), o))
            .collect();
    let owners: HashMap<OrgId, AccountId> = if existing.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<OrgId> = existing.values().map(|o| o.id).collect();
        identity_read::owners(db, Some(&ids))
            .await?
            .into_iter()
            .collect()
    };
    let business_prefix = running_total(DESTINATIONS.iter().map(|(p, _, w, _)| {
        f64::from(*w)
            * match *p {
                "江西省" => 8.0,
                "广东省" => 2.0,
                "上海市" | "浙江省" | "江苏省" => 1.5,
                _ => 0.0,
            }
    }));
    for licence in &licences {
        let appetite = 1.0 + appetite(rng) / 2.0;
        if let Some(o) = existing.get(licence) {
            if o.status != OrgStatus::Verified || o.kind != OrgKind::BusinessBuyer {
                continue;
            }
            let Some(owner) = owners.get(&o.id) else {
                continue;
            };
            businesses.push((
                0,
                appetite,
                Buyer {
                    account: owner.0,
                    org: Some(o.id.0),
                    name: o.contact_name.clone(),
                    phone: o.contact_phone.clone(),
                    home: Place {
                        province: o.province.clone(),
                        city: o.city.clone(),
                        district: o.county.clone(),
                        street: o.address.clone().unwrap_or_else(|| "（未填写）".to_owned()),
                    },
                },
            ));
            continue;
        }
        let day = join_day(rng, day_prefix, 0.4);
        let verified = day_start(day) - secs(rng, 86_400, 30 * 86_400);
        let created = verified - secs(rng, 3_600, 5 * 86_400);
        let owner_created = created - secs(rng, 600, 3 * 86_400);
        let home = place(rng, &business_prefix);
        let city = home.city.trim_end_matches('市').to_owned();
        let org_name = format!(
            "{city}{}{}",
            BUSINESS_WORDS[rng.random_range(0..BUSINESS_WORDS.len())],
            BUSINESS_KINDS[rng.random_range(0..BUSINESS_KINDS.len())]
        );
        let name = person_name(rng);
        let (owner, phone) = people.account(rng, &name, &home, owner_created);
        let org_id = uuid_at(people.ids, created);
        people.rows.orgs.push(vec![
            v(org_id),
            v(OrgKind::BusinessBuyer.as_str()),
            v(org_name),
            v(licence.clone()),
            v(home.province.clone()),
            v(home.city.clone()),
            v(home.district.clone()),
            v(None::<String>),
            v(None::<String>),
            v(Some(home.street.clone())),
            v(name.clone()),
            v(phone.clone()),
            v(OrgStatus::Verified.as_str()),
            v(None::<String>),
            v(owner),
            v(created),
            v(verified),
            v(Some(verified)),
        ]);
        people.rows.memberships.push(vec![
            v(org_id),
            v(owner),
            v(OrgRole::Owner.as_str()),
            v(created),
        ]);
        for (action, actor, at) in [
            (ReviewAction::Submitted, owner, created),
            (ReviewAction::Verified, operator.unwrap_or(owner), verified),
        ] {
            let id = uuid_at(people.ids, at);
            people.rows.reviews.push(vec![
                v(id),
                v(org_id),
                v(action.as_str()),
                v(actor),
                v(None::<String>),
                v(at),
            ]);
        }
        businesses.push((
            day,
            appetite,
            Buyer {
                account: owner,
                org: Some(org_id),
                name,
                phone,
                home,
            },
        ));
    }
    let made = people.made;
    let mut rows = people.rows;
    let txn = begin_write(db).await?;
    rows.accounts.write(&txn).await?;
    rows.addresses.write(&txn).await?;
    rows.orgs.write(&txn).await?;
    rows.memberships.write(&txn).await?;
    rows.reviews.write(&txn).await?;
    txn.commit().await?;
    Ok((Pool::new(consumers), Pool::new(businesses), made))
}
