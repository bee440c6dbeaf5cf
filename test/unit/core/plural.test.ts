/** Counts in words (src/core/plural.ts): one view, two views. */
import * as assert from 'node:assert/strict';
import { countOf } from '../../../src/core/plural';

describe('countOf', () => {
  it('uses the singular for exactly one and the plural otherwise, with grouped digits', () => {
    assert.equal(countOf(1, 'view', 'views'), '1 view');
    assert.equal(countOf(0, 'view', 'views'), '0 views');
    assert.equal(countOf(2, 'participation', 'participations'), '2 participations');
    assert.equal(countOf(1234567, 'row', 'rows'), '1,234,567 rows');
    assert.equal(countOf(1.5, 'day', 'days'), '1.5 days');
  });
});
