/**
 * The fleet executor: instead of running Pulumi here, it asks the Pulumi Kubernetes Operator (PKO)
 * in a management cluster to run it, one `pulumi.com/v1` `Stack` object per cluster
 * (`operator-stack.ts` builds the objects, `operator-status.ts` reads their status).
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
import { randomUUID } from "node:crypto";
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
import {
    type OperatorStackSettings,
    programStackObject,
    secretData,
    secretObject,
    secretObjectName,
    stackObject,
    stackObjectName,
} from "./operator-stack";
import { destroyProgress, type StackProgress, stackHealth, stackProgress } from "./operator-status";

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

/** What to tell an operator whose management cluster lacks PKO. */
export const INSTALL_PKO =
    "the Stack CRD (pulumi.com/v1) is not installed in the management cluster: install the Pulumi Kubernetes Operator v2 " +
    "(helm install -n pulumi-kubernetes-operator --create-namespace pulumi-kubernetes-operator oci://ghcr.io/pulumi/helm-charts/pulumi-kubernetes-operator)";

type Obj = Record<string, unknown>;
type Succeeded = Extract<StackProgress, { phase: "succeeded" }>;
/** `path`: the Stack object to poll, when it is not the cluster's (project stacks). */
type Wait = { clusterId: string; signal: AbortSignal; onEvent: ExecutorRequest["onEvent"]; path?: string };

/** Resolves after `ms`, or rejects with "cancelled" when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new ExecutorError("cancelled", "cancelled"));
        const done = () => {
            clearTimeout(timer);
            reject(new ExecutorError("cancelled", "cancelled"));
        };
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", done);
            resolve();
        }, ms);
        signal.addEventListener("abort", done, { once: true });
    });
}

/** The Pulumi Kubernetes Operator executor. */
export class OperatorExecutor implements Executor {
    readonly name = "operator";
    private readonly client: KubeClient;
    private readonly env: NodeJS.ProcessEnv;
    private readonly ns: string;

    constructor(private readonly options: OperatorExecutorOptions) {
        if (options.settings.backend?.startsWith("file://")) {
            throw new Error(
                "the operator executor needs a backend its workspace pods share (s3://, gs://, azblob://, https://...), not file://",
            );
        }
        this.client = new KubeClient(options.connection);
        this.env = options.env ?? process.env;
        this.ns = encodeURIComponent(options.settings.namespace);
    }

    private stackPath(clusterId: string): string {
        return `/apis/pulumi.com/v1/namespaces/${this.ns}/stacks/${stackObjectName(clusterId)}`;
    }

    private secretPath(clusterId: string): string {
        return `/api/v1/namespaces/${this.ns}/secrets/${secretObjectName(clusterId)}`;
    }

    /** Applies the Secret and returns the keys it holds. */
    private async applySecret(spec: ClusterSpec, signal: AbortSignal): Promise<string[]> {
        const data = secretData(spec, this.env);
        await this.client.apply(
            this.secretPath(spec.clusterId),
            secretObject(spec.clusterId, this.options.settings.namespace, data),
            signal,
        );
        return Object.keys(data);
    }

    /** Applies Secret and Stack for `spec` and waits for the run PKO makes of them. */
    private async run(spec: ClusterSpec, w: Wait): Promise<Succeeded> {
        const secretKeys = await this.applySecret(spec, w.signal);
        const reconcileRequest = randomUUID();
        const stack = stackObject(spec, this.options.settings, {
            reconcileRequest,
            destroyOnFinalize: false,
            secretKeys,
        });
        const applied = await this.client.apply(this.stackPath(spec.clusterId), stack, w.signal);
        const generation = Number((applied.metadata as Obj | undefined)?.generation ?? 0);
        w.onEvent({
            type: "log",
            message: `applied Stack ${this.options.settings.namespace}/${stackObjectName(spec.clusterId)} (generation ${generation}); waiting for the operator`,
        });
        const done = await this.poll(w, (obj) =>
            obj ? stackProgress(obj, { generation, reconcileRequest }) : undefined,
        );
        if (!done)
            throw new ExecutorError(
                "stack-not-found",
                `the Stack ${stackObjectName(spec.clusterId)} was deleted while the operator ran it`,
            );
        if (done.permalink) w.onEvent({ type: "log", message: `operator update: ${done.permalink}` });
        return done;
    }

    /**
     * Polls the cluster's Stack with doubling pauses (bounded by `pollMs.max`) until `judge` says
     * it succeeded (returned) or failed (thrown); resolves undefined once the object is gone.
     */
    private async poll(
        w: Wait,
        judge: (stack: Obj | undefined) => StackProgress | undefined,
    ): Promise<Succeeded | undefined> {
        const { initial, max } = this.options.pollMs ?? { initial: 1000, max: 15_000 };
        const deadline = Date.now() + (this.options.timeoutMs ?? 2 * 3600_000);
        let delay = initial;
        let said = "";
        for (;;) {
            const progress = judge(await this.client.get(w.path ?? this.stackPath(w.clusterId), w.signal));
            if (!progress) return undefined;
            if (progress.phase === "succeeded") return progress;
            if (progress.phase === "failed")
                throw new ExecutorError(
                    "engine-failed",
                    await this.failureText(progress.message, progress.updateName, w.signal),
                );
            if (progress.message !== said) w.onEvent({ type: "log", message: `operator: ${progress.message}` });
            said = progress.message;
            if (Date.now() > deadline) {
                throw new ExecutorError(
                    "timeout",
                    `the operator did not finish within ${Math.round((this.options.timeoutMs ?? 0) / 60_000)} min; it keeps reconciling the Stack`,
                );
            }
            await pause(delay, w.signal);
            delay = Math.min(delay * 2, max);
        }
    }

