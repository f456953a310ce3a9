/** CSV for Excel: UTF-8 with a BOM (so Chinese opens correctly) and cells safe against formula injection. */

/** Byte-order mark: Excel reads a CSV without it in the system's legacy code page (GBK on Chinese Windows). */
export const CSV_BOM = '\uFEFF';

/**
 * One cell. A text starting with `=`, `+`, `-`, `@`, tab or carriage return is something a
 * spreadsheet may run as a formula (e.g. `=HYPERLINK(...)` in a patient's name or a cancel
 * reason), so it gets a leading `'` and is shown as text (OWASP "CSV Injection"). A cell with
 * a comma, quote or line break is quoted, inner quotes doubled (RFC 4180).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated as RFC 4180 and Excel expect. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
