//! Typed identifiers. Every id is a UUIDv7: unique across replicas without coordination and
//! roughly time-ordered, so indexes stay compact and lists sort by creation.

/// Declares a newtype id over `uuid::Uuid` with parsing, display and serde.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(u: uuid::Uuid) -> Self {
                Self(u)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

define_id!(
    /// A person's account.
    AccountId
);
define_id!(
    /// An organisation: seller, business buyer or the platform store.
    OrgId
);
define_id!(
    /// A catalogue category.
    CategoryId
);
define_id!(
    /// A listing (商品): one seller's product page.
    ListingId
);
define_id!(
    /// A SKU (规格) of a listing: the thing that has a price and stock.
    SkuId
);
define_id!(
    /// A harvest batch (批次) with its trace record.
    BatchId
);
define_id!(
    /// A buyer's order: what one checkout created.
    OrderId
);
define_id!(
    /// One seller's part of an order, shipped and settled on its own.
    SubOrderId
);
define_id!(
    /// One line of an order: a SKU, a quantity and the price paid.
    OrderLineId
);
define_id!(
    /// A parcel a seller sent.
    ShipmentId
);
define_id!(
    /// A refund recorded against an order.
    RefundId
);
define_id!(
    /// A saved delivery address.
    AddressId
);
define_id!(
    /// A damaged-in-transit claim (理赔).
    ClaimId
);
define_id!(
    /// A batch recall.
    RecallId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print_as_plain_uuids_in_json_and_paths() {
        let id = OrderId::new();
        let text = id.to_string();
        assert_eq!(text.parse::<OrderId>().ok(), Some(id));
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, format!("\"{text}\""));
        assert!("not-a-uuid".parse::<SkuId>().is_err());
    }
}
