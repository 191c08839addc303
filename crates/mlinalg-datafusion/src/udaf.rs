//! One `AggregateUDFImpl` for the five functions, and its `Accumulator`: `update_batch`
//! feeds the mergeable state, `state`/`merge_batch` move its serialised form, `evaluate`
//! solves.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, ListArray, StructArray, UInt64Array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;
use mlinalg::decomposition::Pca;
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::stream::{Gram, Moments, Tsqr, lstsq_tsqr};
use ndarray::{Array1, Array2, s};

use crate::input::{Kind, Layout, f64_list, item_field};

/// The aggregate function of one [`Kind`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct MlinalgUdaf {
    kind: Kind,
    signature: Signature,
}

impl MlinalgUdaf {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            kind,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

fn field(name: &str, t: DataType) -> Field {
    Field::new(name, t, true)
}

/// The result struct's fields (scikit-learn's attribute names without the trailing `_`).
pub(crate) fn result_fields(kind: Kind) -> Fields {
    let l = f64_list;
    let f = DataType::Float64;
    let n = || field("n_samples", DataType::UInt64);
    let v: Vec<Field> = match kind {
        Kind::Moments => vec![n(), field("mean", l()), field("var", l())],
        Kind::Pca => vec![
            field("components", DataType::List(item_field(l()))),
            field("explained_variance", l()),
            field("explained_variance_ratio", l()),
            field("singular_values", l()),
            field("mean", l()),
            field("noise_variance", f),
            n(),
        ],
        Kind::LinReg | Kind::Ridge => {
            vec![
                field("coef", l()),
                field("intercept", f.clone()),
                field("r2", f),
                n(),
            ]
        }
        Kind::Lstsq => vec![
            field("x", l()),
            field("residuals", l()),
            field("rank", DataType::Int64),
            field("singular_values", l()),
        ],
    };
    Fields::from(v)
}

impl AggregateUDFImpl for MlinalgUdaf {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Layout::from_types(self.kind, arg_types, &[])?;
        Ok(DataType::Struct(result_fields(self.kind)))
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        Layout::from_fields(self.kind, arg_fields)?;
        Ok(Arc::new(Field::new(
            self.name(),
            DataType::Struct(result_fields(self.kind)),
            true,
        )))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[mlinalg_state]", args.name),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let kind = self.kind;
        let op = kind.name();
        let layout = Layout::from_fields(kind, acc_args.expr_fields)?;
        let p = layout.n_features();
        let constant = |i: usize, what: &str| -> Result<f64> {
            let lit = acc_args
                .exprs
                .get(i)
                .and_then(|e| e.downcast_ref::<Literal>())
                .ok_or_else(|| {
                    DataFusionError::Plan(format!(
                        "{op}: {what} must be a constant ({})",
                        kind.usage()
                    ))
                })?;
            match lit.value().cast_to(&DataType::Float64)? {
                ScalarValue::Float64(Some(v)) => Ok(v),
                other => Err(DataFusionError::Plan(format!(
                    "{op}: {what} must be a number, got {other}"
                ))),
            }
        };
        let mut k = 0;
        let mut alpha = 0.0;
        let state = match kind {
            Kind::Moments => State::Moments(Moments::new(p)),
            Kind::Pca => {
                let v = constant(0, "k")?;
                if !(v >= 1.0 && v.fract() == 0.0 && v <= p as f64) {
                    return Err(DataFusionError::Plan(format!(
                        "{op}: k={v} must be an integer between 1 and the number of features ({p})"
                    )));
                }
                k = v as usize;
                State::Gram(Gram::new(p))
            }
            Kind::Ridge => {
                alpha = constant(0, "alpha")?;
                if !(alpha >= 0.0 && alpha.is_finite()) {
                    return Err(DataFusionError::Plan(format!(
                        "{op}: alpha={alpha} must be a finite number ≥ 0"
                    )));
                }
                State::Tsqr(Tsqr::with_targets(p, 1))
            }
            Kind::LinReg | Kind::Lstsq => State::Tsqr(Tsqr::with_targets(p, 1)),
        };
        Ok(Box::new(MlinalgAccumulator {
            layout,
            k,
            alpha,
            state,
        }))
    }
}

/// The mergeable state of one fit.
#[derive(Debug)]
enum State {
    Moments(Moments),
    Gram(Gram),
    Tsqr(Tsqr),
}

impl State {
    fn count(&self) -> u64 {
        match self {
            State::Moments(m) => m.count(),
            State::Gram(g) => g.count(),
            State::Tsqr(t) => t.count(),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        match self {
            State::Moments(m) => m.to_bytes(),
            State::Gram(g) => g.to_bytes(),
            State::Tsqr(t) => t.to_bytes(),
        }
    }

    fn update(&mut self, block: &Array2<f64>) -> mlinalg::Result<()> {
        match self {
            State::Moments(m) => m.update(block.view()),
            State::Gram(g) => g.update(block.view()),
            State::Tsqr(t) => t.update(block.view()),
        }
    }

    fn merge_bytes(&mut self, bytes: &[u8]) -> mlinalg::Result<()> {
        match self {
            State::Moments(m) => m.merge(&Moments::from_bytes(bytes)?),
            State::Gram(g) => g.merge(&Gram::from_bytes(bytes)?),
            State::Tsqr(t) => t.merge(&Tsqr::from_bytes(bytes)?),
        }
    }
}

#[derive(Debug)]
struct MlinalgAccumulator {
    layout: Layout,
    k: usize,
    alpha: f64,
    state: State,
}

impl MlinalgAccumulator {
    fn op(&self) -> &'static str {
        self.layout.kind.name()
    }

