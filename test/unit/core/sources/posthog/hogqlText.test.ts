import * as assert from 'node:assert/strict';
import { sourceLabelOf, statementAt, statementsOf } from '../../../../../src/core/sources/posthog/hogqlText';

describe('HogQL document text', () => {
  it('names the source from the leading comment only', () => {
    assert.equal(sourceLabelOf('-- source: PostHog EU · 12345\nSELECT 1'), 'PostHog EU · 12345');
    assert.equal(sourceLabelOf('\n  -- a note\n--source:Sandbox\nSELECT 1'), 'Sandbox');
    assert.equal(sourceLabelOf('SELECT 1\n-- source: Late'), undefined);
    assert.equal(sourceLabelOf('-- source:   \nSELECT 1'), undefined);
  });

  it("splits statements at ';' outside strings, quoted names and comments, with their offsets", () => {
    const text = "-- source: S\nSELECT ';' AS semi, `a;b` FROM events; -- one; two\n\nSELECT 'it''s' /* ; */ FROM events\n;\n  ;";
    const all = statementsOf(text);
    assert.deepEqual(
      all.map((s) => s.sql),
      ["-- source: S\nSELECT ';' AS semi, `a;b` FROM events", "-- one; two\n\nSELECT 'it''s' /* ; */ FROM events"],
    );
    for (const s of all) assert.equal(text.slice(s.start, s.end), s.sql);
  });

  it('picks the statement under the cursor, else the one before it', () => {
    const text = 'SELECT 1;\nSELECT 2;\n\nSELECT 3';
    assert.equal(statementAt(text, text.indexOf('2'))?.sql, 'SELECT 2');
    assert.equal(statementAt(text, text.length)?.sql, 'SELECT 3');
    assert.equal(statementAt(text, text.indexOf('\n\n') + 1)?.sql, 'SELECT 2');
    assert.equal(statementAt('-- nothing here', 3), undefined);
  });
});
