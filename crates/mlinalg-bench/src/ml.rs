//! The scikit-learn / sparse ops of the baseline: PCA, TruncatedSVD on CSR, CSR @ dense (float64
//! and float32).

use std::cell::OnceCell;
use std::hint::black_box;
use std::rc::Rc;

use mlinalg::decomposition::{Pca, TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::random::Rng;
use mlinalg::sparse::CsrMatrix;
use serde_json::json;

use crate::cases::{Case, SPARSE_DENSITY, case, run};
use crate::inputs::{rand, rng_for, sparse_random_triplets};

/// `scipy.sparse.random(m, k, density=0.001, format="csr")`, built once per size and shared
/// by the two sparse ops (as the baseline builds `sp` once).
fn sparse(m: usize, k: usize) -> mlinalg::Result<CsrMatrix> {
    let (rows, cols, vals) =
        sparse_random_triplets(&mut rng_for("csr_random"), m, k, SPARSE_DENSITY);
    CsrMatrix::from_triplets(m, k, &rows, &cols, &vals)
}

/// Appends the PCA and sparse ops with the baseline's sizes.
pub fn cases(pca: (usize, usize), sp: (usize, usize), v: &mut Vec<Case>) {
    let (pm, pk) = pca;
    v.push(case(
        format!("pca10_{pm}x{pk}"),
        json!([pm, pk]),
        None,
        move |r: &mut Rng| {
            let x = rand(r, pm, pk);
            run(move || {
                black_box(Pca::new(Some(10)).seed(0).fit_transform(x.view())?);
                Ok(())
            })
        },
    ));

    let (m, k) = sp;
    // one matrix for both ops, built lazily by whichever runs first
    let shared: Rc<OnceCell<Rc<CsrMatrix>>> = Rc::default();
    let get = move |cell: &OnceCell<Rc<CsrMatrix>>| -> mlinalg::Result<Rc<CsrMatrix>> {
        if let Some(a) = cell.get() {
            return Ok(Rc::clone(a));
        }
        let a = Rc::new(sparse(m, k)?);
        Ok(Rc::clone(cell.get_or_init(|| a)))
    };

    let cell = Rc::clone(&shared);
    v.push(case(
        format!("truncsvd50_csr_{m}x{k}"),
        json!([m, k]),
        None,
        move |_| {
            let a = get(&cell)?;
            run(move || {
                // scikit-learn's fit_transform
                let fitted = TruncatedSvd::new(50)
                    .algorithm(TruncatedSvdAlgorithm::Randomized)
                    .n_iter(5)
                    .seed(0)
                    .fit_transform_sparse(&a)?;
                black_box(fitted);
                Ok(())
            })
        },
    ));

    // nnz is fixed by the size: round(density · m · k), as scipy.sparse.random
    let nnz = (SPARSE_DENSITY * (m * k) as f64).round();
    let name = format!("csr_matmul_dense_{m}x{k}_x64");
    let cell = Rc::clone(&shared);
    v.push(case(
        name,
        json!([m, k, 64]),
        Some(2.0 * nnz * 64.0),
        move |r| {
            let a = get(&cell)?;
            let d = rand(r, k, 64);
            run(move || {
                black_box(a.dot_dense(d.view())?);
                Ok(())
            })
        },
    ));

    // issue 12: the same product in float32 (scipy `sp.astype(np.float32) @ d32`), the
    // CSR kernels' f32 path
    let name = format!("csr_matmul_dense_f32_{m}x{k}_x64");
    let cell = Rc::clone(&shared);
    v.push(case(
        name,
        json!([m, k, 64]),
        Some(2.0 * nnz * 64.0),
        move |r| {
            let a = get(&cell)?.astype::<f32>();
            let d = rand(r, k, 64).mapv(|x| x as f32);
            run(move || {
                black_box(a.dot_dense(d.view())?);
                Ok(())
            })
        },
    ));
}
