import type { Template } from '../../../../../gen/ecommerce/notification/v1/notification.js';

export interface TemplateRow {
  id: string;
  name: string;
  subject: string;
  body_text: string;
  body_html: string;
  variables: string[];
  is_active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

export const TEMPLATE_COLUMNS =
  'id, name, subject, body_text, body_html, variables, is_active, created_at, updated_at';

export function templateOf(row: TemplateRow): Template {
  return {
    templateId: row.id,
    name: row.name,
    subject: row.subject,
    bodyText: row.body_text,
    bodyHtml: row.body_html,
    variables: [...row.variables].sort(),
    isActive: row.is_active,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
