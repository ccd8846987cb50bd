//! What goes into a basket: listings weighted by popularity and season (wholesale goods for
//! business buyers), one to four lines from one seller mostly, quantities, and the season's
//! price.

use super::calendar::seasonal;
use super::order::Gen;
use super::products::ListingInfo;
use super::random::{pick, running_total};
use chrono::NaiveDate;
use farmgate_catalog::domain::Tier;
use farmgate_kernel::clock::shanghai;
use rand::Rng;
use std::collections::HashSet;

/// A line being priced.
pub(super) struct Pick {
    pub(super) listing: usize,
    pub(super) sku: usize,
    pub(super) quantity: i64,
}

impl Gen {
    /// Price of a SKU on a day: in season cheaper, out of season dearer, and a little lower
    /// the further back (what is on sale now is the price of the last weeks).
    pub(super) fn price_factor(&self, l: &ListingInfo, date: NaiveDate) -> f64 {
        let back = (self.end.with_timezone(&shanghai()).date_naive() - date).num_days() as f64;
        let season = seasonal(&l.season, date);
        let f = (1.0 - 0.08 * (season - 1.0)).clamp(0.85, 1.15) * (1.0 - 0.04 * back / 365.0);
        let w = (back / 30.0).min(1.0);
        1.0 + w * (f - 1.0)
    }

    /// Weights of every listing on a day (popularity × season), consumers and businesses.
    pub(super) fn listing_weights(&self, date: NaiveDate) -> (Vec<f64>, Vec<f64>) {
        let consumer: Vec<f64> = self
            .cat
            .listings
            .iter()
            .map(|l| l.popularity * seasonal(&l.season, date))
            .collect();
        let business = self
            .cat
            .listings
            .iter()
            .zip(&consumer)
            .map(|(l, w)| {
                let bulk = l.skus.iter().any(|s| !s.tiers.is_empty());
                w.powf(0.7) * if bulk { 4.0 } else { 1.0 }
            })
            .collect();
        (consumer, business)
    }

    pub(super) fn pick_listing_of_seller(
        &mut self,
        seller: usize,
        weights: &[f64],
    ) -> Option<usize> {
        let ls = &self.cat.sellers[seller].listings;
        let prefix = running_total(ls.iter().map(|i| weights[*i]));
        pick(&prefix, &mut self.rng).map(|i| ls[i])
    }

    /// How many: one or two mostly; a business buyer around a wholesale tier.
    pub(super) fn quantity(&mut self, price_fen: i64, tiers: &[Tier], business: bool) -> i64 {
        let r: f64 = self.rng.random();
        if business {
            return match tiers.len() {
                0 => self.rng.random_range(3..25),
                n => {
                    let t = tiers[self.rng.random_range(0..n)].min_quantity.max(1);
                    ((t as f64) * self.rng.random_range(1.0..2.2)).round() as i64
                }
            }
            .clamp(1, 9_999);
        }
        let cheap = price_fen < 2_000;
        match r {
            r if r < 0.70 => 1,
            r if r < 0.90 => 2,
            r if r < 0.96 => 3,
            _ => self.rng.random_range(4..if cheap { 11 } else { 7 }),
        }
    }

    /// The lines of one order: 1–4 lines from one seller mostly, two or three sometimes.
    pub(super) fn basket(&mut self, weights: &[f64], business: bool) -> Vec<Pick> {
        let prefix = running_total(weights.iter().copied());
        let r: f64 = self.rng.random();
        let sellers_wanted = if business {
            if r < 0.8 { 1 } else { 2 }
        } else if r < 0.70 {
            1
        } else if r < 0.97 {
            2
        } else {
            3
        };
        let r: f64 = self.rng.random();
        let lines_wanted: usize = match r {
            r if r < 0.45 => 1,
            r if r < 0.75 => 2,
            r if r < 0.90 => 3,
            _ => 4,
        }
        .max(sellers_wanted);
        let mut sellers: Vec<usize> = Vec::new();
        let mut picks: Vec<Pick> = Vec::new();
        let mut skus_taken: HashSet<(usize, usize)> = HashSet::new();
        // One listing of each seller first (sellers told apart by what they sell).
        for _ in 0..sellers_wanted * 6 {
            if sellers.len() == sellers_wanted {
                break;
            }
            let Some(l) = pick(&prefix, &mut self.rng) else {
                break;
            };
            let seller = self.cat.listings[l].seller;
            if sellers.contains(&seller) {
                continue;
            }
            sellers.push(seller);
            let sku = self.pick_sku(l);
            skus_taken.insert((l, sku));
            picks.push(Pick {
                listing: l,
                sku,
                quantity: 0,
            });
        }
        // More of the same sellers' goods.
        let mut tries = 0;
        while picks.len() < lines_wanted && tries < 12 && !sellers.is_empty() {
            tries += 1;
            let seller = sellers[self.rng.random_range(0..sellers.len())];
            let Some(l) = self.pick_listing_of_seller(seller, weights) else {
                continue;
            };
            let sku = self.pick_sku(l);
            if skus_taken.insert((l, sku)) {
                picks.push(Pick {
                    listing: l,
                    sku,
                    quantity: 0,
                });
            }
        }
        for p in &mut picks {
            let s = &self.cat.listings[p.listing].skus[p.sku];
            let (price, tiers) = (s.price_fen, s.tiers.clone());
            p.quantity = self.quantity(price, &tiers, business);
        }
        picks
    }

    pub(super) fn pick_sku(&mut self, listing: usize) -> usize {
        let n = self.cat.listings[listing].skus.len();
        if n <= 1 || self.rng.random_bool(0.65) {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }
}
