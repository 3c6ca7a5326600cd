import type { EntityManager } from '@mikro-orm/postgresql';
import type { Template } from '../../../../../gen/ecommerce/notification/v1/notification.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { alreadyExists, notFound } from '../../../../../lib/errors.js';
import { newId } from '../../../../../lib/ids.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../../lib/paging/index.js';
import { checked, requireUuid } from '../../../../../lib/validation/index.js';
import { checkTemplateName, checkTemplateParts, type TemplateInput } from './check-template.js';
import { TEMPLATE_COLUMNS, templateOf, type TemplateRow } from './template-view.js';

/*
 * A template's parts are sent as parameters (`executePrepared`), never written into the SQL text as
 * `em.execute` does: embedded PGlite's driver takes a text with a `;` in it (an HTML body's CSS) for
 * several statements and answers a list of results, so a saved template came back unreadable.
 */

/** CreateTemplate: checked whole, then inserted; a taken name is ALREADY_EXISTS (one statement, so racing creators get one each). */
export async function createTemplate(
  em: EntityManager,
  input: TemplateInput & { name: string; isActive: boolean },
): Promise<Template> {
  const { name, parts } = checked((v) => {
    const name = checkTemplateName(v, input.name);
    return { name, parts: checkTemplateParts(v, input, v.has('name') ? null : name) };
  });
  const rows = await executePrepared<TemplateRow>(
    em,
    'notification:create-template',
    `INSERT INTO email_templates (id, name, subject, body_text, body_html, variables, is_active)
     VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (name) DO NOTHING RETURNING ${TEMPLATE_COLUMNS}`,
    [
      newId(),
      name,
      parts.subject,
      parts.bodyText,
      parts.bodyHtml,
      JSON.stringify(parts.variables),
      input.isActive,
    ],
  );
  if (!rows[0]) throw alreadyExists('template', name);
  return templateOf(rows[0]);
}

export async function getTemplate(em: EntityManager, templateId: string): Promise<Template> {
  const id = requireUuid('template_id', templateId);
  const [row] = await em.execute<TemplateRow[]>(
    `SELECT ${TEMPLATE_COLUMNS} FROM email_templates WHERE id = ?`,
    [id],
  );
  if (!row) throw notFound('template', id);
  return templateOf(row);
}

/** Templates oldest first (ids are time-ordered), keyset-paged on the id. */
export async function listTemplates(
  em: EntityManager,
  pageInput: PageInput | undefined,
): Promise<{ templates: Template[]; nextPageToken: string }> {
  const page = keysetPageOf(pageInput, { list: 'templates' }, 'none');
  const rows = await em.execute<TemplateRow[]>(
    `SELECT ${TEMPLATE_COLUMNS} FROM email_templates ${page.after ? 'WHERE id > ?' : ''} ORDER BY id LIMIT ?`,
    page.after ? [page.after.id, page.size + 1] : [page.size + 1],
  );
  const shown = pageFrom(rows, page, (row) => ({ key: '', id: row.id }));
  return { templates: shown.rows.map(templateOf), nextPageToken: shown.nextPageToken };
}

/** UpdateTemplate: the parts replaced, checked against the template's own name (its type's variables). */
export async function updateTemplate(
  em: EntityManager,
  input: TemplateInput & { templateId: string; isActive: boolean },
): Promise<Template> {
  const id = requireUuid('template_id', input.templateId);
  const [current] = await em.execute<{ name: string }[]>('SELECT name FROM email_templates WHERE id = ?', [
    id,
  ]);
  if (!current) throw notFound('template', id);
  const parts = checked((v) => checkTemplateParts(v, input, current.name));
  const [row] = await executePrepared<TemplateRow>(
    em,
    'notification:update-template',
    `UPDATE email_templates SET subject = ?, body_text = ?, body_html = ?, variables = ?::jsonb, is_active = ?,
       updated_at = now()
     WHERE id = ? RETURNING ${TEMPLATE_COLUMNS}`,
    [parts.subject, parts.bodyText, parts.bodyHtml, JSON.stringify(parts.variables), input.isActive, id],
  );
  if (!row) throw notFound('template', id);
  return templateOf(row);
}

export async function deleteTemplate(em: EntityManager, templateId: string): Promise<void> {
  const id = requireUuid('template_id', templateId);
  const rows = await em.execute<{ id: string }[]>('DELETE FROM email_templates WHERE id = ? RETURNING id', [
    id,
  ]);
  if (rows.length === 0) throw notFound('template', id);
}
