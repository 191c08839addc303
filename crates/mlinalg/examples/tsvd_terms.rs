//! Latent semantic analysis: a TruncatedSVD of a sparse term-document matrix (counts of
//! 12 terms in 8 short documents about two topics), computed on the CSR matrix without
//! densifying it, as scikit-learn's `TruncatedSVD` on a `scipy.sparse` matrix.
//!
//!     cargo run -p mlinalg --example tsvd_terms
//!
//! Prints the terms that weigh most in each of the two components, and each document's
//! coordinates: the documents about linear algebra and those about cooking fall on different
//! components.

use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::sparse::CsrMatrix;

const TERMS: [&str; 12] = [
    "matrix",
    "vector",
    "eigenvalue",
    "svd",
    "rank",
    "norm",
    "oven",
    "flour",
    "sugar",
    "bake",
    "butter",
    "recipe",
];

const DOCS: [&str; 8] = [
    "matrix vector matrix rank norm",
    "eigenvalue matrix svd svd",
    "svd rank matrix vector",
    "norm vector vector eigenvalue",
    "flour sugar butter bake",
    "oven bake bake recipe flour",
    "recipe sugar butter oven",
    "bake flour recipe matrix",
];

fn main() -> mlinalg::Result<()> {
    let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    for (d, doc) in DOCS.iter().enumerate() {
        for word in doc.split_whitespace() {
            if let Some(t) = TERMS.iter().position(|t| *t == word) {
                rows.push(d);
                cols.push(t);
                vals.push(1.0); // duplicates are summed: term counts
            }
        }
    }
    let x = CsrMatrix::from_triplets(DOCS.len(), TERMS.len(), &rows, &cols, &vals)?;
    println!(
        "term-document matrix: {} documents × {} terms, {} non-zeros",
        x.nrows(),
        x.ncols(),
        x.nnz()
    );
    let svd = TruncatedSvd::new(2)
        .algorithm(TruncatedSvdAlgorithm::Randomized)
        .fit_sparse(&x)?;
    println!("singular values {:.4}", svd.singular_values());
    println!(
        "explained variance ratio {:.4}",
        svd.explained_variance_ratio()
    );
    for (k, comp) in svd.components().rows().into_iter().enumerate() {
        let mut order: Vec<usize> = (0..TERMS.len()).collect();
        order.sort_by(|&a, &b| comp[b].abs().total_cmp(&comp[a].abs()));
        let top: Vec<String> = order[..4]
            .iter()
            .map(|&t| format!("{} {:+.2}", TERMS[t], comp[t]))
            .collect();
        println!("component {k}: {}", top.join(", "));
    }
    let z = svd.transform_sparse(&x)?;
    for (d, doc) in DOCS.iter().enumerate() {
        println!("  ({:5.2}, {:5.2})  {doc}", z[[d, 0]], z[[d, 1]]);
    }
    Ok(())
}
