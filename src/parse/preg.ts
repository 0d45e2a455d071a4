/**
 * A reader of Group Policy's Registry.pol files (MS-GPREG §2.2.1, "PReg"): the registry half of a
 * GPO, as `SYSVOL\<domain>\Policies\{GUID}\Machine\Registry.pol` holds it — a GPO's Windows
 * Firewall rules (`Software\Policies\Microsoft\WindowsFirewall\FirewallRules`) and profile
 * settings among its other settings. Layout: the signature `PReg` and the version 1 (two
 * little-endian DWORDs), then records `[key;value;type;size;data]` whose brackets, semicolons and
 * strings are UTF-16LE, the strings NUL-terminated, type and size little-endian DWORDs, data `size`
 * bytes. Records are applied in order as the Group Policy client applies them to one key: the
 * `**del.NAME`, `**delvals.`, `**DeleteValues` and `**DeleteKeys` directives remove what earlier
 * records of the file set (they also clear the client's registry, which no file shows: nothing
 * else is assumed), `**soft.NAME` sets NAME, `**SecureKey` is passed over. Every length is checked
 * against the file: a damaged file is an error with its byte offset, never a crash.
 */
import type { HiveKey } from "./regf.js";

const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_DWORD = 4;

function isPolicyFile(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x65 && bytes[3] === 0x67
  );
}

/**
 * The keys the file sets (paths relative to the hive the file's place decides: HKLM for a
 * Machine\Registry.pol) with their values, in the order the file first names them.
 */
export function readPolicyFile(bytes: Uint8Array): { keys: HiveKey[] } | { error: string; offset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPolicyFile(bytes)) return { error: "no PReg signature", offset: 0 };
  if (bytes.length < 8) return { error: "the header ends early", offset: 4 };
  const version = view.getUint32(4, true);
  if (version !== 1) return { error: `version ${version} (only 1 exists)`, offset: 4 };
  const keys = new Map<string, HiveKey>();
  let at = 8;
  const char = (): number => {
    if (at + 2 > bytes.length) throw new Bad("a record ends early", at);
    const c = view.getUint16(at, true);
    at += 2;
    return c;
  };
  const expect = (c: string, what: string): void => {
    const start = at;
    if (char() !== c.charCodeAt(0)) throw new Bad(`"${c}" expected ${what}`, start);
  };
  const string = (): string => {
    const start = at;
    let s = "";
    for (let c = char(); c !== 0; c = char()) {
      s += String.fromCharCode(c);
      if (s.length > 32_767) throw new Bad("a name longer than the registry allows", start);
    }
    return s;
  };
  const dword = (): number => {
    if (at + 4 > bytes.length) throw new Bad("a record ends early", at);
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  try {
    while (at < bytes.length) {
      const record = at;
      expect("[", "at a record's start");
      const path = string();
      expect(";", "after the key");
      const name = string();
      expect(";", "after the value name");
      const type = dword();
      expect(";", "after the type");
      const size = dword();
      expect(";", "after the size");
      if (at + size > bytes.length) throw new Bad(`data of ${size} bytes past the file's end`, at);
      const data = bytes.subarray(at, at + size);
      at += size;
      expect("]", "at a record's end");
      const lower = path.toLowerCase();
      const value = valueOf(type, data);
      if (name.toLowerCase() === "**deletekeys") {
        // Subkeys of this key, named relative to it.
        for (const sub of typeof value === "string" ? value.split(";") : []) {
          if (sub === "") continue;
          const gone = `${lower}\\${sub.toLowerCase()}`;
          for (const k of [...keys.keys()]) if (k === gone || k.startsWith(`${gone}\\`)) keys.delete(k);
        }
        continue;
      }
      let key = keys.get(lower);
      if (key === undefined) keys.set(lower, (key = { path, offset: record, values: [] }));
      apply(key, name, value, record);
    }
  } catch (e) {
    if (e instanceof Bad) return { error: e.message, offset: e.offset };
    throw e;
  }
  return { keys: [...keys.values()] };
}

class Bad extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function valueOf(type: number, data: Uint8Array): string | number | undefined {
  if (type === REG_DWORD)
    return data.length >= 4 ? new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) : undefined;
  if (type !== REG_SZ && type !== REG_EXPAND_SZ) return undefined;
  let s = "";
  for (let i = 0; i + 1 < data.length; i += 2) {
    const c = data[i]! | (data[i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** One record applied to its key, as the Group Policy client applies it. */
function apply(key: HiveKey, name: string, data: string | number | undefined, offset: number): void {
  const lower = name.toLowerCase();
  const drop = (n: string): void => {
    key.values = key.values.filter((v) => v.name.toLowerCase() !== n.toLowerCase());
  };
  if (lower.startsWith("**del.")) return drop(name.slice(6));
  if (lower.startsWith("**delvals")) {
    key.values = [];
    return;
  }
  if (lower === "**deletevalues") {
    for (const n of typeof data === "string" ? data.split(";") : []) if (n !== "") drop(n);
    return;
  }
  if (lower === "**securekey") return;
  const set = lower.startsWith("**soft.") ? name.slice(7) : name;
  drop(set);
  key.values.push({ name: set, data, offset });
}
