//! Where a seller's price sits in its category's distribution over the last 30 days (the
//! listing editor's line): the quartiles and the shares of the quantity sold cheaper and
//! dearer — only for a category the public board shows (five buyers or more), and only to
//! sellers (and the operator), who price against it.

use crate::Stats;
use crate::domain::{BoardPrice, Dim, Position, board_price, per_jin, position, shown};
use crate::error::{Result, StatsError};
use crate::store::{buyers, keys, prices};
use chrono::{Duration, NaiveDate};
use farmgate_identity::Actor;
use serde::Serialize;
use utoipa::ToSchema;

/// How a price is given: per kg, per 斤 (half a kg) or per sold unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    Kg,
    Jin,
    Unit(&'static str),
}

impl Per {
    pub fn parse(s: &str) -> Option<Per> {
        match s {
            "kg" => Some(Per::Kg),
            "jin" => Some(Per::Jin),
            "box" => Some(Per::Unit("box")),
            "bag" => Some(Per::Unit("bag")),
            "piece" => Some(Per::Unit("piece")),
            _ => None,
        }
    }

    /// The price in the board's basis: fen per kg for a weight, else per the unit.
    fn basis_price(self, fen: i64) -> (&'static str, i64) {
        match self {
            Per::Kg => ("kg", fen),
            Per::Jin => ("kg", fen.saturating_mul(2)),
            Per::Unit(u) => (u, fen),
        }
    }
}

/// A seller's price against its category's last 30 days.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct PricePosition {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Five buyers or more over the period; otherwise nothing else is given.
    pub published: bool,
    /// Whether the price is per the same basis as the category's (kg, or the sold unit).
    pub comparable: bool,
    /// The price asked about, in the category's basis (fen per kg when given per 斤).
    pub price_fen: i64,
    /// The category's prices over the period.
    pub period: Option<BoardPrice>,
    pub position: Option<Position>,
    /// The quartiles per 斤, when the basis is kg (half up).
    pub p25_per_jin_fen: Option<i64>,
    pub p75_per_jin_fen: Option<i64>,
}

/// Sellers (members of a selling organisation) and the operator.
fn require_seller(actor: &Actor) -> Result<()> {
    if actor.is_operator() || actor.memberships.iter().any(|m| m.org_kind.is_seller()) {
        Ok(())
    } else {
        Err(StatsError::Forbidden)
    }
}

impl Stats {
    /// Where `price` (given `per`) sits in the category's last 30 days.
    #[tracing::instrument(skip_all, fields(category = code))]
    pub async fn price_position(
        &self,
        actor: &Actor,
        code: &str,
        price: i64,
        per: Per,
    ) -> Result<PricePosition> {
        require_seller(actor)?;
        let c = self.read();
        let to = self.today();
        let from = to - Duration::days(29);
        let (basis, price_fen) = per.basis_price(price);
        let mut out = PricePosition {
            key: code.to_owned(),
            label: String::new(),
            label_en: String::new(),
            from,
            to,
            published: false,
            comparable: false,
            price_fen,
            period: None,
            position: None,
            p25_per_jin_fen: None,
            p75_per_jin_fen: None,
        };
        let Some(k) = keys::key(c, Dim::Category, code).await? else {
            let known = match code.parse() {
                Ok(id) => farmgate_catalog::read::stats::category_exists(c, id).await?,
                Err(_) => false,
            };
            return if known {
                Ok(out)
            } else {
                Err(StatsError::NotFound)
            };
        };
        out.label = k.label.clone();
        out.label_en = k.label_en.clone();
        let buyers = buyers::distinct(c, &[k.id], from, to).await?;
        if !shown(buyers.get(&k.id).copied().unwrap_or(0)) {
            return Ok(out);
        }
        let mut points = prices::points_of(c, &[k.id], from, to).await?;
        // The category's basis: the one most lines were sold in (as the board's).
        let mut best: Option<(String, BoardPrice)> = None;
        for ((_, b), pts) in &mut points {
            if let Some(p) = board_price(b, pts)
                && best.as_ref().is_none_or(|(_, x)| x.lines < p.lines)
            {
                best = Some((b.clone(), p));
            }
        }
        let Some((cat_basis, period)) = best else {
            return Ok(out);
        };
        out.published = true;
        out.comparable = cat_basis == basis;
        if out.comparable
            && let Some(pts) = points.get_mut(&(k.id, cat_basis.clone()))
        {
            out.position = position(pts, price_fen);
        }
        if cat_basis == "kg" {
            out.p25_per_jin_fen = out.position.map(|p| per_jin(p.p25_fen));
            out.p75_per_jin_fen = out.position.map(|p| per_jin(p.p75_fen));
        }
        out.period = Some(period);
        Ok(out)
    }
}
