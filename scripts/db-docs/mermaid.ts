/**
 * Mermaid text that is valid by construction: every name that reaches a diagram goes through one
 * of these builders, which quote it (entity names, labels) or refuse it when it is not a plain
 * identifier (attribute names and types, node ids). No mermaid keyword can then be read as syntax:
 * quoted entity names are never lexed as keywords (`one`, `many`, `to`, `end`, `class`, `style`),
 * and node ids carry a prefix that no keyword has.
 */

/** What an unquoted word inside an erDiagram attribute block may look like (mermaid's ATTRIBUTE_WORD, narrowed). */
export const ATTRIBUTE_WORD = /^[A-Za-z_][A-Za-z0-9_[\]()-]*$/;
/** What a quoted entity name may contain (mermaid's ENTITY_NAME excludes `"`, `%`, `\` and line breaks). */
export const ENTITY_NAME = /^[A-Za-z0-9_. -]+$/;
/** Flowchart node and subgraph ids. */
export const NODE_ID = /^[a-z][a-z0-9_]*$/;
/** Text inside a quoted label. */
export const LABEL_TEXT = /^[^"\n\\%`<>#;]+$/;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`not a safe mermaid ${what}: ${JSON.stringify(value)}`);
  return value;
}

export function entityName(name: string): string {
  return `"${check(name, ENTITY_NAME, 'entity name')}"`;
}

export function label(text: string): string {
  return `"${check(text, LABEL_TEXT, 'label')}"`;
}

export function nodeId(id: string): string {
  return check(id, NODE_ID, 'node id');
}

/** A PostgreSQL type as one erDiagram word: `timestamp with time zone` → `timestamptz`, `numeric(12,2)` → `numeric`. */
export function attributeType(pgType: string): string {
  const short = pgType
    .replace(/^timestamp(\(\d+\))? with time zone/, 'timestamptz')
    .replace(/^character varying/, 'varchar')
    .replace(/^character\((\d+)\)/, 'char($1)')
    .replace(/^numeric\(\d+,\d+\)/, 'numeric')
    .replace(/ /g, '_');
  return check(short, ATTRIBUTE_WORD, 'attribute type');
}

export function attributeName(name: string): string {
  return check(name, ATTRIBUTE_WORD, 'attribute name');
}

export type Cardinality = 'exactly one' | 'zero or one' | 'zero or more';

const LEFT: Record<Cardinality, string> = { 'exactly one': '||', 'zero or one': '|o', 'zero or more': '}o' };
const RIGHT: Record<Cardinality, string> = { 'exactly one': '||', 'zero or one': 'o|', 'zero or more': 'o{' };

/**
 * One erDiagram relationship line, `"a" ||--o{ "b" : "role"`; `logical` draws it dashed (`..`), the
 * way cross-service references (no foreign key) are drawn.
 */
export function relationship(
  from: string,
  fromCardinality: Cardinality,
  to: string,
  toCardinality: Cardinality,
  role: string,
  logical = false,
): string {
  const line = logical ? '..' : '--';
  return `${entityName(from)} ${LEFT[fromCardinality]}${line}${RIGHT[toCardinality]} ${entityName(to)} : ${label(role)}`;
}
