import type { EntityManager } from '@mikro-orm/postgresql';
import { invalidArgument } from '../../../../../lib/errors.js';
import { checked } from '../../../../../lib/validation/index.js';
import { checkTemplateParts, type TemplateInput } from './check-template.js';
import { renderTemplate, type TemplateSource } from './render-template.js';
import { getTemplate } from './template-admin.js';

const MAX_SAMPLE_VALUE = 2000;

/**
 * PreviewTemplate: a stored template (template_id) or the parts given, rendered with the sample
 * data; a declared variable without a sample shows as `[name]`. Sends and stores nothing.
 */
export async function previewTemplate(
  em: EntityManager,
  input: TemplateInput & { templateId: string; sampleData: Record<string, string> },
): Promise<TemplateSource> {
  const inline = input.subject !== '' || input.bodyText !== '' || input.bodyHtml !== '';
  if (input.templateId === '' && !inline) {
    throw invalidArgument('template_id', 'is required unless subject, body_text and body_html are given');
  }
  if (input.templateId !== '' && inline) {
    throw invalidArgument('template_id', 'cannot be given with subject, body_text or body_html');
  }
  for (const [name, value] of Object.entries(input.sampleData)) {
    if (value.length > MAX_SAMPLE_VALUE) {
      throw invalidArgument(
        `sample_data[${name.slice(0, 50)}]`,
        `must be at most ${MAX_SAMPLE_VALUE} characters`,
      );
    }
  }
  let source: TemplateSource & { variables: string[] };
  if (input.templateId !== '') {
    source = await getTemplate(em, input.templateId);
  } else {
    source = checked((v) => checkTemplateParts(v, input, null));
  }
  const values: Record<string, string> = {};
  for (const name of source.variables) {
    values[name] = Object.hasOwn(input.sampleData, name) ? input.sampleData[name]! : `[${name}]`;
  }
  return renderTemplate(source, values);
}
