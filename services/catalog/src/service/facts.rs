//! The facts a seller writes about a listing, parsed over the current ones, and the reviewed
//! facts (title, category, origin) moved between listings and revisions.

use crate::domain::{self, ReviewedFacts};
use crate::store::{listing, revision};
use farmgate_kernel::id::CategoryId;
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{FieldError, Region, ValidationErrors};
use sea_orm::Set;

/// A listing's origin as a region.
pub fn origin_of(l: &listing::Model) -> Region {
    Region {
        province: l.province.clone(),
        city: l.city.clone(),
        county: l.county.clone(),
        township: l.township.clone(),
        village: l.village.clone(),
    }
}

/// The origin a revision proposes.
pub(crate) fn origin_of_revision(r: &revision::Model) -> Region {
    Region {
        province: r.province.clone(),
        city: r.city.clone(),
        county: r.county.clone(),
        township: r.township.clone(),
        village: r.village.clone(),
    }
}

/// What the operator approved and buyers see now.
pub(super) fn reviewed_facts_of(l: &listing::Model) -> ReviewedFacts {
    ReviewedFacts {
        title: l.title.clone(),
        category_id: CategoryId(l.category_id),
        origin: origin_of(l),
        origin_note: l.origin_note.clone(),
    }
}

/// What a revision proposes.
pub(super) fn reviewed_facts_of_revision(r: &revision::Model) -> ReviewedFacts {
    ReviewedFacts {
        title: r.title.clone(),
        category_id: CategoryId(r.category_id),
        origin: origin_of_revision(r),
        origin_note: r.origin_note.clone(),
    }
}

/// Writes reviewed facts onto the listing.
pub(super) fn set_facts(active: &mut listing::ActiveModel, facts: &ReviewedFacts) {
    active.title = Set(facts.title.clone());
    active.category_id = Set(facts.category_id.as_uuid());
    active.province = Set(facts.origin.province.clone());
    active.city = Set(facts.origin.city.clone());
    active.county = Set(facts.origin.county.clone());
    active.township = Set(facts.origin.township.clone());
    active.village = Set(facts.origin.village.clone());
    active.origin_note = Set(facts.origin_note.clone());
}

/// The facts a seller writes about a listing, parsed.
pub(super) struct Facts {
    pub title: String,
    pub description: String,
    pub origin: Region,
    pub origin_note: Option<String>,
    pub season: Option<String>,
    pub storage: Option<String>,
    pub shelf: Option<i32>,
}

/// Raw facts: `Some` is a value to parse (`""` or `0` clears an optional fact), `None` keeps
/// the current value.
pub(super) struct FactsInput<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub origin: Option<&'a RegionInput>,
    pub origin_note: Option<&'a str>,
    pub season: Option<&'a str>,
    pub storage: Option<&'a str>,
    pub shelf_life_days: Option<i64>,
}

/// Parses new facts over the current ones (none for a new listing), reporting every problem,
/// and checks the origin against the seller's county.
pub(super) fn parse_facts(
    f: &FactsInput<'_>,
    current: Option<&listing::Model>,
    seller_region: &Region,
    errs: &mut ValidationErrors,
) -> Option<Facts> {
    let title = match f.title {
        Some(t) => errs.check("title", domain::parse_title(t)),
        None => current.map(|c| c.title.clone()),
    };
    let description = match f.description {
        Some(d) => errs.check("description", domain::parse_description(d)),
        None => Some(current.map(|c| c.description.clone()).unwrap_or_default()),
    };
    let origin = match f.origin {
        Some(o) => parse_region("origin", o, errs),
        None => current.map(origin_of),
    };
    let mut short = |field: &str, value: Option<&str>, max: usize, keep: Option<String>| match value
    {
        Some(v) => errs.check(field, domain::parse_short(field, Some(v), max)),
        None => Some(keep),
    };
    let origin_note = short(
        "origin_note",
        f.origin_note,
        200,
        current.and_then(|c| c.origin_note.clone()),
    );
    let season = short(
        "season",
        f.season,
        40,
        current.and_then(|c| c.season.clone()),
    );
    let storage = short(
        "storage",
        f.storage,
        60,
        current.and_then(|c| c.storage.clone()),
    );
    let shelf = match f.shelf_life_days {
        Some(0) => Some(None),
        Some(d) => errs.check("shelf_life_days", domain::parse_shelf_life(Some(d))),
        None => Some(current.and_then(|c| c.shelf_life_days)),
    };
    if let (Some(o), Some(n)) = (&origin, &origin_note) {
        check_origin(seller_region, o, n.as_deref(), errs);
    }
    Some(Facts {
        title: title?,
        description: description?,
        origin: origin?,
        origin_note: origin_note?,
        season: season?,
        storage: storage?,
        shelf: shelf?,
    })
}

fn parse_region(prefix: &str, input: &RegionInput, errs: &mut ValidationErrors) -> Option<Region> {
    match Region::parse(input) {
        Ok(r) => Some(r),
        Err(list) => {
            for e in list {
                let field = e.field.replacen("region", prefix, 1);
                errs.push(e.at(field));
            }
            None
        }
    }
}

/// The seller's county, as a region that contains everything in it.
fn county_of(seller: &Region) -> Region {
    Region {
        township: None,
        village: None,
        ..seller.clone()
    }
}

/// Checks the origin against the seller's registered county: outside it, a note must explain
/// (e.g. a cooperative member's plot across the county line).
fn check_origin(seller: &Region, origin: &Region, note: Option<&str>, errs: &mut ValidationErrors) {
    if !county_of(seller).contains(origin) && note.is_none_or(|n| n.trim().is_empty()) {
        errs.push(FieldError::new(
            "origin_note",
            "required",
            "产地不在本店注册的县区内，请说明原因",
            "the origin is outside your registered county; please explain",
        ));
    }
}
