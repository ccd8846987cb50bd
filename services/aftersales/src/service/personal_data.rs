//! Aftersales' part of "download my data": the claims the person filed (with their evidence,
//! messages and decisions, as the claimant sees them) and the recall notices sent to them.

use crate::Aftersales;
use crate::http::views::NoticeView;
use async_trait::async_trait;
use farmgate_identity::Actor;
use farmgate_identity::service::{PartError, PersonalDataPart};
use farmgate_kernel::paging::all_pages;
use serde_json::{Value, json};

/// Registered with identity at start (`Identity::add_personal_data_part`).
#[derive(Clone, Debug)]
pub struct AftersalesPersonalData(pub Aftersales);

#[async_trait]
impl PersonalDataPart for AftersalesPersonalData {
    fn name(&self) -> &'static str {
        "aftersales"
    }

    async fn export(&self, actor: &Actor) -> Result<Value, PartError> {
        let claims = all_pages(
            |page| self.0.my_claims(actor, None, page),
            |r| crate::http::claim_view(r, actor),
        )
        .await?;
        let notices: Vec<NoticeView> = self
            .0
            .my_recall_notices(actor)
            .await?
            .iter()
            .map(NoticeView::of)
            .collect();
        Ok(json!({ "claims": claims, "recall_notices": notices }))
    }
}
