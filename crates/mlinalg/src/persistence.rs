//! Saving fitted estimators and loading them back (scikit-learn's "model persistence").
//!
//! A model file is a NumPy `.npz` archive whose keys are scikit-learn's attribute names,
//! so `np.load("pca.npz")` in Python shows what a fitted `sklearn.decomposition.PCA` has,
//! plus one entry `mlinalg_model`: a string such as
//! `estimator=PCA;format_version=1;mlinalg_version=0.1.0` naming the estimator (its
//! scikit-learn class name) and the version of this format.
//!
//! | estimator | entries (shapes: k components, n features) |
//! |---|---|
//! | `PCA` ([`FittedPca`]) | `components_` (k, n), `explained_variance_` (k,), `explained_variance_ratio_` (k,), `singular_values_` (k,), `mean_` (n,), `noise_variance_` (), `n_components_` (), `n_samples_` (), `n_features_in_` (), `whiten` () |
//! | `IncrementalPCA` ([`IncrementalPca`]) | as `PCA`, with `var_` (n,) and `n_samples_seen_` () instead of `n_samples_` |
//! | `TruncatedSVD` ([`FittedTruncatedSvd`]) | `components_` (k, n), `explained_variance_` (k,), `explained_variance_ratio_` (k,), `singular_values_` (k,), `n_features_in_` () |
//! | `LinearRegression` ([`FittedLinearRegression`]) | `coef_` (n,), `intercept_` (), `n_features_in_` () |
//! | `Ridge` ([`FittedRidge`]) | `coef_` (n,), `intercept_` (), `n_features_in_` () |
//!
//! Arrays are float64, counts int64 and `whiten` a bool, all 0-d where the shape is `()`.
//! A model fitted on float32 data (`FittedPca<f32>`, `FittedTruncatedSvd<f32>`,
//! `FittedLinearRegression<f32>`, `FittedRidge<f32>`) is saved with float32 arrays and
//! `dtype=float32` in `mlinalg_model`, as scikit-learn keeps float32 attributes.
//! `FittedPca::<f32>::load_as(path)` (and the same on the other three) reads a model back
//! into `f32`; `load` and [`Model::load`] read either dtype into the `f64` models (float32
//! values widen exactly).
//! Loading checks everything and never panics: a file that is not a zip archive, an
//! `mlinalg_model` entry that is missing, names another estimator or a newer format
//! version, a missing key, a key of the wrong dtype or shape (every shape is checked
//! against `n_components_` and `n_features_in_`), or a non-finite value are each an
//! [`Error::Format`] naming the file, the key and what was expected.
//!
//! ```
//! use mlinalg::decomposition::{FittedPca, Pca};
//! use mlinalg::persistence::Model;
//! # let dir = std::env::temp_dir().join(format!("mlinalg-persist-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let x = mlinalg::random::randn2(50, 4, 0);
//! let pca = Pca::new(Some(2)).fit(x.view())?;
//! let path = dir.join("pca.npz");
//! pca.save(&path)?;
//! assert_eq!(FittedPca::load(&path)?, pca);                // bit for bit
//! let model = Model::load(&path)?;                         // any estimator
//! assert_eq!(model.estimator().name(), "PCA");
//! assert_eq!(model.transform(x.view())?, pca.transform(x.view())?);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mlinalg::Error>(())
//! ```

use std::path::Path;

use ndarray::{Array1, Array2, ArrayD, ArrayView1, ArrayView2, Ix1, Ix2};

use crate::array::fmt_shape;
use crate::decomposition::{
    FittedPca, FittedTruncatedSvd, IncrementalPca, IncrementalPcaState as IpcaState, PcaSolver,
};
use crate::error::{Error, Result, escape_excerpt, escape_list};
use crate::io::Dtype;
use crate::io::npy::Descr;
use crate::io::npz::{NpzEntry, RawNpy, read_npz_raw, write_npz_entries};
use crate::linear_model::{FittedLinearRegression, FittedRidge};
use crate::scalar::{RealScalar, same_type};

/// The version of the model format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The name of the entry that identifies a model file.
pub const MODEL_KEY: &str = "mlinalg_model";

/// The estimators that can be saved, by their scikit-learn class names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Estimator {
    /// `sklearn.decomposition.PCA`.
    Pca,
    /// `sklearn.decomposition.IncrementalPCA`.
    IncrementalPca,
    /// `sklearn.decomposition.TruncatedSVD`.
    TruncatedSvd,
    /// `sklearn.linear_model.LinearRegression`.
    LinearRegression,
    /// `sklearn.linear_model.Ridge`.
    Ridge,
}

impl Estimator {
    /// Every estimator, in the order of the module's table.
    pub const ALL: [Estimator; 5] = [
        Estimator::Pca,
        Estimator::IncrementalPca,
        Estimator::TruncatedSvd,
        Estimator::LinearRegression,
        Estimator::Ridge,
    ];

