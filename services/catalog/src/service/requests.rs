//! What requests send to the use cases: new listings, SKUs, categories and their patches.
//! Ids arrive typed; on the wire they are plain UUID strings as before.

use crate::domain::{ImageId, Tier, Unit};
use farmgate_kernel::id::{CategoryId, OrgId, SkuId};
use farmgate_kernel::region::RegionInput;
use serde::Deserialize;

/// Declares a SKU body: the facts every request that sends a SKU sends, between `$first` and
/// `$last` (a whole-listing save adds the SKU's `id` and `active`). One declaration for the
/// same reasons as `listing_body!` below.
macro_rules! sku_body {
    ($(#[$attr:meta])* pub struct $name:ident { $($first:tt)* } then { $($last:tt)* }) => {
        $(#[$attr])*
        #[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($first)*
            /// 规格, e.g. 5斤装.
            pub name: String,
            pub unit: Unit,
            /// Retail price per unit, fen.
            pub price: i64,
            pub stock: i64,
            /// Shipping weight in grams.
            pub weight_grams: i64,
            /// Net weight of the goods in grams (for per-kg prices), when known.
            #[serde(default)]
            pub net_weight_grams: Option<i64>,
            /// Sold by catch weight (按实重，多退少补): the tolerance in per mille (1–200) above
            /// the nominal net weight (`net_weight_grams`, then required) within which a heavier
            /// pack costs nothing extra. Absent or `null`: a fixed weight.
            #[serde(default)]
            pub catch_tolerance_permille: Option<i64>,
            #[serde(default)]
            pub gtin: Option<String>,
            /// Wholesale tiers for verified business buyers.
            #[serde(default)]
            pub tiers: Vec<Tier>,
            $($last)*
        }
    };
}

sku_body! {
    /// A SKU as a request sends it.
    pub struct SkuRequest {} then {}
}

sku_body! {
    /// A SKU in a whole-listing save.
    pub struct SkuSave {
        /// An existing SKU of this listing; absent for a new one.
        #[serde(default)]
        pub id: Option<SkuId>,
    } then {
        /// On sale; absent means yes.
        #[serde(default)]
        pub active: Option<bool>,
    }
}

/// Declares a listing body: the facts the create and the whole save both send, in this order,
/// then `$rest` (the SKUs as each sends them, and the photos). One declaration keeps the two
/// bodies' facts and rules together. `#[serde(flatten)]` of a shared struct would too, but it
/// cannot be combined with `deny_unknown_fields` (an unknown field must stay refused), and the
/// two bodies keep their names in the API document and their `Debug` text (the create's
/// idempotency fingerprint).
macro_rules! listing_body {
    ($(#[$attr:meta])* pub struct $name:ident { $($rest:tt)* }) => {
        $(#[$attr])*
        #[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub category_id: CategoryId,
            pub title: String,
            #[serde(default)]
            pub description: String,
            pub origin: RegionInput,
            /// Required when the origin lies outside the seller's registered county.
            #[serde(default)]
            pub origin_note: Option<String>,
            #[serde(default)]
            pub season: Option<String>,
            #[serde(default)]
            pub storage: Option<String>,
            #[serde(default)]
            pub shelf_life_days: Option<i64>,
            /// Who grew or made it, when not the seller (absent or `null`: the seller itself):
            /// a verified cooperative, family farm, specialised household or agricultural
            /// enterprise (the platform's own store names the producer of what it sells).
            #[serde(default)]
            pub producer_org_id: Option<OrgId>,
            $($rest)*
        }
    };
}

listing_body! {
    /// A new listing as a request sends it.
    pub struct NewListingRequest {
        #[serde(default)]
        pub skus: Vec<SkuRequest>,
        /// Photos uploaded beforehand (`POST /api/v1/orgs/{id}/photos`), in display order (the
        /// first is the cover); at most 9. They are attached in the same transaction.
        #[serde(default)]
        pub photo_ids: Vec<ImageId>,
    }
}

listing_body! {
    /// A whole listing as the editor's one save sends it (`PUT /api/v1/listings/{id}`): every
    /// fact, every SKU and every photo, in order. Absent optional facts are cleared.
    pub struct ListingSave {
        /// The SKUs in display order: with `id`, an existing SKU of this listing (its unit cannot
        /// change); without, a new one. An existing SKU left out stops being sold (SKUs stay, for
        /// the orders that name them).
        #[serde(default)]
        pub skus: Vec<SkuSave>,
        /// The photos in display order: the listing's own, or photos uploaded beforehand. A photo
        /// of the listing left out is removed.
        #[serde(default)]
        pub photo_ids: Vec<ImageId>,
    }
}

/// Changes to a listing; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    pub category_id: Option<CategoryId>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub origin: Option<RegionInput>,
    /// Send `""` to clear.
    pub origin_note: Option<String>,
    /// Send `""` to clear.
    pub season: Option<String>,
    /// Send `""` to clear.
    pub storage: Option<String>,
    /// Send `0` to clear.
    pub shelf_life_days: Option<i64>,
    /// Send the nil id (`00000000-0000-0000-0000-000000000000`) to clear.
    pub producer_org_id: Option<OrgId>,
}

/// Changes to a SKU; absent fields stay as they are. Apply at once and are logged.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuPatch {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub stock: Option<i64>,
    pub weight_grams: Option<i64>,
    /// Send `0` to clear.
    pub net_weight_grams: Option<i64>,
    /// Catch-weight tolerance, 1–200 per mille; send `0` to sell by a fixed weight again.
    pub catch_tolerance_permille: Option<i64>,
    /// Send `""` to clear.
    pub gtin: Option<String>,
    pub tiers: Option<Vec<Tier>>,
    pub active: Option<bool>,
}

/// A new category (operator).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryRequest {
    pub parent_id: Option<CategoryId>,
    pub name: String,
    pub name_en: String,
    pub slug: String,
    #[serde(default)]
    pub sort_order: i32,
    #[serde(default)]
    pub claim_window_hours: Option<i32>,
    #[serde(default)]
    pub commission_bp: Option<i32>,
    /// Hours from payment within which a part sold under this category must ship, 12–240;
    /// absent or `null`: the parent's, else the platform's default.
    #[serde(default)]
    pub ship_within_hours: Option<i32>,
}

/// Changes to a category (operator).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub sort_order: Option<i32>,
    pub active: Option<bool>,
    pub claim_window_hours: Option<i32>,
    pub commission_bp: Option<i32>,
    /// Hours from payment within which a part must ship, 12–240; `null` clears it (the
    /// parent's, else the platform's default, applies again); absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, nullable)]
    pub ship_within_hours: Option<Option<i32>>,
}

/// A field that may be sent as `null` to clear it: present (`Some`, possibly `Some(None)`)
/// versus absent (`None`, from `default`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
