// Types for vsix.mjs.
export declare function manifest(): { name: string; publisher: string; version: string; id: string };
export declare function defaultVsixPath(): string;
export declare function packageExtension(options?: { out?: string; quiet?: boolean }): { path: string; bytes: number };
export declare function vsixEntries(vsixPath: string): string[];
