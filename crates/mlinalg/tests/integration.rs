
mod common;
mod course;
mod linalg;
mod ops;
mod vector;
