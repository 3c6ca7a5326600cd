import Handlebars from 'handlebars';

/** A problem of one part of a template (`subject`, `body_text`, `body_html`), for a FieldViolation. */
export interface TemplateProblem {
  field: string;
  description: string;
}

const BLOCK_HELPERS = new Set(['if', 'unless']);

function simpleVariable(node: hbs.AST.Expression | undefined): string | undefined {
  if (!node || node.type !== 'PathExpression') return undefined;
  const path = node as hbs.AST.PathExpression;
  if (path.data || path.depth > 0 || path.parts.length !== 1 || path.original !== path.parts[0])
    return undefined;
  return path.parts[0];
}

/**
 * The variables a template uses, read from Handlebars' own parse tree, or what is wrong with it.
 * Only `{{variable}}`, `{{#if variable}}…{{else}}…{{/if}}` and `{{#unless variable}}` are allowed:
 * no helpers, partials, nested paths or `{{{unescaped}}}` values, so every value a template shows
 * is one the service provides, and in HTML it is always escaped.
 */
export function variablesUsedIn(field: string, source: string): { variables: string[] } | TemplateProblem {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'syntax error';
    return { field, description: `is not a valid template: ${message}` };
  }
  const used = new Set<string>();
  const refuse = (what: string): TemplateProblem => ({
    field,
    description: `uses ${what}; only {{variable}}, {{#if variable}} and {{#unless variable}} are allowed`,
  });

  const walk = (body: hbs.AST.Statement[]): TemplateProblem | undefined => {
    for (const statement of body) {
      switch (statement.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const mustache = statement as hbs.AST.MustacheStatement;
          const name = simpleVariable(mustache.path as hbs.AST.Expression);
          const label = (mustache.path as { original?: unknown }).original;
          if (!name || mustache.params.length > 0 || mustache.hash) {
            return refuse(`{{${String(label)}${mustache.params.length ? ' …' : ''}}}`);
          }
          if (!mustache.escaped) return refuse(`{{{${name}}}} (unescaped)`);
          used.add(name);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const helper = block.path.original;
          const name = simpleVariable(block.params[0]);
          if (!BLOCK_HELPERS.has(helper) || block.params.length !== 1 || !name || block.hash) {
            return refuse(`{{#${helper}}}`);
          }
          used.add(name);
          const inner = walk(block.program?.body ?? []) ?? walk(block.inverse?.body ?? []);
          if (inner) return inner;
          break;
        }
        default:
          return refuse(`a ${statement.type.replace(/Statement$/, '').toLowerCase()}`);
      }
    }
    return undefined;
  };
  const problem = walk(program.body);
  return problem ?? { variables: [...used] };
}
