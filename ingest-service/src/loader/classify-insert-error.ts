/**
 * ClickHouse error codes that mean "this data cannot be inserted", as opposed to "ClickHouse is not
 * reachable right now". Only the former are worth isolating row by row; the latter are retried.
 */
const DATA_ERROR_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '32', // ATTEMPT_TO_READ_AFTER_EOF
  '33', // CANNOT_READ_ALL_DATA (a truncated row)
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '53', // TYPE_MISMATCH
  '69', // ARGUMENT_OUT_OF_BOUND
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '117', // INCORRECT_DATA
  '131', // TOO_LARGE_STRING_SIZE
  '321', // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  '349', // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  '467', // CANNOT_PARSE_BOOL
  '1001', // STD_EXCEPTION (e.g. malformed JSON)
]);

export function isDataError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // @clickhouse/client puts the server's code in `code`; chDB's own error keeps it in `clickhouseCode`.
  const { code, clickhouseCode, cause } = err as { code?: unknown; clickhouseCode?: unknown; cause?: unknown };
  for (const c of [code, clickhouseCode]) {
    if ((typeof c === 'string' || typeof c === 'number') && DATA_ERROR_CODES.has(String(c))) return true;
  }
  if (cause instanceof Error && cause !== err && isDataError(cause)) return true;
  return /Cannot parse|CANNOT_PARSE|INCORRECT_DATA|TYPE_MISMATCH|while parsing JSONEachRow/.test(err.message);
}
