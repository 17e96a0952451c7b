/**
 * `npm run test:unit`: the fast half of the suite. Runs every test file that starts no external
 * program (no nginx, Prometheus, promtool, amtool, vmagent, HAProxy, Helm, no `mla` child process),
 * judged by what the file itself calls; `npm test` runs everything.
 *
 *   ts-node --transpile-only scripts/unit-tests.ts [extra mocha flags]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
/** What a test file that runs an external program mentions. */
const STARTS_PROGRAMS =
    /child_process|spawn|execFile|startNginx|promtool|amtool|vmagent|helm|haproxy|nginx|mla\.js|binaries/;

function testFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return e.name === "kind" ? [] : testFiles(path);
        return e.name.endsWith(".test.ts") ? [path] : [];
    });
}

/** The unit test files, relative to the repository root, sorted. */
export function unitTestFiles(): string[] {
    return testFiles(join(ROOT, "test"))
        .filter((f) => !STARTS_PROGRAMS.test(readFileSync(f, "utf8")))
        .map((f) => relative(ROOT, f))
        .sort();
}

if (require.main === module) {
    const files = unitTestFiles();
    const mocha = join(ROOT, "node_modules", ".bin", "mocha");
    const result = spawnSync(mocha, [...process.argv.slice(2), ...files], { cwd: ROOT, stdio: "inherit" });
    process.exitCode = result.status ?? 1;
}
