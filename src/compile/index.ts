/** The compile targets by id (the CLI's `--target`). One backend per file in targets/. */
import type { Target, TargetId } from "./target.js";
import { aws } from "./targets/aws.js";
import { azure } from "./targets/azure.js";
import { ciscoAsa } from "./targets/cisco-asa.js";
import { fortios } from "./targets/fortios.js";
import { iptables } from "./targets/iptables.js";
import { nftables } from "./targets/nftables.js";
import { panos } from "./targets/panos.js";
import { pf } from "./targets/pf.js";
import { windows } from "./targets/windows.js";

export const TARGETS: Record<TargetId, Target> = {
  nftables,
  iptables,
  windows,
  "cisco-asa": ciscoAsa,
  pf,
  aws,
  azure,
  panos,
  fortios,
};