    /// The scikit-learn class name, as written in `mlinalg_model`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Pca => "PCA",
            Estimator::IncrementalPca => "IncrementalPCA",
            Estimator::TruncatedSvd => "TruncatedSVD",
            Estimator::LinearRegression => "LinearRegression",
            Estimator::Ridge => "Ridge",
        }
    }

    /// The estimator of a scikit-learn class name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Estimator> {
        Estimator::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether the estimator transforms data (`transform`, `inverse_transform`) rather than
    /// predicting a target (`predict`).
    #[must_use]
    pub fn is_transformer(self) -> bool {
        matches!(
            self,
            Estimator::Pca | Estimator::IncrementalPca | Estimator::TruncatedSvd
        )
    }
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A loaded model of any kind: what [`Model::load`] read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Model {
    /// A fitted PCA.
    Pca(FittedPca),
    /// An incremental PCA (can continue with `partial_fit`).
    IncrementalPca(IncrementalPca),
    /// A fitted truncated SVD.
    TruncatedSvd(FittedTruncatedSvd),
    /// A fitted ordinary least-squares model.
    LinearRegression(FittedLinearRegression),
    /// A fitted ridge model.
    Ridge(FittedRidge),
}

impl From<FittedPca> for Model {
    fn from(m: FittedPca) -> Model {
        Model::Pca(m)
    }
}
impl From<IncrementalPca> for Model {
    fn from(m: IncrementalPca) -> Model {
        Model::IncrementalPca(m)
    }
}
impl From<FittedTruncatedSvd> for Model {
    fn from(m: FittedTruncatedSvd) -> Model {
        Model::TruncatedSvd(m)
    }
}
impl From<FittedLinearRegression> for Model {
    fn from(m: FittedLinearRegression) -> Model {
        Model::LinearRegression(m)
    }
}
impl From<FittedRidge> for Model {
    fn from(m: FittedRidge) -> Model {
        Model::Ridge(m)
    }
}

impl Model {
    /// Which estimator this is.
    #[must_use]
    pub fn estimator(&self) -> Estimator {
        match self {
            Model::Pca(_) => Estimator::Pca,
            Model::IncrementalPca(_) => Estimator::IncrementalPca,
            Model::TruncatedSvd(_) => Estimator::TruncatedSvd,
            Model::LinearRegression(_) => Estimator::LinearRegression,
            Model::Ridge(_) => Estimator::Ridge,
        }
    }

    /// The number of features the model was fitted on (`n_features_in_`).
    #[must_use]
    pub fn n_features_in(&self) -> usize {
        match self {
            Model::Pca(m) => m.mean().len(),
            Model::IncrementalPca(m) => m.state.as_ref().map_or(0, |s| s.mean.len()),
            Model::TruncatedSvd(m) => m.components().ncols(),
            Model::LinearRegression(m) => m.coef().len(),
            Model::Ridge(m) => m.coef().len(),
        }
    }

    /// The number of components of a transformer (`None` for a regressor).
    #[must_use]
    pub fn n_components(&self) -> Option<usize> {
        match self {
            Model::Pca(m) => Some(m.n_components()),
            Model::IncrementalPca(m) => Some(m.n_components()),
            Model::TruncatedSvd(m) => Some(m.n_components()),
            Model::LinearRegression(_) | Model::Ridge(_) => None,
        }
    }

