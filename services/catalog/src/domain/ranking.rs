//! Ranking signals the catalogue keeps per seller for search (#20, #21). Today one: the shop
//! credit level statistics computes by its published rule (`/credit.html`). The catalogue keeps
//! its own copy (table `seller_ranking_signals`) so that building a search document never
//! asks another room, and turns the level into the bounded tiebreak the engines use
//! ([`farmgate_infra::search::RANKING`]).

farmgate_kernel::wire_enum!(
    /// A seller's shop credit level as search uses it (the same words stats publishes).
    #[derive(Default)]
    CreditSignal {
        /// Too few orders to judge, or not judged yet: neutral.
        #[default]
        New => "new",
        A => "a",
        B => "b",
        C => "c",
        D => "d",
    }
);

impl CreditSignal {
    /// The number the search documents carry: A +2, B +1, new 0, C −1, D −2.
    pub fn rank(self) -> i64 {
        farmgate_infra::search::credit_rank(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn better_credit_ranks_higher_and_a_new_shop_is_neutral() {
        let ranks: Vec<i64> = [
            CreditSignal::A,
            CreditSignal::B,
            CreditSignal::New,
            CreditSignal::C,
            CreditSignal::D,
        ]
        .into_iter()
        .map(CreditSignal::rank)
        .collect();
        assert_eq!(ranks, [2, 1, 0, -1, -2]);
        assert_eq!(CreditSignal::default(), CreditSignal::New);
        assert_eq!(CreditSignal::parse("b"), Some(CreditSignal::B));
        assert_eq!(CreditSignal::parse("e"), None);
    }
}
