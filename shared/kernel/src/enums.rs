//! String-backed enums: one declaration gives the wire/stored name of every variant, parsing,
//! display, serde and the OpenAPI schema, so no crate writes an `as_str`/`parse` pair by hand.
//!
//! The stored name is what the database column holds and what JSON carries; it never changes
//! once data exists (a rename is a migration). Stores read columns into these enums once, with
//! `farmgate_infra::stored_enum!` (the sea-orm side lives in infra, so domain code stays free of
//! the database).

/// The stored name was none of the enum's variants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVariant {
    /// The enum's name.
    pub kind: &'static str,
    /// What was read.
    pub value: String,
}

impl std::fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a {}", self.value, self.kind)
    }
}

impl std::error::Error for UnknownVariant {}

/// Declares a string-backed enum.
///
/// ```
/// farmgate_kernel::wire_enum!(
///     /// How a parcel travels.
///     Mode { Road => "road", Rail => "rail" }
/// );
/// assert_eq!(Mode::parse("rail"), Some(Mode::Rail));
/// assert_eq!(Mode::Road.as_str(), "road");
/// assert_eq!("road".parse::<Mode>().ok(), Some(Mode::Road));
/// ```
// The wire name is taken as a `tt`, not a `literal`: a `literal` fragment reaches the derives
// wrapped in an invisible group, which serde reads but utoipa silently ignores, so the OpenAPI
// document would list the variants' Rust names (`OnSale`) instead of the wire names (`on_sale`).
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:tt),+ $(,)? }) => {
        // The derive first: the caller's attributes may be its helpers (`#[schema(as = …)]`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The variant with this stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::enums::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s).ok_or_else(|| $crate::enums::UnknownVariant {
                    kind: stringify!($name),
                    value: s.to_owned(),
                })
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

/// [`wire_enum!`] with a Chinese and an English label per variant, for pages, exports and
/// messages.
///
/// ```
/// farmgate_kernel::labelled_enum!(
///     Size { Small => "small", "小", "small"; Large => "large", "大", "large"; }
/// );
/// assert_eq!(Size::Large.label_zh(), "大");
/// ```
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:tt, $zh:literal, $en:literal;)+ }) => {
        $crate::wire_enum!($(#[$meta])* $name { $($(#[$vmeta])* $variant => $wire),+ });

        impl $name {
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// Both labels.
            pub fn label(self) -> $crate::Msg {
                $crate::Msg::new(self.label_zh(), self.label_en())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::labelled_enum!(
        /// A test enum.
        Colour {
            Red => "red", "红", "red";
            DarkBlue => "dark_blue", "深蓝", "dark blue";
        }
    );

    #[test]
    fn every_variant_round_trips_through_its_stored_name_and_json() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).ok(), Some(*c));
        }
    }

    #[test]
    fn the_openapi_schema_lists_the_wire_names() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Colour::schema()).unwrap_or_default();
        assert_eq!(schema["enum"], serde_json::json!(["red", "dark_blue"]));
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_enum_named() {
        let err = "green".parse::<Colour>().err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("\"green\" is not a Colour")
        );
        assert_eq!(Colour::DarkBlue.label().en, "dark blue");
    }
}