    /// Writes the model to `path` (see the [module docs](self)); to a temporary name first,
    /// then renamed, so a failed write leaves no partial file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written; [`Error::Shape`] for an
    /// [`IncrementalPca`] that is not fitted yet.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.save_as(path, Floats::F64)
    }

    /// [`save`](Self::save) with the float arrays in `floats` (float32 for a model fitted
    /// on float32 data, whose values are then exact in float32).
    fn save_as(&self, path: &Path, floats: Floats) -> Result<()> {
        let w = floats;
        let entries = match self {
            Model::Pca(m) => pca_entries(m, w),
            Model::IncrementalPca(m) => ipca_entries(m)?,
            Model::TruncatedSvd(m) => tsvd_entries(m, w),
            Model::LinearRegression(m) => {
                linear_entries(Estimator::LinearRegression, m.coef(), m.intercept(), w)
            }
            Model::Ridge(m) => linear_entries(Estimator::Ridge, m.coef(), m.intercept(), w),
        };
        write_npz_entries(path, &entries, false)
    }

    /// Reads a model file of any estimator.
    ///
    /// # Errors
    /// [`Error::Format`] naming the file and the key for anything the file does not get
    /// right (see the [module docs](self)); [`Error::Io`] if it cannot be read.
    pub fn load(path: &Path) -> Result<Model> {
        Model::of_file(&ModelFile::read(path)?)
    }

    /// The model a checked model file holds.
    fn of_file(file: &ModelFile<'_>) -> Result<Model> {
        Ok(match file.estimator {
            Estimator::Pca => Model::Pca(file.pca()?),
            Estimator::IncrementalPca => Model::IncrementalPca(file.ipca()?),
            Estimator::TruncatedSvd => Model::TruncatedSvd(file.tsvd()?),
            Estimator::LinearRegression => {
                let (coef, intercept) = file.linear()?;
                Model::LinearRegression(FittedLinearRegression { coef, intercept })
            }
            Estimator::Ridge => {
                let (coef, intercept) = file.linear()?;
                Model::Ridge(FittedRidge { coef, intercept })
            }
        })
    }

    /// The dtype of the float arrays in the model file at `path`: [`Dtype::Float32`] for
    /// a model saved from float32 data (`dtype=float32` in `mlinalg_model`), else
    /// [`Dtype::Float64`]. scikit-learn applies float32 attributes to float32 data in
    /// float32: load such a model with `load_as::<f32>` (e.g.
    /// [`FittedPca::load_as`]) to do the same.
    ///
    /// # Errors
    /// As [`Model::load`] (the whole file is checked).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::decomposition::{FittedPca, Pca};
    /// use mlinalg::io::Dtype;
    /// use mlinalg::persistence::Model;
    /// # let dir = std::env::temp_dir().join(format!("mlinalg-dtype-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let x = mlinalg::random::randn2(20, 3, 0).mapv(|v| v as f32);
    /// let pca = Pca::new(2).fit(x.view())?; // FittedPca<f32>
    /// let path = dir.join("pca32.npz");
    /// pca.save(&path)?;
    /// assert_eq!(Model::stored_dtype(&path)?, Dtype::Float32);
    /// assert_eq!(FittedPca::<f32>::load_as(&path)?, pca);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn stored_dtype(path: &Path) -> Result<Dtype> {
        let file = ModelFile::read(path)?;
        // Every array is checked, so that a broken file fails here as in `load`.
        Model::of_file(&file)?;
        Ok(match file.floats {
            Floats::F64 => Dtype::Float64,
            Floats::F32 => Dtype::Float32,
        })
    }

    /// The error for applying the model to data with another number of features.
    fn features(&self, op: &'static str, what: &str, got: usize, want: usize) -> Error {
        Error::shape(
            op,
            format!(
                "{what} has {got} features, but the {} model was fitted on {want}",
                self.estimator()
            ),
        )
    }

    /// `transform` of a PCA, IncrementalPCA or TruncatedSVD model.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has another number of features than the model (the message
    /// names both) or the model is a regressor; [`Error::NonFinite`] on NaN/∞.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        const OP: &str = "transform";
        self.check_transformer(OP)?;
        let want = self.n_features_in();
        if x.ncols() != want {
            return Err(self.features(OP, "X", x.ncols(), want));
        }
        match self {
            Model::Pca(m) => m.transform(x),
            Model::IncrementalPca(m) => m.transform(x),
            Model::TruncatedSvd(m) => m.transform(x),
            Model::LinearRegression(_) | Model::Ridge(_) => unreachable_regressor(OP),
        }
    }

    /// `transform` of a TruncatedSVD model on a sparse matrix (never densified).
    ///
    /// # Errors
    /// As [`transform`](Self::transform); [`Error::Shape`] for a model that centres (PCA
    /// needs dense input).
    pub fn transform_sparse(&self, x: &crate::sparse::CsrMatrix) -> Result<Array2<f64>> {
        const OP: &str = "transform";
        let want = self.n_features_in();
        match self {
            Model::TruncatedSvd(m) if x.ncols() == want => m.transform_sparse(x),
            Model::TruncatedSvd(_) => Err(self.features(OP, "X", x.ncols(), want)),
            _ => Err(Error::shape(
                OP,
                format!(
                    "a {} model needs dense input (only TruncatedSVD transforms sparse data)",
                    self.estimator()
                ),
            )),
        }
    }

    /// `inverse_transform`: component scores back to feature space.
    ///
    /// # Errors
    /// [`Error::Shape`] if `z` has another number of columns than the model has components,
    /// or the model is a regressor; [`Error::NonFinite`] on NaN/∞.
    pub fn inverse_transform(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        const OP: &str = "inverse_transform";
        self.check_transformer(OP)?;
        let k = self.n_components().unwrap_or(0);
        if z.ncols() != k {
            return Err(Error::shape(
                OP,
                format!(
                    "Z has {} columns, but the {} model has {k} components",
                    z.ncols(),
                    self.estimator()
                ),
            ));
        }
        match self {
            Model::Pca(m) => m.inverse_transform(z),
            Model::IncrementalPca(m) => m.to_fitted()?.inverse_transform(z),
            Model::TruncatedSvd(m) => m.inverse_transform(z),
            Model::LinearRegression(_) | Model::Ridge(_) => unreachable_regressor(OP),
        }
    }

    /// `predict` of a LinearRegression or Ridge model: `X w + b`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has another number of features than the model (the message
    /// names both) or the model is a transformer; [`Error::NonFinite`] on NaN/∞.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        const OP: &str = "predict";
        let want = self.n_features_in();
        match self {
            Model::LinearRegression(_) | Model::Ridge(_) if x.ncols() != want => {
                Err(self.features(OP, "X", x.ncols(), want))
            }
            Model::LinearRegression(m) => m.predict(x),
            Model::Ridge(m) => m.predict(x),
            _ => Err(Error::shape(
                OP,
                format!(
                    "a {} model transforms data and predicts nothing (use transform)",
                    self.estimator()
                ),
            )),
        }
    }

    /// R² of [`predict`](Self::predict) on `(x, y)` (scikit-learn `score`).
    ///
    /// # Errors
    /// As [`predict`](Self::predict); [`Error::Shape`] if `y.len() != x.nrows()`.
    pub fn score(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<f64> {
        let pred = self.predict(x)?;
        crate::linear_model::r2_score("score", y, &pred)
    }

    fn check_transformer(&self, op: &'static str) -> Result<()> {
        if self.estimator().is_transformer() {
            Ok(())
        } else {
            Err(Error::shape(
                op,
                format!(
                    "a {} model predicts a target and has no {op} (use predict)",
                    self.estimator()
                ),
            ))
        }
    }
}

