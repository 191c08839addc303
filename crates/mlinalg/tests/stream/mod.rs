//! `mlinalg::stream`: the mergeable states and their solves, row-block sources and the
//! streamed fits, each checked against the in-memory fit; IncrementalPca against
//! scikit-learn.

mod csv;
mod fits;
mod ipca;
mod parquet;
mod sources;
mod sparse;
mod states;
