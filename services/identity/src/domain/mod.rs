//! Identity rules as plain types and functions: roles, organisation kinds, the verification
//! and invitation state machines, and the parsing of what people type in.

mod codes;
mod passwords;

pub use codes::{
    CODE_DIGITS, CodePurpose, code_digest, digests_match, new_code, new_code_key, parse_code,
};
pub use passwords::{DEMO_PASSWORD, NewPassword, is_guessable};

use farmgate_kernel::labelled_enum;
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, Phone, Region, Uscc, ValidationErrors};

farmgate_kernel::define_id!(
    /// A login session (one device).
    SessionId
);

farmgate_kernel::define_id!(
    /// An invitation to join an organisation.
    InvitationId
);

labelled_enum!(
    /// A role on the platform itself, held by platform staff and county officials.
    PlatformRole {
        Operator => "operator", "平台运营", "platform operator";
        AfterSalesAgent => "after_sales_agent", "售后客服", "after-sales agent";
        Official => "official", "县级主管部门", "county official";
        /// Confirms offline payments (bank transfers, cash) with the bank's reference: the
        /// only role that can, so nobody who is owed the money can say it arrived.
        Finance => "finance", "平台财务", "platform finance";
    }
);

labelled_enum!(
    /// What kind of organisation this is.
    OrgKind {
        Cooperative => "cooperative", "农民专业合作社", "farmer cooperative";
        FamilyFarm => "family_farm", "家庭农场", "family farm";
        SpecialisedHousehold => "specialised_household", "专业大户", "large specialised household";
        AgriEnterprise => "agri_enterprise", "农业生产企业", "agricultural enterprise";
        PlatformStore => "platform_store", "平台自营", "platform's own store";
        BusinessBuyer => "business_buyer", "采购商", "business buyer";
        /// 检测机构: the county agricultural product quality testing station, a licensed lab.
        /// Registers with its accreditation (CMA / CNAS number); once verified its staff record
        /// third-party tests on any batch. It neither sells nor buys.
        TestingBody => "testing_body", "检测机构", "testing body";
    }
);

impl OrgKind {
    /// Sellers list produce; business buyers buy in bulk; testing bodies test.
    pub fn is_seller(self) -> bool {
        !matches!(self, OrgKind::BusinessBuyer | OrgKind::TestingBody)
    }

    /// A testing body (检测机构), which registers with an accreditation number.
    pub fn is_testing_body(self) -> bool {
        self == OrgKind::TestingBody
    }
}

/// A testing body's accreditation number: its CMA certificate (资质认定证书编号, e.g.
/// `241512050123`) or CNAS accreditation (`CNAS L1234`). Required of a testing body and refused
/// for every other kind. Spaces are dropped and letters upper-cased; 6–40 characters of
/// letters, digits and `-` remain.
pub fn parse_accreditation(
    kind: OrgKind,
    input: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let given = input.map(str::trim).filter(|s| !s.is_empty());
    match (kind.is_testing_body(), given) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(FieldError::new(
            "accreditation_no",
            "not_allowed",
            "只有检测机构填写资质认定编号",
            "only a testing body has an accreditation number",
        )),
        (true, None) => Err(FieldError::new(
            "accreditation_no",
            "required",
            "请填写检验检测机构资质认定（CMA）证书编号或 CNAS 认可编号",
            "enter the lab's CMA certificate or CNAS accreditation number",
        )),
        (true, Some(raw)) => {
            let cleaned: String = raw
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            let ok = (6..=40).contains(&cleaned.chars().count())
                && cleaned
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && cleaned.chars().any(|c| c.is_ascii_digit());
            if ok {
                Ok(Some(cleaned))
            } else {
                Err(FieldError::new(
                    "accreditation_no",
                    "invalid",
                    "资质认定编号应为 6–40 位字母、数字或“-”",
                    "an accreditation number is 6–40 letters, digits or '-'",
                ))
            }
        }
    }
}

labelled_enum!(
    /// A member's role inside one organisation.
    OrgRole {
        Owner => "owner", "负责人", "owner";
        Staff => "staff", "员工", "staff";
        /// A business buyer's purchaser (采购员): orders for the organisation; an order above
        /// the owner's approval limit waits for a manager (issue #22).
        Purchaser => "purchaser", "采购员", "purchaser";
        /// A business buyer's purchasing manager (采购经理): orders without a limit and
        /// approves or rejects purchasers' orders above it.
        Manager => "manager", "采购经理", "purchasing manager";
    }
);

