/**
 * The part of ARM template expressions ("Template functions", Azure Resource Manager docs) the
 * azure-nsg reader resolves: string and number literals, `parameters('p')` (its `defaultValue`),
 * `variables('v')`, `concat`, `format('{0}…', …)`, `toLower`, `toUpper` and `resourceId(…, name)`
 * (the resource's name: its last argument), `string`, and members of what those give (`.key`,
 * `[index]`). Anything else — deployment-time values such as `resourceGroup()`, `reference()`,
 * `uniqueString()`, `if`, a parameter without a default — is `undefined`: the caller approximates
 * or refuses, it never guesses.
 */

type Obj = Record<string, unknown>;

export interface ArmContext {
  parameters: Obj;
  variables: Obj;
}

const asObject = (v: unknown): Obj | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;

export function armContext(template: unknown): ArmContext {
  const t = asObject(template) ?? {};
  return {
    parameters: asObject(t.parameters) ?? {},
    variables: asObject(t.variables) ?? {},
  };
}

/** An ARM expression string: `[…]` (`[[` escapes a literal `[`). */
export function isArmExpression(v: unknown): v is string {
  return typeof v === "string" && v.startsWith("[") && !v.startsWith("[[") && v.endsWith("]");
}

/**
 * A JSON value with its expressions resolved (to depth 8): a string expression's value, or
 * `undefined` when it cannot be resolved; inside arrays and objects an expression that cannot be
 * resolved stays as written (the caller sees an expression string and approximates or refuses).
 */
export function resolveArm(v: unknown, ctx: ArmContext, depth = 0): unknown {
  if (depth > 8) return undefined;
  if (typeof v === "string") {
    if (v.startsWith("[[")) return v.slice(1);
    if (!isArmExpression(v)) return v;
    const p = new ExprParser(v.slice(1, -1), ctx, depth);
    const value = p.expr();
    return p.done() ? value : undefined;
  }
  const inner = (x: unknown): unknown => resolveArm(x, ctx, depth + 1) ?? x;
  if (Array.isArray(v)) return v.map(inner);
  const o = asObject(v);
  if (o) return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, inner(x)]));
  return v;
}

/** `value.key` / `value[key]`: an own property of an object, an element of an array. */
function member(value: unknown, key: unknown): unknown {
  if (Array.isArray(value))
    return typeof key === "number" && Number.isInteger(key) && key >= 0 && key < value.length
      ? value[key]
      : undefined;
  const o = asObject(value);
  if (!o) return undefined;
  if (typeof key !== "string") return undefined;
  // ARM property names are case-insensitive.
  const name = Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase());
  return name === undefined ? undefined : o[name];
}

class ExprParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly ctx: ArmContext,
    private readonly depth: number,
  ) {}

  done(): boolean {
    this.ws();
    return this.i === this.s.length;
  }

  private ws(): void {
    while (this.s[this.i] === " ") this.i++;
  }

  /** One expression's value, `undefined` when it cannot be resolved (the parse still advances). */
  expr(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "'") {
      let out = "";
      for (this.i++; this.i < this.s.length; this.i++) {
        if (this.s[this.i] === "'") {
          if (this.s[this.i + 1] !== "'") break;
          this.i++;
        }
        out += this.s[this.i];
      }
      this.i++;
      return out;
    }
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    const id = /^[A-Za-z_][\w]*/.exec(this.s.slice(this.i));
    if (!id) {
      this.i = this.s.length + 1; // not an expression this parser knows: done() fails
      return undefined;
    }
    this.i += id[0].length;
    this.ws();
    if (this.s[this.i] !== "(") {
      this.i = this.s.length + 1;
      return undefined;
    }
    this.i++;
    const args: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ")") this.i++;
    else
      for (;;) {
        args.push(this.expr());
        this.ws();
        const sep = this.s[this.i++];
        if (sep === ")") break;
        if (sep !== ",") {
          this.i = this.s.length + 1;
          return undefined;
        }
      }
    this.ws();
    let value = this.call(id[0].toLowerCase(), args);
    // Property access and indexing (`.managementPort`, `[0]`, `[parameters('os')]`) on a
    // resolved object or array; on anything else (`reference(…).id`) undefined.
    while (this.s[this.i] === "." || this.s[this.i] === "[") {
      let key: unknown;
      if (this.s[this.i] === ".") {
        this.i++;
        const m = /^\w*/.exec(this.s.slice(this.i))!;
        this.i += m[0].length;
        key = m[0];
      } else {
        this.i++;
        key = this.expr();
        this.ws();
        if (this.s[this.i++] !== "]") {
          this.i = this.s.length + 1;
          return undefined;
        }
      }
      value = member(value, key);
      this.ws();
    }
    return value;
  }

  private call(name: string, args: unknown[]): unknown {
    const str = (v: unknown): string | undefined =>
      typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
    switch (name) {
      case "parameters": {
        const p = asObject(this.ctx.parameters[String(args[0])]);
        return p && Object.hasOwn(p, "defaultValue")
          ? resolveArm(p.defaultValue, this.ctx, this.depth + 1)
          : undefined;
      }
      case "variables": {
        const key = String(args[0]);
        return Object.hasOwn(this.ctx.variables, key)
          ? resolveArm(this.ctx.variables[key], this.ctx, this.depth + 1)
          : undefined;
      }
      case "concat": {
        if (args.every((a) => Array.isArray(a))) return (args as unknown[][]).flat();
        const parts = args.map(str);
        return parts.includes(undefined) ? undefined : parts.join("");
      }
      case "format": {
        const f = str(args[0]);
        const rest = args.slice(1).map(str);
        if (f === undefined) return undefined;
        let bad = false;
        const out = f.replace(/\{(\d+)\}/g, (_, n: string) => {
          const v = rest[Number(n)];
          if (v === undefined) bad = true;
          return v ?? "";
        });
        return bad ? undefined : out;
      }
      case "tolower":
        return str(args[0])?.toLowerCase();
      case "toupper":
        return str(args[0])?.toUpperCase();
      case "resourceid":
        return args.length >= 2 ? str(args.at(-1)) : undefined;
      case "string":
        return str(args[0]);
      default:
        return undefined;
    }
  }
}
