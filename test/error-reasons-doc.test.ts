import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import * as reasons from '../lib/error-reasons.js';

describe('the error reasons', () => {
  it('docs/contracts.md lists every reason of lib/error-reasons.ts', () => {
    const doc = readFileSync('docs/contracts.md', 'utf8');
    const section = doc.slice(doc.indexOf('### Error reasons'));
    const all = Object.values(reasons).flatMap((group) =>
      typeof group === 'string' ? [] : Object.values(group),
    );
    expect(all.length).to.be.greaterThan(20);
    const missing = [...new Set(all)].filter((reason) => !section.includes(`\`${reason}\``));
    expect(missing, 'add these reasons to the table in docs/contracts.md').to.deep.equal([]);
  });
});
