/**
 * The only place that reads `pulumi.Config`. It adapts the stack's config to a
 * {@link ConfigSource}; the seed and cluster loaders parse it into typed settings.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigSource } from "./config-reader";

/** The stack's `mla:*` config as a {@link ConfigSource}. */
export function stackConfigSource(namespace = "mla"): ConfigSource {
    const config = new pulumi.Config(namespace);
    return {
        namespace,
        get(key: string): unknown {
            const text = config.get(key);
            if (text === undefined) return undefined;
            // Structured config (`--path` or YAML objects) arrives as JSON text.
            if (/^\s*[[{]/.test(text)) {
                try {
                    return JSON.parse(text);
                } catch {
                    return text;
                }
            }
            return text;
        },
        getSecret: (key: string) => config.getSecret(key),
    };
}
