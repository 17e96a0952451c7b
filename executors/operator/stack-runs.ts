/**
 * One run of a PKO `Stack` object, from the apply to the operator's verdict, for cluster and
 * project stacks alike: apply the Secret, then the Stack with a fresh reconcile request, and poll
 * the Stack (doubling pauses, bounded) until PKO reports that run; or set `destroyOnFinalize`,
 * delete the Stack and poll until the finalizer has destroyed the stack and the object is gone.
 * Cancelling stops the waiting only: PKO keeps reconciling the Stack it was given.
 */
import { randomUUID } from "node:crypto";
import { ExecutorError, type ExecutorRequest } from "../executor";
import type { KubeClient } from "./kube-client";
import { destroyProgress, type StackProgress, stackProgress } from "./operator-status";

type Obj = Record<string, unknown>;

/** A run PKO reported as done, with the Stack's outputs. */
export type Succeeded = Extract<StackProgress, { phase: "succeeded" }>;

/** Settings of {@link StackRuns}. */
export interface StackRunsOptions {
    client: KubeClient;
    /** The operator's namespace, as given (paths encode it). */
    namespace: string;
    /** First and longest pause between status polls, in ms. Defaults to 1000 and 15000. */
    pollMs?: { initial: number; max: number };
    /** Longest wait for one run, in ms. Defaults to {@link DEFAULT_RUN_TIMEOUT_MS}. */
    timeoutMs?: number;
}

/** How long one run is waited for unless the options say otherwise: 2 hours. */
export const DEFAULT_RUN_TIMEOUT_MS = 2 * 3600_000;

/** What cancels the waiting and where its progress goes. */
export interface RunContext {
    signal: AbortSignal;
    onEvent: ExecutorRequest["onEvent"];
}

/** A Stack object and its API path; its name is what the progress messages say. */
export interface StackTarget extends RunContext {
    objectName: string;
    stackPath: string;
}

/** A Stack to apply with its Secret. */
export interface StackToRun extends StackTarget {
    secretPath: string;
    secret: Obj;
    /** The Stack object carrying `reconcileRequest`. */
    stack(reconcileRequest: string): Obj;
}

/** Resolves after `ms`, or rejects with "cancelled" when `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
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

const generationOf = (obj: Obj) => Number((obj.metadata as Obj | undefined)?.generation ?? 0);

/** Applies Stacks and waits for the operator's runs of them. */
export class StackRuns {
    private readonly client: KubeClient;
    private readonly ns: string;

    constructor(private readonly options: StackRunsOptions) {
        this.client = options.client;
        this.ns = encodeURIComponent(options.namespace);
    }

    /** Applies the Secret and the Stack and waits for the run PKO makes of them. */
    async applyAndWait(run: StackToRun): Promise<Succeeded> {
        await this.client.apply(run.secretPath, run.secret, run.signal);
        const reconcileRequest = randomUUID();
        const applied = await this.client.apply(run.stackPath, run.stack(reconcileRequest), run.signal);
        const generation = generationOf(applied);
        run.onEvent({
            type: "log",
            message: `applied Stack ${this.options.namespace}/${run.objectName} (generation ${generation}); waiting for the operator`,
        });
        const done = await this.poll(run, (obj) =>
            obj ? stackProgress(obj, { generation, reconcileRequest }) : undefined,
        );
        if (!done)
            throw new ExecutorError(
                "stack-not-found",
                `the Stack ${run.objectName} was deleted while the operator ran it`,
            );
        return done;
    }

    /**
     * Sets `destroyOnFinalize`, deletes the Stack and waits until the operator's finalizer has
     * destroyed the stack and the object is gone. Resolves false when there was no Stack.
     */
    async destroyAndWait(target: StackTarget): Promise<boolean> {
        if (!(await this.client.get(target.stackPath, target.signal))) return false;
        const patched = await this.client.mergePatch(
            target.stackPath,
            { spec: { destroyOnFinalize: true } },
            target.signal,
        );
        const generation = generationOf(patched);
        await this.client.delete(target.stackPath, target.signal);
        target.onEvent({
            type: "log",
            message: `deleted Stack ${target.objectName} with destroyOnFinalize; waiting for the operator's destroy`,
        });
        await this.poll(target, (obj) => (obj ? destroyProgress(obj, generation) : undefined));
        return true;
    }

    /** The failure, with the message PKO's `Update` object recorded (the engine's error), when readable. */
    async failureText(summary: string, updateName: string | undefined, signal: AbortSignal): Promise<string> {
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

    /**
     * Polls the Stack with doubling pauses (bounded by `pollMs.max`) until `judge` says it
     * succeeded (returned) or failed (thrown); resolves undefined once the object is gone.
     */
    private async poll(
        target: StackTarget,
        judge: (stack: Obj | undefined) => StackProgress | undefined,
    ): Promise<Succeeded | undefined> {
        const { initial, max } = this.options.pollMs ?? { initial: 1000, max: 15_000 };
        const timeoutMs = this.options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
        const deadline = Date.now() + timeoutMs;
        let delay = initial;
        let said = "";
        for (;;) {
            const progress = judge(await this.client.get(target.stackPath, target.signal));
            if (!progress) return undefined;
            if (progress.phase === "succeeded") return progress;
            if (progress.phase === "failed")
                throw new ExecutorError(
                    "engine-failed",
                    await this.failureText(progress.message, progress.updateName, target.signal),
                );
            if (progress.message !== said) target.onEvent({ type: "log", message: `operator: ${progress.message}` });
            said = progress.message;
            if (Date.now() > deadline) {
                throw new ExecutorError(
                    "timeout",
                    `the operator did not finish within ${Math.round(timeoutMs / 60_000)} min; it keeps reconciling the Stack`,
                );
            }
            await pause(delay, target.signal);
            delay = Math.min(delay * 2, max);
        }
    }
}
