//! One module per command. Each parses its inputs, calls the library and returns a
//! [`Report`]; none prints. [`execute`] adds the spinner and hands the report to
//! [`crate::output`].

mod check;
mod cholesky;
mod cond;
mod cosine;
mod cross;
mod det;
mod diagonal;
mod eig;
mod eigh;
mod eigvals;
mod eigvalsh;
mod info;
mod inv;
mod linreg;
mod lowrank;
mod lstsq;
mod matmul;
mod matrix_power;
mod model;
mod multi_dot;
pub mod nd;
mod norm;
mod outer;
mod pca;
mod pinv;
mod qr;
mod rank;
mod solve;
mod svd;
mod svdvals;
mod tensordot;
mod tensorinv;
mod tensorsolve;
pub mod tour;
mod trace;
mod transpose;
mod tsvd;

use anyhow::Result;

use crate::cli::Command;
use crate::report::Report;

/// Runs `cmd` and renders its report.
pub fn execute(cmd: &Command) -> Result<()> {
    let name = cmd.name();
    let output = cmd.output();
    if output.out.is_some() {
        let arrays = cmd.array_results();
        match arrays.len() {
            1 => {}
            0 => {
                return Err(crate::usage_error(
                    name,
                    format!(
                        "the argument '--out <FILE>' cannot be used with `{name}`: it has no \
                         array result (use --json)"
                    ),
                ));
            }
            n => {
                return Err(crate::usage_error(
                    name,
                    format!(
                        "the argument '--out <FILE>' cannot be used with `{name}`: it has {n} \
                         array results ({}); use --out-dir DIR",
                        arrays.join(", ")
                    ),
                ));
            }
        }
    }
    // An unknown --out extension is found before any work is done.
    if let Some(path) = &output.out {
        crate::output::files::kind_of(name, path)?;
    }
    let report = crate::progress::with_spinner(name, || compute(cmd))?;
    crate::output::emit(name, &report, &output)
}

/// The command's report.
fn compute(cmd: &Command) -> Result<Report> {
    match cmd {
        Command::Info(a) => info::run(a),
        Command::Matmul(a) => matmul::run(a),
        Command::Transpose(a) => transpose::run(a),
        Command::Inv(a) => inv::run(a),
        Command::Solve(a) => solve::run(a),
        Command::Lstsq(a) => lstsq::run(a),
        Command::Det(a) => det::run(a),
        Command::Trace(a) => trace::run(a),
        Command::Rank(a) => rank::run(a),
        Command::Norm(a) => norm::run(a),
        Command::Cosine(a) => cosine::run(a),
        Command::Outer(a) => outer::run(a),
        Command::Qr(a) => qr::run(a),
        Command::Cholesky(a) => cholesky::run(a),
        Command::Eigh(a) => eigh::run(a),
        Command::Eig(a) => eig::run(a),
        Command::Svd(a) => svd::run(a),
        Command::Lowrank(a) => lowrank::run(a),
        Command::Pca(a) => pca::run(a),
        Command::Tsvd(a) => tsvd::run(a),
        Command::Check(a) => check::run(a),
        Command::Linreg(a) => linreg::run(a),
        Command::Transform(a) => model::transform(a),
        Command::InverseTransform(a) => model::inverse_transform(a),
        Command::Predict(a) => model::predict(a),
        Command::Tour(a) => tour::run(a),
        Command::MatrixPower(a) => matrix_power::run(a),
        Command::MultiDot(a) => multi_dot::run(a),
        Command::Tensorsolve(a) => tensorsolve::run(a),
        Command::Tensorinv(a) => tensorinv::run(a),
        Command::Tensordot(a) => tensordot::run(a),
        Command::Cond(a) => cond::run(a),
        Command::Pinv(a) => pinv::run(a),
        Command::Eigvals(a) => eigvals::run(a),
        Command::Eigvalsh(a) => eigvalsh::run(a),
        Command::Svdvals(a) => svdvals::run(a),
        Command::Cross(a) => cross::run(a),
        Command::Diagonal(a) => diagonal::run(a),
    }
}
