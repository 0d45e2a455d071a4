/**
 * What `portmatrix apply` does (src/cli/apply.ts registers it): compiled rules into this host's kernel, kept only when confirmed from another
 * session in time (as iptables-apply, Junos `commit confirmed`). What portmatrix owns, and so what
 * it replaces and restores, is defined in compile/owned.ts; the waiting protocol (lock, pending
 * state, one atomic decision) in shell/pending.ts. A detached watchdog restores when this process
 * is killed outright (SIGKILL) while waiting.
 */
import { firewalldOwnedFromCompiled, iptOwnedFromCompiled, EMPTY_IPT, ownedLines } from "../compile/owned.js";
import { resolve } from "node:path";
import { lineDiff } from "../report/line-diff.js";
import { TARGETS } from "../compile/index.js";
import { makePlan } from "../compile/plan.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { writeFilesAtomic } from "../shell/files.js";
import {
  KernelError,
  loadOwned,
  missingTool,
  readOwned,
  restoreFiles,
  type ApplyBackend,
  type OwnedState,
} from "../shell/kernel-firewall.js";
import { FIREWALLD_DIR, firewalldState } from "../shell/firewalld-host.js";
import {
  acquire,
  confirm,
  decision,
  processId,
  release,
  stateDir,
  writePending,
  type Pending,
} from "../shell/pending.js";
import { loadTopology } from "../shell/load.js";
import { choice, EXIT, InputError, printDiagnostics, warn, wholeNumber } from "./io.js";
import { type ApplyOpts, BACKENDS } from "./apply.js";
import { flowChanges, ufwFlowChanges } from "./apply-diff.js";
import { catchSignals, startWatchdog, waitForDecision, watchdog } from "./apply-wait.js";
import type { BoundTopology } from "../model/flow.js";

function environment(message: string, expected: string): Diagnostic {
  return diag("apply-environment", "error", message, { expected });
}

export async function runApply(opts: ApplyOpts): Promise<number> {
  if (opts.watchdog !== undefined) return watchdog(opts.watchdog, opts.watchdogFor ?? "");
  if (opts.confirm === true) return runConfirm();
  const compiled = compileFor(opts);
  const { backend } = compiled;
  const env = checkEnvironment(backend);
  if (env) return (printDiagnostics([env]), EXIT.environment);
  const dir = stateDir();
  const lock = acquire(dir);
  if (!lock.ok) {
    const until = lock.pending ? ` until ${new Date(lock.pending.deadlineMs).toISOString()}` : "";
    printDiagnostics([
      diag("apply-pending", "error", `an apply is pending (pid ${lock.holder?.pid ?? "?"}${until})`, {
        expected: "`portmatrix apply --confirm`, or wait for its restore",
      }),
    ]);
    return EXIT.environment;
  }
  try {
    if (lock.stale?.pending) {
      warn([
        `the apply of pid ${lock.stale.holder?.pid ?? "?"} died unconfirmed: restoring what ran before it`,
      ]);
      loadOwned(lock.stale.pending.previous, "portmatrix apply: restore of a dead apply");
    }
    return await applyLocked({ ...compiled, dir, opts });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    printDiagnostics([environment(e.message, "rules the kernel accepts; nothing was kept")]);
    return EXIT.environment;
  } finally {
    if (decision(dir) !== "pending") release(dir);
  }
}

interface Compiled {
  backend: ApplyBackend;
  topology: BoundTopology;
  /** The compiled files, named as `compile -o compiled` would (for the flow comparison). */
  files: Array<{ file: string; text: string }>;
  wanted: OwnedState | { target: "nftables"; file: string } | { target: "ufw"; script: string };
  within: number;
}

function compileFor(opts: ApplyOpts): Compiled {
  const missing = [
    ...(opts.topology === undefined ? ["-t, --topology <file>"] : []),
    ...(opts.target === undefined ? [`--target ${BACKENDS.join("|")}`] : []),
  ];
  if (missing.length > 0)
    throw new InputError(
      missing.map((m) => diag("missing-option", "error", `apply needs ${m}`, { expected: m })),
    );
  const backend = choice("--target", opts.target!, BACKENDS);
  if (opts.firewalldDir !== undefined && backend !== "firewalld")
    throw new InputError([
      diag("bad-option", "error", `--firewalld-dir is for --target firewalld, not ${backend}`, {
        expected: "--target firewalld, or no --firewalld-dir",
      }),
    ]);
  const within = wholeNumber("--confirm-within", opts.confirmWithin, 1);
  const t = loadTopology(opts.topology!);
  if (!t.ok) throw new InputError(t.diagnostics);
  // The topology's own warnings (management opened on purpose …), as compile prints them.
  printDiagnostics(t.diagnostics);
  const planned = makePlan(t.value.bound, { dropRetired: opts.dropRetired === true });
  if (!planned.ok) throw new InputError(planned.diagnostics);
  warn(planned.plan.warnings);
  const r = TARGETS[backend].compile(planned.plan);
  if (!r.ok) throw new InputError(r.diagnostics);
  warn(r.warnings);
  const text = (suffix: string) => r.files.find((f) => f.suffix === suffix)?.text;
  const wanted: Compiled["wanted"] =
    backend === "firewalld"
      ? {
          target: "firewalld",
          // Absolute and without a trailing slash: owned files are named relative to it.
          dir: resolve(opts.firewalldDir ?? FIREWALLD_DIR),
          name: planned.plan.options.name ?? "portmatrix",
          files: firewalldOwnedFromCompiled(r.files),
        }
      : backend === "nftables"
        ? { target: "nftables", file: text("")! }
        : backend === "ufw"
          ? { target: "ufw", script: text("")! }
          : {
              target: "iptables",
              v4: iptOwnedFromCompiled(text("")!),
              v6: text(".v6") === undefined ? EMPTY_IPT : iptOwnedFromCompiled(text(".v6")!),
            };
  const files = r.files.map((f) => ({ file: `compiled${f.suffix}`, text: f.text }));
  return { backend, topology: t.value.bound, files, wanted, within };
}

