/**
 * CSV in and out of the contacts module (export.csv, POST /contacts/import), RFC 4180 with the
 * formula-injection guard OWASP recommends: anyone who writes to a support address chooses their
 * display name, and a spreadsheet that opens the export runs a cell starting with = + - @ TAB or CR
 * as a formula. Such cells get a leading single quote (spreadsheets show the value as text); the
 * import takes that quote off again, so an export imports back to the same values.
 */

/** Cells a spreadsheet would evaluate: a formula trigger first, behind any number of our guard quotes. */
const NEEDS_GUARD = /^'*[=+\-@\t\r\0]/;
/** A cell the export guarded: one quote to take off. */
const GUARDED = /^'+[=+\-@\t\r\0]/;

/** One exported CSV field: guarded against formulas, then quoted when it holds a comma, quote, CR or LF (quotes doubled). */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const safe = NEEDS_GUARD.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One exported CSV record, CRLF-terminated. */
export function csvLine(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The value of an imported cell: the export's formula guard (one leading quote before a trigger) removed. */
export function unguardCell(cell: string): string {
  return GUARDED.test(cell) ? cell.slice(1) : cell;
}

export interface CsvRecord {
  /** Line of the file (1-based) where the record starts; a quoted field may span lines. */
  line: number;
  fields: string[];
}

/** The body is not CSV; `line` is where the broken record starts. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/**
 * Parses RFC 4180 text (records end in CRLF, LF or CR; a leading UTF-8 BOM is ignored). Fields in
 * double quotes may hold commas, quotes ("") and line breaks; a quote inside an unquoted field is
 * taken literally. Blank lines are skipped. At most `maxRecords` records are parsed: one more and it
 * stops with `truncated: true`.
 */
export function parseCsv(text: string, maxRecords = Infinity): { records: CsvRecord[]; truncated: boolean } {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line += 1;
          field += ch;
          i += 1;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          throw new CsvSyntaxError(line, 'a closing quote must be followed by a comma or the end of the line');
        }
      } else {
        const end = nextDelimiter(text, i);
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    // record end: CRLF, LF, CR or the end of the text
    if (text[i] === '\r' || text[i] === '\n') {
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (records.length >= maxRecords) return { records, truncated: true };
    records.push({ line: start, fields });
  }
  return { records, truncated: false };
}

function nextDelimiter(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === ',' || ch === '\r' || ch === '\n') return i;
  }
  return text.length;
}
