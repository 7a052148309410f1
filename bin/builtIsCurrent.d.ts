export declare const sourceFolders: string[];
export declare function builtIsCurrent(root: string): boolean;
