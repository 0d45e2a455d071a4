import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedCertificates } from "../model/topology.js";
import { loadProfile } from "../shell/load.js";
import { certificateDnsNames, expectedNames, missingNames, nameCovered } from "./cert-names.js";

test("certificate names: SAN DNS entries, else the CN", () => {
  assert.deepEqual(
    certificateDnsNames({
      subject: "CN=sip.contoso.example, O=x",
      names: ["DNS:SIP.contoso.example", "IP Address:203.0.113.10"],
    }),
    ["sip.contoso.example"],
  );
  assert.deepEqual(certificateDnsNames({ subject: "CN=sip.contoso.example, O=x", names: [] }), [
    "sip.contoso.example",
  ]);
  assert.deepEqual(certificateDnsNames({ subject: "CN=edge", names: ["IP Address:203.0.113.10"] }), []);
});

test("RFC 6125 matching: exact or one-label wildcard; a required wildcard only by itself", () => {
  assert.ok(nameCovered("sip.contoso.example", ["sip.contoso.example"]));
  assert.ok(nameCovered("SIP.Contoso.Example", ["sip.contoso.example"]));
  assert.ok(nameCovered("webcon.contoso.example", ["*.contoso.example"]));
  assert.ok(!nameCovered("a.b.contoso.example", ["*.contoso.example"]), "one label only");
  assert.ok(!nameCovered("contoso.example", ["*.contoso.example"]), "the wildcard needs a label");
  assert.ok(!nameCovered("example", ["*.example"]), "no wildcard over a whole top-level domain");
  assert.ok(nameCovered("*.contoso.example", ["*.contoso.example"]));
  assert.ok(!nameCovered("*.contoso.example", ["sip.contoso.example", "webcon.contoso.example"]));
});

test("SfB 2015 Edge external: names filled from the SIP domains, XMPP names only with the feature", () => {
  const p = loadProfile("sfb2015-edge-external", ".");
  assert.ok(p.ok);
  const certs = p.value.profile.certificates;
  const plain = expectedCertificates(certs, ["contoso.example", "fabrikam.example"], new Set());
  assert.deepEqual(plain, [
    {
      id: "edge-external",
      endpoints: ["access-edge", "webconf-edge"],
      names: ["sip.contoso.example", "webcon.contoso.example", "sip.fabrikam.example"],
    },
  ]);
  const xmpp = expectedCertificates(certs, ["contoso.example"], new Set(["xmpp-federation"]));
  assert.deepEqual(expectedNames({ certificates: xmpp }, "access-edge"), [
    "sip.contoso.example",
    "webcon.contoso.example",
    "xmpp.contoso.example",
    "*.contoso.example",
  ]);
  assert.deepEqual(expectedNames({ certificates: xmpp }, "av-edge"), []);
  assert.deepEqual(expectedCertificates(certs, [], new Set()), [], "no domains, no names");
  assert.deepEqual(
    missingNames(["sip.contoso.example", "webcon.contoso.example"], {
      subject: "CN=sip.contoso.example",
      names: ["DNS:sip.contoso.example"],
    }),
    ["webcon.contoso.example"],
  );
});
