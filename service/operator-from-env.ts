/**
 * Wires the Pulumi Kubernetes Operator executor from the service's environment: the service owns
 * the environment schema (`env.ts`), the executor only takes settings.
 */
import { readFileSync } from "node:fs";
import { OperatorExecutor } from "../executors/operator/executor-operator";
import { loadKubeConnection } from "../executors/operator/kube-connection";
import type { ServiceEnv } from "./env";

/** The operator executor configured from the service's environment (`.env.example`, MLA_OPERATOR_*). */
export function operatorExecutorFromEnv(env: ServiceEnv, source: NodeJS.ProcessEnv): OperatorExecutor {
    const forwarded = { ...source };
    // The workspace pods get the passphrase itself (through the Secret), not a path on this host.
    if (!forwarded.PULUMI_CONFIG_PASSPHRASE && source.PULUMI_CONFIG_PASSPHRASE_FILE) {
        forwarded.PULUMI_CONFIG_PASSPHRASE = readFileSync(source.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8");
    }
    return new OperatorExecutor({
        connection: loadKubeConnection(env.MLA_OPERATOR_KUBECONFIG, source),
        settings: {
            namespace: env.MLA_OPERATOR_NAMESPACE,
            repo: env.MLA_OPERATOR_REPO ?? "",
            ref: env.MLA_OPERATOR_REF,
            projectDir: env.MLA_OPERATOR_PROJECT_DIR,
            backend: env.MLA_BACKEND_URL,
            secretsProvider: env.MLA_SECRETS_PROVIDER,
            serviceAccountName: env.MLA_OPERATOR_SERVICE_ACCOUNT,
            // The operator's resync is its drift correction: as often as the reconciler checks.
            resyncSeconds: Number(env.MLA_RECONCILE_INTERVAL),
        },
        env: forwarded,
    });
}
