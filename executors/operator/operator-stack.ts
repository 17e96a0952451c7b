/**
 * The Kubernetes objects the operator executor applies for one cluster (pure): a Pulumi
 * Kubernetes Operator `pulumi.com/v1` `Stack` and the `Secret` it reads secret config from.
 *
 * The Stack's program is this repository (`index.ts` with `mla:kind: cluster`) from a Git ref; its
 * plain config is the non-secret part of the {@link ClusterSpec}, written as the cluster stack's
 * loader (`programs/cluster-config.ts`) reads it, objects as JSON text. The kubeconfigs and the
 * whole `mla:tenant` object (it holds the Alertmanager config, which often embeds receiver
 * credentials) go into the Secret and reach the stack through `secretsRef`; the workspace's
 * passphrase or access token go there too, through `envRefs`. The Stack object never holds a
 * secret value, so anyone who may read Stacks still cannot read credentials.
 */
import { createHash } from "node:crypto";
import type { ClusterSpec } from "../../spec/cluster-spec";
import { DISABLE_DEFAULT_PROVIDERS } from "../automation/stack-settings";

/** Where and how the operator's stacks run. */
export interface OperatorStackSettings {
    namespace: string;
    /** Git URL of this repository. */
    repo: string;
    /** A branch (or `refs/...` name), or a 40-hex commit. */
    ref: string;
    /** Directory of `Pulumi.yaml` inside the repository, when not its root. */
    projectDir?: string;
    /** Pulumi backend URL; Pulumi Cloud when unset (then PULUMI_ACCESS_TOKEN is needed). */
    backend?: string;
    /** Secrets provider URL; the passphrase provider when unset. */
    secretsProvider?: string;
    /** ServiceAccount of the workspace pods. */
    serviceAccountName?: string;
    /** Seconds between the operator's resyncs (PKO's minimum is 60): the service passes its reconcile interval. */
    resyncSeconds: number;
}

/** Environment variables copied from the service into each cluster's Secret, when set. */
export const FORWARDED_ENV = ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN"] as const;

/** PKO rejects Stack names longer than this. */
const MAX_STACK_NAME = 42;

/** `mla-cluster-<id>`, or, for ids too long for PKO's limit, a truncated id plus a short hash of it. */
export function stackObjectName(clusterId: string): string {
    const name = `mla-cluster-${clusterId}`;
    if (name.length <= MAX_STACK_NAME) return name;
    const hash = createHash("sha256").update(clusterId).digest("hex").slice(0, 8);
    return `${name.slice(0, MAX_STACK_NAME - 9).replace(/-+$/, "")}-${hash}`;
}

/** The Secret's name: `<stack name>-secrets`. */
export function secretObjectName(clusterId: string): string {
    return `${stackObjectName(clusterId)}-secrets`;
}

/** Labels on both objects, so `kubectl get stacks -l app.kubernetes.io/managed-by=mla` lists the fleet. */
export function objectLabels(clusterId: string): Record<string, string> {
    return { "app.kubernetes.io/managed-by": "mla", "mla/cluster-id": clusterId };
}

/** Stack config keys fed from the Secret, and the Secret keys holding them. */
const SECRET_CONFIG = {
    "mla:seedKubeconfig": "seedKubeconfig",
    "mla:userKubeconfig": "userKubeconfig",
    "mla:tenant": "tenant",
} as const;

/** The plain stack config: every non-secret ClusterSpec field under the keys the loader reads. */
export function stackConfig(spec: ClusterSpec): Record<string, string> {
    const json = (v: unknown) => JSON.stringify(v);
    return {
        "pulumi:disable-default-providers": json([DISABLE_DEFAULT_PROVIDERS.value]),
        "mla:kind": "cluster",
        "mla:clusterId": spec.clusterId,
        "mla:project": spec.project,
        "mla:seedStack": spec.seedStack,
        "mla:suspended": String(spec.suspended),
        "mla:gateway": json(spec.gateway),
        "mla:pki": json(spec.pki),
        "mla:monitoring": json(spec.monitoring),
        "mla:logging": json(spec.logging),
        "mla:seedApi": json(spec.seedApi),
    };
}

function plainSecret(name: string, value: unknown): string {
    if (typeof value !== "string") throw new Error(`${name} must be plain text for the operator executor`);
    return value;
}

/** The Secret's data (plain text; base64 happens in {@link secretObject}). */
export function secretData(spec: ClusterSpec, env: NodeJS.ProcessEnv): Record<string, string> {
    const data: Record<string, string> = {
        seedKubeconfig: plainSecret("seedKubeconfig", spec.seedKubeconfig),
        userKubeconfig: plainSecret("userKubeconfig", spec.userKubeconfig),
        tenant: JSON.stringify(spec.tenant),
    };
    return { ...data, ...forwardedEnv(env) };
}

