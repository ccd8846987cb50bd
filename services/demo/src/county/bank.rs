//! The demo cooperative's settlement account (青石县梅岭脐橙专业合作社), registered by its owner
//! and verified by platform finance through the finance service's own use cases, so a payout
//! batch on the demo has a seller to pay (the order history gives it sub-orders whose
//! after-sales window has closed). The other demo sellers have none: a batch reports them as
//! held. Seeded when the cooperative has no account yet.

use super::people::{Seller, seller_actor};
use farmgate_finance::Finance;
use farmgate_finance::domain::{AccountStatus, Review};
use farmgate_finance::service::{AccountInput, ReviewInput};
use farmgate_identity::Actor;

/// The owner of the demo cooperative that gets a verified account.
pub const COOPERATIVE_OWNER: &str = "13800000001";

/// Registers and verifies the cooperative's account when it has none.
pub(super) async fn seed(
    finance: &Finance,
    staff: &Actor,
    sellers: &[Seller],
) -> anyhow::Result<()> {
    let Some((_, owner, org, kind)) = sellers.iter().find(|(p, ..)| *p == COOPERATIVE_OWNER) else {
        return Ok(());
    };
    let owner = seller_actor(*owner, *org, *kind);
    if finance.account_of(&owner, *org).await?.is_some() {
        return Ok(());
    }
    let account = finance
        .submit_account(
            &owner,
            *org,
            &AccountInput {
                account_name: "青石县梅岭脐橙专业合作社".to_owned(),
                account_no: "6228480388001234567".to_owned(),
                bank_name: "中国农业银行".to_owned(),
                branch: "中国农业银行股份有限公司青石县支行".to_owned(),
                cnaps: Some("103428070015".to_owned()),
                code: None,
            },
        )
        .await?;
    if account.status == AccountStatus::Pending {
        finance
            .review_account(
                staff,
                account.id,
                Review::Verify,
                &ReviewInput {
                    version: account.version,
                    reason: None,
                },
            )
            .await?;
    }
    Ok(())
}
