#!/usr/bin/env python3
"""Writes the small input files that the examples of docs/cli.md and README.md use.

    python3 scripts/docs_examples.py

Writes into docs/examples/ (committed, a few kB): run the documented commands from that
folder to reproduce them. The test `docs` of the mlinalg-cli crate copies the folder into a
temporary directory and runs every ```console block of docs/cli.md and README.md there, so
the files must stay small and their values fixed (seeded).
"""
import os

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "docs", "examples")
rng = np.random.default_rng(20261206)


def save(name, a):
    np.save(os.path.join(OUT, name), a)


def main():
    os.makedirs(OUT, exist_ok=True)
    # 20 samples of 4 features with decreasing spread: a samples x features matrix for PCA
    samples = rng.standard_normal((20, 4)) * np.array([4.0, 1.0, 0.5, 0.1])
    samples[:, 1] += 0.5 * samples[:, 0]
    save("samples.npy", samples.round(3))
    # 10 new samples of the same 4 features (to apply a saved model to)
    save("new_samples.npy", (rng.standard_normal((10, 4)) * np.array([4.0, 1.0, 0.5, 0.1])).round(3))
    # a 6 x 3 matrix for svd, qr, lstsq
    save("a.npy", np.array([[2.0, -1, 0], [1, 3, 1], [0, 1, 4], [1, 0, 1], [3, 1, -2], [-1, 2, 1]]))
    save("b.npy", np.array([1.0, 2, 3, 4, 5, 6]))
    # square matrices
    save("sq.npy", np.array([[4.0, 1, 2], [1, 3, 0], [2, 0, 5]]))  # symmetric positive definite
    save("gen.npy", np.array([[1.0, 2], [3, 4]]))  # not symmetric
    save("rot.npy", np.array([[0.0, -1], [1, 0]]))
    save("singular.npy", np.array([[1.0, 2], [2, 4]]))
    save("rhs.npy", np.array([1.0, 2, 3]))
    save("v.npy", np.array([3.0, 4]))
    save("w.npy", np.array([4.0, 3]))
    save("nan.npy", np.array([[1.0, np.nan], [0.0, 1.0]]))
    save("empty.npy", np.zeros((0, 3)))
    save("empty00.npy", np.zeros((0, 0)))
    save("f32.npy", np.array([[1.5, 2.0], [-3.0, 4.25]], dtype=np.float32))
    save("ints.npy", np.array([[1, 2], [3, 4]], dtype=np.int64))
    save("stack.npy", np.array([[[2.0, 0], [0, 2]], [[1.0, 2], [3, 4]]]))
    # regression: y = 2 x0 - x1 + 0.5 x2 + 3 plus a little noise
    x = rng.standard_normal((30, 3)).round(3)
    y = x @ np.array([2.0, -1.0, 0.5]) + 3.0 + 0.01 * rng.standard_normal(30)
    save("x_train.npy", x)
    save("y_train.npy", y.round(4))
    np.savez(os.path.join(OUT, "train.npz"), x=x, y=y.round(4))  # the same, in one archive
    xt = rng.standard_normal((5, 3)).round(3)
    save("x_test.npy", xt)
    save("y_test.npy", (xt @ np.array([2.0, -1.0, 0.5]) + 3.0).round(4))
    save("x_wide.npy", rng.standard_normal((5, 4)).round(3))
    # CSV: a header row and three numeric rows
    with open(os.path.join(OUT, "table.csv"), "w") as f:
        f.write("height,weight,age\n1.62,55.0,31\n1.80,80.5,45\n1.75,72.0,28\n")
    # a sparse 6 x 5 term-document-like matrix in Matrix Market form
    m = sp.random(6, 5, density=0.4, format="coo", random_state=np.random.default_rng(7))
    m.data = np.round(m.data * 4) + 1
    scipy.io.mmwrite(os.path.join(OUT, "terms.mtx"), m, field="integer")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT}")


if __name__ == "__main__":
    main()
