
mod common;
mod course;
mod linalg;
mod ops;
mod vector;
mod io;
mod sparse;
mod decomposition;
mod linear_model;
mod nn;
