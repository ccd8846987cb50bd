//! Adapter contract suites: one suite per trait, run against every implementation present.
