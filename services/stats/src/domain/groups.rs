//! The groups figures are kept for: a dimension and a key within it.

farmgate_kernel::wire_enum!(
    /// What the figures can be broken down by (besides time). The stored name is the
    /// `stats_keys.dim` column and the `by` / filter parameter names.
    #[derive(PartialOrd, Ord)]
    Dim {
        Total => "total",
        Township => "township",
        Village => "village",
        Category => "category",
        CategoryRoot => "category_root",
        SellerKind => "seller_kind",
        Seller => "seller",
        Product => "product",
        DestProvince => "dest_province",
        DestCity => "dest_city",
        BuyerKind => "buyer_kind",
        /// Only for parcels delivered (after-sales figures).
        Carrier => "carrier",
        /// A category's sales from one township (code `<category>@<county>/<township>`): the
        /// public price board's "by township". Not a `by` of the officials' views.
        CategoryTownship => "category_township",
        /// A category's sales of one listing (code `<category>@<listing>`): the public price
        /// board's products. Not a `by` of the officials' views.
        CategoryProduct => "category_product",
    }
);

impl Dim {
    /// Dimensions with many groups: only the top ones are listed.
    pub fn is_ranked(self) -> bool {
        matches!(self, Dim::Seller | Dim::Product)
    }

    /// Kept only for the public price board (category × township, category × product).
    pub fn is_board_only(self) -> bool {
        matches!(self, Dim::CategoryTownship | Dim::CategoryProduct)
    }
}

farmgate_kernel::labelled_enum!(
    /// Who bought: a person, or a business buying for its organisation.
    BuyerKind {
        Consumer => "consumer", "个人消费者", "Consumers";
        Business => "business", "企业采购", "Business buyers";
    }
);

/// One group: a dimension and the key within it, with what people read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    pub dim: Dim,
    pub code: String,
    pub label: String,
    pub label_en: String,
}

impl Group {
    pub fn new(
        dim: Dim,
        code: impl Into<String>,
        label: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            dim,
            code: code.into(),
            label: label.into(),
            label_en: en.into(),
        }
    }

    pub fn total() -> Self {
        Group::new(Dim::Total, "all", "全部", "All")
    }

    /// The identity of the group (labels may change, the key does not).
    pub fn id(&self) -> (Dim, &str) {
        (self.dim, self.code.as_str())
    }
}

/// The sold units, in the order of the quantity columns.
pub const UNITS: [&str; 5] = ["jin", "kg", "box", "bag", "piece"];
