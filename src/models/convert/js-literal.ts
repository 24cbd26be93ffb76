/**
 * A tiny parser for the minified JavaScript object literals nsfwjs ships its model files as
 * (`a.exports={modelTopology:{...}}`). It reads data only — unquoted keys, `!0`/`!1`, `void 0`,
 * numbers such as `.03` — so the files are never executed.
 */
export type JsValue = null | undefined | boolean | number | string | JsValue[] | { [key: string]: JsValue };

export function parseJsLiteral(src: string, start = 0): { value: JsValue; end: number } {
  const p = new LiteralParser(src, start);
  const value = p.value();
  return { value, end: p.pos };
}

/** Parses the literal assigned by the first `exports=` followed by `open` (e.g. '{' or '"'). */
export function parseExportedLiteral(src: string, open: '{' | '"', what: string): JsValue {
  const marker = `exports=${open}`;
  const at = src.indexOf(marker);
  if (at < 0) throw new Error(`${what}: no "${marker}" found; unexpected model file wrapping`);
  return parseJsLiteral(src, at + marker.length - 1).value;
}

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

class LiteralParser {
  constructor(
    private readonly src: string,
    public pos: number,
  ) {}

  value(): JsValue {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"' || c === "'") return this.string();
    if (c === '!') {
      // Minifiers write true/false as !0/!1.
      this.pos++;
      const v = this.value();
      return !v;
    }
    NUMBER.lastIndex = this.pos;
    const num = NUMBER.exec(this.src);
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    const word = this.ident();
    switch (word) {
      case 'null':
        return null;
      case 'true':
        return true;
      case 'false':
        return false;
      case 'Infinity':
        return Infinity;
      case 'NaN':
        return NaN;
      case 'void':
        this.value();
        return undefined;
      default:
        throw this.error(`unexpected token ${JSON.stringify(word)}`);
    }
  }

  private object(): { [key: string]: JsValue } {
    const out: { [key: string]: JsValue } = {};
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const q = this.src[this.pos];
      const key = q === '"' || q === "'" ? this.string() : this.ident();
      this.expect(':');
      out[key] = this.value();
      this.skipSpace();
      if (this.src[this.pos] === ',') this.pos++;
      else if (this.src[this.pos] !== '}') throw this.error('expected , or }');
    }
  }

  private array(): JsValue[] {
    const out: JsValue[] = [];
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      if (this.src[this.pos] === ',') this.pos++;
      else if (this.src[this.pos] !== ']') throw this.error('expected , or ]');
    }
  }

  private string(): string {
    const quote = this.src[this.pos]!;
    let end = this.pos + 1;
    let hasEscape = false;
    while (end < this.src.length && this.src[end] !== quote) {
      if (this.src[end] === '\\') {
        hasEscape = true;
        end++;
      }
      end++;
    }
    if (end >= this.src.length) throw this.error('unterminated string');
    const body = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    if (!hasEscape) return body;
    // JSON's escapes cover what the minifier emits; re-quote single-quoted bodies first.
    const json = quote === '"' ? body : body.replace(/\\'/g, "'").replace(/"/g, '\\"');
    return JSON.parse(`"${json}"`) as string;
  }

  private ident(): string {
    this.skipSpace();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) throw this.error('expected identifier');
    this.pos += m[0].length;
    return m[0];
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.src[this.pos] !== ch) throw this.error(`expected ${ch}`);
    this.pos++;
  }

  private skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  private error(msg: string): Error {
    return new Error(
      `js literal parse error at ${this.pos}: ${msg} near ${JSON.stringify(this.src.slice(this.pos, this.pos + 40))}`,
    );
  }
}
