//! Turning the orders service's records into [`Sale`]s: the groups each line counts in come from
//! the listing (origin township and village, seller), the category tree, the seller's kind and
//! the order's delivery address. Used by the live path (one order) and the rebuild (all of them,
//! with everything looked up once).

use crate::facts::{Delivery, Dim, Group, Sale, SaleLine, UNITS, shanghai_day};
use farmgate_catalog::store::{category, listing, sku};
use farmgate_identity::OrgKind;
use farmgate_identity::store::organisation;
use farmgate_orders::store::{line, order, sub_order};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

struct ListingInfo {
    title: String,
    county: String,
    township: Option<String>,
    village: Option<String>,
}

/// Everything needed to name a line's groups.
#[derive(Default)]
pub struct Lookup {
    listings: HashMap<Uuid, ListingInfo>,
    categories: HashMap<Uuid, category::Model>,
    sellers: HashMap<Uuid, (OrgKind, String)>,
    net_grams: HashMap<Uuid, Option<i32>>,
}

impl Lookup {
    /// Loads what `lines` refer to (`None`: everything, for the rebuild).
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        lines: Option<&[line::Model]>,
        sellers: Option<&[Uuid]>,
    ) -> Result<Self, DbErr> {
        let mut lq = listing::Entity::find();
        let mut sq = sku::Entity::find();
        let mut oq = organisation::Entity::find();
        if let Some(lines) = lines {
            let ids: HashSet<Uuid> = lines.iter().map(|l| l.listing_id).collect();
            let skus: HashSet<Uuid> = lines.iter().map(|l| l.sku_id).collect();
            lq = lq.filter(listing::Column::Id.is_in(ids));
            sq = sq.filter(sku::Column::Id.is_in(skus));
        }
        if let Some(sellers) = sellers {
            oq = oq.filter(organisation::Column::Id.is_in(sellers.to_vec()));
        }
        let mut out = Lookup::default();
        for l in lq.all(db).await? {
            out.listings.insert(
                l.id,
                ListingInfo {
                    title: l.title,
                    county: l.county,
                    township: l.township,
                    village: l.village,
                },
            );
        }
        for s in sq.all(db).await? {
            out.net_grams.insert(s.id, s.net_weight_grams);
        }
        for o in oq.all(db).await? {
            out.sellers.insert(o.id, (o.kind, o.name));
        }
        for c in category::Entity::find().all(db).await? {
            out.categories.insert(c.id, c);
        }
        Ok(out)
    }

    fn category(&self, id: Uuid) -> Group {
        match self.categories.get(&id) {
            Some(c) => Group::new(Dim::Category, id.to_string(), &c.name, &c.name_en),
            None => Group::new(Dim::Category, id.to_string(), "（已删除品类）", "(removed)"),
        }
    }

    fn category_root(&self, id: Uuid) -> Group {
        let mut at = id;
        // The tree is shallow; the bound guards against a cycle.
        for _ in 0..16 {
            match self.categories.get(&at).and_then(|c| c.parent_id) {
                Some(p) => at = p,
                None => break,
            }
        }
        let g = self.category(at);
        Group {
            dim: Dim::CategoryRoot,
            ..g
        }
    }

    fn groups(&self, o: &order::Model, sub: &sub_order::Model, l: &line::Model) -> Vec<Group> {
        let info = self.listings.get(&l.listing_id);
        let county = info.map(|i| i.county.as_str()).unwrap_or("");
        let town = info.and_then(|i| i.township.as_deref());
        let village = info.and_then(|i| i.village.as_deref());
        let town_label = town.unwrap_or("（未注明乡镇）");
        let village_label = match village {
            Some(v) => format!("{town_label}{v}"),
            None => format!("{town_label}（未注明村）"),
        };
        let (kind, seller) = self
            .sellers
            .get(&sub.seller_org_id)
            .map(|(k, n)| (Some(*k), n.as_str()))
            .unwrap_or((None, ""));
        let (province, city) = destination(&o.address);
        let business = o.buyer_org_id.is_some();
        vec![
            Group::total(),
            Group::new(
                Dim::Township,
                format!("{county}/{}", town.unwrap_or("-")),
                town_label,
                town_label,
            ),
            Group::new(
                Dim::Village,
                format!(
                    "{county}/{}/{}",
                    town.unwrap_or("-"),
                    village.unwrap_or("-")
                ),
                &village_label,
                &village_label,
            ),
            self.category(l.category_id),
            self.category_root(l.category_id),
            match kind {
                Some(k) => Group::new(Dim::SellerKind, k.as_str(), k.label_zh(), k.label_en()),
                None => Group::new(Dim::SellerKind, "unknown", "未知", "Unknown"),
            },
            Group::new(Dim::Seller, sub.seller_org_id.to_string(), seller, seller),
            Group::new(
                Dim::Product,
                l.listing_id.to_string(),
                info.map(|i| i.title.as_str()).unwrap_or(&l.title),
                info.map(|i| i.title.as_str()).unwrap_or(&l.title),
            ),
            Group::new(Dim::DestProvince, &province, &province, &province),
            Group::new(Dim::DestCity, format!("{province}/{city}"), &city, &city),
            if business {
                Group::new(Dim::BuyerKind, "business", "企业采购", "Business buyers")
            } else {
                Group::new(Dim::BuyerKind, "consumer", "个人消费者", "Consumers")
            },
        ]
    }

    /// The sale an order made, if it was paid: the sub-orders created at checkout (a later
    /// zero-price replacement is an after-sales remedy, not a sale) and their lines.
    pub fn sale(
        &self,
        o: &order::Model,
        subs: &[sub_order::Model],
        lines: &[line::Model],
    ) -> Option<Sale> {
        let paid_at = o.paid_at?;
        let subs: Vec<&sub_order::Model> = subs
            .iter()
            .filter(|s| s.order_id == o.id && s.created_at <= paid_at)
            .collect();
        let sale_lines = lines
            .iter()
            .filter_map(|l| {
                let sub = subs.iter().find(|s| s.id == l.sub_order_id)?;
                let unit = UNITS.iter().position(|u| *u == l.unit);
                let grams = farmgate_catalog::domain::Unit::parse(&l.unit)
                    .and_then(|u| u.grams())
                    .or_else(|| {
                        self.net_grams
                            .get(&l.sku_id)
                            .copied()
                            .flatten()
                            .map(i64::from)
                    });
                Some(SaleLine {
                    line_id: l.id,
                    sub_order_id: l.sub_order_id,
                    line_fen: l.line_fen,
                    unit,
                    quantity: l.quantity,
                    grams_per_unit: grams,
                    unit_price_fen: l.unit_price_fen,
                    category: self.category(l.category_id),
                    groups: self.groups(o, sub, l),
                })
            })
            .collect();
        Some(Sale {
            order_id: o.id,
            buyer: o.buyer_account_id,
            paid_at,
            day: shanghai_day(paid_at),
            shipping: subs.iter().map(|s| (s.id, s.shipping_fen)).collect(),
            lines: sale_lines,
        })
    }
}

