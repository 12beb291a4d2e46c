// Starts what the first ranking waits for (the bundle's download, the wasm module's download
// and compilation, the engine built from the bundle) as soon as this small module graph has
// loaded, before the page's other modules (app.js and the views it imports) are fetched and
// evaluated: the two overlap instead of adding up. app.js awaits the engine.
import * as glue from './pkg/influence_rec.js';
import { startEngine } from './published.js';

export const { bundleBytes, wasmReady, engine } = startEngine(glue, document.baseURI, { search: location.search });
// app.js handles a failure (it says what to do next); this keeps the browser from reporting
// it as unhandled before app.js has loaded.
engine.catch(() => {});
// The page's number and country formats load the browser's locale data, 15-25 ms the first
// time on a slow machine: started now, while the module and the bundle download, instead of
// after them. Imported, not awaited: a language other than English loads its catalogue
// first, and the engine must not wait for that.
import('./format.js').catch(() => {});
import('./countries.js').catch(() => {});
