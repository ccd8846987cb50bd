//! What invoicing (`farmgate-invoicing`) needs to know about an organisation.
//!
//! Who: requesting and issuing an invoice (发票). Why: the buyer's invoice title and tax number
//! default from, and must match, the business buyer organisation's name and unified social
//! credit code (its licence number, checked against GB 32100 when it was registered); the
//! seller printed on the invoice is the selling organisation's name and credit code; and an
//! invoice for goods the platform sells itself (its own store) is issued by platform finance.
//! Organisation facts only: no person is read.

use crate::domain::{OrgKind, OrgStatus};
use crate::store::organisation;
use farmgate_kernel::id::OrgId;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// An organisation as an invoice names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceParty {
    pub id: OrgId,
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub name: String,
    /// The unified social credit code (统一社会信用代码), as registered.
    pub credit_code: String,
    /// The registered address, when the organisation gave one.
    pub address: Option<String>,
}

impl InvoiceParty {
    /// A verified business buyer: may ask for invoices.
    pub fn is_verified_business_buyer(&self) -> bool {
        self.kind == OrgKind::BusinessBuyer && self.status == OrgStatus::Verified
    }

    /// The platform's own store (平台自营): its invoices are issued by platform finance.
    pub fn is_platform_store(&self) -> bool {
        self.kind == OrgKind::PlatformStore
    }
}

/// An organisation's invoice facts; `None` when there is no such organisation.
pub async fn invoice_party(
    conn: &impl ConnectionTrait,
    id: OrgId,
) -> Result<Option<InvoiceParty>, DbErr> {
    Ok(organisation::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .map(|o| InvoiceParty {
            id: OrgId(o.id),
            kind: o.kind,
            status: o.status,
            name: o.name,
            credit_code: o.licence_no,
            address: o.address,
        }))
}
