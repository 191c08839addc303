//! `mlinalg::stream`: the mergeable states and their solves, row-block sources and the
//! streamed fits, each checked against the in-memory fit.

mod states;
