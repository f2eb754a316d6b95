import { type Options, stringify } from 'csv-stringify';

/**
 * The one way Tandem writes CSV: a header line, and every cell that a spreadsheet would run as a
 * formula (one that begins with =, +, -, @, a tab or a carriage return) neutralized with a leading
 * apostrophe, as OWASP advises: a commitment described `=HYPERLINK(...)` is text in Excel, not a link.
 */
export function csvWriter(columns: Options['columns']) {
  return stringify({ header: true, columns, escape_formulas: true });
}
