/**
 * Typed, problem-collecting access to a stack's configuration.
 *
 * The seed and cluster config loaders read through this class so that one run reports every
 * mistake at once ("3 problems in stack config: ..."). It never touches `pulumi.Config` itself;
 * `programs/config.ts` adapts the real config to {@link ConfigSource}, and tests use plain maps.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../spec/config-error";

/** The raw values of one config namespace. Structured values come back already parsed. */
export interface ConfigSource {
    /** The namespace, used in messages: `mla`. */
    readonly namespace: string;
    /** A plain value: a string, or a parsed object/array/number/boolean for structured config. */
    get(key: string): unknown;
    /** A secret value, kept as a secret Output. */
    getSecret(key: string): pulumi.Output<string> | undefined;
}

/** Reads keys, remembers every problem, and throws them together from {@link ConfigReader.done}. */
export class ConfigReader {
    private readonly problems: string[] = [];

    constructor(private readonly source: ConfigSource) {}

    /** The qualified name of a key or path, as users type it: `mla:objectStore.endpoint`. */
    qualified(path: string): string {
        return `${this.source.namespace}:${path}`;
    }

    /** Records a problem with `path`. */
    problem(path: string, message: string): void {
        this.problems.push(`${this.qualified(path)} ${message}`);
    }

    /** The raw value at a dotted path (`a.b.c`), or undefined. */
    raw(path: string): unknown {
        const [top, ...rest] = path.split(".");
        let value: unknown = this.source.get(top);
        for (const part of rest) {
            if (value === undefined || value === null) return undefined;
            if (typeof value !== "object" || Array.isArray(value)) {
                this.problem(path.split(".").slice(0, -1).join("."), "must be an object");
                return undefined;
            }
            value = (value as Record<string, unknown>)[part];
        }
        return value ?? undefined;
    }

    /** A string; records a problem when required and missing, or not a string. */
    string(path: string, opts: { required: true }): string;
    string(path: string, opts?: { required?: false; default?: string }): string | undefined;
    string(path: string, opts: { required?: boolean; default?: string } = {}): string | undefined {
        const value = this.raw(path);
        if (value === undefined || value === "") {
            if (opts.required) this.problem(path, "is required");
            return opts.required ? "" : opts.default;
        }
        if (typeof value !== "string") {
            this.problem(path, `must be a string, got ${JSON.stringify(value)}`);
            return opts.default ?? "";
        }
        return value;
    }

    /** A boolean, accepting `true`/`false` strings as the CLI stores them. */
    boolean(path: string, fallback: boolean): boolean {
        const value = this.raw(path);
        if (value === undefined) return fallback;
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        this.problem(path, `must be true or false, got ${JSON.stringify(value)}`);
        return fallback;
    }

    /** An integer within bounds. */
    integer(path: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
        const value = this.raw(path);
        if (value === undefined) return fallback;
        const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.problem(path, `must be a whole number, got ${JSON.stringify(value)}`);
            return fallback;
        }
        if (bounds.min !== undefined && n < bounds.min) this.problem(path, `must be at least ${bounds.min}, got ${n}`);
        if (bounds.max !== undefined && n > bounds.max) this.problem(path, `must be at most ${bounds.max}, got ${n}`);
        return n;
    }

    /** One of a fixed set of strings. */
    oneOf<T extends string>(path: string, allowed: readonly T[], fallback: T): T {
        const value = this.raw(path);
        if (value === undefined) return fallback;
        if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
        this.problem(path, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
        return fallback;
    }

    /** A list of strings. */
    stringList(path: string, fallback: string[] = []): string[] {
        const value = this.raw(path);
        if (value === undefined) return fallback;
        if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
        this.problem(path, `must be a list of strings, got ${JSON.stringify(value)}`);
        return fallback;
    }

    /** A plain object (for free-form maps such as extra Helm values or resources). */
    object(path: string): Record<string, unknown> | undefined {
        const value = this.raw(path);
        if (value === undefined) return undefined;
        if (typeof value === "object" && value !== null && !Array.isArray(value))
            return value as Record<string, unknown>;
        this.problem(path, `must be an object, got ${JSON.stringify(value)}`);
        return undefined;
    }

    /** A secret top-level key; records a problem when required and missing. */
    secret(key: string, opts: { required: boolean; hint?: string }): pulumi.Output<string> | undefined {
        const value = this.source.getSecret(key);
        if (value === undefined && opts.required) {
            this.problem(key, `is required${opts.hint ? ` (${opts.hint})` : ""}`);
        }
        return value;
    }

    /** Throws a {@link ConfigError} listing every recorded problem, if there is any. */
    done(): void {
        if (this.problems.length > 0) throw new ConfigError(this.problems);
    }
}