impl OrgRole {
    /// Whether an organisation of `kind` has members in this role: purchasers and managers
    /// belong to business buyers only.
    pub fn fits(self, kind: OrgKind) -> bool {
        match self {
            OrgRole::Owner | OrgRole::Staff => true,
            OrgRole::Purchaser | OrgRole::Manager => kind == OrgKind::BusinessBuyer,
        }
    }

    /// Whether this member of a business buyer decides on orders above the approval limit
    /// (and orders above it without waiting): its owners and managers.
    pub fn approves_purchases(self) -> bool {
        matches!(self, OrgRole::Owner | OrgRole::Manager)
    }
}

/// Refuses a role the organisation's kind does not have (`role`: `not_allowed`).
pub fn check_role_fits(role: OrgRole, kind: OrgKind) -> Result<(), FieldError> {
    if role.fits(kind) {
        Ok(())
    } else {
        Err(FieldError::new(
            "role",
            "not_allowed",
            "只有采购商可以设置采购员和采购经理",
            "only a business buyer has purchasers and purchasing managers",
        ))
    }
}

labelled_enum!(
    /// What kind of business buyer an organisation is (采购端类型, issue #22).
    BuyerKind {
        CommunityShop => "community_shop", "社区店", "community shop";
        Supermarket => "supermarket", "超市", "supermarket";
        HotelRestaurant => "hotel_restaurant", "酒店餐饮", "hotel / restaurant";
        SchoolCanteen => "school_canteen", "学校食堂", "school canteen";
        FactoryCanteen => "factory_canteen", "企业食堂", "factory canteen";
        FarmersMarket => "farmers_market", "农贸市场", "farmers' market";
        Other => "other", "其他", "other";
    }
);

/// The largest approval limit an owner can set: ¥10,000,000.00, far above any order, so a
/// typo cannot overflow a sum.
pub const MAX_APPROVAL_LIMIT_FEN: i64 = 1_000_000_000;

/// An approval limit as the owner typed it: `None` means no approval is ever needed; `0`
/// means every purchaser's order waits; negative or absurd amounts are refused.
pub fn parse_approval_limit(fen: Option<i64>) -> Result<Option<i64>, FieldError> {
    match fen {
        None => Ok(None),
        Some(f) if (0..=MAX_APPROVAL_LIMIT_FEN).contains(&f) => Ok(Some(f)),
        Some(_) => Err(FieldError::new(
            "approval_limit_fen",
            "out_of_range",
            "审批额度应在 0 到 1000 万元之间（单位：分）",
            "the approval limit is between 0 and ¥10,000,000 (in fen)",
        )),
    }
}

labelled_enum!(
    /// Where an organisation stands with the operator.
    OrgStatus {
        Pending => "pending", "待审核", "pending review";
        Verified => "verified", "已认证", "verified";
        Rejected => "rejected", "未通过", "rejected";
    }
);

labelled_enum!(
    AccountStatus {
        Active => "active", "正常", "active";
        Disabled => "disabled", "已停用", "disabled";
        /// Erased on its owner's request: personal fields are gone, the row stays for the
        /// records the law requires.
        Erased => "erased", "已注销", "erased";
    }
);

labelled_enum!(
    /// Where an invitation stands; see [`answer_invitation`].
    InvitationStatus {
        Pending => "pending", "待接受", "pending";
        Accepted => "accepted", "已接受", "accepted";
        Declined => "declined", "已拒绝", "declined";
        Revoked => "revoked", "已撤回", "revoked";
    }
);

labelled_enum!(
    /// An entry in an organisation's verification history.
    ReviewAction {
        Submitted => "submitted", "提交审核", "submitted";
        Resubmitted => "resubmitted", "重新提交", "resubmitted";
        Verified => "verified", "审核通过", "verified";
        Rejected => "rejected", "审核驳回", "rejected";
    }
);

/// What can happen to an organisation's verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Review {
    Verify,
    Reject {
        reason: String,
    },
    /// The owner changed identity facts (name, licence, region), or edited a rejected
    /// organisation: it goes back to the queue.
    Resubmit,
}

