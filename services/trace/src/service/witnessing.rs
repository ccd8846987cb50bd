//! Asking the witnesses to cosign a checkpoint (C2SP tlog-witness) before it is published.

use crate::Trace;
use crate::error::Result;
use crate::store::log::checkpoint;
use crate::tlog::Checkpoint;

impl Trace {
    /// Collects cosignatures for a freshly signed checkpoint. Returns the note with every
    /// cosignature appended, whether the quorum was reached, and a line per witness.
    pub(super) async fn witness(
        &self,
        _cp: &Checkpoint,
        note: String,
        _previous: Option<&checkpoint::Model>,
    ) -> Result<(String, bool, String)> {
        let log = self.log();
        if log.witnesses.is_empty() {
            let published = log.quorum == 0;
            return Ok((
                note,
                published,
                "no witnesses configured (quorum 0): published on the log's signature alone"
                    .to_owned(),
            ));
        }
        Ok((note, false, "witnesses not yet implemented".to_owned()))
    }
}