/// The arm that [`Model::check_transformer`] rules out, without a panic.
fn unreachable_regressor<T>(op: &'static str) -> Result<T> {
    Err(Error::shape(op, "a regression model has no components"))
}

/// The float dtype of a model file's arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Floats {
    F64,
    F32,
}

impl Floats {
    fn of<T: RealScalar>() -> Floats {
        if same_type::<T, f32>() {
            Floats::F32
        } else {
            Floats::F64
        }
    }

    fn name(self) -> &'static str {
        match self {
            Floats::F64 => "float64",
            Floats::F32 => "float32",
        }
    }
}

macro_rules! save_load_generic {
    ($ty:ident, $variant:ident, $doc:literal) => {
        impl<T: RealScalar> $ty<T> {
            #[doc = concat!("Writes the fitted ", $doc, " to a model file (see [`crate::persistence`]),")]
            /// with float32 arrays for a model of `f32`.
            ///
            /// # Errors
            /// [`Error::Io`] if the file cannot be written (no partial file is left behind).
            pub fn save(&self, path: &Path) -> Result<()> {
                Model::$variant(self.clone().into_precision()).save_as(path, Floats::of::<T>())
            }

            #[doc = concat!("Reads a ", $doc, " model file of float64 or float32 arrays into a model of")]
            /// `T` (float32 values widen exactly; float64 values are rounded into an `f32`
            /// model): `load_as` of an `f32` model is how a float32 model comes back.
            ///
            /// # Errors
            /// As [`load`](Self::load).
            pub fn load_as(path: &Path) -> Result<Self> {
                match Model::load(path)? {
                    Model::$variant(m) => Ok(m.into_precision()),
                    other => Err(Error::format(
                        path,
                        format!(
                            "'{MODEL_KEY}': the file holds a {} model, expected {}",
                            other.estimator(),
                            Estimator::$variant
                        ),
                    )),
                }
            }
        }

        impl $ty {
            #[doc = concat!("Reads a ", $doc, " model file (see [`crate::persistence`]) into the `f64`")]
            /// model (a float32 file widens exactly); [`load_as`](Self::load_as) reads into
            /// an `f32` model.
            ///
            /// # Errors
            /// [`Error::Format`] if the file holds another estimator or anything is wrong
            /// with it (the message names the key and what was expected); [`Error::Io`].
            pub fn load(path: &Path) -> Result<Self> {
                Self::load_as(path)
            }
        }
    };
}

macro_rules! save_load {
    ($ty:ty, $variant:ident, $doc:literal) => {
        impl $ty {
            #[doc = concat!("Writes the fitted ", $doc, " to a model file (see [`crate::persistence`]).")]
            ///
            /// # Errors
            /// [`Error::Io`] if the file cannot be written (no partial file is left behind).
            pub fn save(&self, path: &Path) -> Result<()> {
                Model::$variant(self.clone()).save(path)
            }

            #[doc = concat!("Reads a ", $doc, " model file (see [`crate::persistence`]).")]
            ///
            /// # Errors
            /// [`Error::Format`] if the file holds another estimator or anything is wrong
            /// with it (the message names the key and what was expected); [`Error::Io`].
            pub fn load(path: &Path) -> Result<Self> {
                match Model::load(path)? {
                    Model::$variant(m) => Ok(m),
                    other => Err(Error::format(
                        path,
                        format!(
                            "'{MODEL_KEY}': the file holds a {} model, expected {}",
                            other.estimator(),
                            Estimator::$variant
                        ),
                    )),
                }
            }
        }
    };
}

save_load_generic!(FittedPca, Pca, "PCA");
save_load!(IncrementalPca, IncrementalPca, "IncrementalPCA");
save_load_generic!(FittedTruncatedSvd, TruncatedSvd, "TruncatedSVD");
save_load_generic!(FittedLinearRegression, LinearRegression, "LinearRegression");
save_load_generic!(FittedRidge, Ridge, "Ridge");

// ---- writing -------------------------------------------------------------------------------

/// One `.npy` entry (format 1.0) with the given descr, shape and little-endian body.
fn npy_entry(name: &str, descr: &str, shape: &[usize], body: Vec<u8>) -> NpzEntry {
    let shape_text = match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of
    // 64 and ended by a newline, as np.save writes it
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut bytes = Vec::with_capacity(10 + header.len() + body.len());
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    // the header of a model entry is short: its length fits in u16
    let len = u16::try_from(header.len()).unwrap_or(u16::MAX);
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&body);
    NpzEntry {
        name: format!("{name}.npy"),
        bytes,
    }
}

