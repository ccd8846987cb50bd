//! Turning the orders' records into [`Sale`]s and [`Delivery`]s: the groups each line counts
//! in come from the listing (origin township and village, title), the category tree, the
//! seller's kind and name and the order's destination (province and city). Everything is read
//! through the owners' published read models (`farmgate_orders::read::stats`,
//! `farmgate_catalog::read::stats`, `farmgate_identity::read::stats`). Used by the live path
//! (one order) and the rebuild (all of them, with the catalogue and the sellers looked up
//! once).

use crate::domain::{BuyerKind, Delivery, Dim, Group, Sale, SaleLine, UNITS, shanghai_day};
use chrono::{DateTime, Utc};
use farmgate_catalog::read::stats::{self as catalog, CategoryNode, ListingOrigin};
use farmgate_identity::OrgKind;
use farmgate_identity::read::stats as identity;
use farmgate_kernel::id::{CategoryId, ListingId, OrderId, OrgId, SkuId, SubOrderId};
use farmgate_orders::domain::SubOrderStatus;
use farmgate_orders::read::stats::{self as orders, Line, Order, Part};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::{HashMap, HashSet};

/// Everything needed to name a line's groups.
#[derive(Default)]
pub struct Lookup {
    listings: HashMap<ListingId, ListingOrigin>,
    categories: HashMap<CategoryId, CategoryNode>,
    sellers: HashMap<OrgId, (OrgKind, String)>,
    net_grams: HashMap<SkuId, Option<i32>>,
}

