/** The compile targets by id (the CLI's `--target`). One backend per file in targets/. */
import { diag } from "../diag/diagnostic.js";
import { unsupported } from "./plan.js";
import type { Target, TargetId, TargetResult } from "./target.js";
import { aws } from "./targets/aws.js";
import { azure } from "./targets/azure.js";
import { firewalld } from "./targets/firewalld.js";
import { ciscoAsa } from "./targets/cisco-asa.js";
import { fortios } from "./targets/fortios.js";
import { iptables } from "./targets/iptables.js";
import { junos } from "./targets/junos.js";
import { nftables } from "./targets/nftables.js";
import { panos } from "./targets/panos.js";
import { pf } from "./targets/pf.js";
import { ufw } from "./targets/ufw.js";
import { windows } from "./targets/windows.js";

/**
 * Capabilities are data: a topology with static NAT is refused by a target that does not write NAT,
 * and a rule whose destination is known by DNS name only is refused, naming the
 * flow and the reason, before a target without FQDN objects renders anything.
 */
function guarded(t: Target): Target {
  return {
    ...t,
    compile(plan): TargetResult {
      // Rules for a NAT'ed deployment without its NAT would filter the wrong addresses.
      if (!t.nat && plan.nat.length > 0)
        return {
          ok: false,
          diagnostics: [
            diag(
              "compile-unsupported",
              "error",
              `target ${t.id} does not write static NAT (topology nat: ${plan.nat.map((n) => n.endpoints.join(", ")).join("; ")})`,
              {
                expected:
                  "a target that writes NAT (nftables, iptables, cisco-asa, pf, aws, azure, junos, fortios, panos), or NAT configured on the device by hand and a topology without nat:",
              },
            ),
          ],
        };
      const byName = t.fqdn ? [] : plan.rules.filter((r) => r.dstFqdns !== undefined);
      if (byName.length === 0) return t.compile(plan);
      return {
        ok: false,
        diagnostics: byName.map((r) =>
          unsupported(
            t.id,
            r,
            `destination ${r.toEndpoint ?? ""} is known by DNS name only: ${r.dstFqdns!.join(", ")}`,
            `a target with FQDN objects (cisco-asa), or a proxy; ${t.id} matches addresses only`,
          ),
        ),
      };
    },
  };
}

export const TARGETS: Record<TargetId, Target> = {
  nftables: guarded(nftables),
  iptables: guarded(iptables),
  windows: guarded(windows),
  "cisco-asa": guarded(ciscoAsa),
  pf: guarded(pf),
  aws: guarded(aws),
  azure: guarded(azure),
  junos: guarded(junos),
  fortios: guarded(fortios),
  panos: guarded(panos),
  firewalld: guarded(firewalld),
  ufw: guarded(ufw),
};
