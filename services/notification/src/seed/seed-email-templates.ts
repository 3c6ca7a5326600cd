import type { MikroORM } from '@mikro-orm/postgresql';
import {
  countInserted,
  emptySeedResult,
  retryOnceOnConflict,
  type DemoSeedResult,
} from '../../../../lib/runtime/demo-seed.js';
import { EmailTemplate } from '../entities/index.js';
import { DEMO_EMAIL_TEMPLATES, htmlBodyOf, placeholdersOf } from './email-templates.js';

/**
 * Loads an email template for every notification the platform sends, through the notification
 * service's entities, in one transaction. A template whose name exists is left as it is (an admin
 * may have edited it), so running it again inserts nothing. The service also runs it at every
 * start (`ensureEmailTemplates`), so no installation lacks a template: a deleted one comes back.
 */
export function seedNotificationDemo(orm: MikroORM): Promise<DemoSeedResult> {
  return retryOnceOnConflict(() => loadNotificationDemo(orm));
}

export const ensureEmailTemplates = seedNotificationDemo;

async function loadNotificationDemo(orm: MikroORM): Promise<DemoSeedResult> {
  const result = emptySeedResult(['email_templates']);
  await orm.em.fork().transactional(async (em) => {
    const existing = new Set(
      (await em.find(EmailTemplate, { name: { $in: DEMO_EMAIL_TEMPLATES.map((t) => t.name) } })).map(
        (t) => t.name,
      ),
    );
    for (const template of DEMO_EMAIL_TEMPLATES) {
      if (existing.has(template.name)) continue;
      const bodyHtml = htmlBodyOf(template);
      em.create(EmailTemplate, {
        name: template.name,
        subject: template.subject,
        bodyText: template.text,
        bodyHtml,
        variables: placeholdersOf(template.subject, template.text, bodyHtml),
        isActive: true,
      });
      countInserted(result, 'email_templates');
    }
  });
  return result;
}