/// Float values as `<f8`, or as `<f4` (each rounded to `f32`: exact for a model of `f32`).
fn float_entry<'a>(
    name: &str,
    shape: &[usize],
    values: impl IntoIterator<Item = &'a f64>,
    floats: Floats,
) -> NpzEntry {
    match floats {
        Floats::F64 => {
            let body = values.into_iter().flat_map(|v| v.to_le_bytes()).collect();
            npy_entry(name, "<f8", shape, body)
        }
        Floats::F32 => {
            #[allow(clippy::cast_possible_truncation, reason = "the values came from f32")]
            let body = values
                .into_iter()
                .flat_map(|&v| (v as f32).to_le_bytes())
                .collect();
            npy_entry(name, "<f4", shape, body)
        }
    }
}

fn array1_entry(name: &str, a: &Array1<f64>, floats: Floats) -> NpzEntry {
    float_entry(name, &[a.len()], a.iter(), floats)
}

/// A matrix in C order, whatever its layout.
fn array2_entry(name: &str, a: &Array2<f64>, floats: Floats) -> NpzEntry {
    float_entry(name, &[a.nrows(), a.ncols()], a.iter(), floats)
}

fn scalar_entry(name: &str, v: f64, floats: Floats) -> NpzEntry {
    float_entry(name, &[], [v].iter(), floats)
}

fn int_entry(name: &str, v: u64) -> NpzEntry {
    let v = i64::try_from(v).unwrap_or(i64::MAX);
    npy_entry(name, "<i8", &[], v.to_le_bytes().to_vec())
}

fn bool_entry(name: &str, v: bool) -> NpzEntry {
    npy_entry(name, "|b1", &[], vec![u8::from(v)])
}

fn text_entry(name: &str, text: &str) -> NpzEntry {
    let chars: Vec<char> = text.chars().collect();
    let body = chars
        .iter()
        .flat_map(|&c| u32::from(c).to_le_bytes())
        .collect();
    npy_entry(
        name,
        &format!("<U{}", chars.len().max(1)),
        &[],
        pad_text(body),
    )
}

/// A `<U1` of an empty string still holds one (zero) character.
fn pad_text(mut body: Vec<u8>) -> Vec<u8> {
    if body.is_empty() {
        body.extend_from_slice(&[0; 4]);
    }
    body
}

fn marker(estimator: Estimator, extra: &[(&str, &str)]) -> NpzEntry {
    let mut text = format!(
        "estimator={};format_version={FORMAT_VERSION};mlinalg_version={}",
        estimator.name(),
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in extra {
        text.push_str(&format!(";{k}={v}"));
    }
    text_entry(MODEL_KEY, &text)
}

fn solver_name(s: PcaSolver) -> &'static str {
    match s {
        PcaSolver::Auto => "auto",
        PcaSolver::CovarianceEigh => "covariance_eigh",
        PcaSolver::Svd => "full",
        PcaSolver::Randomized => "randomized",
    }
}

/// The `mlinalg_model` fields of a float32 model (none for float64, the format's default).
fn dtype_meta(floats: Floats) -> Vec<(&'static str, &'static str)> {
    match floats {
        Floats::F64 => vec![],
        Floats::F32 => vec![("dtype", Floats::F32.name())],
    }
}

fn pca_entries(m: &FittedPca, w: Floats) -> Vec<NpzEntry> {
    let (k, n) = m.components.dim();
    let mut meta = vec![("svd_solver", solver_name(m.solver_used))];
    meta.extend(dtype_meta(w));
    vec![
        marker(Estimator::Pca, &meta),
        array2_entry("components_", &m.components, w),
        array1_entry("explained_variance_", &m.explained_variance, w),
        array1_entry("explained_variance_ratio_", &m.explained_variance_ratio, w),
        array1_entry("singular_values_", &m.singular_values, w),
        array1_entry("mean_", &m.mean, w),
        scalar_entry("noise_variance_", m.noise_variance, w),
        int_entry("n_components_", k as u64),
        int_entry("n_samples_", m.n_samples as u64),
        int_entry("n_features_in_", n as u64),
        bool_entry("whiten", m.whiten),
    ]
}

fn ipca_entries(m: &IncrementalPca) -> Result<Vec<NpzEntry>> {
    let st = m.state.as_ref().ok_or_else(|| {
        Error::shape(
            "incremental_pca",
            "the model is not fitted yet: call partial_fit or fit before saving",
        )
    })?;
    let batch = m.batch_size.map(|b| b.to_string());
    let mut extra = Vec::new();
    if let Some(b) = &batch {
        extra.push(("batch_size", b.as_str()));
    }
    let w = Floats::F64;
    Ok(vec![
        marker(Estimator::IncrementalPca, &extra),
        array2_entry("components_", &st.components, w),
        array1_entry("explained_variance_", &st.explained_variance, w),
        array1_entry("explained_variance_ratio_", &st.explained_variance_ratio, w),
        array1_entry("singular_values_", &st.singular_values, w),
        array1_entry("mean_", &st.mean, w),
        array1_entry("var_", &st.var, w),
        scalar_entry("noise_variance_", st.noise_variance, w),
        int_entry("n_components_", st.n_components as u64),
        int_entry("n_samples_seen_", st.n_samples_seen),
        int_entry("n_features_in_", st.mean.len() as u64),
        bool_entry("whiten", m.whiten),
    ])
}

