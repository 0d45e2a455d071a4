/** JUnit XML (the Ant/Jenkins schema CI systems read): suites of cases, failures with text. Pure. */
import { xmlChars } from "../diag/safe-text.js";

export interface JunitCase {
  name: string;
  classname: string;
  failure?: { message: string; text: string };
  skipped?: string;
}

export interface JunitSuite {
  name: string;
  cases: JunitCase[];
}

/** Text and attribute values: entities for markup, escapes for the characters XML cannot hold. */
export function xmlEscape(s: string): string {
  return xmlChars(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function junitXml(suites: readonly JunitSuite[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (f: (c: JunitCase) => boolean) => suites.reduce((n, s) => n + s.cases.filter(f).length, 0);
  out.push(
    `<testsuites tests="${count(() => true)}" failures="${count((c) => !!c.failure)}" skipped="${count((c) => c.skipped !== undefined)}">`,
  );
  for (const s of suites) {
    const failures = s.cases.filter((c) => c.failure).length;
    const skipped = s.cases.filter((c) => c.skipped !== undefined).length;
    out.push(
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${failures}" skipped="${skipped}">`,
    );
    for (const c of s.cases) {
      const head = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}"`;
      if (c.failure)
        out.push(
          `${head}>`,
          `      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.text)}</failure>`,
          "    </testcase>",
        );
      else if (c.skipped !== undefined)
        out.push(`${head}>`, `      <skipped message="${xmlEscape(c.skipped)}"/>`, "    </testcase>");
      else out.push(`${head}/>`);
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
