/**
 * The constraint language of sweep files: a tiny expression language over the cell's parameters
 * and scenario fields, parsed here and evaluated by walking the tree (never eval / Function).
 *
 *   expr    := or
 *   or      := and  (('||' | 'or') and)*
 *   and     := not  (('&&' | 'and') not)*
 *   not     := ('!' | 'not') not | cmp
 *   cmp     := sum  (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum     := prod (('+' | '-') prod)*
 *   prod    := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | atom
 *   atom    := number | 'string' | "string" | true | false | null | name | '(' expr ')'
 *   name    := ident ('.' ident | '[' digits ']')*      e.g. cpus, workload.producers[0].ratePerMs
 *
 * Arithmetic and ordering need numbers; == and != compare any two values strictly. A constraint
 * must evaluate to true or false. Errors are thrown as ExprError and turned into UsageErrors (with
 * the constraint's index) by the caller.
 */

export type Value = number | string | boolean | null;

export type Expr =
  | { t: 'lit'; v: Value }
  | { t: 'name'; name: string }
  | { t: 'un'; op: '-' | '!'; e: Expr }
  | { t: 'bin'; op: BinOp; a: Expr; b: Expr };

type BinOp = '||' | '&&' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '+' | '-' | '*' | '/' | '%';

export class ExprError extends Error {}

type Tok = { k: 'num'; v: number; at: number } | { k: 'str'; v: string; at: number } | { k: 'name'; v: string; at: number } | { k: 'op'; v: string; at: number };

const WORD_OPS = new Map([['and', '&&'], ['or', '||'], ['not', '!']]);

const OPS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExprError(`unterminated string at column ${i + 1}`);
      out.push({ k: 'str', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*/.exec(src.slice(i));
    if (name) {
      out.push({ k: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ k: 'op', v: op, at: i });
      i += op.length;
      continue;
    }
    throw new ExprError(`unexpected ${JSON.stringify(c)} at column ${i + 1}`);
  }
  return out;
}

/** Parses a constraint; throws ExprError naming the column of the problem. */
export const MAX_EXPR_CHARS = 4096;
export const MAX_EXPR_TOKENS = 256;

export function parseExpr(src: string): Expr {
  // Bounded so that parsing and evaluating (both recursive) stay far from the stack limit.
  if (src.length > MAX_EXPR_CHARS) throw new ExprError(`${src.length} characters; allowed: at most ${MAX_EXPR_CHARS}`);
  const toks = tokenize(src);
  if (toks.length > MAX_EXPR_TOKENS) throw new ExprError(`${toks.length} tokens; allowed: at most ${MAX_EXPR_TOKENS} (split it into several constraints)`);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (...ops: string[]) => {
    const t = peek();
    if (!t) return undefined;
    if (t.k === 'op' && ops.includes(t.v)) return t.v;
    const word = t.k === 'name' ? WORD_OPS.get(t.v) : undefined; // and, or, not
    return word !== undefined && ops.includes(word) ? word : undefined;
  };
  const where = () => (peek() ? `column ${peek()!.at + 1}` : 'the end');

  const binary = (next: () => Expr, ops: BinOp[]) => (): Expr => {
    let a = next();
    for (let op = isOp(...ops); op; op = isOp(...ops)) {
      p++;
      a = { t: 'bin', op: op as BinOp, a, b: next() };
    }
    return a;
  };
  const atom = (): Expr => {
    const t = peek();
    if (!t) throw new ExprError('unexpected end of expression');
    p++;
    if (t.k === 'num') return { t: 'lit', v: t.v };
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'name') {
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { t: 'lit', v: null };
      if (WORD_OPS.has(t.v)) throw new ExprError(`unexpected "${t.v}" at column ${t.at + 1}`);
      return { t: 'name', name: t.v };
    }
    if (t.v === '(') {
      const e = or();
      if (isOp(')') !== ')') throw new ExprError(`expected ")" at ${where()}`);
      p++;
      return e;
    }
    throw new ExprError(`unexpected "${t.v}" at column ${t.at + 1}`);
  };
  const unary = (): Expr => {
    if (isOp('-')) {
      p++;
      return { t: 'un', op: '-', e: unary() };
    }
    return atom();
  };
  const prod = binary(unary, ['*', '/', '%']);
  const sum = binary(prod, ['+', '-']);
  const cmp = (): Expr => {
    const a = sum();
    const op = isOp('<=', '>=', '==', '!=', '<', '>');
    if (!op) return a;
    p++;
    return { t: 'bin', op: op as BinOp, a, b: sum() };
  };
  const not = (): Expr => {
    if (isOp('!')) {
      p++;
      return { t: 'un', op: '!', e: not() };
    }
    return cmp();
  };
  const and = binary(not, ['&&']);
  const or = binary(and, ['||']);

  if (toks.length === 0) throw new ExprError('empty expression');
  const e = or();
  if (p < toks.length) throw new ExprError(`unexpected "${String(toks[p]!.v)}" at column ${toks[p]!.at + 1}`);
  return e;
}

/** Every name an expression reads. */
export function namesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.t === 'name') out.add(e.name);
  else if (e.t === 'un') namesOf(e.e, out);
  else if (e.t === 'bin') {
    namesOf(e.a, out);
    namesOf(e.b, out);
  }
  return out;
}

const show = (v: Value) => JSON.stringify(v);

function num(v: Value, op: string): number {
  if (typeof v !== 'number') throw new ExprError(`"${op}" needs numbers, got ${show(v)}`);
  return v;
}

/** Evaluates an expression; `lookup` gives each name's value (or throws ExprError for an unknown one). */
export function evalExpr(e: Expr, lookup: (name: string) => Value): Value {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'name':
      return lookup(e.name);
    case 'un': {
      const v = evalExpr(e.e, lookup);
      if (e.op === '-') return -num(v, '-');
      if (typeof v !== 'boolean') throw new ExprError(`"!" needs true or false, got ${show(v)}`);
      return !v;
    }
    case 'bin': {
      if (e.op === '&&' || e.op === '||') {
        const a = evalExpr(e.a, lookup);
        if (typeof a !== 'boolean') throw new ExprError(`"${e.op}" needs true or false, got ${show(a)}`);
        if (e.op === '&&' ? !a : a) return a;
        const b = evalExpr(e.b, lookup);
        if (typeof b !== 'boolean') throw new ExprError(`"${e.op}" needs true or false, got ${show(b)}`);
        return b;
      }
      const a = evalExpr(e.a, lookup);
      const b = evalExpr(e.b, lookup);
      switch (e.op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return num(a, e.op) < num(b, e.op);
        case '<=':
          return num(a, e.op) <= num(b, e.op);
        case '>':
          return num(a, e.op) > num(b, e.op);
        case '>=':
          return num(a, e.op) >= num(b, e.op);
        case '+':
          return num(a, e.op) + num(b, e.op);
        case '-':
          return num(a, e.op) - num(b, e.op);
        case '*':
          return num(a, e.op) * num(b, e.op);
        case '/':
          return num(a, e.op) / num(b, e.op);
        case '%':
          return num(a, e.op) % num(b, e.op);
      }
    }
  }
}
