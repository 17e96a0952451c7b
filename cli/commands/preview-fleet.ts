/**
 * `mla preview-fleet`: previews the working tree's cluster program against every cluster stack
 * the onboarding service manages, and writes one markdown summary for the pull request.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadServiceConfig, type ServiceConfig } from "../../service/env";
import { DataDirLock, DataDirLockedError } from "../../service/store/data-dir-lock";
import type { Executor } from "../../executors/executor";
import { NoRegistryError, RegistrySource, type SkippedCluster } from "../../fleet-preview/registry-source";
import { previewFleet } from "../../fleet-preview/run";
import { flaggedSteps, countChanges } from "../../fleet-preview/steps";
import { GITHUB_COMMENT_LIMIT, renderFleetSummary } from "../../fleet-preview/summary";
import { intFlag, parseFlags } from "./args";
import { type Command, type CommandIo, UsageError } from "./command";

/** Exit codes, as the usage text documents them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, flagged: 3 } as const;

const DEFAULT_PARALLEL = 4;

const USAGE = `Usage: mla preview-fleet [options]

Previews this working tree's cluster program (programs/cluster.ts) against every cluster stack in
the onboarding service's registry, from each cluster's last stored spec, at most N at a time.
Writes one markdown summary (a table of creates, updates, replaces and deletes per cluster, with
replacements and deletions of data-bearing resources flagged), trimmed to GitHub's comment limit.
Skipped: clusters being deleted, and clusters never deployed (no successful up/suspend/resume).

Options:
  --data-dir DIR             the service's data dir (default MLA_DATA_DIR, else ./.mla)
  --backend-url URL          Pulumi backend (default MLA_BACKEND_URL, else file://DIR/state)
  --parallel N               previews running at once (default ${DEFAULT_PARALLEL})
  --out FILE                 write the summary to FILE (default: stdout)
  --fail-on-replace          exit 3 when any data-bearing resource would be replaced or deleted
  --executor automation|memory
                             default MLA_EXECUTOR, else automation (the Pulumi CLI);
                             memory runs no engine (demos and tests)

Also read, as by \`mla serve\`: MLA_SPEC_KEY_FILE (default DIR/spec.key), MLA_SECRETS_PROVIDER,
PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE.

Exit codes:
  0  every preview ran (and, with --fail-on-replace, nothing data-bearing is replaced or deleted)
  1  at least one preview failed (the summary names it); takes precedence over 3
  2  usage or environment error, or DIR holds no registry
  3  --fail-on-replace and at least one data-bearing replacement or deletion

Run it with the service stopped, or against a copy of its data dir: the registry is only read,
but the previews use the service's per-stack workspaces (DIR/workspaces) and stack state, so the
command holds the data dir's lock (DIR/lock) while it runs. When \`mla serve\` (or another
preview-fleet) holds it, the command exits 2 and names the holder's pid and host.
`;

const OPTIONS = {
    "data-dir": { type: "string" },
    "backend-url": { type: "string" },
    parallel: { type: "string" },
    out: { type: "string" },
    "fail-on-replace": { type: "boolean" },
    executor: { type: "string" },
} as const;

/** Builds the executor the previews run on; tests substitute their own. */
export type ExecutorFactory = (config: ServiceConfig) => Promise<Executor>;

/** The service's two executors, loaded on use (the Automation API pulls in the Pulumi SDK). */
const defaultExecutor: ExecutorFactory = async ({ env, dataDir }) => {
    if (env.MLA_EXECUTOR === "memory") {
        const { MemoryExecutor } = await import("../../executors/memory/executor-memory");
        return new MemoryExecutor();
    }
    const [{ AutomationExecutor }, { inlineClusterProgram, clusterProgramCheck }] = await Promise.all([
        import("../../executors/automation/executor-automation"),
        import("../../executors/cluster-program"),
    ]);
    return new AutomationExecutor({
        dataDir,
        backendUrl: env.MLA_BACKEND_URL,
        secretsProvider: env.MLA_SECRETS_PROVIDER,
        program: inlineClusterProgram,
        programCheck: clusterProgramCheck,
        env: process.env,
    });
};

