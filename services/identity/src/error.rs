//! Identity's errors: one variant per code a client can match, with its zh-CN and English
//! message here and nowhere else, and how each looks over HTTP.

use crate::domain::ReviewError;
use axum::http::StatusCode;
use farmgate_infra::cache::CacheError;
use farmgate_infra::http::{ApiError, HttpCode};
use farmgate_kernel::{FieldError, Msg, ValidationErrors};
use sea_orm::DbErr;

farmgate_kernel::labelled_enum!(
    /// What a `not_found` answer says is missing.
    Missing {
        Account => "account", "账号", "account";
        Session => "session", "会话", "session";
        Organisation => "organisation", "组织", "organisation";
        Member => "member", "成员", "member";
        PendingInvitation => "pending_invitation", "待接受的邀请", "pending invitation";
        Restriction => "restriction", "生效中的限制", "active restriction";
        SetupLink => "setup_link", "设置链接（可能已使用或已过期）", "setup link (it may be used or expired)";
        WechatBinding => "wechat_binding", "已绑定的微信", "bound WeChat";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum IdentityError {
    /// `validation_failed` (422): the body's `fields` say what to fix.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `invalid_credentials` (401): the same for an unknown login and a wrong password.
    #[error("wrong login or password")]
    InvalidCredentials,
    /// `too_many_attempts` (429).
    #[error("too many attempts; retry after {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// `unauthenticated` (401).
    #[error("not logged in")]
    Unauthenticated,
    /// `account_disabled` (403).
    #[error("account disabled")]
    AccountDisabled,
    /// `forbidden` (403).
    #[error("not allowed")]
    Forbidden,
    /// `read_only` (403): county officials do not write.
    #[error("county officials have read-only access")]
    ReadOnly,
    /// `cross_site_request` (403).
    #[error("cross-site request refused")]
    CrossSite,
    /// `not_found` (404).
    #[error("{0} not found")]
    NotFound(Missing),
    /// `conflict` (409) on field `phone`.
    #[error("phone already taken")]
    PhoneTaken,
    /// `conflict` (409) on field `email`.
    #[error("email already taken")]
    EmailTaken,
    /// `conflict` (409) on field `licence_no`.
    #[error("licence_no already taken")]
    LicenceTaken,
    /// `conflict` (409) on field `login`: the invitee already belongs to the organisation.
    #[error("login already a member")]
    AlreadyMember,
    /// `conflict` (409) on field `login`: an invitation to them already waits.
    #[error("login already invited")]
    AlreadyInvited,
    /// `cannot_demote_self` (409).
    #[error("cannot remove one's own operator role")]
    CannotDemoteSelf,
    /// `cannot_disable_self` (409).
    #[error("cannot disable one's own account")]
    CannotDisableSelf,
    /// `invalid_state` (409).
    #[error("organisation is already verified")]
    OrgAlreadyVerified,
    /// `invalid_state` (409).
    #[error("organisation is already rejected")]
    OrgAlreadyRejected,
    /// `last_owner` (409).
    #[error("an organisation needs at least one owner")]
    LastOwner,
    /// `org_not_verified` (409).
    #[error("organisation not verified")]
    OrgNotVerified,
    /// `server_busy` (503, Retry-After): every password-hashing slot is taken and the queue is
    /// full; come back in a moment.
    #[error("password hashing is saturated; retry after {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    /// `invalid_code` (422, field `code`): the code is wrong; tries are left.
    #[error("wrong code")]
    InvalidCode,
    /// `code_expired` (422, field `code`): no live code for this phone and purpose — expired,
    /// used, out of tries, or never sent. Ask for a new one.
    #[error("no live code")]
    CodeExpired,
    /// `resend_too_soon` (429, Retry-After): a code was just sent to this phone.
    #[error("a code was just sent; retry after {retry_after_secs}s")]
    ResendTooSoon { retry_after_secs: u64 },
    /// `too_many_codes` (429, Retry-After): the phone, the address or the platform has asked
    /// for as many codes as allowed for now.
    #[error("too many codes; retry after {retry_after_secs}s")]
    TooManyCodes { retry_after_secs: u64 },
    /// `sms_undeliverable` (422, field `phone`): the provider says this number cannot receive
    /// text messages.
    #[error("the number cannot receive text messages")]
    SmsUndeliverable,
    /// `sms_unavailable` (503): the text message provider is down or refuses us.
    #[error("sms provider: {0}")]
    SmsUnavailable(String),
    /// `phone_registered` (409): the phone just proven by a code already has an account (only
    /// the phone's holder, who proved it, ever hears this).
    #[error("phone already registered")]
    PhoneRegistered,
    /// `no_account` (404): the phone just proven by a code has no account (only its holder
    /// hears this).
    #[error("no account with this phone")]
    NoAccount,
    /// `phone_not_verified` (403): the account's phone has never been proven by a code.
    #[error("phone not verified")]
    PhoneNotVerified,
    /// `wrong_password` (422, field `current_password`): the current password given to confirm
    /// a change is wrong.
    #[error("wrong current password")]
    WrongPassword,
    /// `password_login_paused` (429, Retry-After): too many wrong passwords for this account
    /// from anywhere; its owner logs in with a code instead.
    #[error("password log-in paused; retry after {retry_after_secs}s")]
    PasswordLoginPaused { retry_after_secs: u64 },
    /// `staff_cannot_erase` (409): platform staff hand back their role before erasing.
    #[error("platform staff cannot erase their account")]
    StaffCannotErase,
    /// `wechat_login_unavailable` (404): log in with WeChat is not configured.
    #[error("wechat log-in not configured")]
    WechatLoginUnavailable,
    /// `wechat_js_unavailable` (404): the WeChat JS-SDK is not configured (no official account).
    #[error("wechat js-sdk not configured")]
    WechatJsUnavailable,
    /// `wechat_refused` (422): WeChat did not accept the authorisation code (used, expired,
    /// from another app).
    #[error("wechat refused the authorisation code")]
    WechatRefused,
    /// `wechat_unavailable` (503): WeChat's API could not be reached.
    #[error("wechat: {0}")]
    WechatUnavailable(String),
    /// `wechat_state` (403): the WeChat round trip was not started in this browser (no state
    /// cookie, or another state): a code carried into another browser signs nobody in.
    #[error("wechat state mismatch")]
    WechatState,
    /// `wechat_bind_expired` (409): no live WeChat ticket in this browser to bind (unknown,
    /// used or older than ten minutes): open the page in WeChat again.
    #[error("no live wechat ticket")]
    WechatBindExpired,
    /// `wechat_already_bound` (409): this WeChat is bound to another account.
    #[error("wechat bound to another account")]
    WechatAlreadyBound,
    /// `account_has_wechat` (409): the account already has another WeChat bound; unbind it
    /// first.
    #[error("account has another wechat")]
    AccountHasWechat,
    /// `internal` (500).
    #[error("database")]
    Db(#[from] DbErr),
    /// `unavailable` (503).
    #[error("cache")]
    Cache(#[from] CacheError),
    /// `internal` (500).
    #[error("password hashing: {0}")]
    Hashing(String),
    /// `internal` (500): another room's part of "download my data" failed.
    #[error("the {part} part of the data export: {message}")]
    ExportPart { part: &'static str, message: String },
}

impl IdentityError {
    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }

    /// The stable code clients match.
    pub fn code(&self) -> &'static str {
        use IdentityError::*;
        match self {
            Invalid(_) => HttpCode::ValidationFailed.code(),
            InvalidCredentials => "invalid_credentials",
            TooManyAttempts { .. } => HttpCode::TooManyAttempts.code(),
            Unauthenticated => HttpCode::Unauthenticated.code(),
            AccountDisabled => "account_disabled",
            Forbidden => HttpCode::Forbidden.code(),
            ReadOnly => "read_only",
            CrossSite => "cross_site_request",
            NotFound(_) => HttpCode::NotFound.code(),
            PhoneTaken | EmailTaken | LicenceTaken | AlreadyMember | AlreadyInvited => "conflict",
            CannotDemoteSelf => "cannot_demote_self",
            CannotDisableSelf => "cannot_disable_self",
            OrgAlreadyVerified | OrgAlreadyRejected => "invalid_state",
            LastOwner => "last_owner",
            OrgNotVerified => "org_not_verified",
            Busy { .. } => "server_busy",
            InvalidCode => "invalid_code",
            CodeExpired => "code_expired",
            ResendTooSoon { .. } => "resend_too_soon",
            TooManyCodes { .. } => "too_many_codes",
            SmsUndeliverable => "sms_undeliverable",
            SmsUnavailable(_) => "sms_unavailable",
            PhoneRegistered => "phone_registered",
            NoAccount => "no_account",
            PhoneNotVerified => "phone_not_verified",
            WrongPassword => "wrong_password",
            PasswordLoginPaused { .. } => "password_login_paused",
            StaffCannotErase => "staff_cannot_erase",
            WechatLoginUnavailable => "wechat_login_unavailable",
            WechatJsUnavailable => "wechat_js_unavailable",
            WechatRefused => "wechat_refused",
            WechatUnavailable(_) => "wechat_unavailable",
            WechatState => "wechat_state",
            WechatBindExpired => "wechat_bind_expired",
            WechatAlreadyBound => "wechat_already_bound",
            AccountHasWechat => "account_has_wechat",
            Db(_) | Hashing(_) | ExportPart { .. } => HttpCode::Internal.code(),
            Cache(_) => HttpCode::Unavailable.code(),
        }
    }

    /// The message of the answer, in both languages. (For the `conflict` variants this is the
    /// generic "check the fields" text; [`IdentityError::taken`] has the field's own.)
    pub fn message(&self) -> Msg {
        use IdentityError::*;
        let (zh, en) = match self {
            Invalid(_) | PhoneTaken | EmailTaken | LicenceTaken | AlreadyMember
            | AlreadyInvited => return HttpCode::ValidationFailed.message(),
            TooManyAttempts { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                return Msg::new(
                    format!("尝试次数过多，请 {minutes} 分钟后再试"),
                    format!("too many attempts; try again in {minutes} minutes"),
                );
            }
            Unauthenticated => return HttpCode::Unauthenticated.message(),
            Forbidden => return HttpCode::Forbidden.message(),
            NotFound(what) => return HttpCode::not_found_for(what.label()),
            Db(_) | Hashing(_) | ExportPart { .. } => return HttpCode::Internal.message(),
            Cache(_) => return HttpCode::Unavailable.message(),
            Busy { .. } => (
                "当前访问人数较多，请稍后再试",
                "we are busy right now; please try again in a moment",
            ),
            ResendTooSoon { retry_after_secs } => {
                return Msg::new(
                    format!("验证码已发送，请 {retry_after_secs} 秒后再重新获取"),
                    format!(
                        "a code was just sent; you can ask again in {retry_after_secs} seconds"
                    ),
                );
            }
            TooManyCodes { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                return Msg::new(
                    format!("获取验证码次数过多，请 {minutes} 分钟后再试"),
                    format!("too many codes asked for; try again in {minutes} minutes"),
                );
            }
            PasswordLoginPaused { .. } => (
                "该账号密码错误次数过多，已暂停密码登录，请使用短信验证码登录",
                "too many wrong passwords for this account: password log-in is paused; log in with a text-message code",
            ),
            InvalidCode => (
                "验证码不正确，请重新输入",
                "the code is not right; please check it and try again",
            ),
            CodeExpired => (
                "验证码已失效，请重新获取",
                "this code is no longer valid; please ask for a new one",
            ),
            SmsUndeliverable => (
                "该号码无法接收短信，请检查手机号",
                "this number cannot receive text messages; please check it",
            ),
            SmsUnavailable(_) => (
                "短信暂时无法发送，请稍后再试",
                "text messages cannot be sent right now; please try again later",
            ),
            PhoneRegistered => (
                "该手机号已注册，请直接登录或找回密码",
                "this phone number already has an account; log in or reset the password",
            ),
            NoAccount => (
                "该手机号还没有注册账户，请先注册",
                "there is no account with this phone number yet; please register",
            ),
            PhoneNotVerified => (
                "请先用短信验证码验证你的手机号",
                "please verify your phone number with a text-message code first",
            ),
            WrongPassword => ("当前密码不正确", "the current password is not right"),
            StaffCannotErase => (
                "平台工作人员需先由其他运营人员取消平台角色，才能注销账户",
                "platform staff must have their platform role removed by another operator before erasing the account",
            ),
            InvalidCredentials => ("账号或密码错误", "wrong login or password"),
            AccountDisabled => (
                "该账号已停用，请联系平台客服",
                "this account is disabled; please contact the platform",
            ),
            ReadOnly => (
                "县级主管部门账号为只读，不能修改数据",
                "county official accounts are read-only",
            ),
            CrossSite => ("请求来源不被允许", "cross-site requests are not allowed"),
            CannotDemoteSelf => (
                "不能取消自己的运营权限，请让另一位运营人员操作",
                "you cannot remove your own operator role; ask another operator",
            ),
            CannotDisableSelf => ("不能停用自己的账号", "you cannot disable your own account"),
            OrgAlreadyVerified => ("该组织已通过认证", "this organisation is already verified"),
            OrgAlreadyRejected => ("该组织已被驳回", "this organisation is already rejected"),
            LastOwner => (
                "组织至少需要一位负责人，请先指定另一位负责人",
                "an organisation needs at least one owner; make someone else owner first",
            ),
            OrgNotVerified => (
                "该组织尚未通过平台认证，暂不能销售",
                "this organisation is not verified yet and cannot sell",
            ),
            WechatLoginUnavailable => (
                "本站暂未开通微信登录，请用手机号登录",
                "log in with WeChat is not offered here; log in with your phone",
            ),
            WechatJsUnavailable => (
                "本站暂未开通微信分享与地址导入",
                "WeChat sharing and address import are not offered here",
            ),
            WechatRefused => (
                "微信授权未通过，请重新用微信打开",
                "WeChat did not accept the authorisation; open the page in WeChat again",
            ),
            WechatUnavailable(_) => (
                "暂时无法连接微信，请稍后再试或用手机号登录",
                "WeChat cannot be reached right now; try again later or log in with your phone",
            ),
            WechatState => (
                "微信登录未在本浏览器中开始，请重新点击“微信一键登录”",
                "this WeChat log-in was not started in this browser; start it again",
            ),
            WechatBindExpired => (
                "微信授权已过期，请重新用微信打开本页",
                "the WeChat authorisation has expired; open this page in WeChat again",
            ),
            WechatAlreadyBound => (
                "该微信已绑定其他账号，请用那个账号登录",
                "this WeChat is bound to another account; log in to that one",
            ),
            AccountHasWechat => (
                "该账号已绑定另一个微信，请先在“我的账户”中解绑",
                "this account already has another WeChat bound; unbind it in your account first",
            ),
        };
        Msg::new(zh, en)
    }

    /// For the `conflict` variants: the field that is taken and what to tell its owner.
    pub fn taken(&self) -> Option<(&'static str, Msg)> {
        use IdentityError::*;
        let (field, zh, en) = match self {
            PhoneTaken => (
                "phone",
                "该手机号已注册，请直接登录",
                "this phone number is already registered; please log in",
            ),
            EmailTaken => (
                "email",
                "该邮箱已注册，请直接登录",
                "this e-mail address is already registered; please log in",
            ),
            LicenceTaken => (
                "licence_no",
                "该统一社会信用代码已被其他组织登记",
                "another organisation is registered with this licence number",
            ),
            AlreadyMember => (
                "login",
                "此人已是本组织成员",
                "this person is already a member",
            ),
            AlreadyInvited => (
                "login",
                "已向此人发出邀请，等待对方接受",
                "an invitation to this person is already waiting",
            ),
            _ => return None,
        };
        Some((field, Msg::new(zh, en)))
    }

    fn status(&self) -> StatusCode {
        use IdentityError::*;
        match self {
            Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            InvalidCredentials | Unauthenticated => StatusCode::UNAUTHORIZED,
            TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AccountDisabled | Forbidden | ReadOnly | CrossSite => StatusCode::FORBIDDEN,
            NotFound(_) => StatusCode::NOT_FOUND,
            PhoneTaken | EmailTaken | LicenceTaken | AlreadyMember | AlreadyInvited
            | CannotDemoteSelf | CannotDisableSelf | OrgAlreadyVerified | OrgAlreadyRejected
            | LastOwner | OrgNotVerified => StatusCode::CONFLICT,
            Db(_) | Hashing(_) | ExportPart { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Cache(_) | Busy { .. } | SmsUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            InvalidCode | CodeExpired | SmsUndeliverable | WrongPassword => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ResendTooSoon { .. } | TooManyCodes { .. } | PasswordLoginPaused { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            PhoneRegistered | StaffCannotErase => StatusCode::CONFLICT,
            NoAccount => StatusCode::NOT_FOUND,
            PhoneNotVerified => StatusCode::FORBIDDEN,
            WechatLoginUnavailable | WechatJsUnavailable => StatusCode::NOT_FOUND,
            WechatRefused => StatusCode::UNPROCESSABLE_ENTITY,
            WechatState => StatusCode::FORBIDDEN,
            WechatUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WechatBindExpired | WechatAlreadyBound | AccountHasWechat => StatusCode::CONFLICT,
        }
    }

    /// Seconds to send as `Retry-After`, for the answers that carry one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        use IdentityError::*;
        match self {
            TooManyAttempts { retry_after_secs }
            | Busy { retry_after_secs }
            | ResendTooSoon { retry_after_secs }
            | TooManyCodes { retry_after_secs }
            | PasswordLoginPaused { retry_after_secs } => Some(*retry_after_secs),
            SmsUnavailable(_) | WechatUnavailable(_) => Some(60),
            _ => None,
        }
    }

    /// For the variants about one field (a code, a phone, the current password): the field and
    /// its stable code, so the page shows the message next to that input.
    fn field_of(&self) -> Option<&'static str> {
        use IdentityError::*;
        match self {
            InvalidCode | CodeExpired => Some("code"),
            SmsUndeliverable => Some("phone"),
            WrongPassword => Some("current_password"),
            _ => None,
        }
    }

    /// One value of every variant, for the catalogue test and the OpenAPI check.
    pub fn examples() -> Vec<Self> {
        use IdentityError::*;
        vec![
            Invalid(FieldError::new("login", "required", "请填写账号", "enter your login").into()),
            InvalidCredentials,
            TooManyAttempts {
                retry_after_secs: 90,
            },
            Unauthenticated,
            AccountDisabled,
            Forbidden,
            ReadOnly,
            CrossSite,
            NotFound(Missing::PendingInvitation),
            PhoneTaken,
            EmailTaken,
            LicenceTaken,
            AlreadyMember,
            AlreadyInvited,
            CannotDemoteSelf,
            CannotDisableSelf,
            OrgAlreadyVerified,
            OrgAlreadyRejected,
            LastOwner,
            OrgNotVerified,
            Busy {
                retry_after_secs: 5,
            },
            InvalidCode,
            CodeExpired,
            ResendTooSoon {
                retry_after_secs: 42,
            },
            TooManyCodes {
                retry_after_secs: 3600,
            },
            SmsUndeliverable,
            SmsUnavailable("example".into()),
            PhoneRegistered,
            NoAccount,
            PhoneNotVerified,
            WrongPassword,
            PasswordLoginPaused {
                retry_after_secs: 900,
            },
            StaffCannotErase,
            WechatLoginUnavailable,
            WechatJsUnavailable,
            WechatRefused,
            WechatUnavailable("example".into()),
            WechatState,
            WechatBindExpired,
            WechatAlreadyBound,
            AccountHasWechat,
            Db(DbErr::Custom("example".into())),
            Cache(CacheError::NotACounter("example".into())),
            Hashing("example".into()),
            ExportPart {
                part: "orders",
                message: "example".into(),
            },
        ]
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        let status = e.status();
        if let Some((field, msg)) = e.taken() {
            let mut err = ApiError::validation(FieldError::new(field, "taken", msg.zh, msg.en));
            err.status = status;
            err.code = e.code().into();
            return err;
        }
        let retry_after = e.retry_after_secs();
        let mut err = match e {
            IdentityError::Invalid(errs) => ApiError::validation(errs),
            IdentityError::TooManyAttempts { retry_after_secs } => {
                ApiError::too_many(retry_after_secs)
            }
            e @ (IdentityError::Db(_)
            | IdentityError::Hashing(_)
            | IdentityError::ExportPart { .. }) => ApiError::internal(e),
            e @ IdentityError::Cache(_) => ApiError::unavailable(e),
            e => {
                let msg = e.message();
                let mut err = ApiError::new(status, e.code(), msg.zh.clone(), msg.en.clone());
                if let Some(field) = e.field_of() {
                    err.fields = Some(Box::new(
                        FieldError::new(field, e.code(), msg.zh, msg.en).into(),
                    ));
                }
                if matches!(e, IdentityError::SmsUnavailable(_)) {
                    err = err.with_source(e);
                }
                err
            }
        };
        if err.retry_after_secs.is_none() {
            err.retry_after_secs = retry_after;
        }
        err
    }
}

impl From<ReviewError> for IdentityError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::AlreadyVerified => IdentityError::OrgAlreadyVerified,
            ReviewError::AlreadyRejected => IdentityError::OrgAlreadyRejected,
        }
    }
}