impl Lookup {
    /// The parcel a received sub-order was (any sub-order, replacements included, as the
    /// after-sales figures count them), if it was received.
    pub fn delivery(
        &self,
        sub: &sub_order::Model,
        lines: &[line::Model],
        carrier: Option<&str>,
    ) -> Option<Delivery> {
        let received = sub.received_at?;
        if sub.status != farmgate_orders::domain::SubOrderStatus::Received {
            return None;
        }
        let mut groups = vec![Group::total()];
        groups.push(match self.sellers.get(&sub.seller_org_id) {
            Some((k, _)) => Group::new(Dim::SellerKind, k.as_str(), k.label_zh(), k.label_en()),
            None => Group::new(Dim::SellerKind, "unknown", "未知", "Unknown"),
        });
        for l in lines.iter().filter(|l| l.sub_order_id == sub.id) {
            let c = self.category(l.category_id);
            if !groups.contains(&c) {
                groups.push(c);
            }
        }
        if let Some(c) = carrier {
            groups.push(Group::new(Dim::Carrier, c, c, c));
        }
        Some(Delivery {
            day: shanghai_day(received),
            groups,
        })
    }
}

/// Province and city of the address snapshot (never anything more precise).
fn destination(address: &serde_json::Value) -> (String, String) {
    let part = |k: &str| {
        address
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("未知")
            .to_owned()
    };
    (part("province"), part("city"))
}

/// One received sub-order's parcel, read from the database (the live path).
pub async fn load_delivery<C: ConnectionTrait>(
    db: &C,
    sub_order_id: Uuid,
) -> Result<Option<(Delivery, chrono::DateTime<chrono::Utc>)>, DbErr> {
    let Some(sub) = sub_order::Entity::find_by_id(sub_order_id).one(db).await? else {
        return Ok(None);
    };
    let lines = line::Entity::find()
        .filter(line::Column::SubOrderId.eq(sub_order_id))
        .all(db)
        .await?;
    let carrier = farmgate_orders::store::shipment::Entity::find()
        .filter(farmgate_orders::store::shipment::Column::SubOrderId.eq(sub_order_id))
        .one(db)
        .await?
        .map(|s| s.carrier);
    let lookup = Lookup::load(db, Some(&lines), Some(&[sub.seller_org_id])).await?;
    Ok(lookup
        .delivery(&sub, &lines, carrier.as_deref())
        .zip(sub.received_at))
}

/// One order's sale, read from the database (the live path).
pub async fn load_sale<C: ConnectionTrait>(db: &C, order_id: Uuid) -> Result<Option<Sale>, DbErr> {
    let Some(o) = order::Entity::find_by_id(order_id).one(db).await? else {
        return Ok(None);
    };
    let subs = sub_order::Entity::find()
        .filter(sub_order::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let lines = line::Entity::find()
        .filter(line::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let sellers: Vec<Uuid> = subs.iter().map(|s| s.seller_org_id).collect();
    let lookup = Lookup::load(db, Some(&lines), Some(&sellers)).await?;
    Ok(lookup.sale(&o, &subs, &lines))
}
