//! Traceability rules, free of HTTP and the database: what a batch must say (its facts and the
//! compliance certificate), which records exist and what each must contain, when a record may
//! be dated, when a harvest is too early after a pesticide, and the batch's lifecycle (the
//! status its records give it and when it may be shipped).

mod batch;
mod certificate;
mod events;
mod lab_check;

pub use batch::{BatchMove, BatchStatus, ShipRefusal, advance, may_ship};
pub use certificate::{
    BatchFacts, COMMITMENTS_EN, COMMITMENTS_ZH, CertificateBasis, CertificateInput, Commitments,
    NewBatchRequest, PlotInput, parse_new_batch,
};
pub use events::{
    EventKind, FUTURE_SLACK_MINUTES, NewEventRequest, PesticideUse, check_safe_interval,
    check_time, parse_event_data, pesticide_uses,
};
pub use lab_check::{
    LabCheckData, LabCheckKind, LabCheckRequest, LabItemInput, LabRef, parse_lab_check,
};
mod verdict;
pub use verdict::{
    AuditFinding, Check, CheckName, FileFinding, Verdict, attachments_check,
    audited_attachments_check, chain_check, commitments_check, head_check,
};
