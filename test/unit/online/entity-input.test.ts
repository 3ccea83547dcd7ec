import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { entityFileFormat, parseCsv, parseEntityFlags, parseEntityText, readEntityFile } from '../../../src/core/online/entity-input.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

describe('parseEntityFlags', () => {
  it('builds one row per value and zips keys by position', () => {
    expect(parseEntityFlags(['driver_id=1001', 'driver_id=1002'])).toEqual({ driver_id: ['1001', '1002'] });
    expect(parseEntityFlags(['driver_id=1', 'user_id=a', 'driver_id=2', 'user_id=b'])).toEqual({ driver_id: ['1', '2'], user_id: ['a', 'b'] });
  });

  it('repeats a key given once on every row and keeps = inside values', () => {
    expect(parseEntityFlags(['region=eu', 'driver_id=1', 'driver_id=2', 'q=a=b'])).toEqual({ region: ['eu', 'eu'], driver_id: ['1', '2'], q: ['a=b', 'a=b'] });
  });

  it.each([[['driver_id']], [['=1']], [['a=1', 'a=2', 'b=1', 'b=2', 'b=3']]])('refuses %j', (flags) => {
    expect(() => parseEntityFlags(flags)).toThrow(expect.objectContaining({ code: 'usage.badArgument', path: '--entities' }));
  });
});

describe('parseCsv', () => {
  it('reads quotes, escaped quotes, embedded newlines, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffid,name\r\n1,"a, ""b"""\r\n2,"x\ny"\n\n3,\n', 'f.csv')).toEqual([
      ['id', 'name'],
      ['1', 'a, "b"'],
      ['2', 'x\ny'],
      ['3', ''],
    ]);
  });

  it('reports an unclosed quote with its line', () => {
    expect(() => parseCsv('id\n1\n"2\n', 'f.csv')).toThrow(expect.objectContaining({ code: 'usage.badArgument', location: { file: 'f.csv', line: 4 } }));
  });
});

describe('parseEntityText', () => {
  it('reads CSV columns from the header', () => {
    expect(parseEntityText('driver_id,user_id\n1,a\n2,b\n', 'rows.csv', 'csv')).toEqual({ driver_id: ['1', '2'], user_id: ['a', 'b'] });
  });

  it('refuses a header naming a column twice (it would double the rows of that key)', () => {
    for (const text of ['driver_id,driver_id\n1,1\n', 'driver_id,x, driver_id\n1,2,1\n']) {
      expect(() => parseEntityText(text, 'rows.csv', 'csv')).toThrow(
        expect.objectContaining({ code: 'usage.badArgument', location: { file: 'rows.csv', line: 1 }, message: expect.stringContaining('"driver_id" twice') }),
      );
    }
  });

  it('refuses a JSON or JSONL object naming a key twice (JSON.parse would keep one silently)', () => {
    expect(() => parseEntityText('[{"driver_id": 1},\n {"driver_id": 2, "driver_id": 3}]', 'r.json', 'json')).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', location: { file: 'r.json', line: 2 }, message: expect.stringContaining('"driver_id" twice') }),
    );
    expect(() => parseEntityText('{"driver_id": [1], "driver_\\u0069d": [2]}', 'r.json', 'json')).toThrow(
      expect.objectContaining({ code: 'usage.badArgument' }),
    );
    expect(() => parseEntityText('{"a": 1}\n{"a": 1, "a": 2}\n', 'r.jsonl', 'jsonl')).toThrow(
      expect.objectContaining({ location: { file: 'r.jsonl', line: 2 } }),
    );
    // the same key in different objects, and a key-like string value, are fine
    expect(parseEntityText('[{"a": "a:"}, {"a": 2, "b": {"a": 1}}]', 'r.json', 'json')).toEqual([{ a: 'a:' }, { a: 2, b: { a: 1 } }]);
  });

  it('names the CSV row with the wrong field count', () => {
    expect(() => parseEntityText('a,b\n1,2\n3\n', 'rows.csv', 'csv')).toThrow(expect.objectContaining({ location: { file: 'rows.csv', line: 3 } }));
  });

  it('reads a JSON array or object of columns, and JSONL', () => {
    expect(parseEntityText('[{"driver_id": 1}]', 'r.json', 'json')).toEqual([{ driver_id: 1 }]);
    expect(parseEntityText('{"driver_id": [1, 2]}', 'r.json', 'json')).toEqual({ driver_id: [1, 2] });
    expect(parseEntityText('{"driver_id": 1}\n\n{"driver_id": 2}\n', 'r.jsonl', 'jsonl')).toEqual([{ driver_id: 1 }, { driver_id: 2 }]);
  });

  it('names the JSONL line that is not an object', () => {
    expect(() => parseEntityText('{"a":1}\n[1]\n', 'r.jsonl', 'jsonl')).toThrow(expect.objectContaining({ location: { file: 'r.jsonl', line: 2 } }));
    expect(() => parseEntityText('{"a":', 'r.jsonl', 'jsonl')).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
    expect(() => parseEntityText('42', 'r.json', 'json')).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
  });
});

describe('readEntityFile', () => {
  it('picks the format from the extension and reads the file', () => {
    const dir = tempRepoDir('entities-');
    const file = path.join(dir, 'rows.csv');
    writeFileSync(file, 'driver_id\n1001\n');
    expect(readEntityFile(file)).toEqual({ driver_id: ['1001'] });
    expect(entityFileFormat('x.NDJSON')).toBe('jsonl');
    expect(() => entityFileFormat('rows.txt')).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
    expect(() => readEntityFile(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', message: expect.stringContaining('ENOENT') }),
    );
  });
});