fn tsvd_entries(m: &FittedTruncatedSvd, w: Floats) -> Vec<NpzEntry> {
    vec![
        marker(Estimator::TruncatedSvd, &dtype_meta(w)),
        array2_entry("components_", &m.components, w),
        array1_entry("explained_variance_", &m.explained_variance, w),
        array1_entry("explained_variance_ratio_", &m.explained_variance_ratio, w),
        array1_entry("singular_values_", &m.singular_values, w),
        int_entry("n_features_in_", m.components.ncols() as u64),
    ]
}

fn linear_entries(
    estimator: Estimator,
    coef: &Array1<f64>,
    intercept: f64,
    w: Floats,
) -> Vec<NpzEntry> {
    vec![
        marker(estimator, &dtype_meta(w)),
        array1_entry("coef_", coef, w),
        scalar_entry("intercept_", intercept, w),
        int_entry("n_features_in_", coef.len() as u64),
    ]
}

// ---- reading -------------------------------------------------------------------------------

/// A model file's entries and its parsed `mlinalg_model` marker.
struct ModelFile<'p> {
    path: &'p Path,
    entries: Vec<(String, RawNpy)>,
    estimator: Estimator,
    meta: Vec<(String, String)>,
    /// The dtype of every float array (`dtype=` in the marker; float64 when absent).
    floats: Floats,
}

