import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { DEMO_EMAIL_TEMPLATES } from '../src/seed/index.js';
import { previewTemplate } from '../src/domain/templates/preview-template.js';
import { renderTemplate } from '../src/domain/templates/render-template.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
} from '../src/domain/templates/template-admin.js';
import { variablesUsedIn } from '../src/domain/templates/template-syntax.js';
import { openNotificationDatabase } from './support.js';

const promo = (o: Partial<Parameters<typeof createTemplate>[1]> = {}) => ({
  name: 'spring_promo',
  subject: 'Hello {{first_name}}',
  bodyText: 'Hi {{first_name}}, {{#if code}}use {{code}}{{else}}no code{{/if}}.',
  bodyHtml: '<p>Hi {{first_name}}</p>{{#unless code}}<p>none</p>{{/unless}}',
  variables: ['first_name', 'code'],
  isActive: true,
  ...o,
});

describe('notification service: templates', function () {
  let db: ScratchDatabase;
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openNotificationDatabase('notification_templates');
  });
  after(async () => {
    await db?.drop();
  });

  describe('the variables a template uses, from Handlebars’ parse tree', () => {
    it('finds plain values and the conditions of if and unless blocks', () => {
      expect(
        variablesUsedIn('body_text', 'A {{a}} {{#if b}}{{c}}{{else}}{{d}}{{/if}} {{#unless e}}x{{/unless}}'),
      ).to.deep.equal({
        variables: ['a', 'b', 'c', 'd', 'e'],
      });
    });

    for (const [source, what] of [
      ['{{{raw}}}', '{{{raw}}} (unescaped)'],
      ['{{#each items}}{{this}}{{/each}}', '{{#each}}'],
      ['{{lookup a b}}', '{{lookup …}}'],
      ['{{user.email}}', '{{user.email}}'],
      ['{{../up}}', '{{../up}}'],
      ['{{> partial}}', 'a partial'],
    ] as const) {
      it(`refuses ${source}`, () => {
        const problem = variablesUsedIn('body_html', source);
        expect(problem).to.have.property('field', 'body_html');
        expect((problem as { description: string }).description).to.include(`uses ${what}`);
      });
    }

    it('refuses a template Handlebars cannot parse', () => {
      const problem = variablesUsedIn('subject', 'Hi {{name');
      expect((problem as { description: string }).description).to.match(/^is not a valid template: /);
    });
  });

  it('renders values verbatim in the subject and text and escaped in the HTML', () => {
    const rendered = renderTemplate(
      { subject: 'For {{name}}\n', bodyText: 'Dear {{name}}', bodyHtml: '<p>Dear {{name}}</p>' },
      { name: '<b>Tom & "Jerry"</b>' },
    );
    expect(rendered.subject).to.equal('For <b>Tom & "Jerry"</b>');
    expect(rendered.bodyText).to.equal('Dear <b>Tom & "Jerry"</b>');
    expect(rendered.bodyHtml).to.equal('<p>Dear &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>');
  });

  it('keeps the line breaks of a value in HTML, and an empty value empty for {{#if}}', () => {
    const rendered = renderTemplate(
      {
        subject: 's',
        bodyText: '{{#if note}}note{{else}}none{{/if}}',
        bodyHtml: '<p>{{address}}</p>{{#if note}}<i>{{note}}</i>{{else}}<i>none</i>{{/if}}',
      },
      { address: '1 Row\n<London>', note: '' },
    );
    expect(rendered.bodyHtml).to.equal('<p>1 Row<br>&lt;London&gt;</p><i>none</i>');
    expect(rendered.bodyText).to.equal('none');
  });

  it('renders one source many times, each with its own values, and the same text differently as text and HTML', () => {
    const source = { subject: '{{name}}', bodyText: '{{name}}', bodyHtml: '{{name}}' };
    const first = renderTemplate(source, { name: 'Ann & Bo' });
    const second = renderTemplate(source, { name: 'Cy' });
    expect([first.subject, first.bodyText, first.bodyHtml]).to.deep.equal([
      'Ann & Bo',
      'Ann & Bo',
      'Ann &amp; Bo',
    ]);
    expect([second.subject, second.bodyText, second.bodyHtml]).to.deep.equal(['Cy', 'Cy', 'Cy']);
    for (let i = 0; i < 300; i++) renderTemplate({ ...source, bodyText: `${i}: {{name}}` }, { name: 'x' });
    expect(renderTemplate(source, { name: '<i>' }).bodyHtml).to.equal('&lt;i&gt;');
  });

  it('creates, reads, replaces and deletes a template', async () => {
    const created = await createTemplate(em(), promo());
    expect(created).to.include({ name: 'spring_promo', subject: 'Hello {{first_name}}', isActive: true });
    expect(created.variables).to.deep.equal(['code', 'first_name']);
    expect(await getTemplate(em(), created.templateId)).to.deep.equal(created);

    const updated = await updateTemplate(em(), {
      templateId: created.templateId,
      subject: 'Hi again {{first_name}}',
      bodyText: 'text',
      bodyHtml: '<p>html</p>',
      variables: ['first_name'],
      isActive: false,
    });
    expect(updated).to.include({ name: 'spring_promo', subject: 'Hi again {{first_name}}', isActive: false });
    expect(updated.variables).to.deep.equal(['first_name']);

    await deleteTemplate(em(), created.templateId);
    const gone = await failureOf(getTemplate(em(), created.templateId));
    expect(gone.code).to.equal(status.NOT_FOUND);
    expect((await failureOf(deleteTemplate(em(), created.templateId))).code).to.equal(status.NOT_FOUND);
  });

  it('saves and answers a template whose parts hold semicolons (CSS in the HTML) as written', async () => {
    const styled = {
      subject: 'Hello; {{first_name}}',
      bodyText: 'a; b',
      bodyHtml: '<p style="margin:0;padding:8px">Hi {{first_name}};</p>',
    };
    const created = await createTemplate(em(), promo({ name: 'styled_promo', ...styled }));
    expect(created).to.include({ name: 'styled_promo', ...styled });
    const updated = await updateTemplate(em(), {
      ...styled,
      templateId: created.templateId,
      bodyText: 'c; d',
      variables: ['first_name'],
      isActive: true,
    });
    expect(updated).to.include({ ...styled, bodyText: 'c; d' });
    expect(await getTemplate(em(), created.templateId)).to.deep.equal(updated);
  });

  it('refuses a template that uses a variable it does not declare, naming the variable and the part', async () => {
    const failure = await failureOf(
      createTemplate(em(), promo({ name: 'bad_vars', bodyHtml: '<p>{{first_name}} {{coupon_code}}</p>' })),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([
      {
        field: 'body_html',
        description: 'uses the variable coupon_code, which is not declared in variables',
      },
    ]);
    expect((await listTemplates(em(), { pageSize: 100 })).templates.map((t) => t.name)).not.to.include(
      'bad_vars',
    );
  });

  it('refuses a variable the notification type of the template’s name does not provide', async () => {
    const [seeded] = (await listTemplates(em(), { pageSize: 100 })).templates.filter(
      (t) => t.name === 'order_shipped',
    );
    const failure = await failureOf(
      updateTemplate(em(), {
        templateId: seeded!.templateId,
        subject: 'Order {{order_number}} via {{carrier}}',
        bodyText: 'x',
        bodyHtml: 'x',
        variables: ['order_number', 'carrier'],
        isActive: true,
      }),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.have.length(1);
    expect(failure.violations![0]!.field).to.equal('variables');
    expect(failure.violations![0]!.description).to.match(
      /^carrier is not a variable of the order_shipped notification/,
    );
    expect((await getTemplate(em(), seeded!.templateId)).subject).to.equal(seeded!.subject);
  });

  it('refuses every malformed field at once, and a taken name', async () => {
    const failure = await failureOf(
      createTemplate(em(), {
        name: 'Bad Name',
        subject: ' ',
        bodyText: '',
        bodyHtml: '{{#each x}}{{/each}}',
        variables: ['ok', 'no-dash'],
        isActive: true,
      }),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations!.map((v) => v.field)).to.deep.equal([
      'name',
      'subject',
      'body_text',
      'variables',
      'body_html',
    ]);

    const taken = await failureOf(
      createTemplate(
        em(),
        promo({
          name: 'order_confirmed',
          variables: ['first_name'],
          bodyText: '{{first_name}}',
          bodyHtml: 'x',
        }),
      ),
    );
    expect(taken.code).to.equal(status.ALREADY_EXISTS);
  });

  it('gives one of two racing creators of a name the template and the other ALREADY_EXISTS', async () => {
    const results = await Promise.allSettled([
      createTemplate(em(), promo({ name: 'race_promo' })),
      createTemplate(em(), promo({ name: 'race_promo' })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).to.equal(status.ALREADY_EXISTS);
  });

  it('lists every template in pages, each once', async () => {
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await listTemplates(em(), { pageSize: 4, pageToken });
      expect(page.templates.length).to.be.at.most(4);
      seen.push(...page.templates.map((t) => t.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(new Set(seen).size).to.equal(seen.length);
    for (const template of DEMO_EMAIL_TEMPLATES) expect(seen).to.include(template.name);

    const mismatched = await failureOf(listTemplates(em(), { pageSize: 1, pageToken: 'nonsense' }));
    expect(mismatched.code).to.equal(status.INVALID_ARGUMENT);
    expect(mismatched.violations![0]!.field).to.equal('page.page_token');
  });

  it('previews a stored template with sample data, escaped in HTML, and marks a missing sample', async () => {
    const [receipt] = (await listTemplates(em(), { pageSize: 100 })).templates.filter(
      (t) => t.name === 'order_confirmed',
    );
    const preview = await previewTemplate(em(), {
      templateId: receipt!.templateId,
      subject: '',
      bodyText: '',
      bodyHtml: '',
      variables: [],
      sampleData: { order_number: 'ORD-1', first_name: '<Ada>' },
    });
    expect(preview.subject).to.equal('Order ORD-1 confirmed');
    expect(preview.bodyText).to.include('Hi <Ada>,').and.include('[order_total]');
    expect(preview.bodyHtml).to.include('Hi &lt;Ada&gt;,');
  });

  it('previews a template given inline, checked like a saved one', async () => {
    const preview = await previewTemplate(em(), {
      templateId: '',
      subject: 'S {{a}}',
      bodyText: 'T {{a}}',
      bodyHtml: '<i>{{a}}</i>',
      variables: ['a'],
      sampleData: { a: '1 < 2' },
    });
    expect(preview).to.deep.equal({ subject: 'S 1 < 2', bodyText: 'T 1 < 2', bodyHtml: '<i>1 &lt; 2</i>' });

    const undeclared = await failureOf(
      previewTemplate(em(), {
        templateId: '',
        subject: 'S {{b}}',
        bodyText: 'T',
        bodyHtml: 'H',
        variables: [],
        sampleData: {},
      }),
    );
    expect(undeclared.violations).to.deep.equal([
      { field: 'subject', description: 'uses the variable b, which is not declared in variables' },
    ]);
    const neither = await failureOf(
      previewTemplate(em(), {
        templateId: '',
        subject: '',
        bodyText: '',
        bodyHtml: '',
        variables: [],
        sampleData: {},
      }),
    );
    expect(neither.violations![0]!.field).to.equal('template_id');
  });
});
