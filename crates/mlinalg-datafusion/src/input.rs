//! The argument layout of each function and the conversion of a batch of argument columns
//! into a row-major `f64` block (`[x | y]`).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, FixedSizeListArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::common::{DataFusionError, Result, plan_err};
use ndarray::Array2;

/// Which fit a function computes; fixes the argument layout and the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// `mlinalg_moments(x1, …)`
    Moments,
    /// `mlinalg_pca(k, x1, …)`
    Pca,
    /// `mlinalg_linreg(y, x1, …)`
    LinReg,
    /// `mlinalg_ridge(alpha, y, x1, …)`
    Ridge,
    /// `mlinalg_lstsq(y, x1, …)`
    Lstsq,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Moments,
        Kind::Pca,
        Kind::LinReg,
        Kind::Ridge,
        Kind::Lstsq,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Moments => "mlinalg_moments",
            Kind::Pca => "mlinalg_pca",
            Kind::LinReg => "mlinalg_linreg",
            Kind::Ridge => "mlinalg_ridge",
            Kind::Lstsq => "mlinalg_lstsq",
        }
    }

    /// The SQL call shape, for error messages.
    pub(crate) fn usage(self) -> &'static str {
        match self {
            Kind::Moments => "mlinalg_moments(x1, x2, …) or mlinalg_moments(v)",
            Kind::Pca => "mlinalg_pca(k, x1, x2, …) or mlinalg_pca(k, v)",
            Kind::LinReg => "mlinalg_linreg(y, x1, x2, …) or mlinalg_linreg(y, v)",
            Kind::Ridge => "mlinalg_ridge(alpha, y, x1, x2, …) or mlinalg_ridge(alpha, y, v)",
            Kind::Lstsq => "mlinalg_lstsq(y, x1, x2, …) or mlinalg_lstsq(y, v)",
        }
    }

    /// Constant leading arguments (`k`, `alpha`).
    pub(crate) fn n_params(self) -> usize {
        match self {
            Kind::Pca | Kind::Ridge => 1,
            _ => 0,
        }
    }

    /// Whether a target column `y` follows the constants.
    pub(crate) fn has_target(self) -> bool {
        matches!(self, Kind::LinReg | Kind::Ridge | Kind::Lstsq)
    }
}

/// Where the features come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub kind: Kind,
    /// Names of the feature columns (one per feature, `v[i]` for a vector column).
    pub feature_names: Vec<String>,
    /// Name of the target column.
    pub target_name: Option<String>,
    /// `Some(width)` when the features are one `FixedSizeList` column.
    pub vector: Option<usize>,
}

impl Layout {
    pub(crate) fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Checks the argument fields (types and count) and names the features.
    pub(crate) fn from_fields(kind: Kind, fields: &[FieldRef]) -> Result<Self> {
        let types: Vec<DataType> = fields.iter().map(|f| f.data_type().clone()).collect();
        let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
        Self::from_types(kind, &types, &names)
    }

