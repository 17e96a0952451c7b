/** `mla serve`: the onboarding service. */
import type { Command } from "./command";
import { intFlag, parseFlags } from "./args";

const usage = `Usage: mla serve [--listen host:port] [--data-dir dir] [--executor automation|memory] [--workers n]
                 [--reconcile-interval seconds] [--reconcile-policy report|remediate]
       mla serve --install-plugins

Runs the onboarding HTTP service. Flags override the environment variables of the same meaning
(MLA_LISTEN, MLA_DATA_DIR, MLA_EXECUTOR, MLA_WORKERS, MLA_RECONCILE_INTERVAL,
MLA_RECONCILE_POLICY); see .env.example for all of them and docs/operations.md for the reconciler.
Defaults: listen 127.0.0.1:8080, data in ./.mla, the Automation API executor.
With no MLA_API_TOKEN or MLA_API_TOKEN_FILE, a token is generated into <data dir>/api-token (0600).

--install-plugins installs the provider plugins the programs need, at the versions the lockfile
installed (pulumi plugin install resource <name> <version>), into $PULUMI_HOME/plugins or
~/.pulumi/plugins, and exits. Run it once per host or image, before the first operation;
/readyz reports any plugin that is missing.
`;

/** The `serve` command. */
export const serveCommand: Command = {
    name: "serve",
    summary: "Run the onboarding service (HTTP API over the Automation API)",
    usage,
    async run(args) {
        const flags = parseFlags(args, {
            listen: { type: "string" },
            "data-dir": { type: "string" },
            executor: { type: "string" },
            workers: { type: "string" },
            "install-plugins": { type: "boolean" },
            "reconcile-interval": { type: "string" },
            "reconcile-policy": { type: "string" },
        });
        const reconcileInterval = intFlag(flags["reconcile-interval"], "reconcile-interval");
        const workers = intFlag(flags.workers, "workers");
        // Loaded on use: the service pulls in the Pulumi SDK, which other commands do not need.
        const { serve } = await import("../../service/main");
        await serve(
            {
                ...process.env,
                ...(flags.listen ? { MLA_LISTEN: flags.listen } : {}),
                ...(flags["data-dir"] ? { MLA_DATA_DIR: flags["data-dir"] } : {}),
                ...(flags.executor ? { MLA_EXECUTOR: flags.executor } : {}),
                ...(workers !== undefined ? { MLA_WORKERS: String(workers) } : {}),
                ...(reconcileInterval !== undefined ? { MLA_RECONCILE_INTERVAL: String(reconcileInterval) } : {}),
                ...(flags["reconcile-policy"] ? { MLA_RECONCILE_POLICY: flags["reconcile-policy"] } : {}),
            },
            { installPlugins: flags["install-plugins"] === true },
        );
        return 0;
    },
};
