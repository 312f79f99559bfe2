// Types of scripts/build.mjs (plain JavaScript, so that it runs before anything is compiled).
export declare const DIST: string;
export declare function sourceHash(): string;
export declare function distIsFresh(): boolean;
export declare function build(options?: { ifStale?: boolean; quiet?: boolean; optional?: boolean }): boolean;
