/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags keep Chromium off
 * the network it would otherwise reach for at start (updates, sync, field trials): this machine's
 * network is closed and tests may only talk to loopback. Screenshots go to test-output/ (a CI
 * artifact, gitignored).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "../cli/run-cli.js";

export const CHROMIUM = "/usr/bin/chromium";
export const OUTPUT = join(ROOT, "test-output");

/** false when Chromium is installed, else the reason to skip (for node:test's `skip`). */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent: apt-get install chromium (scripts/setup.sh does)`;

export async function launch(): Promise<Browser> {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}
