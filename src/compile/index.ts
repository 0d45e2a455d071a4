/** The compile targets by id (the CLI's `--target`). One backend per file in targets/. */
import type { Target, TargetId } from "./target.js";
import { iptables } from "./targets/iptables.js";
import { nftables } from "./targets/nftables.js";

export const TARGETS: Partial<Record<TargetId, Target>> = {
  nftables,
  iptables,
};
