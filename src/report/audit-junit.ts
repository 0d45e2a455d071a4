/** `portmatrix audit --format junit`: one test case per required flow (retired ones skipped). Pure. */
import type { AuditReportT } from "../audit/report-schema.js";
import { ruleText } from "./audit-text.js";
import { junitXml, type JunitCase } from "./junit.js";

export function renderAuditJunit(r: AuditReportT): string {
  const cases: JunitCase[] = r.flows.map((f) => {
    const c: JunitCase = {
      name: `${f.id}${f.origin === "site" ? " (site)" : ""}: ${f.from} → ${f.to} ${f.transport} ${f.ports}`,
      classname: `portmatrix.audit.${r.profile}`,
    };
    if (f.retired) c.skipped = "retired flow: not required";
    else if (f.verdict === "not-applicable") c.skipped = "the flow does not cross this firewall";
    else if (f.verdict !== "allowed")
      c.failure = {
        message: f.verdict,
        text: f.blocked
          .map((b) =>
            b.neighbourDiscovery
              ? `forward (IPv6): ${b.packets.join("; ")}\n  cannot pass: ${ruleText(b.rule)} drops the neighbour discovery IPv6 needs: ${b.neighbourDiscovery.join("; ")}`
              : `${b.direction}: ${b.packets.join("; ")}\n  by ${ruleText(b.rule)}`,
          )
          .join("\n"),
      };
    else if (f.snat?.ok === false)
      c.failure = {
        message: "not SNAT-ed",
        text: `allowed, but leaves without its static NAT's public source ${f.snat.public.join(", ")}: replies go to a private address`,
      };
    return c;
  });
  const exposure: JunitCase = {
    name: "no exposure beyond the matrix",
    classname: `portmatrix.audit.${r.profile}`,
  };
  if (r.exposure.length > 0)
    exposure.failure = {
      message: `${r.exposure.length} exposure findings`,
      text: r.exposure.map((e) => `${e.packets.join("; ")}\n  by ${ruleText(e.rule)}`).join("\n"),
    };
  return junitXml([
    { name: `audit ${r.rulesets.map((s) => s.file).join(", ")}`, cases: [...cases, exposure] },
  ]);
}
