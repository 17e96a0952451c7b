/** Hostile request fields the bounded-input tests send: bombs, deep nesting, oversized strings. */

/** The "billion laughs": each line doubles nine-fold what the previous one expands to. */
export const ALIAS_BOMB = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...["b", "c", "d", "e", "f", "g", "h", "i"].map(
        (name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
    ),
].join("\n");

export const nestedFlow = (depth: number) => `a: ${"[".repeat(depth)}1${"]".repeat(depth)}\n`;
export const nestedBlock = (depth: number) =>
    `${Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} 1\n`;
export const nestedCompact = (depth: number) => `${"- ".repeat(depth)}x\n`;
export const nestedJson = (depth: number): unknown => {
    let value: unknown = { job_name: "deep" };
    for (let i = 0; i < depth; i++) value = { nested: value };
    return value;
};
export const FIVE_MIB = 5 * 1024 * 1024;

/**
 * Implicit keys one after another in a flow collection, with no comma between (invalid YAML):
 * each nests a level in `yaml`'s parser, whose stack overflowed at 3,000 of them (15 KB).
 */
export const flowKeys = (open: string, count: number, unit = "k: v ") =>
    `a: ${open}${unit.repeat(count)}${open === "{" ? "}" : "]"}\n`;
