//! The command-line arguments (clap derive): one struct per command.
//!
//! Values the parser can judge on their own (a number that is not a number, `-k 0`, an
//! unknown `--solver`) are usage errors, exit 2. Values that only the data can rule out
//! (`-k` larger than the matrix, a matrix `--ord` given a vector) are checked by the
//! library, exit 1.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mlinalg::linalg::stacked::Uplo;
use mlinalg::linalg::{NormOrd, TensordotAxes};

/// Linear algebra for machine learning on .npy, .npz, .csv, .mtx and Parquet files.
///
/// Inputs are paths: `.npy` (NumPy arrays of any real or complex dtype), `.npz` (an archive
/// of one array, `file.npz:name` for one of several, or a SciPy sparse matrix), `.csv`
/// (numeric table, optional header row), `.mtx` (Matrix Market, kept sparse where a command
/// allows) or `.parquet` (a file or a directory of them: the numeric columns, or
/// --columns). Results are printed NumPy-style, as one JSON object with --json, and written as
/// `.npy` files (float64; complex128 for complex eigenpairs) with --out-dir DIR, or with
/// --out FILE (.npy or .csv) for a single array result.
///
/// Exit status: 0 success, 1 the data cannot be computed on, 2 usage error.
#[derive(Debug, Parser)]
#[command(
    name = "mlinalg",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "The full reference, with examples: docs/cli.md in the mlinalg repository."
)]
pub struct Cli {
    /// Parquet inputs: read these columns (in this order) instead of every numeric one.
    #[arg(long, global = true, value_name = "A,B,C", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Shape, dtype, non-zeros and min/max/mean of an array file (any dimension, sparse too).
    Info(OneInput),
    /// Matrix product A @ B with NumPy semantics (1-d, 2-d, stacks); a .mtx A stays sparse.
    Matmul(TwoInputs),
    /// Transpose (reverse the axes; a 1-d array is returned unchanged, as in NumPy).
    Transpose(OneInput),
    /// Inverse of a square matrix.
    Inv(OneInput),
    /// Solve A x = B for x (B a vector or a matrix).
    Solve(TwoInputs),
    /// Least-squares solution of A x ≈ B (NumPy lstsq).
    Lstsq(LstsqArgs),
    /// Determinant, with its sign and log|det| (NumPy det, slogdet).
    Det(OneInput),
    /// Sum of the main (or an offset) diagonal of every matrix (non-square allowed).
    Trace(OffsetArgs),
    /// Numerical rank: singular values above a tolerance (of a vector: 0 or 1, as NumPy).
    Rank(RankArgs),
    /// Vector or matrix norm (NumPy linalg.norm).
    Norm(NormArgs),
    /// Cosine similarity and angle between two vectors.
    Cosine(TwoInputs),
    /// Outer product of two vectors (other arrays flattened first, as NumPy).
    Outer(TwoInputs),
    /// QR decomposition A = Q R.
    Qr(QrArgs),
    /// Cholesky factor L of a symmetric positive definite matrix, A = L Lᵀ.
    Cholesky(CholeskyArgs),
    /// Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.
    Eigh(EighArgs),
    /// Eigenvalues and eigenvectors of a general square matrix (complex when needed).
    Eig(OneInput),
    /// Singular value decomposition A = U Σ Vᵀ (thin unless --full).
    Svd(SvdArgs),
    /// Best rank-K approximation with its Frobenius error and captured energy.
    Lowrank(LowrankArgs),
    /// Principal component analysis (scikit-learn PCA) of a samples × features matrix.
    Pca(PcaArgs),
    /// Truncated SVD (scikit-learn TruncatedSVD, no centring); sparse .mtx input stays sparse.
    Tsvd(TsvdArgs),
    /// Is the matrix symmetric, orthogonal, positive definite?
    Check(OneInput),
    /// A square matrix (or every matrix of a stack) to an integer power (NumPy
    /// matrix_power; negative powers invert).
    MatrixPower(MatrixPowerArgs),
    /// The product of a chain of arrays in the cheapest order (NumPy multi_dot).
    MultiDot(MultiDotArgs),
    /// Solve the tensor equation tensordot(A, x, x.ndim) = B (NumPy tensorsolve).
    Tensorsolve(TensorsolveArgs),
    /// The inverse of a tensor with respect to tensordot (NumPy tensorinv).
    Tensorinv(TensorinvArgs),
    /// Tensor dot product over the given axes (NumPy tensordot).
    Tensordot(TensordotArgs),
    /// Condition number of every matrix (NumPy cond).
    Cond(CondArgs),
    /// Moore-Penrose pseudo-inverse of every matrix (NumPy pinv).
    Pinv(PinvArgs),
    /// Eigenvalues of every general square matrix (NumPy eigvals).
    Eigvals(OneInput),
    /// Eigenvalues (ascending) of every symmetric matrix (NumPy eigvalsh).
    Eigvalsh(EighArgs),
    /// Singular values (descending) of every matrix (NumPy svdvals).
    Svdvals(OneInput),
    /// Cross product of (arrays of) 3-vectors (NumPy linalg.cross).
    Cross(CrossArgs),
    /// The main (or an offset) diagonal of every matrix (NumPy linalg.diagonal).
    Diagonal(OffsetArgs),
    /// Linear regression of y on X (scikit-learn LinearRegression; Ridge with --alpha > 0).
    Linreg(LinregArgs),
    /// Apply a saved PCA, IncrementalPCA or TruncatedSVD model to new data.
    Transform(ModelArgs),
    /// Map component scores back to feature space with a saved PCA or TruncatedSVD model.
    InverseTransform(ModelArgs),
    /// Predict with a saved LinearRegression or Ridge model (and R² with --y).
    Predict(PredictArgs),
    /// Run the whole linear-algebra-for-ML course on built-in, seeded data.
    Tour(TourArgs),
}

