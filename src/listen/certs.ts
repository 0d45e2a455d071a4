/**
 * A throwaway PKI for `portmatrix certs` and for `listen` when no certificate is given: one self-signed
 * CA and one leaf (ECDSA P-256, SHA-256) carrying both serverAuth and clientAuth EKUs, so the same
 * leaf serves the TLS/MTLS listeners and can be presented as the client certificate in MTLS tests
 * (SfB Edge federation wants both EKUs on the Edge certificate, uc-ports.md §6).
 * Made with @peculiar/x509 over Node's WebCrypto; no openssl process.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs this polyfill first.
import "reflect-metadata";
import { createPrivateKey, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Pki {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** Subject of the leaf and its SANs, for reports. */
  subject: string;
  names: string[];
  notAfter: string;
}

export interface PkiRequest {
  /** DNS names and IP addresses for the leaf's SANs; the first is its CN. */
  names: string[];
  days: number;
  /** Start of validity; defaults to an hour before now so clock skew does not bite. */
  now: Date;
}

const isIp = (s: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(":");

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f; // positive INTEGER (RFC 5280 §4.1.2.2)
  return Buffer.from(b).toString("hex");
}

/** PKCS#8 PEM of the key, written by Node's own crypto (the form OpenSSL tools expect). */
async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
}

export async function makePki(req: PkiRequest): Promise<Pki> {
  if (req.names.length === 0) throw new RangeError("a leaf certificate needs at least one name");
  const notBefore = new Date(req.now.getTime() - 3600_000);
  const notAfter = new Date(req.now.getTime() + req.days * 86400_000);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=portmatrix test CA, O=portmatrix",
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const subject = `CN=${req.names[0]!}, O=portmatrix`;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(
        req.names.map((n) => ({ type: isIp(n) ? ("ip" as const) : ("dns" as const), value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
    ],
  });
  return {
    caCert: ca.toString("pem") + "\n",
    caKey: await pemKey(caKeys.privateKey),
    cert: leaf.toString("pem") + "\n",
    key: await pemKey(leafKeys.privateKey),
    subject,
    names: req.names,
    notAfter: notAfter.toISOString(),
  };
}
