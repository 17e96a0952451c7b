/**
 * The two questions the Automation API executor asks the `pulumi` CLI directly, outside any
 * workspace: which version it is (`pulumi version`) and whether the backend answers
 * (`pulumi whoami`). Both run with the environment they are given and nothing else.
 */
import { execFile } from "node:child_process";

/** What `pulumi version` said: the version, or the errno code (`ENOENT` when there is no CLI). */
export interface CliVersion {
    version?: string;
    code?: string;
}

/** Runs `pulumi version`; resolves to the version or an errno code. */
export function pulumiVersion(env: NodeJS.ProcessEnv): Promise<CliVersion> {
    return new Promise((resolve) => {
        execFile(
            "pulumi",
            ["version"],
            { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, timeout: 10_000 },
            (err, stdout) => {
                if (err)
                    resolve({
                        code:
                            (err as NodeJS.ErrnoException).code === "ENOENT"
                                ? "ENOENT"
                                : String((err as NodeJS.ErrnoException).code ?? "failed"),
                    });
                else resolve({ version: stdout.trim() });
            },
        );
    });
}

/** Runs `pulumi whoami --non-interactive`; resolves to whether it succeeded. */
export function pulumiWhoami(env: NodeJS.ProcessEnv): Promise<boolean> {
    return new Promise((resolve) =>
        execFile("pulumi", ["whoami", "--non-interactive"], { env, timeout: 15_000 }, (err) => resolve(!err)),
    );
}