pub type Result<T, E = IdentityError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    farmgate_infra::error_catalogue_tests!(IdentityError, IdentityErrorDiscriminants);

    #[test]
    fn each_answer_carries_the_status_code_and_message_of_its_variant() {
        for e in IdentityError::examples() {
            let (code, status, msg) = (e.code(), e.status(), e.message());
            let api = ApiError::from(e);
            assert_eq!(api.code, code);
            assert_eq!(api.status, status, "{code}");
            assert_eq!(*api.message, msg, "{code}");
        }
    }

    #[test]
    fn a_taken_field_is_a_409_conflict_naming_the_field() {
        let api = ApiError::from(IdentityError::LicenceTaken);
        assert_eq!(api.status, StatusCode::CONFLICT);
        assert_eq!(api.code, "conflict");
        let fields = api
            .fields
            .map(|f| f.by_field(farmgate_kernel::error::Lang::En));
        assert_eq!(
            fields.and_then(|f| f.get("licence_no").cloned()).as_deref(),
            Some("another organisation is registered with this licence number")
        );
    }

    #[test]
    fn not_found_names_what_is_missing() {
        let api = ApiError::from(IdentityError::NotFound(Missing::PendingInvitation));
        assert_eq!(api.message.zh, "待接受的邀请不存在");
        assert_eq!(api.message.en, "pending invitation not found");
    }
}
