import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as catalog from '../lib/events/catalog.js';

const PROTO_ROOT = 'proto/ecommerce';

/** Every event the contracts declare: `// Subject: x.y.z` right above `message Name {`. */
function declaredEvents(): { subject: string; message: string }[] {
  const events: { subject: string; message: string }[] = [];
  for (const service of readdirSync(PROTO_ROOT)) {
    const file = join(PROTO_ROOT, service, 'v1', 'events.proto');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(/\/\/ Subject: (\S+)\s*\nmessage (\w+) \{/g)) {
      events.push({ subject: match[1]!, message: `ecommerce.${service}.v1.${match[2]!}` });
    }
  }
  return events;
}

describe('the event contracts', () => {
  it('lists every event subject the contracts declare, with its message', () => {
    const doc = readFileSync('docs/contracts.md', 'utf8');
    const events = declaredEvents();
    expect(events.length).to.be.greaterThan(10);
    const missing = events.filter(
      ({ subject, message }) => !doc.includes(`| \`${subject}\` | \`${message}\` |`),
    );
    expect(missing, 'add these rows to the events table of docs/contracts.md').to.deep.equal([]);
  });

  it('lib/events/catalog.ts defines exactly the declared events, each under its message name', () => {
    const defined = Object.entries(catalog).map(([name, event]) => ({
      name,
      subject: event.subject,
      message: event.typeName,
    }));
    const expected = declaredEvents().map(({ subject, message }) => ({
      name: `${message.split('.').at(-1)}Event`,
      subject,
      message,
    }));
    const bySubject = (a: { subject: string }, b: { subject: string }) => a.subject.localeCompare(b.subject);
    expect(defined.sort(bySubject)).to.deep.equal(expected.sort(bySubject));
  });
});