/** The flags laid over the environment, validated the way `mla serve` validates it. */
function configFrom(
    env: NodeJS.ProcessEnv,
    flags: { "data-dir"?: string; "backend-url"?: string; executor?: string },
): ServiceConfig {
    try {
        return loadServiceConfig({
            ...env,
            ...(flags["data-dir"] ? { MLA_DATA_DIR: flags["data-dir"] } : {}),
            ...(flags["backend-url"] ? { MLA_BACKEND_URL: flags["backend-url"] } : {}),
            ...(flags.executor ? { MLA_EXECUTOR: flags.executor } : {}),
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

/** A closing note naming the skipped clusters (at most 20 by name, to stay short). */
function skippedNote(skipped: readonly SkippedCluster[]): string {
    if (skipped.length === 0) return "";
    const named = skipped.slice(0, 20).map((s) => `\`${s.clusterId}\` (${s.reason})`);
    const more = skipped.length > named.length ? `, and ${skipped.length - named.length} more` : "";
    return `\n_Not previewed: ${named.join(", ")}${more}._\n`;
}

/** The command over an executor factory and an environment. */
export function previewFleetCommandWith(
    makeExecutor: ExecutorFactory = defaultExecutor,
    env: NodeJS.ProcessEnv = process.env,
): Command {
    return {
        name: "preview-fleet",
        summary: "Preview the working tree's cluster program against every cluster stack (markdown summary)",
        usage: USAGE,
        async run(args, io) {
            const flags = parseFlags(args, OPTIONS);
            const parallel = intFlag(flags.parallel, "parallel") ?? DEFAULT_PARALLEL;
            if (parallel < 1) throw new UsageError(`--parallel must be at least 1, got ${parallel}`);
            const config = configFrom(env, flags);
            // One writer per data dir: the previews write workspaces and stack state under it.
            let lock: DataDirLock | undefined;
            if (existsSync(config.dataDir)) {
                try {
                    lock = DataDirLock.acquire(config.dataDir, "mla preview-fleet");
                } catch (e) {
                    if (!(e instanceof DataDirLockedError)) throw e;
                    io.err(`mla preview-fleet: ${e.message}\n`);
                    return EXIT.usage;
                }
            }
            try {
                return await runLocked(config, flags, parallel, io);
            } finally {
                lock?.release();
            }
        },
    };

    async function runLocked(
        config: ServiceConfig,
        flags: { out?: string; "fail-on-replace"?: boolean },
        parallel: number,
        io: CommandIo,
    ): Promise<number> {
        {
            const executor = await makeExecutor(config);
            const source = new RegistrySource({
                dataDir: config.dataDir,
                specKeyFile: config.env.MLA_SPEC_KEY_FILE ?? join(config.dataDir, "spec.key"),
                executor,
            });

            let clusters: string[];
            try {
                clusters = await source.listClusters();
            } catch (e) {
                if (e instanceof NoRegistryError) throw new UsageError(e.message);
                throw e;
            }
            if (clusters.length > 0) {
                const missing = (await executor.checkReady()).filter((c) => !c.ok);
                if (missing.length > 0) {
                    io.err(
                        `mla preview-fleet: the ${executor.name} executor is not ready: ${missing.map((c) => `${c.name}: ${c.detail}`).join("; ")}\n`,
                    );
                    return EXIT.failed;
                }
            }
            const previews = await previewFleet(
                { listClusters: async () => clusters, preview: (id) => source.preview(id) },
                parallel,
            );

            const note = skippedNote(source.skipped);
            const markdown = renderFleetSummary(previews, GITHUB_COMMENT_LIMIT - note.length) + note;
            if (flags.out) {
                const path = resolve(flags.out);
                mkdirSync(dirname(path), { recursive: true });
                writeFileSync(path, markdown);
            } else {
                io.out(markdown);
            }

            const failed = previews.filter((p) => p.error !== undefined).length;
            const flagged = previews.filter((p) => flaggedSteps(p.steps).length > 0).length;
            const changed = previews.filter(
                (p) => p.error === undefined && countChanges(p.steps).byUrn.size > 0,
            ).length;
            io.err(
                `mla preview-fleet: ${previews.length} cluster(s) previewed, ${changed} with changes, ${flagged} with data-bearing replacements or deletions, ` +
                    `${failed} failed, ${source.skipped.length} skipped${flags.out ? `; summary in ${flags.out}` : ""}\n`,
            );
            if (failed > 0) return EXIT.failed;
            if (flags["fail-on-replace"] && flagged > 0) return EXIT.flagged;
            return EXIT.ok;
        }
    }
}

/** `mla preview-fleet`. */
export const previewFleetCommand: Command = previewFleetCommandWith();
