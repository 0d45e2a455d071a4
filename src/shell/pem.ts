/**
 * Certificates and keys given on the command line (`probe --ca/--cert/--key`, `listen
 * --cert/--key/--ca`), checked when read: OpenSSL ignores a CA file whose certificate does not
 * parse (tls.createSecureContext accepts it, and every server then looks untrusted: a wrong
 * verdict from a bad input), and a broken certificate or key would only fail at the first TLS
 * connection, after packets were sent. Here each is one located error before anything runs.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { diag, InputError, type Diagnostic } from "../diag/diagnostic.js";
import { readText } from "./files.js";

type PemOption = "--ca" | "--cert" | "--key";

/** The file's text, once every block it needs parses (InputError otherwise). */
export function readPem(option: PemOption, file: string): string {
  const r = readText(file);
  if (!r.ok) throw new InputError([r.diagnostic]);
  const problem = pemProblem(option, file, r.text);
  if (problem) throw new InputError([problem]);
  return r.text;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const isKey = (type: string): boolean => /PRIVATE KEY$/.test(type);
const isCert = (type: string): boolean => type === "CERTIFICATE";

/** The PEM blocks of a text whose type passes `kind`, in order. */
function blocks(text: string, kind: (type: string) => boolean): RegExpExecArray[] {
  return [...text.matchAll(BLOCK)].filter((b) => kind(b[1]!));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function pemProblem(option: PemOption, file: string, text: string): Diagnostic | undefined {
  const bad = (line: number, message: string, expected: string): Diagnostic =>
    diag("bad-pem", "error", `${file}: ${message} (${option})`, { at: { file, line, col: 1 }, expected });
  if (blocks(text, () => true).length === 0) return bad(1, "not PEM", "a -----BEGIN …----- block");
  if (option === "--key") {
    const key = blocks(text, isKey)[0];
    if (!key)
      return bad(1, "no private key in it", "a -----BEGIN PRIVATE KEY----- block (PKCS#8, RSA or EC)");
    try {
      createPrivateKey(key[0]);
    } catch (e) {
      return bad(
        lineAt(text, key.index),
        `the private key does not parse: ${reason(e)}`,
        "an unencrypted PEM private key",
      );
    }
    return undefined;
  }
  const certs = blocks(text, isCert);
  if (certs.length === 0)
    return bad(1, "no certificate in it", "one or more -----BEGIN CERTIFICATE----- blocks");
  for (const c of certs) {
    try {
      new X509Certificate(c[0]);
    } catch (e) {
      return bad(
        lineAt(text, c.index),
        `a certificate does not parse: ${reason(e)}`,
        "PEM certificates (base64 DER)",
      );
    }
  }
  return undefined;
}

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // OpenSSL's "error:04800064:PEM routines::bad base64 decode": the words after the codes.
  return m.replace(/^error:[0-9A-F]+:[^:]*::?/, "");
}

/** The certificate's public key is the key's (a listener or client presenting them together). */
export function checkCertKey(certFile: string, cert: string, keyFile: string, key: string): void {
  // Both were read by readPem, which made sure of these blocks.
  const leaf = blocks(cert, isCert)[0]!;
  const keyBlock = blocks(key, isKey)[0]!;
  if (new X509Certificate(leaf[0]).checkPrivateKey(createPrivateKey(keyBlock[0]))) return;
  throw new InputError([
    diag("bad-pem", "error", `${keyFile} is not the private key of ${certFile}'s certificate (--key)`, {
      at: { file: keyFile, line: lineAt(key, keyBlock.index), col: 1 },
      expected: "the key the certificate was issued for (its first certificate is the one presented)",
    }),
  ]);
}