/// Output options shared by the computing commands.
#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// Print one JSON object (one key per named result) instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Also write every array result to DIR/<name>.npy (DIR is created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Write the command's single array result to FILE (.npy or .csv).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// `--plot FILE.svg` of `pca` and `tsvd` (set by [`Command::output`]; no option of its
    /// own here, so other commands reject `--plot`).
    #[arg(skip)]
    pub plot: Option<PathBuf>,
}

/// A command on one input file.
#[derive(Debug, Args)]
pub struct OneInput {
    /// Input file (.npy, .npz, .npz:NAME, .csv or .mtx).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// A command on two input files.
#[derive(Debug, Args)]
pub struct TwoInputs {
    /// Left operand (.npy, .npz, .npz:NAME, .csv or .mtx).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Right operand (.npy, .npz, .npz:NAME, .csv or .mtx).
    #[arg(value_name = "B")]
    pub b: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `lstsq A B [--rcond R]`.
#[derive(Debug, Args)]
pub struct LstsqArgs {
    /// Coefficient matrix (m × n).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Right-hand side: a vector of length m or an m × k matrix.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Cut-off ratio for small singular values (default: NumPy's ε · max(m, n)).
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub rcond: Option<f64>,
    /// Memory budget such as 512M or 4G: an input whose in-memory computation would need
    /// more is streamed in row blocks, with the same results (default: half of the memory
    /// available to the process, cgroup limits included).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<mlinalg::MemoryLimit>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `rank A [--tol T]`.
#[derive(Debug, Args)]
pub struct RankArgs {
    /// Input matrix (or vector).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Singular values above T count (default: S.max() · max(M, N) · ε, as NumPy).
    #[arg(
        long,
        value_name = "T",
        allow_negative_numbers = true,
        conflicts_with = "rtol"
    )]
    pub tol: Option<f64>,
    /// Relative tolerance: singular values above R · S.max() count.
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub rtol: Option<f64>,
    /// The matrix is symmetric (NumPy's hermitian=True; the rank is the same).
    #[arg(long)]
    pub hermitian: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `norm A [--ord ORD] [--axis AX] [--keepdims]`.
#[derive(Debug, Args)]
pub struct NormArgs {
    /// Input array.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Order: 0, 1, -1, 2, -2, inf, -inf, fro, nuc or any number p (vectors). Default: 2-norm
    /// of a vector, Frobenius norm of a matrix.
    #[arg(long, value_name = "ORD", allow_hyphen_values = true, value_parser = parse_ord)]
    pub ord: Option<NormOrd>,
    /// One axis (vector norms along it) or two axes ROW,COL (matrix norms); negative
    /// values count from the end. Default: the whole array.
    #[arg(
        long,
        value_name = "AX",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub axis: Option<Vec<isize>>,
    /// Keep the reduced axes with length 1.
    #[arg(long)]
    pub keepdims: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses `--ord` with the library's NumPy spellings.
fn parse_ord(s: &str) -> Result<NormOrd, String> {
    s.parse::<NormOrd>()
        .map_err(|_| "expected 0, 1, -1, 2, -2, inf, -inf, fro, nuc or a number".to_string())
}

/// `qr A [--mode reduced|complete]`.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// Input matrix (m × n).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// reduced: Q is m × min(m, n); complete: Q is m × m.
    #[arg(long, value_enum, default_value_t = QrModeArg::Reduced)]
    pub mode: QrModeArg,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--mode` of `qr`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum QrModeArg {
    /// Q: m × k, R: k × n with k = min(m, n).
    Reduced,
    /// Q: m × m, R: m × n.
    Complete,
    /// R only (k × n).
    R,
    /// LAPACK geqrf's Householder form: `h` (n × m, transposed as NumPy returns it) and `tau`.
    Raw,
}

/// `cholesky A [--upper]`.
#[derive(Debug, Args)]
pub struct CholeskyArgs {
    /// Symmetric positive definite matrix (or a stack).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Return the upper factor U = Lᵀ (A = Uᵀ U), result `u`, instead of `l`.
    #[arg(long)]
    pub upper: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `eigh A [--uplo L|U]`, `eigvalsh A [--uplo L|U]`.
#[derive(Debug, Args)]
pub struct EighArgs {
    /// Symmetric matrix (or a stack).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Read only this triangle (L or U, as NumPy's UPLO). Without it the matrix must be
    /// symmetric.
    #[arg(long, value_name = "L|U", value_parser = parse_uplo)]
    pub uplo: Option<Uplo>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses NumPy's UPLO: `L`, `l`, `U` or `u`.
fn parse_uplo(s: &str) -> Result<Uplo, String> {
    match s {
        "L" | "l" => Ok(Uplo::Lower),
        "U" | "u" => Ok(Uplo::Upper),
        _ => Err("UPLO argument must be 'L' or 'U'".to_string()),
    }
}

/// `matrix-power A N`.
#[derive(Debug, Args)]
pub struct MatrixPowerArgs {
    /// Square matrix (or a stack).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The exponent, any integer (|N| < 2¹²⁷).
    #[arg(value_name = "N", allow_negative_numbers = true, value_parser = parse_exponent)]
    pub n: i128,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// An integer exponent (NumPy requires an integer: `operator.index`).
fn parse_exponent(s: &str) -> Result<i128, String> {
    s.trim()
        .parse::<i128>()
        .map_err(|_| format!("{s:?}: exponent must be an integer"))
}

/// `multi-dot A B [C…]`.
#[derive(Debug, Args)]
pub struct MultiDotArgs {
    /// Two or more arrays: the first and last may be vectors, the others matrices.
    #[arg(value_name = "ARRAYS", num_args = 2.., required = true)]
    pub arrays: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `tensorsolve A B [--axes I,J]`.
#[derive(Debug, Args)]
pub struct TensorsolveArgs {
    /// Coefficient tensor.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Right-hand tensor.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Axes of A to move to the end before solving.
    #[arg(
        long,
        value_name = "I,J",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub axes: Option<Vec<isize>>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `tensorinv A [--ind N]`.
#[derive(Debug, Args)]
pub struct TensorinvArgs {
    /// Tensor to invert.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Number of leading axes of the "row" index (positive).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2,
        allow_negative_numbers = true
    )]
    pub ind: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `tensordot A B [--axes N | --axes I,J:K,L]`.
#[derive(Debug, Args)]
pub struct TensordotArgs {
    /// Left tensor.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Right tensor.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// N (the last N axes of A with the first N of B) or I,J:K,L (these axes of A with
    /// these of B).
    #[arg(long, value_name = "AXES", default_value = "2", allow_hyphen_values = true,
          value_parser = parse_tensordot_axes)]
    pub axes: TensordotAxes,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses `N` or `I,J:K,L`.
fn parse_tensordot_axes(s: &str) -> Result<TensordotAxes, String> {
    let list = |t: &str| -> Result<Vec<isize>, String> {
        t.split(',')
            .filter(|x| !x.trim().is_empty())
            .map(|x| {
                x.trim()
                    .parse::<isize>()
                    .map_err(|_| format!("{x:?} is not an axis"))
            })
            .collect()
    };
    match s.split_once(':') {
        Some((a, b)) => Ok(TensordotAxes::Pairs(list(a)?, list(b)?)),
        None => s
            .trim()
            .parse::<usize>()
            .map(TensordotAxes::Count)
            .map_err(|_| format!("{s:?}: expected N or I,J:K,L")),
    }
}

/// `cond A [--p P]`.
#[derive(Debug, Args)]
pub struct CondArgs {
    /// Matrix (or a stack).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Norm order: 2 (default, σmax/σmin), -2, 1, -1, inf, -inf or fro.
    #[arg(long, value_name = "P", allow_hyphen_values = true, value_parser = parse_ord)]
    pub p: Option<NormOrd>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `pinv A [--rcond R | --rtol R] [--hermitian]`.
#[derive(Debug, Args)]
pub struct PinvArgs {
    /// Matrix (or a stack).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Singular values at or below R · σmax are dropped (default 1e-15, as NumPy).
    #[arg(
        long,
        value_name = "R",
        allow_negative_numbers = true,
        conflicts_with = "rtol"
    )]
    pub rcond: Option<f64>,
    /// The same cut-off under its array-API name.
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub rtol: Option<f64>,
    /// The matrix is symmetric (NumPy's hermitian=True; the result is the same).
    #[arg(long)]
    pub hermitian: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `cross A B [--axis K]`.
#[derive(Debug, Args)]
pub struct CrossArgs {
    /// Left (array of) 3-vectors.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Right (array of) 3-vectors.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// The axis holding the vectors.
    #[arg(long, value_name = "K", default_value_t = -1, allow_negative_numbers = true)]
    pub axis: isize,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `diagonal A [--offset K]`, `trace A [--offset K]`.
#[derive(Debug, Args)]
pub struct OffsetArgs {
    /// Matrix (or a stack: the last two axes).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Diagonal offset: > 0 above the main diagonal, < 0 below.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub offset: isize,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `svd A [--full]`.
#[derive(Debug, Args)]
pub struct SvdArgs {
    /// Input matrix (m × n).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Full U (m × m) and Vᵀ (n × n) instead of the thin factors.
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `lowrank A -k K`.
#[derive(Debug, Args)]
pub struct LowrankArgs {
    /// Input matrix (m × n).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Rank of the approximation, 1 ≤ K ≤ min(m, n).
    #[arg(short = 'k', value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub k: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `pca X [-k K] [--solver S] [--seed S]`.
#[derive(Debug, Args)]
pub struct PcaArgs {
    /// Data matrix, n_samples × n_features.
    #[arg(value_name = "X")]
    pub x: PathBuf,
    /// Number of components (default: min(n_samples, n_features)).
    #[arg(short = 'k', value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub k: Option<u64>,
    /// Solver; auto follows scikit-learn's rule.
    #[arg(long, value_enum, default_value_t = PcaSolverArg::Auto)]
    pub solver: PcaSolverArg,
    /// Seed of the randomized solver.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Also save the fitted model to M.npz (scikit-learn's attribute names; for
    /// `mlinalg transform` and `np.load`).
    #[arg(long, value_name = "M.npz")]
    pub save: Option<PathBuf>,
    /// Also draw an SVG: a scree plot of explained_variance_ratio (bars, cumulative line)
    /// and, when K ≥ 2, a scatter of the first two columns of the transformed data.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Memory budget such as 512M or 4G: an input whose in-memory computation would need
    /// more is streamed in row blocks, with the same results (default: half of the memory
    /// available to the process, cgroup limits included).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<mlinalg::MemoryLimit>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--solver` of `pca`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PcaSolverArg {
    /// scikit-learn's choice by size.
    Auto,
    /// Eigen-decomposition of the covariance matrix.
    Eigh,
    /// Full SVD of the centred data.
    Svd,
    /// Randomized SVD (Halko et al.).
    Randomized,
}

/// `tsvd X [-k K] [--iters N] [--seed S] [--algorithm A]`.
#[derive(Debug, Args)]
pub struct TsvdArgs {
    /// Data matrix, n_samples × n_features (.mtx stays sparse).
    #[arg(value_name = "X")]
    pub x: PathBuf,
    /// Number of components.
    #[arg(short = 'k', value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub k: u64,
    /// Power iterations of the randomized algorithm.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub iters: u64,
    /// Seed of the randomized algorithm.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// randomized (Halko et al.) or exact (full SVD).
    #[arg(long, value_enum, default_value_t = TsvdAlgorithmArg::Randomized)]
    pub algorithm: TsvdAlgorithmArg,
    /// Also save the fitted model to M.npz (scikit-learn's attribute names; for
    /// `mlinalg transform` and `np.load`).
    #[arg(long, value_name = "M.npz")]
    pub save: Option<PathBuf>,
    /// Also draw an SVG: a scree plot of explained_variance_ratio (bars, cumulative line)
    /// and, when K ≥ 2, a scatter of the first two columns of the transformed data.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Memory budget such as 512M or 4G: an input whose in-memory computation would need
    /// more is streamed in row blocks, with the same results (default: half of the memory
    /// available to the process, cgroup limits included).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<mlinalg::MemoryLimit>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--algorithm` of `tsvd`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TsvdAlgorithmArg {
    /// Randomized SVD.
    Randomized,
    /// Exact SVD.
    Exact,
}

/// `linreg X y [--alpha A] [--no-intercept] [--save M]`.
#[derive(Debug, Args)]
pub struct LinregArgs {
    /// Training data, n_samples × n_features.
    #[arg(value_name = "X")]
    pub x: PathBuf,
    /// Target, a vector of n_samples values.
    #[arg(value_name = "Y")]
    pub y: PathBuf,
    /// Ridge penalty (scikit-learn Ridge's alpha); 0, the default, is ordinary least squares.
    #[arg(long, value_name = "A", default_value_t = 0.0, value_parser = parse_alpha)]
    pub alpha: f64,
    /// Fit without an intercept (scikit-learn's fit_intercept=False).
    #[arg(long)]
    pub no_intercept: bool,
    /// Also save the fitted model to M.npz (for `mlinalg predict` and `np.load`).
    #[arg(long, value_name = "M.npz")]
    pub save: Option<PathBuf>,
    /// Memory budget such as 512M or 4G: an input whose in-memory computation would need
    /// more is streamed in row blocks, with the same results (default: half of the memory
    /// available to the process, cgroup limits included).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<mlinalg::MemoryLimit>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--alpha`: a finite number ≥ 0.
fn parse_alpha(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(a) if a.is_finite() && a >= 0.0 => Ok(a),
        _ => Err("expected a finite number ≥ 0".to_string()),
    }
}

/// `transform M X` and `inverse-transform M Z`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// A model file saved by `pca --save`, `tsvd --save` or the library (.npz).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The data: n_samples × n_features for transform (a sparse .mtx for a TruncatedSVD
    /// model stays sparse), n_samples × n_components for inverse-transform.
    #[arg(value_name = "X")]
    pub x: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `predict M X [--y y]`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model file saved by `linreg --save` or the library (.npz).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The data, n_samples × n_features.
    #[arg(value_name = "X")]
    pub x: PathBuf,
    /// The true targets: also report R² of the predictions (scikit-learn's score).
    #[arg(long, value_name = "Y")]
    pub y: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `tour [--section NAME] [--json]`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Run only this section.
    #[arg(long, value_enum, value_name = "NAME")]
    pub section: Option<Section>,
    /// One JSON object, one key per section.
    #[arg(long)]
    pub json: bool,
}

/// The sections of the tour, in course order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// Scalars, vectors, matrices, tensors and their shapes.
    Arrays,
    /// Vector operations, norms, dot product, cosine similarity.
    Vectors,
    /// Matrix product, transpose, inverse, determinant, solving systems.
    Matrices,
    /// Identity, symmetric, orthogonal, positive definite and sparse matrices.
    Special,
    /// Eigen-decomposition and PCA from scratch.
    Eigen,
    /// SVD, low-rank approximation, truncated SVD.
    Svd,
    /// A neural-network forward pass as matrix products.
    Network,
    /// Linear regression three ways.
    Regression,
    /// Sparse (CSR) matrices: storage, products, truncated SVD without densifying.
    Sparse,
}

impl Section {
    /// All sections in course order.
    pub const ALL: [Section; 9] = [
        Section::Arrays,
        Section::Vectors,
        Section::Matrices,
        Section::Special,
        Section::Eigen,
        Section::Svd,
        Section::Network,
        Section::Regression,
        Section::Sparse,
    ];