    fn err(&self, e: mlinalg::Error) -> DataFusionError {
        DataFusionError::Execution(format!("{}: {e}", self.op()))
    }
}

impl Accumulator for MlinalgAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let block = self.layout.block(values)?;
        if block.nrows() == 0 {
            return Ok(());
        }
        self.state.update(&block).map_err(|e| self.err(e))
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.state.to_bytes()))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(col) = states.first() else {
            return Ok(());
        };
        let bytes = col.as_binary_opt::<i32>().ok_or_else(|| {
            DataFusionError::Internal(format!(
                "{}: the partial state column has type {}, expected Binary",
                self.op(),
                col.data_type()
            ))
        })?;
        for i in 0..bytes.len() {
            if bytes.is_valid(i) {
                let b = bytes.value(i);
                self.state.merge_bytes(b).map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let kind = self.layout.kind;
        let fields = result_fields(kind);
        if self.state.count() == 0 {
            // an empty input (or group) has no fit: NULL, as SQL's aggregates
            return ScalarValue::try_from(&DataType::Struct(fields));
        }
        let columns: Vec<ArrayRef> = match (&self.state, kind) {
            (State::Moments(m), _) => vec![
                u64_scalar(m.count()),
                f64_list_scalar(m.mean().to_vec()),
                f64_list_scalar(m.variance(0.0).to_vec()),
            ],
            (State::Gram(g), _) => {
                let fit = Pca::new(Some(self.k))
                    .fit_gram(g)
                    .map_err(|e| self.err(e))?;
                vec![
                    matrix_scalar(fit.components()),
                    f64_list_scalar(fit.explained_variance().to_vec()),
                    f64_list_scalar(fit.explained_variance_ratio().to_vec()),
                    f64_list_scalar(fit.singular_values().to_vec()),
                    f64_list_scalar(fit.mean().to_vec()),
                    Arc::new(Float64Array::from(vec![fit.noise_variance()])),
                    u64_scalar(g.count()),
                ]
            }
            (State::Tsqr(t), Kind::Lstsq) => {
                let fit = lstsq_tsqr(t, None).map_err(|e| self.err(e))?;
                vec![
                    f64_list_scalar(fit.x.slice(s![.., 0]).to_vec()),
                    f64_list_scalar(fit.residuals.to_vec()),
                    Arc::new(Int64Array::from(vec![
                        i64::try_from(fit.rank).unwrap_or(i64::MAX),
                    ])),
                    f64_list_scalar(fit.singular_values.to_vec()),
                ]
            }
            (State::Tsqr(t), _) => {
                let (coef, intercept): (Array1<f64>, f64) = if kind == Kind::Ridge {
                    let m = Ridge::new(self.alpha)
                        .fit_tsqr(t)
                        .map_err(|e| self.err(e))?;
                    (m.coef().clone(), m.intercept())
                } else {
                    let m = LinearRegression::new()
                        .fit_tsqr(t)
                        .map_err(|e| self.err(e))?;
                    (m.coef().clone(), m.intercept())
                };
                let r2 = t.score(coef.view(), intercept).map_err(|e| self.err(e))?;
                vec![
                    f64_list_scalar(coef.to_vec()),
                    Arc::new(Float64Array::from(vec![intercept])),
                    Arc::new(Float64Array::from(vec![r2])),
                    u64_scalar(t.count()),
                ]
            }
        };
        let s = StructArray::try_new(fields, columns, None)?;
        Ok(ScalarValue::Struct(Arc::new(s)))
    }

    fn size(&self) -> usize {
        let p = self.layout.n_features() + 1;
        std::mem::size_of_val(self) + 8 * (p * p + 2 * p)
    }
}

fn u64_scalar(v: u64) -> ArrayRef {
    Arc::new(UInt64Array::from(vec![v]))
}

/// A one-row `List<Float64>` array.
fn f64_list_scalar(v: Vec<f64>) -> ArrayRef {
    let n = v.len();
    Arc::new(ListArray::new(
        item_field(DataType::Float64),
        OffsetBuffer::from_lengths([n]),
        Arc::new(Float64Array::from(v)),
        None,
    ))
}

/// A one-row `List<List<Float64>>` array: the matrix's rows.
fn matrix_scalar(m: &Array2<f64>) -> ArrayRef {
    let (r, c) = m.dim();
    let values: Vec<f64> = m.iter().copied().collect();
    let inner = ListArray::new(
        item_field(DataType::Float64),
        OffsetBuffer::from_lengths(std::iter::repeat_n(c, r)),
        Arc::new(Float64Array::from(values)),
        None,
    );
    Arc::new(ListArray::new(
        item_field(f64_list()),
        OffsetBuffer::from_lengths([r]),
        Arc::new(inner),
        None,
    ))
}
