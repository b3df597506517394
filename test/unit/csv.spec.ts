import { csvCell, csvLine, CsvSyntaxError, parseCsv, unguardCell } from '../../src/modules/contacts/csv';

describe('csvCell: RFC 4180 quoting and the formula guard', () => {
  test.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rin', '"cr\rin"'],
    ['mid = + - @ stays', 'mid = + - @ stays'],
    ["it's", "it's"],
  ])('%j -> %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  test.each([
    ['=1+1', "'=1+1"],
    ['+4930123', "'+4930123"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTab', "'\tTab"],
    ['\rCR', `"'\rCR"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["'=already guarded", "''=already guarded"],
    ["''+twice", "'''+twice"],
  ])('formula trigger %j -> %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  test('null and undefined are empty cells', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvLine(['a', null, '=b', 'c,d'])).toBe(`a,,'=b,"c,d"\r\n`);
  });

  test('no exported cell starts with a formula trigger, and the import gets every value back', () => {
    const values = ['=x', '+x', '-x', '@x', '\tx', '\rx', "'=x", "''-x", "'x", "''", 'x', '=', "'", ' =x', '-', '"=x"'];
    const text = values.map((v) => csvLine([v, 'end'])).join('');
    const { records } = parseCsv(text);
    expect(records).toHaveLength(values.length);
    records.forEach((r, i) => {
      expect(r.fields[0]).not.toMatch(/^[=+\-@\t\r]/);
      expect(unguardCell(r.fields[0])).toBe(values[i]);
    });
  });
});

describe('parseCsv', () => {
  test('quoted fields with commas, quotes and line breaks; CRLF, LF and CR; line numbers of record starts', () => {
    const { records, truncated } = parseCsv('name,note\r\n"Doe, ""Jo""","two\nlines"\nplain,x\r"",last');
    expect(truncated).toBe(false);
    expect(records).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Doe, "Jo"', 'two\nlines'] },
      { line: 4, fields: ['plain', 'x'] },
      { line: 5, fields: ['', 'last'] },
    ]);
  });

  test('a BOM, blank lines and a trailing newline are ignored; empty fields are kept', () => {
    expect(parseCsv('\ufeffa,b\n\n1,\n,2\n\n').records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', ''] },
      { line: 4, fields: ['', '2'] },
    ]);
  });

  test('a quote inside an unquoted field is text', () => {
    expect(parseCsv('Jo "JJ" Doe,x').records[0].fields).toEqual(['Jo "JJ" Doe', 'x']);
  });

  test('broken quoting names the line', () => {
    const at = (text: string) => {
      try {
        parseCsv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CsvSyntaxError);
        return (err as Error).message;
      }
      throw new Error('expected a CsvSyntaxError');
    };
    expect(at('a,b\n1,"open\n\n')).toBe('line 2: a quoted field is not closed');
    expect(at('a,b\n"x"y,1\n')).toBe('line 2: a closing quote must be followed by a comma or the end of the line');
  });

  test('stops after maxRecords', () => {
    const { records, truncated } = parseCsv('h\n1\n2\n3\n', 3);
    expect(records.map((r) => r.fields[0])).toEqual(['h', '1', '2']);
    expect(truncated).toBe(true);
    expect(parseCsv('h\n1\n2\n', 3).truncated).toBe(false);
  });
});