/// Why a review move is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("organisation is already verified")]
    AlreadyVerified,
    #[error("organisation is already rejected")]
    AlreadyRejected,
}

/// The verification state machine: the one place that says which moves are legal.
///
/// ```text
///   pending ──verify──▶ verified ──resubmit──▶ pending
///      │                                         ▲
///      └──reject──▶ rejected ──────resubmit──────┘
/// ```
/// A verified organisation can also be rejected (the operator withdraws verification, e.g. a
/// licence found revoked).
pub fn review(
    current: OrgStatus,
    action: &Review,
) -> Result<(OrgStatus, ReviewAction), ReviewError> {
    match (current, action) {
        (OrgStatus::Verified, Review::Verify) => Err(ReviewError::AlreadyVerified),
        (_, Review::Verify) => Ok((OrgStatus::Verified, ReviewAction::Verified)),
        (OrgStatus::Rejected, Review::Reject { .. }) => Err(ReviewError::AlreadyRejected),
        (_, Review::Reject { .. }) => Ok((OrgStatus::Rejected, ReviewAction::Rejected)),
        (_, Review::Resubmit) => Ok((OrgStatus::Pending, ReviewAction::Resubmitted)),
    }
}

/// Filters for the operator's organisation list.
#[derive(Clone, Debug, Default)]
pub struct OrgFilter {
    pub status: Option<OrgStatus>,
    pub kind: Option<OrgKind>,
    /// Matches name or licence number.
    pub q: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Invitations

/// What can happen to an invitation: its addressee accepts or declines it, or the
/// organisation's owner withdraws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationMove {
    Accept,
    Decline,
    Revoke,
}

/// Why an invitation move is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("the invitation is no longer pending: it is {0}")]
    NotPending(InvitationStatus),
}