    /** The failure, with the message PKO's `Update` object recorded (the engine's error), when readable. */
    private async failureText(summary: string, updateName: string | undefined, signal: AbortSignal): Promise<string> {
        if (!updateName) return summary;
        const update = await this.client
            .get(
                `/apis/auto.pulumi.com/v1alpha1/namespaces/${this.ns}/updates/${encodeURIComponent(updateName)}`,
                signal,
            )
            .catch(() => undefined);
        const message = (update?.status as Obj | undefined)?.message;
        return typeof message === "string" && message !== "" ? `${summary}: ${message.slice(0, 2000)}` : summary;
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
        if (!(await this.client.get(this.stackPath(clusterId), signal))) {
            onEvent({
                type: "log",
                message: `no Stack ${stackObjectName(clusterId)} in ${this.options.settings.namespace}; nothing to destroy`,
            });
        } else {
            const patched = await this.client.mergePatch(
                this.stackPath(clusterId),
                { spec: { destroyOnFinalize: true } },
                signal,
            );
            const generation = Number((patched.metadata as Obj | undefined)?.generation ?? 0);
            await this.client.delete(this.stackPath(clusterId), signal);
            onEvent({
                type: "log",
                message: `deleted Stack ${stackObjectName(clusterId)} with destroyOnFinalize; waiting for the operator's destroy`,
            });
            await this.poll(request, (obj) => (obj ? destroyProgress(obj, generation) : undefined));
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
        await this.client.apply(
            secretPath,
            projectSecretObject(identity, this.options.settings.namespace, data),
            request.signal,
        );
        const reconcileRequest = randomUUID();
        const stack = programStackObject(identity, this.options.settings, {
            reconcileRequest,
            destroyOnFinalize: false,
            secretKeys: Object.keys(data),
        });
        const applied = await this.client.apply(stackPath, stack, request.signal);
        const generation = Number((applied.metadata as Obj | undefined)?.generation ?? 0);
        request.onEvent({
            type: "log",
            message: `applied Stack ${this.options.settings.namespace}/${identity.objectName} (generation ${generation}); waiting for the operator`,
        });
        const wait: Wait = {
            clusterId: request.stack,
            signal: request.signal,
            onEvent: request.onEvent,
            path: stackPath,
        };
        const done = await this.poll(wait, (obj) =>
            obj ? stackProgress(obj, { generation, reconcileRequest }) : undefined,
        );
        if (!done)
            throw new ExecutorError(
                "stack-not-found",
                `the Stack ${identity.objectName} was deleted while the operator ran it`,
            );
        return { changeSummary: {}, outputs: done.outputs };
    }

    /** Deletes the project's Stack with destroyOnFinalize, waits until it is gone, then deletes its Secret. */
    async destroyProject(request: ProjectRequest): Promise<DestroyResult> {
        const { identity, stackPath, secretPath } = this.projectObjects(request);
        if (await this.client.get(stackPath, request.signal)) {
            const patched = await this.client.mergePatch(
                stackPath,
                { spec: { destroyOnFinalize: true } },
                request.signal,
            );
            const generation = Number((patched.metadata as Obj | undefined)?.generation ?? 0);
            await this.client.delete(stackPath, request.signal);
            request.onEvent({
                type: "log",
                message: `deleted Stack ${identity.objectName} with destroyOnFinalize; waiting for the operator's destroy`,
            });
            const wait: Wait = {
                clusterId: request.stack,
                signal: request.signal,
                onEvent: request.onEvent,
                path: stackPath,
            };
            await this.poll(wait, (obj) => (obj ? destroyProgress(obj, generation) : undefined));
        }
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
            throw new ExecutorError("engine-failed", await this.failureText(health.message, undefined, request.signal));
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

    async checkReady(): Promise<ReadyCheck[]> {
        const signal = AbortSignal.timeout(10_000);
        const host = new URL(this.options.connection.server).host;
        let group;
        try {
            group = await this.client.request("GET", "/apis/pulumi.com/v1", { signal });
        } catch (e) {
            return [{ name: "kubernetes-api", ok: false, detail: e instanceof Error ? e.message : String(e) }];
        }
        const checks: ReadyCheck[] = [
            group.status === 401 || group.status === 403
                ? {
                      name: "kubernetes-api",
                      ok: false,
                      detail: `the Kubernetes API at ${host} refused the credentials (${group.status})`,
                  }
                : { name: "kubernetes-api", ok: true, detail: `reachable at ${host}` },
        ];
        const resources = Array.isArray(group.body?.resources) ? (group.body.resources as Obj[]) : [];
        const crd = group.status === 200 && resources.some((r) => r.name === "stacks");
        checks.push(
            crd
                ? { name: "stack-crd", ok: true, detail: "pulumi.com/v1 Stack is served" }
                : { name: "stack-crd", ok: false, detail: INSTALL_PKO },
        );
        if (crd) {
            const list = await this.client
                .request("GET", `/apis/pulumi.com/v1/namespaces/${this.ns}/stacks?limit=1`, { signal })
                .catch(() => undefined);
            const ns = this.options.settings.namespace;
            checks.push(
                list?.status === 200
                    ? { name: "operator-namespace", ok: true, detail: `can list Stacks in ${ns}` }
                    : {
                          name: "operator-namespace",
                          ok: false,
                          detail: `cannot list Stacks in namespace ${ns} (${list?.status ?? "unreachable"}): create it and grant the service's identity get/list/patch/delete on stacks and secrets there`,
                      },
            );
        }
        return checks;
    }

    /** Closes the client's idle connections. */
    close(): void {
        this.client.close();
    }
}
