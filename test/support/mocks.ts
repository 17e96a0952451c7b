/**
 * The one place where mocks stand in for the Pulumi engine (`pulumi.runtime.setMocks`).
 *
 * Every registered resource is recorded with its type, name, inputs and provider reference, so
 * component tests can assert exact children. Outputs echo the inputs, plus the few computed
 * outputs that the programs read (PEMs, random results, stack-reference outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";

/**
 * The SDK's "wait until every outstanding RPC is done" (internal; `disconnect()` uses it). The
 * module exports it at run time, but its declarations are stripped from the published typings.
 */
const { waitForRPCs } = runtimeSettings as unknown as { waitForRPCs: () => Promise<void> };

/** A resource as the mocked engine saw it. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /**
     * What the component passed the engine, untyped as the SDK's `MockResourceArgs.inputs` is:
     * tests walk arbitrary resource shapes (`inputs.spec.template.spec...`) and their assertions
     * are the check, so narrowing every access would add casts and no safety.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: arbitrary resource shapes, asserted by the tests
    readonly inputs: Record<string, any>;
    /** The provider reference (`urn::id`) the engine was given, if any. */
    readonly provider?: string;
    readonly custom: boolean;
}

const recorded: RecordedResource[] = [];
/** Outputs returned by `pulumi:pulumi:StackReference`, keyed by the referenced stack name. */
const stackOutputs = new Map<string, Record<string, unknown>>();

/** The instant every mocked certificate is issued at (epoch ms). */
export const MOCK_ISSUED_AT = Date.parse("2030-01-01T00:00:00Z");

function fakePem(kind: string, name: string): string {
    return `-----BEGIN ${kind}-----\nMOCK-${name}\n-----END ${kind}-----\n`;
}

/** Computed outputs that real providers return and that the programs read. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: fakePem("EC PRIVATE KEY", name),
                privateKeyPemPkcs8: fakePem("PRIVATE KEY", name),
                publicKeyPem: fakePem("PUBLIC KEY", name),
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return {
                certPem: fakePem("CERTIFICATE", name),
                readyForRenewal: false,
                // As the provider computes it: issued at a fixed instant, valid validityPeriodHours.
                validityEndTime: new Date(
                    MOCK_ISSUED_AT + Number(inputs.validityPeriodHours ?? 0) * 3600_000,
                ).toISOString(),
            };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: fakePem("CERTIFICATE REQUEST", name) };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { result: `generated-${name}` };
        case "grafana:oss/organization:Organization":
            // Grafana assigns the org id; a fixed one lets tests follow it into the datasources.
            return { orgId: 42 };
        case "pulumi:pulumi:StackReference": {
            const stack = String(inputs.name ?? name);
            return { outputs: stackOutputs.get(stack) ?? {}, secretOutputNames: [] };
        }
        default:
            return {};
    }
}

let installed = false;

/**
 * Installs the mocks once per process (mocha runs every file in one process) and returns the
 * shared recorder. Call it before importing programs that create resources at import time.
 */
export function installMocks(options: { preview?: boolean; stack?: string } = {}): void {
    if (installed && !options.preview) return;
    installed = true;
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
                recorded.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider,
                    custom: args.custom ?? true,
                });
                const state = { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) };
                return { id: args.id ?? `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                return args.inputs;
            },
        },
        "mla",
        options.stack ?? "test",
        options.preview ?? false,
    );
}

/** Sets the outputs a `StackReference` to `stack` resolves to. */
export function setStackOutputs(stack: string, outputs: Record<string, unknown>): void {
    stackOutputs.set(stack, outputs);
}

/** Forgets every recorded resource; call in `beforeEach`. */
export function resetResources(): void {
    recorded.length = 0;
}

/**
 * Waits until the engine has stopped registering resources, then returns them. Registration is
 * asynchronous (outputs resolve over several ticks), so "stable for a few rounds" is the signal.
 */
export async function settledResources(): Promise<RecordedResource[]> {
    // Drain the SDK's outstanding RPCs first: some registrations (dynamic providers serialize
    // their code) take far longer than a few ticks.
    await waitForRPCs();
    let last = -1;
    let stableRounds = 0;
    while (stableRounds < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (recorded.length === last) stableRounds++;
        else {
            stableRounds = 0;
            last = recorded.length;
        }
    }
    return [...recorded];
}

/** Resolves an Output's value (unknown values under preview resolve to undefined). */
export function promiseOf<T>(output: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** The recorded resources of one type, in registration order. */
export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The one recorded resource with this type and name; throws a readable error otherwise. */
export function findResource(resources: RecordedResource[], type: string, name: string): RecordedResource {
    const hit = resources.filter((r) => r.type === type && r.name === name);
    if (hit.length !== 1) {
        const names = ofType(resources, type)
            .map((r) => r.name)
            .join(", ");
        throw new Error(`expected exactly one ${type} named ${name}, found ${hit.length} (have: ${names || "none"})`);
    }
    return hit[0];
}
