/**
 * The one ajv instance of the tracking contracts. Every schema is compiled against it once, at module
 * load, never per request.
 *
 * - `strict: true`: a typo in a schema (unknown keyword or format) fails at start-up, not silently.
 * - `allErrors: false`: stop at the first problem; the hot path pays nothing for reporting.
 * - `allowUnionTypes`: ids are `type: ['string', 'number']`.
 * - `discriminator`: a batch element's schema is picked by its `type`.
 * - no `coerceTypes`, `useDefaults` or `removeAdditional`: validation never rewrites the message.
 */
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS; depending on the loader its default import is the plugin or its namespace.
type FormatsPlugin = typeof addFormatsImport.default;
const addFormats: FormatsPlugin =
  (addFormatsImport as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsImport as unknown as FormatsPlugin);

export const ajv = new Ajv({
  strict: true,
  allErrors: false,
  allowUnionTypes: true,
  discriminator: true,
});
addFormats(ajv);