/// The invitation state machine: the one place that says which moves are legal.
///
/// ```text
///              ┌──accept───▶ accepted
///   pending ───┼──decline──▶ declined
///              └──revoke───▶ revoked
/// ```
/// Only a pending invitation moves; the other three states are final. (Inviting creates a
/// pending invitation; the rules for that — not already a member, not already invited — need
/// the database and live in the use case.)
pub fn answer_invitation(
    current: InvitationStatus,
    action: InvitationMove,
) -> Result<InvitationStatus, InvitationError> {
    match (current, action) {
        (InvitationStatus::Pending, InvitationMove::Accept) => Ok(InvitationStatus::Accepted),
        (InvitationStatus::Pending, InvitationMove::Decline) => Ok(InvitationStatus::Declined),
        (InvitationStatus::Pending, InvitationMove::Revoke) => Ok(InvitationStatus::Revoked),
        (done, _) => Err(InvitationError::NotPending(done)),
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log

farmgate_kernel::wire_enum!(
    /// A privileged action, as the audit log names it.
    AuditAction {
        OrgCreate => "org.create",
        OrgUpdate => "org.update",
        /// A business buyer's owner set its kind or approval limit (issue #22).
        OrgPurchasing => "org.purchasing",
        OrgVerify => "org.verify",
        OrgReject => "org.reject",
        MemberRole => "org.member.role",
        MemberLeave => "org.member.leave",
        MemberRemove => "org.member.remove",
        Invite => "org.invite",
        InviteRevoke => "org.invite.revoke",
        InviteAccept => "org.invite.accept",
        InviteDecline => "org.invite.decline",
        AccountPlatformRole => "account.platform_role",
        AccountDisable => "account.disable",
        AccountProfile => "account.profile",
        PasswordChange => "account.password.change",
        PasswordReset => "account.password.reset",
        PasswordSetup => "account.password.setup",
        PhoneChange => "account.phone.change",
        PhoneVerify => "account.phone.verify",
        DataExport => "account.export",
        AccountErase => "account.erase",
        OperatorCreate => "account.operator.create",
        RestrictionApply => "account.restriction.apply",
        RestrictionLift => "account.restriction.lift",
        WechatBind => "account.wechat.bind",
        WechatUnbind => "account.wechat.unbind",
    }
);

farmgate_kernel::labelled_enum!(
    /// What the operator may restrict a problem customer (劣质客户) from. Applied and lifted
    /// with a reason, audited; the rooms concerned ask `read::restrictions` where it matters.
    RestrictionKind {
        /// A claim must name a photo of the waybill (快递面单) among its photos
        /// (after-sales, when a claim is filed).
        ClaimNeedsWaybillPhoto => "claim_needs_waybill_photo", "售后须附快递面单照片", "claims need a waybill photo";
        /// No offline payment (bank transfer, cash on delivery) at checkout (orders).
        NoOfflinePayment => "no_offline_payment", "不可线下支付或货到付款", "no offline payment or cash on delivery";
    }
);

farmgate_kernel::wire_enum!(
    /// What an audit entry's `target_id` names.
    AuditTarget {
        Organisation => "organisation",
        Account => "account",
    }
);

/// A rejection reason the seller will read: 2–500 characters.
pub fn parse_reason(input: &str) -> Result<String, FieldError> {
    clean_text(input, 2, 500, true).map_err(|e| e.at("reason"))
}

// ---------------------------------------------------------------------------------------------
// Names

/// A person's display name: 1–32 characters.
pub fn parse_display_name(input: &str) -> Result<String, FieldError> {
    clean_text(input, 1, 32, false).map_err(|e| e.at("display_name"))
}

// ---------------------------------------------------------------------------------------------
// Registration

/// A registration, parsed: a name, the phone (proven separately, by a code) and a password.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub display_name: String,
    pub phone: Phone,
    pub password: NewPassword,
}

impl NewAccount {
    pub fn parse(
        display_name: &str,
        phone: &str,
        password: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let display_name = errs.check("display_name", parse_display_name(display_name));
        let phone = if phone.trim().is_empty() {
            errs.push(FieldError::new(
                "phone",
                "required",
                "请填写手机号",
                "enter a phone number",
            ));
            None
        } else {
            errs.check("phone", Phone::parse(phone))
        };
        let password = errs.check("password", NewPassword::parse(password, phone.as_ref()));
        match (display_name, phone, password) {
            (Some(display_name), Some(phone), Some(password)) if errs.is_empty() => Ok(Self {
                display_name,
                phone,
                password,
            }),
            _ => Err(errs),
        }
    }

    /// A demo person with the demo password (which [`NewPassword::parse`] refuses).
    pub fn demo(display_name: &str, phone: &str) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let display_name = errs.check("display_name", parse_display_name(display_name));
        let phone = errs.check("phone", Phone::parse(phone));
        match (display_name, phone) {
            (Some(display_name), Some(phone)) => Ok(Self {
                display_name,
                phone,
                password: NewPassword::demo(),
            }),
            _ => Err(errs),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Organisations

/// The facts an organisation registers with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgFacts {
    pub name: String,
    pub licence_no: Uscc,
    pub region: Region,
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: Phone,
}

/// The raw fields of an organisation form.
#[derive(Clone, Debug, Default)]
pub struct OrgFactsInput<'a> {
    pub name: &'a str,
    pub licence_no: &'a str,
    pub region: Option<&'a RegionInput>,
    pub address: Option<&'a str>,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
}

impl OrgFacts {
    pub fn parse(input: &OrgFactsInput<'_>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check("name", clean_text(input.name, 2, 100, false));
        let licence_no = errs.check("licence_no", Uscc::parse(input.licence_no));
        let region = match input.region {
            Some(r) => match Region::parse(r) {
                Ok(r) => Some(r),
                Err(list) => {
                    for e in list {
                        errs.push(e);
                    }
                    None
                }
            },
            None => {
                errs.push(FieldError::new(
                    "region",
                    "required",
                    "请填写所在地区",
                    "the region is required",
                ));
                None
            }
        };
        let address = errs.check("address", clean_optional_text(input.address, 200, false));
        let contact_name = errs.check("contact_name", clean_text(input.contact_name, 1, 32, false));
        let contact_phone = errs.check("contact_phone", Phone::parse(input.contact_phone));
        match (
            name,
            licence_no,
            region,
            address,
            contact_name,
            contact_phone,
        ) {
            (
                Some(name),
                Some(licence_no),
                Some(region),
                Some(address),
                Some(contact_name),
                Some(contact_phone),
            ) if errs.is_empty() => Ok(Self {
                name,
                licence_no,
                region,
                address,
                contact_name,
                contact_phone,
            }),
            _ => Err(errs),
        }
    }

    /// Whether a change from `self` to `new` touches what the operator verified, which sends
    /// the organisation back to review.
    pub fn needs_review_after(&self, new: &OrgFacts) -> bool {
        self.name != new.name || self.licence_no != new.licence_no || self.region != new.region
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchasers_and_managers_belong_to_business_buyers_only() {
        for kind in OrgKind::ALL {
            assert!(OrgRole::Owner.fits(*kind) && OrgRole::Staff.fits(*kind));
            let buyer = *kind == OrgKind::BusinessBuyer;
            assert_eq!(OrgRole::Purchaser.fits(*kind), buyer, "{kind}");
            assert_eq!(OrgRole::Manager.fits(*kind), buyer, "{kind}");
        }
        assert_eq!(
            check_role_fits(OrgRole::Manager, OrgKind::Cooperative)
                .err()
                .map(|e| e.code),
            Some("not_allowed")
        );
    }

    #[test]
    fn owners_and_managers_approve_purchases_and_purchasers_and_staff_do_not() {
        assert!(OrgRole::Owner.approves_purchases());
        assert!(OrgRole::Manager.approves_purchases());
        assert!(!OrgRole::Purchaser.approves_purchases());
        assert!(!OrgRole::Staff.approves_purchases());
    }

    #[test]
    fn an_approval_limit_is_none_or_between_zero_and_ten_million_yuan() {
        assert_eq!(parse_approval_limit(None), Ok(None));
        assert_eq!(parse_approval_limit(Some(0)), Ok(Some(0)));
        assert_eq!(
            parse_approval_limit(Some(MAX_APPROVAL_LIMIT_FEN)),
            Ok(Some(MAX_APPROVAL_LIMIT_FEN))
        );
        assert!(parse_approval_limit(Some(-1)).is_err());
        assert!(parse_approval_limit(Some(MAX_APPROVAL_LIMIT_FEN + 1)).is_err());
        assert!(parse_approval_limit(Some(i64::MAX)).is_err());
    }

    #[test]
    fn a_pending_org_can_be_verified_or_rejected() {
        assert_eq!(
            review(OrgStatus::Pending, &Review::Verify),
            Ok((OrgStatus::Verified, ReviewAction::Verified))
        );
        let reject = Review::Reject {
            reason: "执照照片模糊".into(),
        };
        assert_eq!(
            review(OrgStatus::Pending, &reject),
            Ok((OrgStatus::Rejected, ReviewAction::Rejected))
        );
    }

    #[test]
    fn verifying_twice_or_rejecting_twice_is_refused() {
        assert_eq!(
            review(OrgStatus::Verified, &Review::Verify),
            Err(ReviewError::AlreadyVerified)
        );
        let reject = Review::Reject { reason: "x".into() };
        assert_eq!(
            review(OrgStatus::Rejected, &reject),
            Err(ReviewError::AlreadyRejected)
        );
    }

    #[test]
    fn a_rejected_or_verified_org_goes_back_to_the_queue_when_resubmitted() {
        for s in [OrgStatus::Rejected, OrgStatus::Verified, OrgStatus::Pending] {
            assert_eq!(
                review(s, &Review::Resubmit),
                Ok((OrgStatus::Pending, ReviewAction::Resubmitted))
            );
        }
    }

    #[test]
    fn a_verified_org_can_lose_its_verification() {
        let reject = Review::Reject {
            reason: "执照已吊销".into(),
        };
        assert_eq!(
            review(OrgStatus::Verified, &reject),
            Ok((OrgStatus::Rejected, ReviewAction::Rejected))
        );
    }

    #[test]
    fn a_pending_invitation_can_be_accepted_declined_or_revoked() {
        use InvitationMove::*;
        use InvitationStatus::*;
        assert_eq!(answer_invitation(Pending, Accept), Ok(Accepted));
        assert_eq!(answer_invitation(Pending, Decline), Ok(Declined));
        assert_eq!(answer_invitation(Pending, Revoke), Ok(Revoked));
    }

    #[test]
    fn an_answered_or_revoked_invitation_does_not_move_again() {
        use InvitationMove::*;
        use InvitationStatus::*;
        for done in [Accepted, Declined, Revoked] {
            for action in [Accept, Decline, Revoke] {
                assert_eq!(
                    answer_invitation(done, action),
                    Err(InvitationError::NotPending(done)),
                    "{done} + {action:?}"
                );
            }
        }
    }

    #[test]
    fn registration_needs_a_phone_and_reports_every_problem() {
        let errs = NewAccount::parse("", "", "short").err().unwrap_or_default();
        let fields: Vec<&str> = errs.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["display_name", "phone", "password"]);
        assert!(NewAccount::parse("王芳", "13800138000", "good-pass-1").is_ok());
        let errs = NewAccount::parse("王芳", "123", "good-pass-1")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.errors().len(), 1, "a bad phone is reported once");
        assert!(NewAccount::parse("王芳", "13800138000", DEMO_PASSWORD).is_err());
        assert!(NewAccount::demo("王芳", "13800138000").is_ok());
    }

    fn facts_input(region: &RegionInput) -> OrgFactsInput<'_> {
        OrgFactsInput {
            name: "青石县梅岭脐橙专业合作社",
            licence_no: "91350100M000100Y43",
            region: Some(region),
            address: Some("梅岭镇茶坑村 3 组"),
            contact_name: "李国强",
            contact_phone: "13800000001",
        }
    }

    fn region(township: &str) -> RegionInput {
        RegionInput {
            province: "江西省".into(),
            city: "赣州市".into(),
            county: "青石县".into(),
            township: Some(township.into()),
            village: None,
        }
    }

    #[test]
    fn organisation_facts_parse_and_report_by_field() {
        let r = region("梅岭镇");
        assert!(OrgFacts::parse(&facts_input(&r)).is_ok());
        let bad = OrgFactsInput {
            licence_no: "123",
            contact_phone: "0797-1234567",
            ..facts_input(&r)
        };
        let errs = OrgFacts::parse(&bad).err().unwrap_or_default();
        let fields: Vec<&str> = errs.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["licence_no", "contact_phone"]);
    }

    #[test]
    fn changing_the_name_licence_or_region_needs_review_but_the_contact_does_not() {
        let (r1, r2) = (region("梅岭镇"), region("桃源乡"));
        let Ok(a) = OrgFacts::parse(&facts_input(&r1)) else {
            panic!("valid facts")
        };
        let Ok(moved) = OrgFacts::parse(&facts_input(&r2)) else {
            panic!("valid facts")
        };
        let Ok(new_contact) = OrgFacts::parse(&OrgFactsInput {
            contact_name: "王芳",
            ..facts_input(&r1)
        }) else {
            panic!("valid facts")
        };
        assert!(a.needs_review_after(&moved));
        assert!(!a.needs_review_after(&new_contact));
    }

    #[test]
    fn only_business_buyers_and_testing_bodies_are_not_sellers() {
        assert!(
            OrgKind::ALL.iter().filter(|k| !k.is_seller()).eq([
                OrgKind::BusinessBuyer,
                OrgKind::TestingBody
            ]
            .iter())
        );
    }

    #[test]
    fn a_testing_body_needs_an_accreditation_number_and_nobody_else_may_give_one() {
        use OrgKind::{Cooperative, TestingBody};
        assert_eq!(
            parse_accreditation(TestingBody, Some(" cnas l1234 ")),
            Ok(Some("CNASL1234".into()))
        );
        assert_eq!(
            parse_accreditation(TestingBody, Some("241512050123")),
            Ok(Some("241512050123".into()))
        );
        let long = "1".repeat(41);
        let code = |k, v| parse_accreditation(k, v).err().map(|e| e.code);
        assert_eq!(code(TestingBody, None), Some("required"));
        assert_eq!(code(TestingBody, Some("  ")), Some("required"));
        assert_eq!(code(TestingBody, Some("<script>")), Some("invalid"));
        assert_eq!(
            code(TestingBody, Some("ABCDEFG")),
            Some("invalid"),
            "no digit"
        );
        assert_eq!(code(TestingBody, Some(long.as_str())), Some("invalid"));
        assert_eq!(code(Cooperative, Some("241512050123")), Some("not_allowed"));
        assert_eq!(parse_accreditation(Cooperative, None), Ok(None));
    }
}
