//! Hostile input (issue 11): messages that are safe to print, allocations sized from
//! input that are checked before they are made.

mod escape;
mod fuzz;
