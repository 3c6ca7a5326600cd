import Handlebars from 'handlebars';

/** A template's three parts. */
export interface TemplateSource {
  subject: string;
  bodyText: string;
  bodyHtml: string;
}

export type TemplateValues = Readonly<Record<string, string>>;

const handlebars = Handlebars.create();
const COMPILE_OPTIONS = { strict: false, knownHelpers: { if: true, unless: true }, knownHelpersOnly: true };

type Mode = 'plain' | 'html';
type CompiledTemplate = Handlebars.TemplateDelegate<Record<string, unknown>>;

/**
 * Compiled templates by their source: parsing and compiling a template cost more than rendering
 * it, and every mail of a kind renders the same three sources. An edited template is a new source,
 * so nothing is ever stale; the oldest entry goes once the cache is full (previews render any text).
 */
const compiled = new Map<string, CompiledTemplate>();
const MAX_COMPILED = 256;

function compiledTemplate(source: string, mode: Mode): CompiledTemplate {
  const key = `${mode}\0${source}`;
  let template = compiled.get(key);
  if (!template) {
    template = handlebars.compile(
      source,
      mode === 'plain' ? { ...COMPILE_OPTIONS, noEscape: true } : COMPILE_OPTIONS,
    );
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, template);
  }
  return template;
}

/** Each value HTML-escaped by Handlebars, its line breaks kept as `<br>` (an address, order lines). */
function htmlValues(data: Record<string, string>): Record<string, Handlebars.SafeString | ''> {
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      // An empty value stays '' so that {{#if name}} still finds it empty.
      value === ''
        ? ''
        : new handlebars.SafeString(handlebars.Utils.escapeExpression(value).replace(/\r?\n/g, '<br>')),
    ]),
  );
}

/**
 * Renders a template (checked by variablesUsedIn when it was saved): subject and text verbatim,
 * the HTML body with every value HTML-escaped by Handlebars (line breaks as `<br>`). A variable without a value renders
 * as nothing. Only own properties of `values` are ever read (Handlebars refuses prototype access).
 */
export function renderTemplate(template: TemplateSource, values: TemplateValues): TemplateSource {
  const data = Object.fromEntries(Object.entries(values));
  const plain = (source: string): string => compiledTemplate(source, 'plain')(data);
  return {
    subject: plain(template.subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    bodyText: plain(template.bodyText),
    bodyHtml: compiledTemplate(template.bodyHtml, 'html')(htmlValues(data)),
  };
}