    pub(crate) fn from_types(kind: Kind, types: &[DataType], names: &[String]) -> Result<Self> {
        let op = kind.name();
        let np = kind.n_params();
        let nt = usize::from(kind.has_target());
        if types.len() < np + nt + 1 {
            return plan_err!(
                "{op}: {} arguments given; expected {}",
                types.len(),
                kind.usage()
            );
        }
        let name = |i: usize| {
            names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1))
        };
        for (i, t) in types.iter().enumerate().take(np) {
            if !t.is_numeric() && !t.is_null() {
                return plan_err!(
                    "{op}: argument {} ({}) has type {t}; expected a numeric constant ({})",
                    i + 1,
                    name(i),
                    kind.usage()
                );
            }
        }
        let target_name = if kind.has_target() {
            let t = &types[np];
            if !t.is_numeric() {
                return plan_err!(
                    "{op}: the target column `{}` has type {t}; expected a numeric column",
                    name(np)
                );
            }
            Some(name(np))
        } else {
            None
        };
        let first = np + nt;
        let feats = &types[first..];
        if let [DataType::FixedSizeList(item, width)] = feats {
            if !item.data_type().is_numeric() {
                return plan_err!(
                    "{op}: the vector column `{}` holds {}; expected numbers",
                    name(first),
                    item.data_type()
                );
            }
            let width = usize::try_from(*width).unwrap_or(0);
            if width == 0 {
                return plan_err!("{op}: the vector column `{}` has width 0", name(first));
            }
            let base = name(first);
            return Ok(Layout {
                kind,
                feature_names: (0..width).map(|j| format!("{base}[{j}]")).collect(),
                target_name,
                vector: Some(width),
            });
        }
        for (j, t) in feats.iter().enumerate() {
            if !t.is_numeric() {
                return plan_err!(
                    "{op}: column `{}` has type {t}; expected numeric columns or one FixedSizeList column of numbers ({})",
                    name(first + j),
                    kind.usage()
                );
            }
        }
        Ok(Layout {
            kind,
            feature_names: (first..types.len()).map(name).collect(),
            target_name,
            vector: None,
        })
    }

    /// The batch's rows as a row-major `(rows, n_features + has_target)` block `[x | y]`.
    pub(crate) fn block(&self, values: &[ArrayRef]) -> Result<Array2<f64>> {
        let op = self.kind.name();
        let np = self.kind.n_params();
        let nt = usize::from(self.kind.has_target());
        let p = self.n_features();
        let width = p + nt;
        let rows = values.get(np).map_or(0, |a| a.len());
        let mut out = Vec::new();
        out.try_reserve_exact(rows.saturating_mul(width))
            .map_err(|_| {
                DataFusionError::ResourcesExhausted(format!(
                    "{op}: cannot allocate a block of {rows} × {width} values"
                ))
            })?;
        out.resize(rows * width, 0.0);
        let mut fill = |col: usize, name: &str, a: &ArrayRef| -> Result<()> {
            let v = as_f64(op, name, a)?;
            for (r, x) in v.iter().enumerate() {
                out[r * width + col] = *x;
            }
            Ok(())
        };
        if self.kind.has_target() {
            let name = self.target_name.as_deref().unwrap_or("y");
            fill(p, name, &values[np])?;
        }
        let first = np + nt;
        if let Some(w) = self.vector {
            let a = &values[first];
            let base = self.feature_names[0].trim_end_matches("[0]").to_string();
            if a.null_count() > 0 {
                return null_error(op, &base, a.null_count());
            }
            let list: &FixedSizeListArray = a.as_fixed_size_list_opt().ok_or_else(|| {
                DataFusionError::Execution(format!(
                    "{op}: the vector column `{base}` is not a FixedSizeList"
                ))
            })?;
            let child = list.values().slice(list.offset() * w, list.len() * w);
            let v = as_f64(op, &base, &child)?;
            for r in 0..rows {
                out[r * width..r * width + w].copy_from_slice(&v[r * w..(r + 1) * w]);
            }
        } else {
            for j in 0..p {
                fill(j, &self.feature_names[j], &values[first + j])?;
            }
        }
        Array2::from_shape_vec((rows, width), out)
            .map_err(|e| DataFusionError::Internal(format!("{op}: {e}")))
    }
}

fn null_error<T>(op: &str, name: &str, n: usize) -> Result<T> {
    Err(DataFusionError::Execution(format!(
        "{op}: column `{name}` has {n} null value(s); filter them out (WHERE {name} IS NOT NULL) or fill them first"
    )))
}

/// The column as finite `f64` values (numeric types are cast; nulls and non-finite values
/// are errors naming the column).
fn as_f64(op: &str, name: &str, a: &ArrayRef) -> Result<Vec<f64>> {
    if a.null_count() > 0 {
        return null_error(op, name, a.null_count());
    }
    let c = if a.data_type() == &DataType::Float64 {
        a.clone()
    } else {
        cast(a, &DataType::Float64).map_err(|e| {
            DataFusionError::Execution(format!(
                "{op}: column `{name}` of type {} cannot be read as float64: {e}",
                a.data_type()
            ))
        })?
    };
    let v = c.as_primitive::<Float64Type>().values();
    if let Some(r) = v.iter().position(|x| !x.is_finite()) {
        return Err(DataFusionError::Execution(format!(
            "{op}: column `{name}` has a non-finite value ({}) in a batch at row {r}",
            v[r]
        )));
    }
    Ok(v.to_vec())
}

/// `List<Float64>` with the standard nullable `item` field.
pub(crate) fn f64_list() -> DataType {
    DataType::List(item_field(DataType::Float64))
}

pub(crate) fn item_field(t: DataType) -> FieldRef {
    std::sync::Arc::new(Field::new("item", t, true))
}
