import { describe, expect, it } from 'vitest';
import { csvCell } from './audit.js';

describe('csvCell (A14.1 audit trail export)', () => {
  it('plain text is written as it is', () => {
    expect(csvCell('user.create')).toBe('user.create');
    expect(csvCell('张三')).toBe('张三');
    expect(csvCell('')).toBe('');
    expect(csvCell('a b')).toBe('a b');
  });

  it('null and undefined → empty cell', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('numbers and booleans are written as JSON', () => {
    expect(csvCell(42)).toBe('42');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(false)).toBe('false');
  });

  it('RFC 4180: a comma → quoted', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
  });

  it('RFC 4180: a double quote → quoted and doubled', () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('"')).toBe('""""');
  });

  it('RFC 4180: newlines (LF, CR, CRLF) → quoted', () => {
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvCell('a\rb')).toBe('"a\rb"');
  });

  it.each([
    ['=cmd', "'=cmd"],
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcmd', "'\tcmd"],
    ['=1+2,3', `"'=1+2,3"`],
  ])('formula injection guard: %j → %j', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it('a carriage return at the start is guarded and quoted', () => {
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
  });

  it('formula characters later in the text are left alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('user-1')).toBe('user-1');
    expect(csvCell('x@y.cn')).toBe('x@y.cn');
  });

  it('a negative number is guarded like text', () => {
    expect(csvCell(-1)).toBe("'-1");
  });

  it('objects and arrays → JSON, quoted because JSON has quotes', () => {
    expect(csvCell({})).toBe('{}');
    expect(csvCell([])).toBe('[]');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell({ a: 1, b: 'x,y' })).toBe('"{""a"":1,""b"":""x,y""}"');
    expect(csvCell([1, 2])).toBe('"[1,2]"');
    expect(csvCell({ 名称: '执法' })).toBe('"{""名称"":""执法""}"');
  });

  it('a JSON object with a newline inside a string stays on one line (JSON escapes it)', () => {
    expect(csvCell({ note: 'a\nb' })).toBe('"{""note"":""a\\nb""}"');
  });

  it('every cell round-trips through a simple RFC 4180 reader', () => {
    const inputs = ['plain', 'a,b', 'q"q', 'x\ny', '', '中文,逗号', '"start', 'end"'];
    for (const s of inputs) {
      const cell = csvCell(s);
      const read = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(read, JSON.stringify(s)).toBe(s);
    }
  });
});
