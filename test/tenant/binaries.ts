/** Runs the real Prometheus-family binaries for the tenant tests; fails loudly when one is missing. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Result of one binary run. */
export interface RunResult {
    code: number;
    output: string;
}

const PACKAGES: Record<string, string> = {
    amtool: "prometheus-alertmanager",
    promtool: "prometheus",
};

/** Runs `binary args`; rejects with an install hint when the binary is not on PATH. */
export function runBinary(binary: string, args: string[]): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        execFile(binary, args, { timeout: 20_000 }, (error, stdout, stderr) => {
            const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
            if (err && err.code === "ENOENT") {
                reject(
                    new Error(`${binary} is not installed; install the Debian package "${PACKAGES[binary] ?? binary}"`),
                );
                return;
            }
            resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}${stderr}` });
        });
    });
}

/** A temp dir with helpers to write files into it; call `cleanup` in `after`. */
export function tempDir(prefix: string): { dir: string; write(name: string, text: string): string; cleanup(): void } {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    return {
        dir,
        write(name, text) {
            const path = join(dir, name);
            writeFileSync(path, text);
            return path;
        },
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
}