/** The forwarded Pulumi credentials that are set in `env` ({@link FORWARDED_ENV}). */
export function forwardedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
    const data: Record<string, string> = {};
    for (const name of FORWARDED_ENV) if (env[name]) data[name] = env[name] as string;
    return data;
}

/** An `Opaque` `v1` Secret for server-side apply, `data` given as plain text. */
export function opaqueSecret(
    metadata: { name: string; namespace: string; labels: Record<string, string> },
    data: Record<string, string>,
): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata,
        type: "Opaque",
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    };
}

/** The `v1` Secret object of a cluster stack, for server-side apply. */
export function secretObject(
    clusterId: string,
    namespace: string,
    data: Record<string, string>,
): Record<string, unknown> {
    return opaqueSecret({ name: secretObjectName(clusterId), namespace, labels: objectLabels(clusterId) }, data);
}

const secretRef = (name: string, key: string) => ({ type: "Secret", secret: { name, key } });

/**
 * The `pulumi.com/v1` Stack for server-side apply. `reconcileRequest` goes into PKO's
 * `pulumi.com/reconciliation-request` annotation: a new value makes the operator run the stack
 * again even when nothing in the spec changed (a PUT always means "run up"), and PKO copies it
 * into `status.lastUpdate.reconcileRequest`, which is how the executor recognises its own run.
 * `secretKeys` are the keys present in the Secret (the forwarded environment is optional).
 */
export function stackObject(
    spec: ClusterSpec,
    settings: OperatorStackSettings,
    opts: { reconcileRequest: string; destroyOnFinalize: boolean; secretKeys: string[] },
): Record<string, unknown> {
    return programStackObject(
        {
            // The same stack name the Automation API executor uses, so a shared backend keeps the state.
            stack: spec.clusterId,
            objectName: stackObjectName(spec.clusterId),
            secretName: secretObjectName(spec.clusterId),
            labels: objectLabels(spec.clusterId),
            config: stackConfig(spec),
            secretConfig: SECRET_CONFIG,
        },
        settings,
        opts,
    );
}

/** What distinguishes one program's Stack object from another's (cluster stacks, project stacks). */
export interface StackIdentity {
    /** The Pulumi stack name. */
    stack: string;
    /** The Stack object's name and its Secret's name. */
    objectName: string;
    secretName: string;
    labels: Record<string, string>;
    /** Plain stack config. */
    config: Record<string, string>;
    /** Stack config keys fed from the Secret, and the Secret keys holding them. */
    secretConfig: Record<string, string>;
}

/** The `pulumi.com/v1` Stack of any program of this repository; see {@link stackObject}. */
export function programStackObject(
    identity: StackIdentity,
    settings: OperatorStackSettings,
    opts: { reconcileRequest: string; destroyOnFinalize: boolean; secretKeys: string[] },
): Record<string, unknown> {
    const secret = identity.secretName;
    const commit = /^[0-9a-f]{40}$/.test(settings.ref);
    const envRefs = Object.fromEntries(
        FORWARDED_ENV.filter((k) => opts.secretKeys.includes(k)).map((k) => [k, secretRef(secret, k)]),
    );
    const stackSpec: Record<string, unknown> = {
        stack: identity.stack,
        projectRepo: settings.repo,
        ...(commit ? { commit: settings.ref } : { branch: settings.ref }),
        ...(settings.projectDir ? { repoDir: settings.projectDir } : {}),
        ...(settings.backend ? { backend: settings.backend } : {}),
        ...(settings.secretsProvider ? { secretsProvider: settings.secretsProvider } : {}),
        ...(settings.serviceAccountName ? { serviceAccountName: settings.serviceAccountName } : {}),
        config: identity.config,
        secretsRef: Object.fromEntries(
            Object.entries(identity.secretConfig).map(([configKey, key]) => [configKey, secretRef(secret, key)]),
        ),
        ...(Object.keys(envRefs).length > 0 ? { envRefs } : {}),
        refresh: true,
        // Besides the runs the service asks for (a reconcile request), PKO refreshes and re-applies
        // the stack every resync period even when the commit is unchanged: drift (an edited or
        // deleted object) is corrected there, and certificates in their renewal window are renewed.
        resyncFrequencySeconds: settings.resyncSeconds,
        continueResyncOnCommitMatch: true,
        destroyOnFinalize: opts.destroyOnFinalize,
    };
    return {
        apiVersion: "pulumi.com/v1",
        kind: "Stack",
        metadata: {
            name: identity.objectName,
            namespace: settings.namespace,
            labels: identity.labels,
            annotations: { "pulumi.com/reconciliation-request": opts.reconcileRequest },
        },
        spec: stackSpec,
    };
}
