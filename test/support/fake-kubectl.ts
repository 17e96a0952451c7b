/**
 * A harness for the overrides merger script: the REAL script (rendered by
 * `components/seed/overrides-merger-script.ts`) run by the real `sh`, against a stand-in `kubectl`
 * that serves fragment ConfigMaps from files. Used by the merger's own tests and the two-tenant test.
 */
import { spawnSync } from "node:child_process";
import {
    chmodSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    rmSync,
    unlinkSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type MergerScriptArgs, renderMergerScript } from "../../components/seed/overrides-merger-script";

/**
 * The stand-in kubectl: serves fragments from `$FAKE_DIR/fragments/<name>` (listed in reverse
 * order, to prove the script sorts) and their tenant label from `$FAKE_DIR/labels/<name>` (printed
 * on its own first line when the JSONPath asks for a label first), the target from
 * `$FAKE_DIR/target`, applies merge patches to the target, and logs every call.
 * `$FAKE_DIR/fail` makes every call fail.
 */
export function fakeKubectlScript(args: Pick<MergerScriptArgs, "targetConfigMap" | "targetKey">): string {
    return `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = process.env.FAKE_DIR, args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.log"), args.join(" ") + "\\n");
if (fs.existsSync(path.join(dir, "fail"))) { process.stderr.write("connection refused\\n"); process.exit(1); }
const frag = path.join(dir, "fragments"), target = path.join(dir, "target");
if (args[0] === "get" && args[1] === "configmaps") {
  const names = fs.readdirSync(frag).sort().reverse();
  process.stdout.write(names.map((n) => n + "\\n").join(""));
} else if (args[0] === "get" && args[1] === "configmap") {
  const name = args[4];
  if (name === ${JSON.stringify(args.targetConfigMap)}) process.stdout.write(fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "");
  else {
    const data = fs.readFileSync(path.join(frag, name), "utf8");
    const jsonpath = args[args.indexOf("-o") + 1] || "";
    const labelFile = path.join(dir, "labels", name);
    const label = fs.existsSync(labelFile) ? fs.readFileSync(labelFile, "utf8") : "";
    process.stdout.write(jsonpath.startsWith("jsonpath={.metadata.labels.") ? label + "\\n" + data : data);
  }
} else if (args[0] === "patch") {
  const file = args[args.indexOf("--patch-file") + 1];
  const { parse } = require(${JSON.stringify(resolve("node_modules/yaml"))});
  const patch = parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(target, patch.data[${JSON.stringify(args.targetKey)}]);
  fs.appendFileSync(path.join(dir, "patches.log"), "patched\\n");
} else { process.stderr.write("fake kubectl: unexpected " + args.join(" ") + "\\n"); process.exit(3); }
`;
}

/** Fails with the Debian packages to install when `sh` or the tools the script uses are missing. */
export function requireMergerTools(): void {
    const sh = spawnSync("sh", ["-c", "command -v sed grep sort"], { encoding: "utf8" });
    if (sh.status !== 0)
        throw new Error("sh with sed, grep and sort is required (Debian packages dash, sed, grep, coreutils)");
}

/** One temp directory holding the rendered script, the fake kubectl, the fragments and the target. */
export class MergerHarness {
    readonly dir: string;
    private readonly script: string;

    constructor(args: MergerScriptArgs) {
        this.dir = mkdtempSync(join(tmpdir(), "mla-merger-"));
        mkdirSync(join(this.dir, "bin"));
        mkdirSync(join(this.dir, "fragments"));
        mkdirSync(join(this.dir, "labels"));
        writeFileSync(join(this.dir, "bin", "kubectl"), fakeKubectlScript(args));
        chmodSync(join(this.dir, "bin", "kubectl"), 0o755);
        this.script = join(this.dir, "merge.sh");
        writeFileSync(this.script, renderMergerScript(args));
        writeFileSync(join(this.dir, "target"), "overrides: {}\n");
    }

    /**
     * Sets (or, with `undefined`, deletes) the fragment ConfigMap `name`, with tenant label
     * `tenant`. Without `tenant`, the label names the tenant of the fragment's first line
     * (`  "<id>":`), as the tenant component labels its own fragment; `""` means no label.
     */
    fragment(name: string, text: string | undefined, tenant?: string): void {
        const file = join(this.dir, "fragments", name);
        if (text === undefined) {
            unlinkSync(file);
            return;
        }
        writeFileSync(file, text);
        const label = tenant ?? /^ {2}"([^"]*)":/.exec(text)?.[1] ?? "";
        writeFileSync(join(this.dir, "labels", name), label);
    }

    /** Makes every kubectl call fail. */
    failKubectl(): void {
        writeFileSync(join(this.dir, "fail"), "");
    }

    /** One merger round (`MLA_MERGER_ONCE=1`); returns the exit status, stderr and the target afterwards. */
    runOnce(): { status: number | null; stderr: string; target: string } {
        const r = spawnSync("sh", [this.script], {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${join(this.dir, "bin")}:${process.env.PATH}`,
                FAKE_DIR: this.dir,
                MLA_MERGER_ONCE: "1",
                TMPDIR: this.dir,
            },
        });
        return { status: r.status, stderr: r.stderr, target: readFileSync(join(this.dir, "target"), "utf8") };
    }

    /** How many patches kubectl received. */
    patchCount(): number {
        const log = join(this.dir, "patches.log");
        return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;
    }

    /** Removes the temp directory. */
    cleanup(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}
