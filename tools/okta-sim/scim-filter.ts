/**
 * The SCIM-like expressions Okta takes in `filter` and `search`:
 * `status eq "ACTIVE" or (lastUpdated gt "2024-01-01T00:00:00.000Z" and profile.login sw "a")`.
 * Each endpoint names the attributes and operators it accepts; anything else
 * is a FilterError (answered as 400 E0000031).
 */
export type FilterOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'co' | 'ew' | 'pr';
type Literal = string | number | boolean | null;

export type FilterValue = string | null | undefined | readonly string[];

export interface AttributeSpec<T> {
  ops: readonly FilterOp[];
  /** `date` compares as instants, `caseless` ignores case. */
  kind: 'string' | 'date' | 'caseless';
  get(item: T): FilterValue;
}

export type FilterSchema<T> = (attribute: string) => AttributeSpec<T> | undefined;

export class FilterError extends Error {}

type Node =
  | { kind: 'cmp'; attr: string; op: FilterOp; value: Literal }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node };

const OPS = new Set<FilterOp>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'co', 'ew', 'pr']);
const TOKEN = /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.:-]*)|(-?\d+(?:\.\d+)?))/y;

type Token = { type: 'open' | 'close' | 'string' | 'word' | 'number'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new FilterError(`unexpected character at ${at}: ${text.slice(at, at + 10)}`);
    if (match[1]) tokens.push({ type: 'open', text: '(' });
    else if (match[2]) tokens.push({ type: 'close', text: ')' });
    else if (match[3] !== undefined)
      tokens.push({ type: 'string', text: match[3].replace(/\\(.)/g, '$1') });
    else if (match[4]) tokens.push({ type: 'word', text: match[4] });
    else if (match[5]) tokens.push({ type: 'number', text: match[5] });
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    if (this.at < this.tokens.length)
      throw new FilterError(`unexpected "${this.tokens[this.at]?.text}"`);
    return node;
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.at];
    return token?.type === 'word' && token.text.toLowerCase() === word;
  }

  private or(): Node {
    let left = this.and();
    while (this.peekWord('or')) {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.at++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peekWord('not')) {
      this.at++;
      return { kind: 'not', inner: this.unary() };
    }
    const token = this.tokens[this.at++];
    if (!token) throw new FilterError('unexpected end of expression');
    if (token.type === 'open') {
      const inner = this.or();
      if (this.tokens[this.at++]?.type !== 'close') throw new FilterError('missing ")"');
      return inner;
    }
    if (token.type !== 'word') throw new FilterError(`expected an attribute, got "${token.text}"`);
    const opToken = this.tokens[this.at++];
    const op = opToken?.text.toLowerCase() as FilterOp | undefined;
    if (!opToken || opToken.type !== 'word' || !op || !OPS.has(op)) {
      throw new FilterError(`expected an operator after ${token.text}`);
    }
    if (op === 'pr') return { kind: 'cmp', attr: token.text, op, value: null };
    return { kind: 'cmp', attr: token.text, op, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.tokens[this.at++];
    if (!token) throw new FilterError('expected a value');
    if (token.type === 'string') return token.text;
    if (token.type === 'number') return Number(token.text);
    if (token.type === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw new FilterError(`expected a quoted value, got "${token.text}"`);
  }
}

function compareOne(
  actual: string,
  op: FilterOp,
  expected: string,
  kind: AttributeSpec<unknown>['kind'],
): boolean {
  if (kind === 'date') {
    const a = Date.parse(actual);
    const b = Date.parse(expected);
    switch (op) {
      case 'eq':
        return a === b;
      case 'ne':
        return a !== b;
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
      case 'lt':
        return a < b;
      case 'le':
        return a <= b;
      default:
        return false;
    }
  }
  const a = kind === 'caseless' ? actual.toLowerCase() : actual;
  const b = kind === 'caseless' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'sw':
      return a.startsWith(b);
    case 'co':
      return a.includes(b);
    case 'ew':
      return a.endsWith(b);
    default:
      return false;
  }
}

type CmpNode = Extract<Node, { kind: 'cmp' }>;

function compile<T>(node: Node, schema: FilterSchema<T>): (item: T) => boolean {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const left = compile(node.left, schema);
      const right = compile(node.right, schema);
      return node.kind === 'and'
        ? (item) => left(item) && right(item)
        : (item) => left(item) || right(item);
    }
    case 'not': {
      const inner = compile(node.inner, schema);
      return (item) => !inner(item);
    }
    case 'cmp':
      return compileComparison(node, schema);
  }
}

function compileComparison<T>(node: CmpNode, schema: FilterSchema<T>): (item: T) => boolean {
  const spec = schema(node.attr);
  if (!spec) throw new FilterError(`attribute "${node.attr}" is not supported here`);
  if (!spec.ops.includes(node.op))
    throw new FilterError(`operator "${node.op}" is not supported for ${node.attr}`);
  const { op, value } = node;
  if (op === 'pr') {
    return (item) => {
      const actual = spec.get(item);
      return actual !== null && actual !== undefined && actual !== '';
    };
  }
  if (spec.kind === 'date' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
    throw new FilterError(`"${String(value)}" is not a date for ${node.attr}`);
  }
  const expected = value === null ? null : String(value);
  return (item) => {
    const actual = spec.get(item);
    if (actual === null || actual === undefined || expected === null) {
      const isNull = actual === null || actual === undefined;
      return op === 'eq'
        ? isNull && expected === null
        : op === 'ne'
          ? isNull !== (expected === null)
          : false;
    }
    if (typeof actual === 'string') return compareOne(actual, op, expected, spec.kind);
    return (actual as readonly string[]).some((one) => compareOne(one, op, expected, spec.kind));
  };
}

/** Parses and binds an expression; throws FilterError on anything malformed or unsupported. */
export function compileFilter<T>(text: string, schema: FilterSchema<T>): (item: T) => boolean {
  if (text.trim() === '') throw new FilterError('empty expression');
  return compile(new Parser(tokenize(text)).parse(), schema);
}

/** Builds a schema from a fixed attribute table. */
export function tableSchema<T>(table: Readonly<Record<string, AttributeSpec<T>>>): FilterSchema<T> {
  return (attribute) =>
    Object.prototype.hasOwnProperty.call(table, attribute) ? table[attribute] : undefined;
}