    /// The section's name (its `--section` value and JSON key).
    pub fn name(self) -> &'static str {
        match self {
            Section::Arrays => "arrays",
            Section::Vectors => "vectors",
            Section::Matrices => "matrices",
            Section::Special => "special",
            Section::Eigen => "eigen",
            Section::Svd => "svd",
            Section::Network => "network",
            Section::Regression => "regression",
            Section::Sparse => "sparse",
        }
    }
}

impl Command {
    /// The command's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Info(_) => "info",
            Command::Matmul(_) => "matmul",
            Command::Transpose(_) => "transpose",
            Command::Inv(_) => "inv",
            Command::Solve(_) => "solve",
            Command::Lstsq(_) => "lstsq",
            Command::Det(_) => "det",
            Command::Trace(_) => "trace",
            Command::Rank(_) => "rank",
            Command::Norm(_) => "norm",
            Command::Cosine(_) => "cosine",
            Command::Outer(_) => "outer",
            Command::Qr(_) => "qr",
            Command::Cholesky(_) => "cholesky",
            Command::Eigh(_) => "eigh",
            Command::Eig(_) => "eig",
            Command::Svd(_) => "svd",
            Command::Lowrank(_) => "lowrank",
            Command::Pca(_) => "pca",
            Command::Tsvd(_) => "tsvd",
            Command::Check(_) => "check",
            Command::MatrixPower(_) => "matrix-power",
            Command::MultiDot(_) => "multi-dot",
            Command::Tensorsolve(_) => "tensorsolve",
            Command::Tensorinv(_) => "tensorinv",
            Command::Tensordot(_) => "tensordot",
            Command::Cond(_) => "cond",
            Command::Pinv(_) => "pinv",
            Command::Eigvals(_) => "eigvals",
            Command::Eigvalsh(_) => "eigvalsh",
            Command::Svdvals(_) => "svdvals",
            Command::Cross(_) => "cross",
            Command::Diagonal(_) => "diagonal",
            Command::Linreg(_) => "linreg",
            Command::Transform(_) => "transform",
            Command::InverseTransform(_) => "inverse-transform",
            Command::Predict(_) => "predict",
            Command::Tour(_) => "tour",
        }
    }

    /// The output options (`tour` has only `--json`).
    pub fn output(&self) -> OutputArgs {
        match self {
            Command::Info(a)
            | Command::Transpose(a)
            | Command::Inv(a)
            | Command::Det(a)
            | Command::Eig(a)
            | Command::Eigvals(a)
            | Command::Svdvals(a)
            | Command::Check(a) => a.output.clone(),
            Command::Trace(a) | Command::Diagonal(a) => a.output.clone(),
            Command::Cholesky(a) => a.output.clone(),
            Command::Eigh(a) | Command::Eigvalsh(a) => a.output.clone(),
            Command::MatrixPower(a) => a.output.clone(),
            Command::MultiDot(a) => a.output.clone(),
            Command::Tensorsolve(a) => a.output.clone(),
            Command::Tensorinv(a) => a.output.clone(),
            Command::Tensordot(a) => a.output.clone(),
            Command::Cond(a) => a.output.clone(),
            Command::Pinv(a) => a.output.clone(),
            Command::Cross(a) => a.output.clone(),
            Command::Matmul(a) | Command::Solve(a) | Command::Cosine(a) | Command::Outer(a) => {
                a.output.clone()
            }
            Command::Lstsq(a) => a.output.clone(),
            Command::Rank(a) => a.output.clone(),
            Command::Norm(a) => a.output.clone(),
            Command::Qr(a) => a.output.clone(),
            Command::Svd(a) => a.output.clone(),
            Command::Lowrank(a) => a.output.clone(),
            Command::Linreg(a) => a.output.clone(),
            Command::Transform(a) | Command::InverseTransform(a) => a.output.clone(),
            Command::Predict(a) => a.output.clone(),
            Command::Pca(a) => OutputArgs {
                plot: a.plot.clone(),
                ..a.output.clone()
            },
            Command::Tsvd(a) => OutputArgs {
                plot: a.plot.clone(),
                ..a.output.clone()
            },
            Command::Tour(a) => OutputArgs {
                json: a.json,
                ..OutputArgs::default()
            },
        }
    }

    /// The names of the command's array results, which `--out` / `--out-dir` write.
    /// `--out` needs exactly one.
    pub fn array_results(&self) -> &'static [&'static str] {
        match self {
            Command::Matmul(_) => &["product"],
            Command::Transpose(_) => &["transpose"],
            Command::Inv(_) => &["inverse"],
            Command::Solve(_) => &["x"],
            Command::Outer(_) => &["outer"],
            Command::Cholesky(_) => &["l"],
            Command::MatrixPower(_) => &["power"],
            Command::MultiDot(_) | Command::Tensordot(_) => &["product"],
            Command::Tensorsolve(_) => &["x"],
            Command::Tensorinv(_) => &["inverse"],
            Command::Cond(_) => &["cond"],
            Command::Pinv(_) => &["pinv"],
            Command::Eigvals(_) | Command::Eigvalsh(_) => &["eigenvalues"],
            Command::Svdvals(_) => &["s"],
            Command::Cross(_) => &["cross"],
            Command::Diagonal(_) => &["diagonal"],
            Command::Trace(_) => &["trace"],
            Command::Norm(_) => &["norm"],
            Command::Lowrank(_) => &["approx"],
            Command::Linreg(_) => &["coef"],
            Command::Transform(_) => &["transformed"],
            Command::InverseTransform(_) => &["x"],
            Command::Predict(_) => &["prediction"],
            Command::Lstsq(_) => &["x", "residuals", "singular_values"],
            Command::Qr(_) => &["q", "r"],
            Command::Eigh(_) | Command::Eig(_) => &["eigenvalues", "eigenvectors"],
            Command::Svd(_) => &["u", "s", "vt"],
            Command::Pca(_) => &[
                "components",
                "explained_variance",
                "explained_variance_ratio",
                "singular_values",
                "mean",
                "transformed",
            ],
            Command::Tsvd(_) => &[
                "components",
                "singular_values",
                "explained_variance",
                "explained_variance_ratio",
                "transformed",
            ],
            Command::Info(_)
            | Command::Det(_)
            | Command::Rank(_)
            | Command::Cosine(_)
            | Command::Check(_)
            | Command::Tour(_) => &[],
        }
    }
}
