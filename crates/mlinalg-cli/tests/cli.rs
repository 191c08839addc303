//! Integration tests of the `mlinalg` binary (filled in below).
