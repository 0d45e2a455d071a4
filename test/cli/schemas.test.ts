import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { schemaTexts } from "../../src/cli/schemas-run.js";
import { ROOT } from "./run-cli.js";

test("checked-in JSON Schemas match the zod schemas (run `npm run schemas` after changing them)", () => {
  for (const { name, text } of schemaTexts()) {
    const path = join(ROOT, "schemas", `${name}.schema.json`);
    let onDisk = "";
    try {
      onDisk = readFileSync(path, "utf8");
    } catch {
      assert.fail(`${path} is missing`);
    }
    assert.equal(onDisk, text, `${name}.schema.json drifted from the code`);
  }
});
