/**
 * TCP flag matches (iptables `--tcp-flags MASK COMP` / `--syn`, nft `tcp flags & MASK == COMP`)
 * read as the conntrack states whose packets can match: flags are not a dimension of the packet
 * space, but among the packets an audit is about (connections that open with a SYN) each state
 * carries known flags. Shared by the iptables and nftables readers. Pure.
 */
import { CT_STATES, type CtState } from "../space/box.js";

/** The six flags both tools name (RFC 9293 §3.1); nft's `ecn` and `cwr` (RFC 3168) are not modelled. */
export const TCP_FLAG_BITS = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32 } as const;
const { fin: FIN, syn: SYN, rst: RST, ack: ACK } = TCP_FLAG_BITS;
const ALL = Array.from({ length: 64 }, (_, f) => f);

/**
 * The TCP flags a packet of each conntrack state can carry, among the audit's packets (connections
 * that open with a SYN): NEW is the opening SYN; ESTABLISHED packets carry ACK (SYN-ACK, data,
 * FIN, RST) and never SYN with FIN or RST, nor FIN with RST; other states: any combination.
 */
function flagsOf(state: CtState): number[] {
  if (state === "new") return [SYN];
  if (state === "established")
    return ALL.filter(
      (f) => f & ACK && !(f & SYN && f & FIN) && !(f & SYN && f & RST) && !(f & FIN && f & RST),
    );
  return ALL;
}

/**
 * The states whose packets can match `(flags & mask) == comp` (`!=` when `negated`), and among
 * them those where only some packets do (the match kept whole there: an over-approximation the
 * caller must say).
 */
export function tcpFlagStates(
  mask: number,
  comp: number,
  negated: boolean,
): { states: CtState[]; partial: CtState[] } {
  const states: CtState[] = [];
  const partial: CtState[] = [];
  for (const st of CT_STATES) {
    const hits = flagsOf(st).filter((f) => ((f & mask) === comp) !== negated).length;
    if (hits > 0) states.push(st);
    if (hits > 0 && hits < flagsOf(st).length) partial.push(st);
  }
  return { states, partial };
}
