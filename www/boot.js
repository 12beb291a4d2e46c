// Starts what the first ranking waits for (the bundle's download, the wasm module's download
// and compilation, the engine built from the bundle) as soon as this module and its two
// imports have loaded, before the page's other modules (app.js and the views it imports) are
// fetched and evaluated: the two overlap instead of adding up. app.js awaits the engine.
// index.html asks for these three files first, so they arrive in the browser's first round of
// requests (it keeps a few connections per host).
import * as glue from './pkg/influence_rec.js';
import { startEngine } from './wasm.js';

export const { bundleBytes, wasmReady, engine } = startEngine(glue, document.baseURI, { search: location.search });
// app.js handles a failure (it says what to do next); this keeps the browser from reporting
// it as unhandled before app.js has loaded.
engine.catch(() => {});