impl<'p> ModelFile<'p> {
    fn read(path: &'p Path) -> Result<ModelFile<'p>> {
        let entries = read_npz_raw(path)?;
        for (i, (name, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(n, _)| n == name) {
                return Err(Error::format(
                    path,
                    format!("'{}': duplicate entry", escape_excerpt(name)),
                ));
            }
        }
        let bad = |detail: String| Error::format(path, format!("'{MODEL_KEY}': {detail}"));
        let Some((_, raw)) = entries.iter().find(|(n, _)| n == MODEL_KEY) else {
            return Err(Error::format(
                path,
                format!(
                    "not an mlinalg model file: no '{MODEL_KEY}' entry (it holds: {})",
                    list(&entries)
                ),
            ));
        };
        if !raw.header.shape.is_empty() {
            return Err(bad(format!(
                "expected a 0-d string, got shape {}",
                fmt_shape(&raw.header.shape)
            )));
        }
        let text = raw
            .to_text()
            .ok_or_else(|| bad("expected a string (dtype <U or |S)".to_string()))?;
        let meta: Vec<(String, String)> = text
            .split(';')
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.trim().to_string(), v.trim().to_string())
            })
            .collect();
        let get = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let version = get("format_version")
            .ok_or_else(|| bad(format!("no format_version in {}", quoted(&text))))?;
        let version: u32 = version.parse().map_err(|_| {
            bad(format!(
                "format_version {} is not a whole number",
                quoted(version)
            ))
        })?;
        if version == 0 || version > FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version} is not supported: this mlinalg reads versions 1 to \
                 {FORMAT_VERSION} (a newer mlinalg wrote the file?)"
            )));
        }
        let name =
            get("estimator").ok_or_else(|| bad(format!("no estimator in {}", quoted(&text))))?;
        let estimator = Estimator::from_name(name).ok_or_else(|| {
            bad(format!(
                "unknown estimator {} (expected one of {})",
                quoted(name),
                Estimator::ALL.map(Estimator::name).join(", ")
            ))
        })?;
        let floats = match get("dtype") {
            None | Some("float64") => Floats::F64,
            Some("float32") => Floats::F32,
            Some(d) => {
                return Err(bad(format!(
                    "unsupported dtype {} (expected float64 or float32)",
                    quoted(d)
                )));
            }
        };
        Ok(ModelFile {
            path,
            entries,
            estimator,
            meta,
            floats,
        })
    }

    fn err(&self, key: &str, detail: impl std::fmt::Display) -> Error {
        Error::format(
            self.path,
            format!("'{key}' ({} model): {detail}", self.estimator),
        )
    }

    fn raw(&self, key: &str) -> Result<&RawNpy> {
        self.entries
            .iter()
            .find(|(n, _)| n == key)
            .map(|(_, r)| r)
            .ok_or_else(|| self.err(key, "missing"))
    }

    /// A float array of the file's dtype (float64, or float32 in a `dtype=float32` file),
    /// of exactly `shape` (described by `dims`, e.g. `(n_components_,)`), every value
    /// finite; as `f64` (exact from float32).
    fn floats(&self, key: &str, shape: &[usize], dims: &str) -> Result<ArrayD<f64>> {
        let raw = self.raw(key)?;
        let dtype = self.floats.name();
        let expected = || format!("expected {dtype} of shape {} {dims}", fmt_shape(shape));
        match (raw.header.descr, self.floats) {
            (
                Descr::Num {
                    dtype: Dtype::Float64,
                    ..
                },
                Floats::F64,
            )
            | (
                Descr::Num {
                    dtype: Dtype::Float32,
                    ..
                },
                Floats::F32,
            ) => {}
            (d, _) => {
                return Err(self.err(key, format!("{}, got dtype {}", expected(), dtype_name(d))));
            }
        }
        if raw.header.shape != shape {
            return Err(self.err(
                key,
                format!("{}, got shape {}", expected(), fmt_shape(&raw.header.shape)),
            ));
        }
        let a = raw.to_dense(self.path)?.data;
        if let Some(v) = a.iter().find(|v| !v.is_finite()) {
            return Err(self.err(
                key,
                format!("non-finite value {v} (every value must be finite)"),
            ));
        }
        Ok(a)
    }

    fn vector(&self, key: &str, len: usize, dims: &str) -> Result<Array1<f64>> {
        self.floats(key, &[len], dims)?
            .into_dimensionality::<Ix1>()
            .map_err(|e| self.err(key, e))
    }

    fn matrix(&self, key: &str, shape: (usize, usize), dims: &str) -> Result<Array2<f64>> {
        self.floats(key, &[shape.0, shape.1], dims)?
            .into_dimensionality::<Ix2>()
            .map_err(|e| self.err(key, e))
    }

    fn scalar(&self, key: &str) -> Result<f64> {
        Ok(self
            .floats(key, &[], "(a scalar)")?
            .iter()
            .copied()
            .next()
            .unwrap_or(0.0))
    }

    /// A 0-d integer ≥ `min`.
    fn count(&self, key: &str, min: u64) -> Result<u64> {
        let raw = self.raw(key)?;
        let ok_dtype = matches!(
            raw.header.descr,
            Descr::Num {
                dtype: Dtype::Int64 | Dtype::Int32 | Dtype::Uint64 | Dtype::Uint32,
                ..
            }
        );
        if !ok_dtype || !raw.header.shape.is_empty() {
            return Err(self.err(
                key,
                format!(
                    "expected a 0-d integer (int64), got dtype {} shape {}",
                    dtype_name(raw.header.descr),
                    fmt_shape(&raw.header.shape)
                ),
            ));
        }
        let v = raw
            .to_dense(self.path)?
            .data
            .iter()
            .copied()
            .next()
            .unwrap_or(-1.0);
        if !(v >= min as f64 && v <= 9.0e15) {
            return Err(self.err(key, format!("expected an integer ≥ {min}, got {v}")));
        }
        Ok(v as u64)
    }

    /// A count that must equal what the arrays say.
    fn count_eq(&self, key: &str, want: usize) -> Result<()> {
        let got = self.count(key, 0)?;
        if got != want as u64 {
            return Err(self.err(key, format!("is {got}, but the arrays say {want}")));
        }
        Ok(())
    }

    fn flag(&self, key: &str) -> Result<bool> {
        let raw = self.raw(key)?;
        if !matches!(
            raw.header.descr,
            Descr::Num {
                dtype: Dtype::Bool,
                ..
            }
        ) || !raw.header.shape.is_empty()
        {
            return Err(self.err(
                key,
                format!(
                    "expected a 0-d bool, got dtype {} shape {}",
                    dtype_name(raw.header.descr),
                    fmt_shape(&raw.header.shape)
                ),
            ));
        }
        Ok(raw.to_dense(self.path)?.data.iter().any(|&v| v != 0.0))
    }

    /// (k, n) from `components_`'s header, checked against `n_components_` (if present in
    /// this estimator) and `n_features_in_`, both ≥ 1.
    fn components_shape(&self, with_k: bool) -> Result<(usize, usize)> {
        let raw = self.raw("components_")?;
        let (k, n) = match raw.header.shape.as_slice() {
            &[k, n] if k >= 1 && n >= 1 => (k, n),
            s => {
                return Err(self.err(
                    "components_",
                    format!(
                        "expected {} of shape (n_components_, n_features_in_), both ≥ 1, got shape {}",
                        self.floats.name(),
                        fmt_shape(s)
                    ),
                ));
            }
        };
        if k > n {
            return Err(self.err(
                "components_",
                format!("{k} components of {n} features: at most n_features_in_ components"),
            ));
        }
        if with_k {
            self.count_eq("n_components_", k)?;
        }
        self.count_eq("n_features_in_", n)?;
        Ok((k, n))
    }

    /// The arrays PCA, IncrementalPCA and TruncatedSVD share.
    fn spectrum(&self, k: usize) -> Result<[Array1<f64>; 3]> {
        Ok([
            self.vector("explained_variance_", k, "(n_components_,)")?,
            self.vector("explained_variance_ratio_", k, "(n_components_,)")?,
            self.vector("singular_values_", k, "(n_components_,)")?,
        ])
    }

    fn pca(&self) -> Result<FittedPca> {
        let (k, n) = self.components_shape(true)?;
        let components = self.matrix("components_", (k, n), "(n_components_, n_features_in_)")?;
        let [
            explained_variance,
            explained_variance_ratio,
            singular_values,
        ] = self.spectrum(k)?;
        let n_samples = self.count("n_samples_", 1)?;
        let solver_used = match self.meta_value("svd_solver") {
            Some("covariance_eigh") => PcaSolver::CovarianceEigh,
            Some("randomized") => PcaSolver::Randomized,
            Some("auto") => PcaSolver::Auto,
            _ => PcaSolver::Svd,
        };
        Ok(FittedPca {
            components,
            explained_variance,
            explained_variance_ratio,
            singular_values,
            mean: self.vector("mean_", n, "(n_features_in_,)")?,
            noise_variance: self.scalar("noise_variance_")?,
            n_samples: usize::try_from(n_samples).unwrap_or(usize::MAX),
            whiten: self.flag("whiten")?,
            solver_used,
        })
    }

    fn ipca(&self) -> Result<IncrementalPca> {
        let (k, n) = self.components_shape(true)?;
        let components = self.matrix("components_", (k, n), "(n_components_, n_features_in_)")?;
        let [
            explained_variance,
            explained_variance_ratio,
            singular_values,
        ] = self.spectrum(k)?;
        let batch_size = match self.meta_value("batch_size") {
            None => None,
            Some(b) => Some(b.parse::<usize>().map_err(|_| {
                self.err(
                    MODEL_KEY,
                    format!("batch_size {} is not a whole number", quoted(b)),
                )
            })?),
        };
        let state = IpcaState {
            n_components: k,
            components,
            singular_values,
            explained_variance,
            explained_variance_ratio,
            noise_variance: self.scalar("noise_variance_")?,
            mean: self.vector("mean_", n, "(n_features_in_,)")?,
            var: self.vector("var_", n, "(n_features_in_,)")?,
            n_samples_seen: self.count("n_samples_seen_", 1)?,
        };
        Ok(IncrementalPca {
            n_components: Some(k),
            whiten: self.flag("whiten")?,
            batch_size,
            state: Some(state),
        })
    }

    fn tsvd(&self) -> Result<FittedTruncatedSvd> {
        let (k, n) = self.components_shape(false)?;
        let components = self.matrix("components_", (k, n), "(n_components, n_features_in_)")?;
        let [
            explained_variance,
            explained_variance_ratio,
            singular_values,
        ] = self.spectrum(k)?;
        Ok(FittedTruncatedSvd {
            components,
            singular_values,
            explained_variance,
            explained_variance_ratio,
        })
    }

    fn linear(&self) -> Result<(Array1<f64>, f64)> {
        let raw = self.raw("coef_")?;
        let n = match raw.header.shape.as_slice() {
            &[n] if n >= 1 => n,
            s => {
                return Err(self.err(
                    "coef_",
                    format!(
                        "expected {} of shape (n_features_in_,) with n_features_in_ ≥ 1 \
                         (one target), got shape {}",
                        self.floats.name(),
                        fmt_shape(s)
                    ),
                ));
            }
        };
        self.count_eq("n_features_in_", n)?;
        let coef = self.vector("coef_", n, "(n_features_in_,)")?;
        Ok((coef, self.scalar("intercept_")?))
    }

    fn meta_value(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn list(entries: &[(String, RawNpy)]) -> String {
    if entries.is_empty() {
        "no arrays".to_string()
    } else {
        escape_list(entries.iter().map(|(n, _)| n.as_str()))
    }
}

/// Text from the file in double quotes, as a message shows it (escaped, cut: see
/// [`escape_excerpt`]).
fn quoted(text: &str) -> String {
    format!("\"{}\"", escape_excerpt(text))
}

fn dtype_name(d: Descr) -> String {
    match d {
        Descr::Num { dtype, .. } => dtype.numpy_name().to_string(),
        Descr::Bytes(n) => format!("|S{n}"),
        Descr::Unicode { chars, .. } => format!("<U{chars}"),
        // never produced by the .npz reader, which refuses long doubles
        d @ Descr::LongDouble { .. } => crate::io::npy::descr_name(d),
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::Model;
    use crate::decomposition::{IncrementalPca, Pca, TruncatedSvd, TruncatedSvdAlgorithm};
    use crate::linear_model::{LinearRegression, Ridge};

    /// With the `serde` feature every fitted estimator serializes (here to JSON) and comes
    /// back equal.
    #[test]
    fn fitted_estimators_round_trip_through_serde() {
        let x = crate::random::randn2(20, 4, 3);
        let y = x.column(1).to_owned();
        let mut ipca = IncrementalPca::new(Some(2));
        ipca.fit(x.view()).unwrap();
        let models: Vec<Model> = vec![
            Pca::new(Some(2)).whiten(true).fit(x.view()).unwrap().into(),
            ipca.into(),
            TruncatedSvd::new(2)
                .algorithm(TruncatedSvdAlgorithm::Exact)
                .fit(x.view())
                .unwrap()
                .into(),
            LinearRegression::new()
                .fit(x.view(), y.view())
                .unwrap()
                .into(),
            Ridge::new(0.5).fit(x.view(), y.view()).unwrap().into(),
        ];
        for m in models {
            let json = serde_json::to_string(&m).unwrap();
            let back: Model = serde_json::from_str(&json).unwrap();
            assert_eq!(back, m, "{json}");
        }
    }
}
