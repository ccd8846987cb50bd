//! The seam to whoever really issues an invoice. By default the platform issues it itself
//! ([`LocalPdfIssuer`]: the document rendered to PDF here, at once). A deployment connected to
//! its province's e-invoice service (电子发票服务平台 / 数电发票 through a licensed channel)
//! implements [`EInvoiceIssuer`] against that province's protocol, which differs from province
//! to province and is configured per deployment: the service then assigns the number, may
//! answer later (`Pending`, polled with [`EInvoiceIssuer::status`]), and hands the file back as
//! PDF, OFD or both ([`EInvoiceIssuer::fetch`]). Whatever file comes back is stored in our object
//! store with its SHA-256, exactly as the local one.

use crate::domain::document::InvoiceDocument;
use async_trait::async_trait;
use bytes::Bytes;

/// The file formats e-invoices come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Pdf,
    /// 版式文档 (GB/T 33190), the format the tax authority's e-invoices are issued in besides PDF.
    Ofd,
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Ofd => "application/ofd",
        }
    }
}

/// Where a submitted invoice stands at the issuing service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueStatus {
    /// Accepted, not issued yet: ask again later.
    Pending,
    /// Issued under this number.
    Issued { number: String },
    /// Refused by the service, with its reason.
    Failed { reason: String },
}

/// What a submission answered.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The service's reference for the submission (the local issuer uses the invoice number).
    pub external_ref: String,
    pub status: IssueStatus,
    /// The PDF, when the service hands it back at once.
    pub pdf: Option<Bytes>,
}

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// The service could not be reached or answered in a way we cannot read; try again later.
    #[error("the e-invoice service is unavailable: {0}")]
    Unavailable(String),
    /// The service does not offer this (the local issuer keeps no files of its own).
    #[error("not supported by {0}")]
    Unsupported(&'static str),
}

/// An issuer of invoices.
#[async_trait]
pub trait EInvoiceIssuer: Send + Sync + 'static {
    /// Its name, recorded on every invoice it issues (`local`, `prov-xx` …).
    fn name(&self) -> &'static str;
    /// Submits an invoice. The document carries our provisional number; a service that assigns
    /// its own answers it in [`IssueStatus::Issued`].
    async fn submit(&self, doc: &InvoiceDocument) -> Result<Submission, IssuerError>;
    /// Where a submission stands.
    async fn status(&self, external_ref: &str) -> Result<IssueStatus, IssuerError>;
    /// The issued file in `format`.
    async fn fetch(&self, external_ref: &str, format: FileFormat) -> Result<Bytes, IssuerError>;
}

/// The platform issues the invoice itself: the document as a PDF, at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalPdfIssuer;

#[async_trait]
impl EInvoiceIssuer for LocalPdfIssuer {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn submit(&self, doc: &InvoiceDocument) -> Result<Submission, IssuerError> {
        let doc = doc.clone();
        let number = doc.number.clone();
        // PDF generation is CPU work: off the async threads.
        let pdf = tokio::task::spawn_blocking(move || doc.to_pdf())
            .await
            .map_err(|e| IssuerError::Unavailable(format!("rendering the PDF: {e}")))?;
        Ok(Submission {
            external_ref: number.clone(),
            status: IssueStatus::Issued { number },
            pdf: Some(Bytes::from(pdf)),
        })
    }

    async fn status(&self, external_ref: &str) -> Result<IssueStatus, IssuerError> {
        Ok(IssueStatus::Issued {
            number: external_ref.to_owned(),
        })
    }

    async fn fetch(&self, _external_ref: &str, _format: FileFormat) -> Result<Bytes, IssuerError> {
        // The local PDF lives in the object store from the moment it is issued.
        Err(IssuerError::Unsupported("the local issuer"))
    }
}
