//! Finance's rules as plain types and functions: the settlement account (parsing, masking,
//! the review machine) and the payout (its state machine, the period a batch pays, batch
//! numbers, yuan for the bank) and what a failed payout does to the adjustments recorded while
//! it held its sub-orders. No HTTP, no database.

pub mod account;
pub mod adjustment;
pub mod payout;

pub use account::{
    AccountAction, AccountStatus, BankAccount, BankAccountInput, NotPending, Review,
    mask_account_no, review,
};
pub use adjustment::{AdjustmentKind, Held, OnFailure, on_failure};
pub use payout::{
    IllegalSettle, Outcome, PayoutStatus, Settle, batch_number, cutoff, parse_reason,
    parse_reference, payout_purpose, purpose, settle, yuan,
};

use farmgate_kernel::define_id;

define_id!(
    /// A seller's settlement bank account.
    BankAccountId
);
define_id!(
    /// A payout batch: one run of payouts finance exports for the bank.
    PayoutBatchId
);
define_id!(
    /// One seller's payout in a batch.
    PayoutId
);
