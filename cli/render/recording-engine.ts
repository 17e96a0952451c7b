/**
 * A recording Pulumi engine for `mla render seed|cluster`: the real programs run against
 * `pulumi.runtime.setMocks`, and every resource they register is kept, in registration order,
 * with its inputs. Nothing is created anywhere. Values that only a real provider computes (keys,
 * certificates, random passwords, ids) are stable placeholders, so the rendered manifests are
 * reproducible and hold no secret.
 */
import * as pulumi from "@pulumi/pulumi";

/** A resource as the program registered it. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly custom: boolean;
    /** The explicit provider's name (`seed`, `user`, ...), when the resource has one. */
    readonly provider?: string;
}

/** A placeholder for a value that only exists after a real deployment. */
export function placeholder(kind: string, name: string): string {
    return `<${kind}:${name}>`;
}

function pem(kind: string, name: string): string {
    return `-----BEGIN ${kind}-----\n${placeholder("generated", name)}\n-----END ${kind}-----\n`;
}

/** `urn:pulumi:stack::mla::pulumi:providers:kubernetes::seed::id` → `seed`. */
function providerName(reference: string | undefined): string | undefined {
    if (reference === undefined || reference === "") return undefined;
    const parts = reference.split("::");
    return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** Outputs that real providers compute and that the programs read. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: pem("EC PRIVATE KEY", name),
                privateKeyPemPkcs8: pem("PRIVATE KEY", name),
                publicKeyPem: pem("PUBLIC KEY", name),
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return {
                certPem: pem("CERTIFICATE", name),
                readyForRenewal: false,
                validityEndTime: "2099-01-01T00:00:00Z",
            };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: pem("CERTIFICATE REQUEST", name) };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
        case "random:index/randomBytes:RandomBytes": {
            // Readers check the shape of a generated value (length, alphabet), so the placeholder
            // has the requested length and only letters, digits, `_` and `-`.
            const length = typeof inputs.length === "number" ? inputs.length : 32;
            const text = `generated-${name.replace(/[^A-Za-z0-9_-]/g, "_")}-`;
            const result = text.padEnd(length, "x").slice(0, Math.max(length, 1));
            return { result, hex: result };
        }
        default:
            return {};
    }
}

/** The engine: install once per process, then run a program and read what it registered. */
export class RecordingEngine {
    private readonly registered: RegisteredResource[] = [];
    private readonly stackOutputs = new Map<string, Record<string, unknown>>();

    /** Installs the engine for `stack`; programs must be imported only after this. */
    constructor(stack: string) {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    this.registered.push({
                        type: args.type,
                        name: args.name,
                        inputs: args.inputs,
                        custom: args.custom ?? true,
                        provider: providerName(args.provider),
                    });
                    if (args.type === "pulumi:pulumi:StackReference") {
                        const outputs = this.stackOutputs.get(String(args.inputs.name ?? args.name)) ?? {};
                        return { id: args.name, state: { ...args.inputs, outputs, secretOutputNames: [] } };
                    }
                    return {
                        id: `${args.name}-id`,
                        state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) },
                    };
                },
                call: (args) => args.inputs,
            },
            "mla",
            stack,
            false,
        );
    }

    /** The outputs a `StackReference` to `stack` resolves to. */
    setStackOutputs(stack: string, outputs: Record<string, unknown>): void {
        this.stackOutputs.set(stack, outputs);
    }

    /** Forgets what was registered, before the next program. */
    reset(): void {
        this.registered.length = 0;
    }

    /**
     * Waits until the program has registered everything (registration is asynchronous: outputs
     * resolve over several ticks, so "unchanged for a few rounds" after the SDK's RPCs drain).
     */
    async settled(): Promise<RegisteredResource[]> {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
        await waitForRPCs();
        let last = -1;
        for (let stable = 0; stable < 5;) {
            await new Promise((r) => setTimeout(r, 5));
            if (this.registered.length === last) stable++;
            else [stable, last] = [0, this.registered.length];
        }
        return [...this.registered];
    }
}

/** Resolves every Output in a program's returned outputs to plain values. */
export async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolved = await Promise.all(
        Object.entries(outputs).map(([key, value]) => {
            const output: pulumi.Output<unknown> = pulumi.output(value);
            return new Promise<[string, unknown]>((resolve) => output.apply((v) => resolve([key, v])));
        }),
    );
    return Object.fromEntries(resolved);
}
