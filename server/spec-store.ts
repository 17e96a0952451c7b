/**
 * The last applied spec of each cluster, encrypted at rest, so suspend, resume and purge can run
 * without the caller resending kubeconfigs.
 *
 * AES-256-GCM; the key is 32 random bytes in `<dataDir>/spec.key` (mode 0600, created on first
 * use) unless `MLA_SPEC_KEY_FILE` points elsewhere (e.g. a mounted Kubernetes Secret). The stack
 * state already holds the same kubeconfigs, encrypted with the Pulumi passphrase.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ClusterSpec } from "../stacks/cluster-spec";
import { writeFileAtomic } from "./registry";

/** Reads the key file, creating it with a random key when missing. */
export function loadOrCreateKey(path: string): Buffer {
    if (!existsSync(path)) writeFileAtomic(path, randomBytes(32).toString("base64"), 0o600);
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${path} must hold 32 bytes, base64-encoded`);
    return key;
}

/** Encrypted per-cluster specs under `<dataDir>/specs/`. */
export class SpecStore {
    private readonly dir: string;

    constructor(
        dataDir: string,
        private readonly key: Buffer,
    ) {
        this.dir = join(dataDir, "specs");
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }

    private path(clusterId: string): string {
        return join(this.dir, `${clusterId}.enc`);
    }

    /** Stores `spec` for `clusterId`, replacing the previous one. */
    save(clusterId: string, spec: ClusterSpec): void {
        const iv = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", this.key, iv);
        // The cluster id is bound as associated data so a file renamed to another id fails to open.
        cipher.setAAD(Buffer.from(clusterId));
        const body = Buffer.concat([cipher.update(JSON.stringify(spec), "utf8"), cipher.final()]);
        const record = { v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), body: body.toString("base64") };
        writeFileAtomic(this.path(clusterId), JSON.stringify(record));
    }

    /** The stored spec, or undefined when there is none. Throws when the file was tampered with. */
    load(clusterId: string): ClusterSpec | undefined {
        if (!existsSync(this.path(clusterId))) return undefined;
        const record = JSON.parse(readFileSync(this.path(clusterId), "utf8")) as { iv: string; tag: string; body: string };
        const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(record.iv, "base64"));
        decipher.setAAD(Buffer.from(clusterId));
        decipher.setAuthTag(Buffer.from(record.tag, "base64"));
        const text = Buffer.concat([decipher.update(Buffer.from(record.body, "base64")), decipher.final()]).toString("utf8");
        return JSON.parse(text) as ClusterSpec;
    }

    remove(clusterId: string): void {
        rmSync(this.path(clusterId), { force: true });
    }
}
