/**
 * The fleet executor: instead of running Pulumi here, it asks the Pulumi Kubernetes Operator (PKO)
 * in a management cluster to run it, one `pulumi.com/v1` `Stack` object per cluster
 * (`operator-stack.ts` builds the objects, `stack-runs.ts` applies them and waits for the
 * operator's runs, `operator-status.ts` reads their status).
 *
 * - `up` server-side-applies the cluster's Secret, then its Stack with a fresh reconcile request,
 *   and polls the Stack (bounded backoff) until PKO reports that run.
 * - `preview` is not offered: PKO's preview mode (`spec.preview`, v2.3+) reports success or failure
 *   and a Pulumi Cloud link, but neither the change summary nor the per-resource steps that the
 *   API's preview result promises. It fails with code `unsupported` (HTTP 501).
 * - `destroy` sets `destroyOnFinalize: true`, deletes the Stack, waits until PKO's finalizer has
 *   destroyed the stack and the object is gone, then deletes the Secret.
 * - Cancelling stops the waiting only: PKO keeps reconciling the Stack it was given.
 * - `unlock` does nothing: the operator owns its stacks' locks.
 */
import type { ClusterSpec } from "../../spec/cluster-spec";
import {
    type DestroyRequest,
    type DestroyResult,
    type DriftResult,
    type Executor,
    ExecutorError,
    type ExecutorRequest,
    type PreviewResult,
    type ProjectRequest,
    type ReadyCheck,
    type StackOutput,
    type UpResult,
} from "../executor";
import { KubeClient } from "./kube-client";
import type { KubeConnection } from "./kube-connection";
import { projectSecretData, projectSecretObject, projectStackIdentity } from "./operator-project";
import { operatorReadiness } from "./operator-readiness";
import {
    type OperatorStackSettings,
    programStackObject,
    secretData,
    secretObject,
    secretObjectName,
    stackObject,
    stackObjectName,
} from "./operator-stack";
import { stackHealth } from "./operator-status";
import { type RunContext, StackRuns, type Succeeded } from "./stack-runs";

/** Settings of the operator executor. */
export interface OperatorExecutorOptions {
    connection: KubeConnection;
    settings: OperatorStackSettings;
    /** Where PULUMI_CONFIG_PASSPHRASE / PULUMI_ACCESS_TOKEN are read to forward. Defaults to `process.env`. */
    env?: NodeJS.ProcessEnv;
    /** First and longest pause between status polls, in ms. Defaults to 1000 and 15000. */
    pollMs?: { initial: number; max: number };
    /** Longest wait for one run, in ms. Defaults to 2 hours. */
    timeoutMs?: number;
}

/** The Pulumi Kubernetes Operator executor. */
export class OperatorExecutor implements Executor {
    readonly name = "operator";
    private readonly client: KubeClient;
    private readonly runs: StackRuns;
    private readonly env: NodeJS.ProcessEnv;
    private readonly ns: string;

    constructor(private readonly options: OperatorExecutorOptions) {
        if (options.settings.backend?.startsWith("file://")) {
            throw new Error(
                "the operator executor needs a backend its workspace pods share (s3://, gs://, azblob://, https://...), not file://",
            );
        }
        this.client = new KubeClient(options.connection);
        this.runs = new StackRuns({
            client: this.client,
            namespace: options.settings.namespace,
            pollMs: options.pollMs,
            timeoutMs: options.timeoutMs,
        });
        this.env = options.env ?? process.env;
        this.ns = encodeURIComponent(options.settings.namespace);
    }

    private stackPath(clusterId: string): string {
        return `/apis/pulumi.com/v1/namespaces/${this.ns}/stacks/${stackObjectName(clusterId)}`;
    }

    private secretPath(clusterId: string): string {
        return `/api/v1/namespaces/${this.ns}/secrets/${secretObjectName(clusterId)}`;
    }

    /** Applies the cluster's Secret alone. */
    private async applySecret(spec: ClusterSpec, signal: AbortSignal): Promise<void> {
        const data = secretData(spec, this.env);
        await this.client.apply(
            this.secretPath(spec.clusterId),
            secretObject(spec.clusterId, this.options.settings.namespace, data),
            signal,
        );
    }

    /** Applies Secret and Stack for `spec` and waits for the run PKO makes of them. */
    private async run(spec: ClusterSpec, context: RunContext): Promise<Succeeded> {
        const data = secretData(spec, this.env);
        const done = await this.runs.applyAndWait({
            objectName: stackObjectName(spec.clusterId),
            stackPath: this.stackPath(spec.clusterId),
            secretPath: this.secretPath(spec.clusterId),
            secret: secretObject(spec.clusterId, this.options.settings.namespace, data),
            stack: (reconcileRequest) =>
                stackObject(spec, this.options.settings, {
                    reconcileRequest,
                    destroyOnFinalize: false,
                    secretKeys: Object.keys(data),
                }),
            signal: context.signal,
            onEvent: context.onEvent,
        });
        if (done.permalink) context.onEvent({ type: "log", message: `operator update: ${done.permalink}` });
        return done;
    }

