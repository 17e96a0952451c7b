/**
 * The production seed config shown in docs/seed-production.md, read from the page itself so that
 * the suite renders and checks exactly what the documentation recommends.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** The page. */
export const PRODUCTION_DOC = join(__dirname, "../../docs/seed-production.md");

/** Every fenced ```yaml block of the page, in order. */
export function yamlBlocks(text: string = readFileSync(PRODUCTION_DOC, "utf8")): string[] {
    return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** The page's production stack config (its first YAML block), without the `mla:` prefix. */
export function productionConfig(): Record<string, unknown> {
    const doc = parse(yamlBlocks()[0]) as { config: Record<string, unknown> };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc.config)) {
        if (!key.startsWith("mla:")) throw new Error(`${PRODUCTION_DOC}: key ${key} is not an mla: key`);
        out[key.slice(4)] = value;
    }
    return out;
}
