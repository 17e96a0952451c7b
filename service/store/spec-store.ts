/**
 * The last applied spec of each cluster, encrypted at rest, so suspend, resume and purge can run
 * without the caller resending kubeconfigs.
 *
 * AES-256-GCM; the key is 32 random bytes in `<dataDir>/spec.key` (mode 0600, created on first
 * use) unless `MLA_SPEC_KEY_FILE` points elsewhere (e.g. a mounted Kubernetes Secret). The stack
 * state already holds the same kubeconfigs, encrypted with the Pulumi passphrase.
 * Sealed specs live in the registry's database (`specs` table), written in the same commits as
 * the records, so a spec and the operation that stored it are durable together.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { ClusterSpec, ReconcilePolicy, SeedApiUrls } from "../../spec/cluster-spec";
import { writeFileAtomic } from "./atomic-file";

/** Reads the key file, creating it with a random key when missing. */
export function loadOrCreateKey(path: string): Buffer {
    if (!existsSync(path)) writeFileAtomic(path, randomBytes(32).toString("base64"), 0o600);
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${path} must hold 32 bytes, base64-encoded`);
    return key;
}

/** Encrypts `spec` for `clusterId`; the id is bound as associated data, so a record moved to another id fails to open. */
export function sealSpec(key: Buffer, clusterId: string, spec: ClusterSpec): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(clusterId));
    const body = Buffer.concat([cipher.update(JSON.stringify(spec), "utf8"), cipher.final()]);
    return JSON.stringify({
        v: 1,
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        body: body.toString("base64"),
    });
}

/** Decrypts a sealed spec; throws when it was tampered with or sealed with another key or id. */
export function openSpec(key: Buffer, clusterId: string, sealed: string): ClusterSpec {
    const record = JSON.parse(sealed) as { iv: string; tag: string; body: string };
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(record.iv, "base64"));
    decipher.setAAD(Buffer.from(clusterId));
    decipher.setAuthTag(Buffer.from(record.tag, "base64"));
    const text = Buffer.concat([decipher.update(Buffer.from(record.body, "base64")), decipher.final()]).toString(
        "utf8",
    );
    return JSON.parse(text) as ClusterSpec;
}

/** Where sealed specs are kept: the registry, or a read-only view of it. */
export interface SealedSpecs {
    sealedSpec(clusterId: string): string | undefined;
    putSealedSpec?(clusterId: string, sealed: string): void;
    removeSpec?(clusterId: string): void;
}

/**
 * What the health report and the reconciler's schedule read of a stored spec: nothing secret, so
 * it is kept in memory in the clear and a listing decrypts nothing.
 */
export interface SpecSummary {
    monitoringEnabled: boolean;
    loggingEnabled: boolean;
    earlyRenewalHours: number;
    reconcilePolicy?: ReconcilePolicy;
}

function summaryOf(spec: ClusterSpec): SpecSummary {
    return {
        monitoringEnabled: spec.monitoring.enabled,
        loggingEnabled: spec.logging.enabled,
        earlyRenewalHours: spec.pki.earlyRenewalHours,
        ...(spec.reconcilePolicy !== undefined ? { reconcilePolicy: spec.reconcilePolicy } : {}),
    };
}

/** Encrypted per-cluster specs over the registry. */
export class SpecStore {
    /**
     * Each cluster's {@link SpecSummary}, with the sealed spec it was read from (the string the
     * registry holds, so it costs no memory of its own); a newer sealed spec replaces it.
     */
    private readonly summaries = new Map<string, { sealed: string; summary: SpecSummary }>();
    /** Entries at which the next insertion drops those of removed specs (amortised O(1)). */
    private pruneAt = 64;

    /**
     * `seedApiOf`: the operator's API addresses of a seed (`MLA_SEED_API_FILE`). When given, every
     * spec loaded carries them in place of the stored ones: a spec stored by an older version may
     * hold addresses a request chose, and re-applies, suspends, rotations, purges and drift checks
     * all start from the stored spec.
     */
    constructor(
        private readonly store: SealedSpecs,
        private readonly key: Buffer,
        private readonly seedApiOf?: (seedStack: string) => SeedApiUrls,
    ) {}

    /** Stores `spec` for `clusterId`, replacing the previous one (durable with the registry's next commit). */
    save(clusterId: string, spec: ClusterSpec): void {
        if (!this.store.putSealedSpec) throw new Error("the spec store is read-only");
        const sealed = sealSpec(this.key, clusterId, spec);
        this.store.putSealedSpec(clusterId, sealed);
        this.remember(clusterId, sealed, summaryOf(spec));
    }

    private remember(clusterId: string, sealed: string, summary: SpecSummary): void {
        this.summaries.set(clusterId, { sealed, summary });
        if (this.summaries.size < this.pruneAt) return;
        for (const id of [...this.summaries.keys()])
            if (this.store.sealedSpec(id) === undefined) this.summaries.delete(id);
        this.pruneAt = Math.max(64, 2 * this.summaries.size);
    }

    /**
     * The non-secret summary of the stored spec, or undefined when there is none. Decrypts only
     * when the sealed spec changed since it was last read (after a restart, or a write by another
     * store over the same registry).
     */
    summary(clusterId: string): SpecSummary | undefined {
        const sealed = this.store.sealedSpec(clusterId);
        if (sealed === undefined) {
            this.summaries.delete(clusterId);
            return undefined;
        }
        const known = this.summaries.get(clusterId);
        if (known?.sealed === sealed) return known.summary;
        const summary = summaryOf(openSpec(this.key, clusterId, sealed));
        this.remember(clusterId, sealed, summary);
        return summary;
    }

    /** The stored spec, or undefined when there is none. Throws when it was tampered with. */
    load(clusterId: string): ClusterSpec | undefined {
        const sealed = this.store.sealedSpec(clusterId);
        if (sealed === undefined) return undefined;
        const spec = openSpec(this.key, clusterId, sealed);
        return this.seedApiOf ? { ...spec, seedApi: this.seedApiOf(spec.seedStack) } : spec;
    }

    remove(clusterId: string): void {
        this.store.removeSpec?.(clusterId);
        this.summaries.delete(clusterId);
    }
}
