// Types of scripts/server-args.mjs (plain JavaScript, like scripts/build.mjs).
export declare function serverArgs(): string[];
export declare function serverFlags(): string[];
export declare function serverEnv(): Record<string, string>;
