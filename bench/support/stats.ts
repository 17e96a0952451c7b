/** Summaries of repeated benchmark figures: min, median and max over the repetitions. */

/** Min, median and max of `values`. */
export function stats(values: number[]): { min: number; median: number; max: number } {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

/** `median [min–max]` with `digits` decimals. */
export function fmt(values: number[], digits = 2): string {
    const { min, median, max } = stats(values);
    return `${median.toFixed(digits)} [${min.toFixed(digits)}–${max.toFixed(digits)}]`;
}
