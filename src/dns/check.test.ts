/**
 * The judgement of DNS answers, on answers given as data (the live test asks a real dnsmasq):
 * record expansion per SIP domain, one A record per service address, SRV targets named on the
 * certificate, CNAME, and a server that answers nothing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BoundTopology, ExpectedDnsRecord } from "../model/flow.js";
import { expectedDnsRecords } from "../model/topology.js";
import { parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { checkDns, checkRecord, type Lookup, type Resolve, type SrvAnswer } from "./check.js";

const set = (...xs: string[]): IntervalSet =>
  xs.reduce((s, x) => {
    const p = parseAddress(x);
    if (!p.ok) throw new Error(x);
    return s.union(p.set);
  }, IntervalSet.EMPTY);

const topology: Pick<BoundTopology, "profileId" | "endpoints" | "certificates" | "dns" | "sipDomains"> = {
  profileId: "t",
  endpoints: [
    {
      id: "edge",
      name: "Edge",
      addresses: set("203.0.113.10", "203.0.113.11", "2001:db8::10"),
      text: [],
      hosts: set("203.0.113.10", "203.0.113.11", "2001:db8::10"),
    },
    { id: "pool", name: "Pool", addresses: set("203.0.113.128/25"), text: [] },
  ],
  certificates: [{ id: "ext", endpoints: ["edge"], names: ["sip.contoso.example", "*.contoso.example"] }],
  dns: [],
  sipDomains: ["contoso.example"],
};

type Zone = Record<string, string[] | SrvAnswer[] | "refused">;
function resolver(zone: Zone): Resolve {
  const get = <T>(key: string): Promise<Lookup<T>> => {
    const v = zone[key];
    if (v === "refused") return Promise.resolve({ ok: false, state: "no-answer", code: "EREFUSED" });
    if (v === undefined) return Promise.resolve({ ok: false, state: "missing", code: "ENOTFOUND" });
    return Promise.resolve({ ok: true, values: v as T[] });
  };
  return {
    srv: (n) => get(`SRV ${n}`),
    addresses: (f, n) => get(`${f === 4 ? "A" : "AAAA"} ${n}`),
    cname: (n) => get(`CNAME ${n}`),
  };
}

const rec = (
  r: Partial<ExpectedDnsRecord> & Pick<ExpectedDnsRecord, "type" | "name">,
): ExpectedDnsRecord => ({
  location: "external",
  notes: "",
  ...r,
});

test("records with {domain} are needed once per SIP domain; conditions follow the features", () => {
  const r = expectedDnsRecords(
    [
      {
        location: "external",
        type: "SRV",
        name: "_sipfederationtls._tcp.{domain}",
        port: 5061,
        target: "sip.{domain}",
        endpoint: "edge",
        notes: "",
        conditions: [],
      },
      {
        location: "external",
        type: "A",
        name: "xmpp.{domain}",
        target: "Access Edge service address",
        endpoint: "edge",
        notes: "",
        conditions: ["xmpp-federation"],
      },
    ],
    ["Contoso.example", "fabrikam.example"],
    new Set(),
  );
  assert.deepEqual(
    r.map((x) => [x.name, x.target, x.domain]),
    [
      ["_sipfederationtls._tcp.contoso.example", "sip.contoso.example", "Contoso.example"],
      ["_sipfederationtls._tcp.fabrikam.example", "sip.fabrikam.example", "fabrikam.example"],
    ],
  );
  assert.deepEqual(expectedDnsRecords([], [], new Set()), []);
});

test("A: every answer the endpoint's, and each of its single addresses answered", async () => {
  const a = rec({ type: "A", name: "sip.contoso.example", endpoint: "edge" });
  const ok = await checkRecord(
    a,
    topology,
    resolver({ "A sip.contoso.example": ["203.0.113.11", "203.0.113.10"] }),
  );
  assert.equal(ok.state, "ok", ok.detail);
  assert.deepEqual(ok.expected.addresses, ["203.0.113.10/31"]);
  const half = await checkRecord(a, topology, resolver({ "A sip.contoso.example": ["203.0.113.10"] }));
  assert.equal(half.state, "wrong");
  assert.match(half.detail, /lacks 203\.0\.113\.11: one record per service address/);
  // A CIDR binding says which addresses are allowed, not which records must exist.
  const pool = await checkRecord(
    rec({ type: "A", name: "pool.contoso.example", endpoint: "pool" }),
    topology,
    resolver({ "A pool.contoso.example": ["203.0.113.200"] }),
  );
  assert.equal(pool.state, "ok", pool.detail);
  const aaaa = await checkRecord(
    rec({ type: "AAAA", name: "sip.contoso.example", endpoint: "edge" }),
    topology,
    resolver({ "AAAA sip.contoso.example": ["2001:db8::10"] }),
  );
  assert.equal(aaaa.state, "ok", aaaa.detail);
});

test("SRV: the port and a name on the endpoint's certificate; the target must resolve to the endpoint", async () => {
  const srv = rec({
    type: "SRV",
    name: "_sipfederationtls._tcp.contoso.example",
    port: 5061,
    target: "sip.contoso.example",
    endpoint: "edge",
  });
  // The SRV record answering `target`:5061, and the zone's other records.
  const answering = (target: string, rest: Zone = {}) =>
    checkRecord(
      srv,
      topology,
      resolver({ [`SRV ${srv.name}`]: [{ name: target, port: 5061, priority: 0, weight: 0 }], ...rest }),
    );
  const other = await answering("sipfed.contoso.example", { "A sipfed.contoso.example": ["203.0.113.10"] });
  assert.equal(other.state, "ok", "covered by *.contoso.example on the certificate");
  assert.deepEqual(other.resolved, [{ name: "sipfed.contoso.example", addresses: ["203.0.113.10"] }]);
  const foreign = await answering("sip.contoso.example.", { "A sip.contoso.example": ["198.51.100.7"] });
  assert.equal(foreign.state, "wrong");
  assert.match(
    foreign.detail,
    /points at sip\.contoso\.example, which has 198\.51\.100\.7, not an address of edge/,
  );
  const dangling = await answering("sip.contoso.example");
  assert.match(dangling.detail, /which has no A or AAAA record/);
  const offDomain = await answering("edge.fabrikam.example");
  assert.equal(offDomain.state, "wrong");
  assert.deepEqual(offDomain.answers, ["0 0 5061 edge.fabrikam.example"]);
});

test("CNAME, and a server that refuses everything", async () => {
  const c = rec({ type: "CNAME", name: "lyncdiscover.contoso.example", target: "proxy.contoso.example" });
  const ok = await checkRecord(
    c,
    topology,
    resolver({
      "CNAME lyncdiscover.contoso.example": ["proxy.contoso.example"],
      "A proxy.contoso.example": ["198.51.100.80"],
    }),
  );
  assert.equal(ok.state, "ok", ok.detail);
  const wrong = await checkRecord(
    c,
    topology,
    resolver({ "CNAME lyncdiscover.contoso.example": ["elsewhere.example"] }),
  );
  assert.equal(wrong.state, "wrong");
  const out = await checkDns(
    {
      ...topology,
      dns: [c, rec({ type: "A", name: "sip.contoso.example", endpoint: "edge", location: "internal" })],
    },
    "all",
    "203.0.113.53",
    resolver({ "CNAME lyncdiscover.contoso.example": "refused", "A sip.contoso.example": "refused" }),
  );
  assert.deepEqual(out.summary, { records: 2, ok: 0, failed: 2, states: { "no-answer": 2 } });
  // --location internal leaves the external CNAME out; nothing is asked.
  const internal = await checkDns({ ...topology, dns: [c] }, "internal", "x", resolver({}));
  assert.deepEqual(internal.records, []);
});
