/**
 * CSV of one evidence item list for auditors (RFC 4180, CRLF line ends),
 * written a page at a time so no list is ever held whole.
 *
 * - A comment header (`# key: value` lines) says what the file is: control,
 *   list, org, sync id, `asOf` and the snapshot hash.
 * - The columns are the item fields in the order the first page shows them
 *   (every rule writes its items as one object-literal shape).
 * - A cell is the value as text: `null`/absent → empty; numbers and booleans
 *   as JSON writes them; arrays and objects → their JSON.
 * - Formula guard: a text cell starting with `=`, `+`, `-`, `@`, a tab or a
 *   CR gets a leading `'`, so a spreadsheet shows it and does not run it
 *   (OWASP "CSV injection"; group names and app labels are customer text).
 */

export type CsvHeader = Record<string, string | number | null>;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** `# key: value` lines (values on one line). */
export function csvComments(header: CsvHeader): string {
  return Object.entries(header)
    .map(([key, value]) => `# ${key}: ${String(value ?? '').replace(/[\r\n]+/g, ' ')}\r\n`)
    .join('');
}

/** The columns of a list: every key of the first page's items, in first-seen order. */
export function columnsOf(items: readonly unknown[]): string[] {
  const columns = new Set<string>();
  for (const item of items)
    if (item && typeof item === 'object') for (const key of Object.keys(item)) columns.add(key);
  return [...columns];
}

/**
 * The whole file as chunks: the comments, the column row, then one chunk per
 * page of items. An empty list is the comments and an empty column row.
 */
export async function* evidenceCsv(
  header: CsvHeader,
  pages: AsyncIterable<unknown[]>,
): AsyncGenerator<string> {
  yield csvComments(header);
  let columns: string[] | null = null;
  for await (const page of pages) {
    if (!columns) {
      columns = columnsOf(page);
      yield csvRow(columns);
    }
    const cols = columns;
    yield page
      .map((item) => csvRow(cols.map((c) => (item as Record<string, unknown>)[c])))
      .join('');
  }
  if (!columns) yield '\r\n';
}
