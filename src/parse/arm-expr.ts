/**
 * The part of ARM template expressions ("Template functions", Azure Resource Manager docs) the
 * azure-nsg reader resolves: string and number literals, `parameters('p')` (its `defaultValue`),
 * `variables('v')`, `concat`, `format('{0}…', …)`, `toLower`, `toUpper` and `resourceId(…, name)`
 * (the resource's name: its last argument). Anything else — deployment-time values such as
 * `resourceGroup()`, `uniqueString()`, a parameter without a default, property access — is
 * `undefined`: the caller approximates or refuses, it never guesses.
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
 * A JSON value with its expressions resolved: strings, numbers, and arrays/objects (their own
 * expression strings resolved too, to depth 8); `undefined` when any part cannot be resolved.
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
  if (Array.isArray(v)) {
    const out = v.map((x) => resolveArm(x, ctx, depth + 1));
    return out.includes(undefined) ? undefined : out;
  }
  const o = asObject(v);
  if (o) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(o)) {
      const r = resolveArm(x, ctx, depth + 1);
      if (r === undefined && x !== undefined) return undefined;
      out[k] = r;
    }
    return out;
  }
  return v;
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
    // Property access and indexing (`.id`, `[0]`) on a function's result: not resolved.
    if (this.s[this.i] === "." || this.s[this.i] === "[") {
      this.skipAccess();
      return undefined;
    }
    return this.call(id[0].toLowerCase(), args);
  }

  private skipAccess(): void {
    while (this.s[this.i] === "." || this.s[this.i] === "[") {
      if (this.s[this.i] === ".") {
        this.i++;
        const m = /^[\w]*/.exec(this.s.slice(this.i))!;
        this.i += m[0].length;
      } else {
        this.i++;
        this.expr();
        this.ws();
        this.i++;
      }
    }
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
