//! The `Trees` class: LightGBM text models evaluated in the browser (the benchmark's build
//! only, feature `lightgbm-text`).

use wasm_bindgen::prelude::*;

use super::js_error::to_js;
use crate::error::Error;

/// A LightGBM text model (v4) evaluated in the browser: the same flat trees and f64
/// accumulation as natively, so raw scores equal LightGBM's bit for bit. Only with the
/// `lightgbm-text` feature (the benchmark's build): the text parser would add a fifth to
/// the page's download for a class the page does not use.
#[wasm_bindgen]
pub struct Trees {
    model: crate::gbdt::FlatForest,
}

#[wasm_bindgen]
impl Trees {
    /// Parses a LightGBM text model; errors name the line and field.
    #[wasm_bindgen(js_name = fromLightgbmText)]
    pub fn from_lightgbm_text(text: &str) -> Result<Trees, JsError> {
        let model = crate::gbdt::GbdtModel::parse(text, "model.txt").map_err(to_js)?;
        Ok(Trees {
            model: model.flatten(),
        })
    }

    /// Number of feature columns a row must have.
    #[wasm_bindgen(js_name = numFeatures)]
    pub fn num_features(&self) -> usize {
        self.model.num_features()
    }

    /// Scores per row: the number of classes of a multiclass model, else 1.
    #[wasm_bindgen(js_name = numClass)]
    pub fn num_class(&self) -> usize {
        self.model.num_class()
    }

    /// Raw scores of row-major `values` (NaN is missing), `numClass()` per row; its length
    /// must be a multiple of the number of features.
    #[wasm_bindgen(js_name = predictRaw)]
    pub fn predict_raw(&self, values: &[f64]) -> Result<Vec<f64>, JsError> {
        let nf = self.model.num_features().max(1);
        if !values.chunks_exact(nf).remainder().is_empty() {
            return Err(to_js(Error::InvalidParam {
                name: "values",
                message: format!(
                    "{} values is not a whole number of {nf}-feature rows",
                    values.len()
                ),
            }));
        }
        let mut out = Vec::new();
        self.model.predict_raw_batch(values, &mut out);
        Ok(out)
    }
}
