import { checked, type Violations } from '../../../../../lib/validation/index.js';
import { NOTIFICATION_TYPES, variablesOf } from '../notification-types.js';
import { variablesUsedIn } from './template-syntax.js';

export const TEMPLATE_NAME = /^[a-z][a-z0-9_.]*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LIMITS = {
  name: 100,
  subject: 300,
  bodyText: 20_000,
  bodyHtml: 50_000,
  variable: 50,
  variables: 50,
};

export interface TemplateInput {
  subject: string;
  bodyText: string;
  bodyHtml: string;
  variables: string[];
}

/** A template's parts as they are stored: the subject trimmed, the variables unique and sorted. */
export interface CheckedTemplate {
  subject: string;
  bodyText: string;
  bodyHtml: string;
  variables: string[];
}

/**
 * Checks a template's parts and its variables, adding every fault to `v`: each part present and
 * within its length; a valid template of the allowed shape (template-syntax.ts); every variable
 * it uses declared (the fault names the variable and the part); and, for a template named after a
 * notification type (`typeName`), every declared variable one that type provides.
 */
export function checkTemplateParts(
  v: Violations,
  input: TemplateInput,
  typeName: string | null,
): CheckedTemplate {
  const subject = v.text('subject', input.subject, 1, LIMITS.subject);
  const bodyText = v.text('body_text', input.bodyText, 1, LIMITS.bodyText) === '' ? '' : input.bodyText;
  const bodyHtml = v.text('body_html', input.bodyHtml, 1, LIMITS.bodyHtml) === '' ? '' : input.bodyHtml;
  const variables = [...new Set(input.variables.map((name) => name.trim()))].sort();
  if (input.variables.length > LIMITS.variables) v.add('variables', `must be at most ${LIMITS.variables}`);
  for (const name of variables) {
    if (!VARIABLE_NAME.test(name) || name.length > LIMITS.variable) {
      v.add(
        'variables',
        `"${name.slice(0, LIMITS.variable)}" is not a variable name (letters, digits and _)`,
      );
    }
  }
  const type = typeName === null ? undefined : NOTIFICATION_TYPES.get(typeName);
  if (type) {
    const provided = new Set(variablesOf(type));
    for (const name of variables.filter((n) => !provided.has(n))) {
      v.add(
        'variables',
        `${name} is not a variable of the ${type.name} notification (it provides ${[...provided].join(', ')})`,
      );
    }
  }
  const declared = new Set(variables);
  for (const [field, source] of [
    ['subject', subject],
    ['body_text', bodyText],
    ['body_html', bodyHtml],
  ] as const) {
    if (v.has(field)) continue;
    const used = variablesUsedIn(field, source);
    if ('description' in used) {
      v.add(used.field, used.description);
      continue;
    }
    for (const name of used.variables.filter((n) => !declared.has(n))) {
      v.add(field, `uses the variable ${name}, which is not declared in variables`);
    }
  }
  return { subject, bodyText, bodyHtml, variables };
}

/** The name of a new template: a lower-case letter, then lower-case letters, digits, `_` or `.`. */
export function checkTemplateName(v: Violations, raw: string): string {
  const name = v.text('name', raw, 1, LIMITS.name);
  if (!v.has('name') && !TEMPLATE_NAME.test(name)) {
    v.add('name', 'must start with a lower-case letter and hold only lower-case letters, digits, _ and .');
  }
  return name;
}

export function checkedTemplate(input: TemplateInput, typeName: string | null): CheckedTemplate {
  return checked((v) => checkTemplateParts(v, input, typeName));
}
