/**
 * One packet through a zone firewall ruleset (panos, fortios readers) (prerouting → forward →
 * postrouting), answered as which rule decides, allow or deny, and whether that rule carries an
 * approximation (then the verdict is uncertain). For the hand-checked and peer (Batfish) answers.
 */
import assert from "node:assert/strict";
import { runPath } from "../../src/audit/hooks.js";
import type { Ruleset } from "../../src/ir/ruleset.js";
import { parseAddress } from "../../src/space/address.js";
import { pointBox, type Packet } from "../../src/space/box.js";
import { Space } from "../../src/space/space.js";

export const ip = (t: string): bigint => {
  const r = parseAddress(t);
  assert.ok(r.ok);
  return r.set.min()!;
};

export interface Answer {
  verdict: "allow" | "deny";
  by: string;
  uncertain: boolean;
  /** The destination after NAT, when rewritten. */
  dst?: bigint;
  /** The source after NAT, when rewritten. */
  src?: bigint;
}

export type PacketSpec = Omit<Partial<Packet>, "src" | "dst"> & {
  src: string;
  dst: string;
  iif: string;
  oif: string;
};

export function decide(ruleset: Ruleset, p: PacketSpec): Answer {
  const packet: Packet = {
    proto: 6,
    sport: 40000,
    dport: 5061,
    ct: "new",
    ...p,
    src: ip(p.src),
    dst: ip(p.dst),
  };
  const r = runPath(
    [ruleset],
    ["prerouting", "forward", "postrouting"],
    [{ rewrite: {}, packets: Space.box(pointBox(packet)) }],
  );
  const passed = r.passed.find((f) => !f.packets.isEmpty());
  const by = passed ? passed.acceptedBy : r.dropped[0]?.by;
  assert.ok(by && by.kind === "rule", "a rule decides");
  const name = /(?:security rule (\S+?)(?::| \()|\(implicit\) (.*))/.exec(by.rule.origin.text);
  const answer: Answer = {
    verdict: passed ? "allow" : "deny",
    by: (name?.[1] ?? name?.[2] ?? by.rule.origin.text).replace(/^vsys1 /, ""),
    uncertain: by.rule.approximations.length > 0,
  };
  const rewritten = passed?.rewrite.dst;
  if (rewritten) answer.dst = rewritten.min()!;
  const snat = passed?.rewrite.src;
  if (snat) answer.src = snat.min()!;
  return answer;
}
