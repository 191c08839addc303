//! The crate's tests, one binary: in-process DataFusion (`sql`) and a Ballista cluster of
//! child processes (`ballista`).

mod ballista;
mod common;
mod sql;
