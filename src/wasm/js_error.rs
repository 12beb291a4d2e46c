//! The one conversion from the crate's error to JavaScript: every `JsError` the module
//! throws is made here, from [`Error`]'s message (which names the source, line and field).

use wasm_bindgen::JsError;

use crate::error::Error;

/// `e` as a JavaScript `Error` with `e`'s message.
pub fn to_js(e: Error) -> JsError {
    JsError::new(&e.to_string())
}