    async up(request: ExecutorRequest): Promise<UpResult> {
        const done = await this.run(request.spec, request);
        // PKO reports outputs but no per-resource change counts.
        return { changeSummary: {}, outputs: done.outputs };
    }

    async preview(_request: ExecutorRequest): Promise<PreviewResult> {
        throw new ExecutorError(
            "unsupported",
            "preview is not available with the operator executor: the Pulumi Kubernetes Operator reports neither a change summary nor per-resource steps; " +
                "preview with the automation executor over the same backend (MLA_EXECUTOR=automation, or `mla preview-fleet`)",
        );
    }

    async destroy(request: DestroyRequest): Promise<DestroyResult> {
        const { clusterId, spec, signal, onEvent } = request;
        if (spec && request.purge) {
            // The purge runs in the tenant resources' delete; record the switch in the stack first.
            onEvent({ type: "log", message: "recording purgeOnDestroy in the stack before destroying" });
            await this.run({ ...spec, tenant: { ...spec.tenant, purgeOnDestroy: true } }, request);
        } else if (spec) {
            // The destroy reads the kubeconfigs from the Secret: make sure they are current.
            await this.applySecret(spec, signal);
        }
        const destroyed = await this.runs.destroyAndWait({
            objectName: stackObjectName(clusterId),
            stackPath: this.stackPath(clusterId),
            signal,
            onEvent,
        });
        if (!destroyed) {
            onEvent({
                type: "log",
                message: `no Stack ${stackObjectName(clusterId)} in ${this.options.settings.namespace}; nothing to destroy`,
            });
        }
        await this.client.delete(this.secretPath(clusterId), signal);
        return { changeSummary: {} };
    }

    /** A project stack's Stack and Secret paths, and its identity. */
    private projectObjects(request: ProjectRequest) {
        const identity = projectStackIdentity(request.stack, request.spec);
        return {
            identity,
            stackPath: `/apis/pulumi.com/v1/namespaces/${this.ns}/stacks/${identity.objectName}`,
            secretPath: `/api/v1/namespaces/${this.ns}/secrets/${identity.secretName}`,
        };
    }

    /** Applies the project's Secret and Stack and waits for the operator's run of them. */
    async upProject(request: ProjectRequest): Promise<UpResult> {
        const { identity, stackPath, secretPath } = this.projectObjects(request);
        const data = projectSecretData(this.env);
        const done = await this.runs.applyAndWait({
            objectName: identity.objectName,
            stackPath,
            secretPath,
            secret: projectSecretObject(identity, this.options.settings.namespace, data),
            stack: (reconcileRequest) =>
                programStackObject(identity, this.options.settings, {
                    reconcileRequest,
                    destroyOnFinalize: false,
                    secretKeys: Object.keys(data),
                }),
            signal: request.signal,
            onEvent: request.onEvent,
        });
        return { changeSummary: {}, outputs: done.outputs };
    }

    /** Deletes the project's Stack with destroyOnFinalize, waits until it is gone, then deletes its Secret. */
    async destroyProject(request: ProjectRequest): Promise<DestroyResult> {
        const { identity, stackPath, secretPath } = this.projectObjects(request);
        await this.runs.destroyAndWait({
            objectName: identity.objectName,
            stackPath,
            signal: request.signal,
            onEvent: request.onEvent,
        });
        await this.client.delete(secretPath, request.signal);
        return { changeSummary: {} };
    }

    /**
     * The reconciler's drift check: PKO corrects drift itself on every resync (see
     * `operator-stack.ts`), so this reads the Stack's status: a failed or stalled last run is an
     * error with its reason; otherwise the cluster counts as converged (`selfHealing`), with the
     * status's outputs (certificate expiries).
     */
    async checkDrift(request: ExecutorRequest): Promise<DriftResult> {
        const stack = await this.client.get(this.stackPath(request.clusterId), request.signal);
        if (!stack)
            throw new ExecutorError(
                "stack-not-found",
                `no Stack ${stackObjectName(request.clusterId)} in ${this.options.settings.namespace}`,
            );
        const health = stackHealth(stack);
        if (health.failed)
            throw new ExecutorError(
                "engine-failed",
                await this.runs.failureText(health.message, undefined, request.signal),
            );
        return { changeSummary: {}, steps: [], outputs: health.outputs, selfHealing: true, detail: health.message };
    }

    /** The outputs in the Stack's status; PKO masks secret ones, so those carry no value. */
    async outputs(clusterId: string, signal: AbortSignal): Promise<Record<string, StackOutput>> {
        const stack = await this.client.get(this.stackPath(clusterId), signal);
        return stack ? stackHealth(stack).outputs : {};
    }

    async unlock(_clusterId: string): Promise<void> {
        // The operator serialises its own runs and holds the stack locks; nothing to clear here.
    }

    checkReady(): Promise<ReadyCheck[]> {
        return operatorReadiness({
            client: this.client,
            server: this.options.connection.server,
            namespace: this.options.settings.namespace,
        });
    }

    /** Closes the client's idle connections. */
    close(): void {
        this.client.close();
    }
}
