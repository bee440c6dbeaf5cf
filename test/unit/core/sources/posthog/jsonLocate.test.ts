import * as assert from 'node:assert/strict';
import { nodeAtPath, parseJsonTree, positionAt, problemPath, problemSpan } from '../../../../../src/core/sources/posthog/jsonLocate';

describe('PostHog query documents: locating problems in JSON', () => {
  const doc =
    '{\n  "kind": "InsightVizNode",\n  "source": {\n    "kind": "TrendQuery",\n    "series": [ {"event": "$pageview"}, 2 ]\n  }\n}\n';

  it('parses like JSON.parse and keeps where every value is', () => {
    const r = parseJsonTree(doc);
    assert.ok(r.ok);
    assert.deepEqual(r.value, JSON.parse(doc));
    const { node, depth } = nodeAtPath(r.root, ['source', 'kind']);
    assert.equal(depth, 2);
    assert.equal(doc.slice(node.offset, node.offset + node.length), '"TrendQuery"');
    assert.deepEqual(positionAt(doc, node.offset), { line: 3, character: 12 });
    const item = nodeAtPath(r.root, ['source', 'series', 1]);
    assert.equal(doc.slice(item.node.offset, item.node.offset + item.node.length), '2');
    assert.equal(nodeAtPath(r.root, ['source', 'missing', 'x']).depth, 1);
    for (const text of ['"a\\u00e9\\n"', '-1.5e3', '[true, false, null]', '  {}  ', '\ufeff[]']) {
      const p = parseJsonTree(text);
      assert.ok(p.ok, text);
      assert.deepEqual(p.value, JSON.parse(text.replace(/^\ufeff/, '')));
    }
  });

  it('reports syntax errors with their offset', () => {
    const cases: [string, RegExp, number][] = [
      ['{"a": 1,}', /Trailing comma/, 8],
      ['{"a": 1 "b": 2}', /Expected “,” or “}”/, 8],
      ['[1, 2', /Expected “,” or “]”/, 5],
      ["{'a': 1}", /property name in double quotes/, 1],
      ['{"a": tru}', /Unexpected “t”/, 6],
      ['{"a": "x\ny"}', /Control character/, 8],
      ['{} x', /after the end/, 3],
      ['', /end of the text/, 0],
    ];
    for (const [text, message, offset] of cases) {
      const r = parseJsonTree(text);
      assert.ok(!r.ok, text);
      assert.match(r.message, message, text);
      assert.equal(r.offset, offset, text);
    }
  });

  it('turns PostHog’s attr and detail into a path in the document', () => {
    assert.deepEqual(problemPath('query', 'source.kind: Unknown query kind', []), ['source', 'kind']);
    assert.deepEqual(problemPath('query', 'source.series.1: bad', ['query']), ['query', 'source', 'series', 1]);
    assert.deepEqual(problemPath('query__source__kind', 'whatever', []), ['source', 'kind']);
    assert.deepEqual(problemPath('query', 'Input should be a valid dictionary', []), []);
    assert.deepEqual(problemPath(null, undefined, []), []);
    assert.deepEqual(problemPath('name', 'Ensure this field has no more than 400 characters.', []), ['name']);
  });

  it('underlines the value the path reaches, else the first line', () => {
    const r = parseJsonTree(doc);
    assert.ok(r.ok);
    const span = problemSpan(doc, r.root, ['source', 'kind']);
    assert.equal(doc.slice(span.offset, span.offset + span.length), '"TrendQuery"');
    // An object value: only its first line is underlined.
    const src = problemSpan(doc, r.root, ['source', 'nope']);
    assert.equal(doc.slice(src.offset, src.offset + src.length), '{');
    assert.deepEqual(problemSpan(doc, r.root, ['kind2']), { offset: 0, length: 1 });
    assert.deepEqual(problemSpan('{"a": 1}', undefined, ['a']), { offset: 0, length: 8 });
  });
});
