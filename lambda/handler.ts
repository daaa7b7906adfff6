// Placeholder entry so the stack can reference the handler while it is being written.
export const handler = async (): Promise<void> => {};
