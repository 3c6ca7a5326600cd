import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';

/** The active template of a notification type, as messages are rendered from it. */
export interface ActiveTemplate {
  id: string;
  name: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
}

interface ActiveTemplateRow {
  id: string;
  name: string;
  subject: string;
  body_text: string;
  body_html: string;
}

/*
 * The active template of each name as this process last read it, per database (the ORM's driver).
 * It is never trusted: the statement that writes a message rendered from it also checks that the
 * row is, at that moment, still this one (same id, name and parts, active), and writes nothing
 * otherwise (`queueNotification` then reads it again). So a template edited, deactivated or
 * deleted through any replica is used by every message written after the edit committed, as if it
 * were read each time; only the reads are saved. A name without an active template is not kept.
 */
const lastRead = new WeakMap<object, Map<string, ActiveTemplate>>();

function memoOf(em: EntityManager): Map<string, ActiveTemplate> {
  const driver = em.getDriver();
  let memo = lastRead.get(driver);
  if (!memo) {
    memo = new Map();
    lastRead.set(driver, memo);
  }
  return memo;
}

/** The active template of `name` as last read by `readActiveTemplate`, if it had one. */
export function templateLastRead(em: EntityManager, name: string): ActiveTemplate | undefined {
  return memoOf(em).get(name);
}

/** Reads the active template of `name` (undefined: none), and keeps it as the last read. */
export async function readActiveTemplate(
  em: EntityManager,
  name: string,
): Promise<ActiveTemplate | undefined> {
  const [row] = await executePrepared<ActiveTemplateRow>(
    em,
    'notification:active-template',
    'SELECT id, name, subject, body_text, body_html FROM email_templates WHERE name = ? AND is_active',
    [name],
  );
  const memo = memoOf(em);
  if (!row) {
    memo.delete(name);
    return undefined;
  }
  const template = {
    id: row.id,
    name: row.name,
    subject: row.subject,
    bodyText: row.body_text,
    bodyHtml: row.body_html,
  };
  memo.set(name, template);
  return template;
}

/**
 * The condition, in SQL, that the template a message was rendered from is still the active one of
 * its name (parameters of `templateCheckParams`). Parts are compared whole: the rendering depends
 * on nothing else.
 */
export const TEMPLATE_STILL_ACTIVE_SQL = `
    SELECT id FROM email_templates
     WHERE id = :templateId AND name = :templateName AND is_active
       AND subject = :templateSubject AND body_text = :templateText AND body_html = :templateHtml`;

export function templateCheckParams(template: ActiveTemplate) {
  return {
    templateId: template.id,
    templateName: template.name,
    templateSubject: template.subject,
    templateText: template.bodyText,
    templateHtml: template.bodyHtml,
  };
}