function checkEnvironment(backend: ApplyBackend): Diagnostic | undefined {
  if (process.platform !== "linux") return environment("apply loads Linux kernel rules", "Linux");
  if (process.getuid?.() !== 0)
    return environment("apply changes the kernel's ruleset: root only", "run as root");
  const tool = missingTool(backend);
  if (tool) return environment(`${tool} is not installed`, `the ${backend} tools (${tool})`);
  if (backend !== "firewalld") return undefined;
  let state: string;
  try {
    state = firewalldState();
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    state = e.message;
  }
  return state === "running"
    ? undefined
    : environment(
        `firewalld is not running (firewall-cmd --state: ${state})`,
        "firewalld running (systemctl start firewalld), or --target nftables|iptables",
      );
}

async function applyLocked(c: Compiled & { dir: string; opts: ApplyOpts }): Promise<number> {
  const header = `portmatrix apply ${c.backend}: restore of the rules before ${new Date().toISOString()}`;
  if (c.wanted.target === "firewalld" && `zones/${c.wanted.name}.xml` in c.wanted.files)
    process.stderr.write(
      `firewalld: the zone ${c.wanted.name} binds every source address, so while it is loaded it decides every packet firewalld's zones see: the other zones no longer apply\n`,
    );
  const at = "dir" in c.wanted ? { dir: c.wanted.dir, name: c.wanted.name } : undefined;
  const previous = readOwned(c.backend, at);
  const changes = flowChanges(c.topology, c.backend, c.files, previous);
  process.stderr.write(changes.map((l) => `${l}\n`).join(""));
  // The backup before the load: an unwritable path is bad input while nothing is touched yet.
  if (c.opts.backup !== undefined) {
    const restore = restoreFiles(
      previous,
      "file" in c.wanted || "script" in c.wanted ? previous : c.wanted,
      header,
    );
    writeFilesAtomic(restore.map((f) => ({ path: c.opts.backup! + f.suffix, text: f.text })));
  }
  // From the load on, a signal must lead to a restore, not to Node's default exit: caught here,
  // acted on as soon as the wait begins.
  const early = catchSignals();
  try {
    loadOwned(c.wanted, "portmatrix apply");
  } catch (e) {
    early.stop();
    throw e;
  }
  let pending: Pending;
  try {
    const current = readOwned(c.backend, at);
    showRuleChanges(previous, current);
    if (c.backend === "ufw")
      process.stderr.write(
        ufwFlowChanges(c.topology, previous, current)
          .map((l) => `${l}\n`)
          .join(""),
      );
    if (!c.opts.rollback) {
      early.stop();
      process.stderr.write(`applied (${c.backend}); kept without confirmation (--no-rollback)\n`);
      return EXIT.ok;
    }
    pending = {
      version: 1,
      apply: processId(process.pid)!,
      deadlineMs: Date.now() + c.within * 1000,
      previous,
      header,
    };
    // The watchdog first, so pending.json is written once, whole: a confirmation can never be
    // overwritten by a second write.
    const dog = startWatchdog(c.dir);
    writePending(c.dir, dog ? { ...pending, watchdog: dog } : pending);
  } catch (e) {
    // Loaded, but nothing in place to wait and restore: put the previous rules back now.
    early.stop();
    loadOwned(previous, header);
    throw e;
  }
  process.stderr.write(
    `applied (${c.backend}). Confirm within ${c.within} s from another session: portmatrix apply --confirm\n${
      c.backend === "firewalld"
        ? "firewalld: the files are its permanent configuration, so a reboot before the restore boots with them\n"
        : c.backend === "ufw"
          ? "ufw: its files are what it loads at boot, so a reboot before the restore boots with them\n"
          : ""
    }`,
  );
  return waitForDecision(c.dir, pending, c.opts.backup, early);
}

function showRuleChanges(previous: OwnedState, current: OwnedState): void {
  const changed = lineDiff(ownedLines(previous), ownedLines(current));
  process.stderr.write(
    changed.length === 0
      ? "rules: what portmatrix owns in the kernel is unchanged\n"
      : `rules: what portmatrix owns in the kernel, before → after (${changed.length} lines):\n${changed.map((l) => `  ${l}\n`).join("")}`,
  );
}

function runConfirm(): number {
  const r = confirm(stateDir());
  switch (r.result) {
    case "confirmed":
      process.stderr.write(
        `confirmed: the rules applied by pid ${r.pending.apply.pid} are kept${r.orphan ? " (its process was gone)" : ""}\n`,
      );
      return EXIT.ok;
    case "too-late":
      process.stderr.write("too late: the previous rules are being restored\n");
      return EXIT.findings;
    case "nothing-pending":
      printDiagnostics([
        diag("apply-not-pending", "error", "no apply is waiting for confirmation in this network namespace", {
          expected: "a `portmatrix apply` that is waiting",
        }),
      ]);
      return EXIT.environment;
  }
}