impl Lookup {
    /// Loads what `lines` and `sellers` refer to (`None`: everything, for the rebuild).
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        lines: Option<&[Line]>,
        sellers: Option<&[OrgId]>,
    ) -> Result<Self, DbErr> {
        let (listings, skus) = match lines {
            Some(lines) => {
                let l: HashSet<ListingId> = lines.iter().map(|l| l.listing_id).collect();
                let s: HashSet<SkuId> = lines.iter().map(|l| l.sku_id).collect();
                (
                    Some(l.into_iter().collect::<Vec<_>>()),
                    Some(s.into_iter().collect::<Vec<_>>()),
                )
            }
            None => (None, None),
        };
        let mut out = Lookup::default();
        for l in catalog::listing_origins(db, listings.as_deref()).await? {
            out.listings.insert(l.id, l);
        }
        out.net_grams = catalog::net_weights(db, skus.as_deref()).await?;
        for o in identity::org_names(db, sellers).await? {
            out.sellers.insert(o.id, (o.kind, o.name));
        }
        for c in catalog::categories(db).await? {
            out.categories.insert(c.id, c);
        }
        Ok(out)
    }

    fn category(&self, id: CategoryId) -> Group {
        match self.categories.get(&id) {
            Some(c) => Group::new(Dim::Category, id.to_string(), &c.name, &c.name_en),
            None => Group::new(Dim::Category, id.to_string(), "（已删除品类）", "(removed)"),
        }
    }

    fn category_root(&self, id: CategoryId) -> Group {
        let mut at = id;
        // The tree is shallow; the bound guards against a cycle.
        for _ in 0..16 {
            match self.categories.get(&at).and_then(|c| c.parent) {
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

    fn seller_kind(&self, seller: OrgId) -> Group {
        match self.sellers.get(&seller) {
            Some((k, _)) => Group::new(Dim::SellerKind, k.as_str(), k.label_zh(), k.label_en()),
            None => Group::new(Dim::SellerKind, "unknown", "未知", "Unknown"),
        }
    }

    fn groups(&self, o: &Order, part: &Part, l: &Line) -> Vec<Group> {
        let info = self.listings.get(&l.listing_id);
        let county = info.map(|i| i.county.as_str()).unwrap_or("");
        let town = info.and_then(|i| i.township.as_deref());
        let village = info.and_then(|i| i.village.as_deref());
        let town_label = town.unwrap_or("（未注明乡镇）");
        let village_label = match village {
            Some(v) => format!("{town_label}{v}"),
            None => format!("{town_label}（未注明村）"),
        };
        let seller = self
            .sellers
            .get(&part.seller)
            .map(|(_, n)| n.as_str())
            .unwrap_or("");
        let (province, city) = destination(o);
        let buyer = if o.buyer_org.is_some() {
            BuyerKind::Business
        } else {
            BuyerKind::Consumer
        };
        let title = info.map(|i| i.title.as_str()).unwrap_or(&l.title);
        let category = self.category(l.category_id);
        vec![
            // The public price board's groups: a category from one township, of one listing.
            Group::new(
                Dim::CategoryTownship,
                format!("{}@{county}/{}", category.code, town.unwrap_or("-")),
                town_label,
                town_label,
            ),
            Group::new(
                Dim::CategoryProduct,
                format!("{}@{}", category.code, l.listing_id),
                title,
                title,
            ),
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
            self.seller_kind(part.seller),
            Group::new(Dim::Seller, part.seller.to_string(), seller, seller),
            Group::new(Dim::Product, l.listing_id.to_string(), title, title),
            Group::new(Dim::DestProvince, &province, &province, &province),
            Group::new(Dim::DestCity, format!("{province}/{city}"), &city, &city),
            Group::new(
                Dim::BuyerKind,
                buyer.as_str(),
                buyer.label_zh(),
                buyer.label_en(),
            ),
        ]
    }

    /// The sale an order made, if it was paid: the sub-orders created at checkout (a later
    /// zero-price replacement is an after-sales remedy, not a sale) and their lines.
    pub fn sale(&self, o: &Order, parts: &[Part], lines: &[Line]) -> Option<Sale> {
        let paid_at = o.paid_at?;
        let parts: Vec<&Part> = parts
            .iter()
            .filter(|s| s.order_id == o.id && s.created_at <= paid_at)
            .collect();
        let sale_lines = lines
            .iter()
            .filter_map(|l| {
                let part = parts.iter().find(|s| s.id == l.sub_order_id)?;
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
                    groups: self.groups(o, part, l),
                })
            })
            .collect();
        Some(Sale {
            order_id: o.id,
            buyer: o.buyer,
            paid_at,
            day: shanghai_day(paid_at),
            shipping: parts.iter().map(|s| (s.id, s.shipping_fen)).collect(),
            lines: sale_lines,
        })
    }

    /// The parcel a received sub-order was (any sub-order, replacements included, as the
    /// after-sales figures count them), if it was received.
    pub fn delivery(&self, part: &Part, lines: &[Line], carrier: Option<&str>) -> Option<Delivery> {
        let received = part.received_at?;
        if part.status != SubOrderStatus::Received {
            return None;
        }
        let mut groups = vec![Group::total(), self.seller_kind(part.seller)];
        for l in lines.iter().filter(|l| l.sub_order_id == part.id) {
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
fn destination(o: &Order) -> (String, String) {
    let part = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("未知")
            .to_owned()
    };
    (part(&o.province), part(&o.city))
}

/// One received sub-order's parcel and when it was received (the live path).
pub async fn load_delivery<C: ConnectionTrait>(
    db: &C,
    sub_order: SubOrderId,
) -> Result<Option<(Delivery, DateTime<Utc>)>, DbErr> {
    let Some(p) = orders::parcel(db, sub_order).await? else {
        return Ok(None);
    };
    let lookup = Lookup::load(db, Some(&p.lines), Some(&[p.part.seller])).await?;
    Ok(lookup
        .delivery(&p.part, &p.lines, p.carrier.as_deref())
        .zip(p.part.received_at))
}

/// One order's sale (the live path).
pub async fn load_sale<C: ConnectionTrait>(db: &C, order: OrderId) -> Result<Option<Sale>, DbErr> {
    let Some(r) = orders::order_record(db, order).await? else {
        return Ok(None);
    };
    let sellers: Vec<OrgId> = r.parts.iter().map(|s| s.seller).collect();
    let lookup = Lookup::load(db, Some(&r.lines), Some(&sellers)).await?;
    Ok(lookup.sale(&r.order, &r.parts, &r.lines))
}
