/**
 * A reader of Windows registry hive files ("regf"), as much as a firewall policy needs: keys,
 * their subkeys, and REG_SZ / REG_EXPAND_SZ / REG_DWORD values. `netsh advfirewall export` writes
 * its `.wfw` as such a hive (the FirewallPolicy key at its root). Layout as documented by the
 * libregf project and the Windows registry file format notes (base block of 4096 bytes, then hive
 * bins of cells; each cell a signed 32-bit size, negative when allocated). Every offset and length
 * read is checked against the file: a damaged or hostile hive is an error, never a crash or a
 * loop (a key visited twice stops the walk).
 */

export interface HiveValue {
  name: string;
  /** REG_SZ / REG_EXPAND_SZ text, REG_DWORD number; undefined for other types. */
  data: string | number | undefined;
  /** Byte offset of the value's record in the file (for a position in diagnostics). */
  offset: number;
}

export interface HiveKey {
  /** Backslash-separated names from the root key's (included). */
  path: string;
  offset: number;
  values: HiveValue[];
}

const BASE = 4096;
/** Subkeys and values per key, and keys per hive, past which the file is not a firewall policy. */
const MAX_ENTRIES = 1_000_000;

export function isHive(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x72 && bytes[1] === 0x65 && bytes[2] === 0x67 && bytes[3] === 0x66
  );
}

export function readHive(bytes: Uint8Array): { keys: HiveKey[] } | { error: string; offset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  class Bad extends Error {
    constructor(
      message: string,
      readonly offset: number,
    ) {
      super(message);
    }
  }
  const u16 = (at: number): number => {
    if (at < 0 || at + 2 > bytes.length) throw new Bad("a record past the end of the file", at);
    return view.getUint16(at, true);
  };
  const u32 = (at: number): number => {
    if (at < 0 || at + 4 > bytes.length) throw new Bad("a record past the end of the file", at);
    return view.getUint32(at, true);
  };
  const sig = (at: number): string => String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0);
  /** The data of the cell at hive offset `off` (after its size field), and its length. */
  const cell = (off: number): { at: number; len: number } => {
    const at = BASE + off;
    if (off === 0xffffffff || at + 4 > bytes.length)
      throw new Bad("a cell offset past the end of the file", at);
    const size = view.getInt32(at, true);
    const len = Math.abs(size) - 4;
    if (len < 0 || at + 4 + len > bytes.length) throw new Bad("a cell longer than the file", at);
    return { at: at + 4, len };
  };
  const text = (at: number, len: number, ascii: boolean): string => {
    if (at < 0 || at + len > bytes.length) throw new Bad("a name past the end of the file", at);
    const b = Buffer.from(bytes.buffer, bytes.byteOffset + at, len);
    return ascii ? b.toString("latin1") : b.toString("utf16le");
  };
  try {
    if (!isHive(bytes) || bytes.length < BASE + 32) throw new Bad("not a registry hive (no regf header)", 0);
    const keys: HiveKey[] = [];
    const seen = new Set<number>();
    const walk = (off: number, parent: string): void => {
      if (seen.has(off)) throw new Bad("a key reached twice (a loop in the hive)", BASE + off);
      seen.add(off);
      if (seen.size > MAX_ENTRIES) throw new Bad("more keys than a firewall policy holds", BASE + off);
      const nk = cell(off);
      if (sig(nk.at) !== "nk") throw new Bad("a key record without its nk signature", nk.at);
      const flags = u16(nk.at + 0x02);
      const subkeys = u32(nk.at + 0x14);
      const subkeyList = u32(nk.at + 0x1c);
      const valueCount = u32(nk.at + 0x24);
      const valueList = u32(nk.at + 0x28);
      const nameLen = u16(nk.at + 0x48);
      const name = text(nk.at + 0x4c, nameLen, (flags & 0x20) !== 0);
      const path = parent === "" ? name : `${parent}\\${name}`;
      const key: HiveKey = { path, offset: nk.at, values: [] };
      keys.push(key);
      if (valueCount > MAX_ENTRIES) throw new Bad("more values than a key holds", nk.at);
      if (valueCount > 0) {
        const list = cell(valueList);
        if (valueCount * 4 > list.len) throw new Bad("a value list shorter than its count", list.at);
        for (let i = 0; i < valueCount; i++) key.values.push(value(u32(list.at + 4 * i)));
      }
      if (subkeys > MAX_ENTRIES) throw new Bad("more subkeys than a key holds", nk.at);
      if (subkeys > 0) for (const child of subkeyOffsets(subkeyList, 0)) walk(child, path);
    };
    const subkeyOffsets = (off: number, depth: number): number[] => {
      if (depth > 4) throw new Bad("subkey lists nested too deep", BASE + off);
      const list = cell(off);
      const kind = sig(list.at);
      const count = u16(list.at + 2);
      const out: number[] = [];
      if (kind === "lf" || kind === "lh") {
        if (4 + count * 8 > list.len) throw new Bad("a subkey list shorter than its count", list.at);
        for (let i = 0; i < count; i++) out.push(u32(list.at + 4 + 8 * i));
      } else if (kind === "li" || kind === "ri") {
        if (4 + count * 4 > list.len) throw new Bad("a subkey list shorter than its count", list.at);
        for (let i = 0; i < count; i++) {
          const o = u32(list.at + 4 + 4 * i);
          if (kind === "li") out.push(o);
          else out.push(...subkeyOffsets(o, depth + 1));
        }
      } else throw new Bad(`a subkey list of unknown kind "${kind}"`, list.at);
      return out;
    };
    const value = (off: number): HiveValue => {
      const vk = cell(off);
      if (sig(vk.at) !== "vk") throw new Bad("a value record without its vk signature", vk.at);
      const nameLen = u16(vk.at + 0x02);
      const size = u32(vk.at + 0x04);
      const dataOff = u32(vk.at + 0x08);
      const type = u32(vk.at + 0x0c);
      const flags = u16(vk.at + 0x10);
      const name = nameLen === 0 ? "" : text(vk.at + 0x14, nameLen, (flags & 0x1) !== 0);
      const inline = (size & 0x80000000) !== 0;
      const len = size & 0x7fffffff;
      let raw: Uint8Array;
      if (inline) {
        if (len > 4) throw new Bad("inline value data longer than 4 bytes", vk.at);
        raw = bytes.subarray(vk.at + 0x08, vk.at + 0x08 + len);
      } else if (len === 0) raw = new Uint8Array(0);
      else {
        const d = cell(dataOff);
        if (sig(d.at) === "db" && len > d.len) {
          // Big data: segments of up to 16344 bytes listed by a db record.
          const segments = u16(d.at + 2);
          const segList = cell(u32(d.at + 4));
          const parts: Uint8Array[] = [];
          let left = len;
          for (let i = 0; i < segments && left > 0; i++) {
            const seg = cell(u32(segList.at + 4 * i));
            const take = Math.min(left, seg.len, 16344);
            parts.push(bytes.subarray(seg.at, seg.at + take));
            left -= take;
          }
          raw = Buffer.concat(parts);
        } else {
          if (len > d.len) throw new Bad("value data longer than its cell", d.at);
          raw = bytes.subarray(d.at, d.at + len);
        }
      }
      let data: string | number | undefined;
      if (type === 1 || type === 2) data = Buffer.from(raw).toString("utf16le").replace(/\0+$/, "");
      else if (type === 4 && raw.length === 4)
        data = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, true);
      return { name, data, offset: vk.at };
    };
    walk(u32(0x24), "");
    return { keys };
  } catch (e) {
    if (e instanceof Bad) return { error: e.message, offset: e.offset };
    throw e;
  }
}
